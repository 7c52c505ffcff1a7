//! Request bodies sent with a `Content-Encoding` (RFC 9110 8.4): `gzip` (and its alias
//! `x-gzip`) and `deflate` are decoded before the body is read, as a live server behind a
//! decompressing gateway would; any other coding is refused with 415 and `Accept-Encoding`
//! (RFC 9110 15.5.16). Decoding stops at the sandbox's body limit, so a small compressed body
//! cannot grow past it. Pure.

use std::io::Read;

use bytes::Bytes;
use http::{HeaderMap, header};

/// The codings the sandbox decodes, as `Accept-Encoding` lists them.
pub const ACCEPTED: &str = "gzip, deflate";

/// A content coding of a request body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Identity,
    Gzip,
    Deflate,
}

/// Why a body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// A coding the sandbox does not decode (415).
    Unsupported(String),
    /// The bytes are not in the coding the header names (400).
    Corrupt {
        /// The coding (`gzip`, `deflate`).
        coding: &'static str,
        /// What the decoder said.
        reason: String,
    },
    /// The decoded body is over the limit (413).
    TooLarge,
}

fn coding(name: &str) -> Result<Coding, DecodeError> {
    match name.to_ascii_lowercase().as_str() {
        "identity" | "" => Ok(Coding::Identity),
        "gzip" | "x-gzip" => Ok(Coding::Gzip),
        "deflate" => Ok(Coding::Deflate),
        _ => Err(DecodeError::Unsupported(name.to_string())),
    }
}

/// The body of a request with `headers`, its `Content-Encoding` codings undone, last applied
/// first. At most `limit` decoded bytes. A body sent as it is comes back as it is.
pub fn decode_request(
    body: Bytes,
    headers: &HeaderMap,
    limit: usize,
) -> Result<Bytes, DecodeError> {
    let values = headers
        .get_all(header::CONTENT_ENCODING)
        .iter()
        .map(|v| v.to_str().unwrap_or("?"));
    decode(body, values, limit)
}

/// `body` with the codings of `content_encoding` (the header's values, in order) undone.
fn decode<'h>(
    body: Bytes,
    content_encoding: impl IntoIterator<Item = &'h str>,
    limit: usize,
) -> Result<Bytes, DecodeError> {
    let codings = content_encoding
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(|c| coding(c.trim()))
        .collect::<Result<Vec<Coding>, DecodeError>>()?;
    codings.iter().rev().try_fold(body, |body, c| match c {
        Coding::Identity => Ok(body),
        Coding::Gzip => read_limited(flate2::read::MultiGzDecoder::new(&body[..]), limit)
            .map_err(|e| corrupt("gzip", e)),
        // RFC 9110 8.4.1.2: "deflate" is the zlib format; some clients send raw deflate.
        Coding::Deflate => read_limited(flate2::read::ZlibDecoder::new(&body[..]), limit)
            .or_else(|zlib| match zlib {
                ReadError::TooLarge => Err(zlib),
                ReadError::Io(_) => {
                    read_limited(flate2::read::DeflateDecoder::new(&body[..]), limit)
                }
            })
            .map_err(|e| corrupt("deflate", e)),
    })
}

/// How reading a decoder failed.
#[derive(Debug)]
enum ReadError {
    TooLarge,
    Io(std::io::Error),
}

fn corrupt(coding: &'static str, e: ReadError) -> DecodeError {
    match e {
        ReadError::TooLarge => DecodeError::TooLarge,
        ReadError::Io(e) => DecodeError::Corrupt {
            coding,
            reason: e.to_string(),
        },
    }
}

fn read_limited(decoder: impl std::io::Read, limit: usize) -> Result<Bytes, ReadError> {
    let mut out = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    decoder
        .take(cap)
        .read_to_end(&mut out)
        .map_err(ReadError::Io)?;
    if out.len() > limit {
        return Err(ReadError::TooLarge);
    }
    Ok(out.into())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).expect("write");
        e.finish().expect("gzip")
    }

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).expect("write");
        e.finish().expect("zlib")
    }

    fn raw_deflate(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).expect("write");
        e.finish().expect("deflate")
    }

    const BODY: &[u8] = br#"{"amount":"150075","currency":"EUR"}"#;

    #[test]
    fn decodes_gzip_deflate_and_stacked_codings() {
        let run = |bytes: Vec<u8>, header: &[&str]| {
            decode(Bytes::from(bytes), header.iter().copied(), 1024).map(|b| b.to_vec())
        };
        assert_eq!(run(BODY.to_vec(), &[]), Ok(BODY.to_vec()));
        assert_eq!(run(BODY.to_vec(), &["identity"]), Ok(BODY.to_vec()));
        assert_eq!(run(gzip(BODY), &["gzip"]), Ok(BODY.to_vec()));
        assert_eq!(run(gzip(BODY), &["X-GZIP"]), Ok(BODY.to_vec()));
        assert_eq!(run(zlib(BODY), &["deflate"]), Ok(BODY.to_vec()));
        assert_eq!(run(raw_deflate(BODY), &["deflate"]), Ok(BODY.to_vec()));
        // Applied in order: deflate first, then gzip; undone last first.
        assert_eq!(
            run(gzip(&zlib(BODY)), &["deflate, gzip"]),
            Ok(BODY.to_vec())
        );
        assert_eq!(
            run(gzip(&zlib(BODY)), &["deflate", "gzip"]),
            Ok(BODY.to_vec())
        );
    }

    #[test]
    fn reads_the_codings_of_a_request() {
        let mut headers = HeaderMap::new();
        let plain = decode_request(Bytes::from_static(BODY), &headers, 1024);
        assert_eq!(plain.map(|b| b.to_vec()), Ok(BODY.to_vec()));
        headers.append(header::CONTENT_ENCODING, "deflate".parse().expect("value"));
        headers.append(header::CONTENT_ENCODING, "gzip".parse().expect("value"));
        let stacked = decode_request(Bytes::from(gzip(&zlib(BODY))), &headers, 1024);
        assert_eq!(stacked.map(|b| b.to_vec()), Ok(BODY.to_vec()));
        headers.insert(header::CONTENT_ENCODING, "br".parse().expect("value"));
        assert_eq!(
            decode_request(Bytes::from_static(BODY), &headers, 1024),
            Err(DecodeError::Unsupported("br".into()))
        );
    }

    #[test]
    fn refuses_unknown_codings_corrupt_bytes_and_bombs() {
        let run = |bytes: Vec<u8>, header: &str, limit: usize| {
            decode(Bytes::from(bytes), [header], limit).map(|b| b.to_vec())
        };
        assert_eq!(
            run(BODY.to_vec(), "br", 1024),
            Err(DecodeError::Unsupported("br".into()))
        );
        assert_eq!(
            run(gzip(BODY), "gzip, zstd", 1024),
            Err(DecodeError::Unsupported("zstd".into()))
        );
        assert!(matches!(
            run(BODY.to_vec(), "gzip", 1024),
            Err(DecodeError::Corrupt { coding: "gzip", .. })
        ));
        assert!(matches!(
            run(BODY.to_vec(), "deflate", 1024),
            Err(DecodeError::Corrupt {
                coding: "deflate",
                ..
            })
        ));
        // A megabyte of zeros compresses to about a kilobyte: the limit holds on the output.
        let bomb = gzip(&vec![0u8; 1 << 20]);
        assert!(bomb.len() < 4096);
        assert_eq!(run(bomb.clone(), "gzip", 1000), Err(DecodeError::TooLarge));
        assert_eq!(run(bomb, "gzip", 1 << 20).map(|b| b.len()), Ok(1 << 20));
    }
}
