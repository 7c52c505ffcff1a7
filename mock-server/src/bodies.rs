//! A bounded memo of generated responses. A response's bytes are a pure function of the
//! operation, the response and media type chosen, the `Prefer` choices and the request's seed
//! (for SOAP: the operation, port, version and seed),
//! so a request the sandbox has answered before (a client polling, the Try console repeating a
//! call) is answered from here instead of generating and serializing the data again. Bounded by
//! weight (bytes), so a large spec's large bodies cannot grow it without limit.

use std::sync::Arc;

use api_model::example::Seed;
use bytes::Bytes;
use http::HeaderMap;

/// What decides a response's body and documented headers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BodyKey {
    pub api: usize,
    pub op: usize,
    /// REST: the documented response's index in the operation. SOAP: the port's mount.
    pub response: usize,
    /// REST: the media type chosen from the response's content, if it has any. SOAP: the
    /// envelope's media type (its version).
    pub media: Option<Box<str>>,
    /// The concrete `Content-Type` sent.
    pub content_type: Option<Box<str>>,
    /// `Prefer: example=`.
    pub example: Option<Box<str>>,
    /// `Prefer: dynamic=true`.
    pub dynamic: bool,
    /// The request's seed (sandbox seed, operation, status, method, path, query, body).
    pub seed: Seed,
}

/// A generated response: its body and the headers the spec documents.
#[derive(Debug)]
pub struct Rendered {
    pub body: Bytes,
    pub headers: HeaderMap,
}

#[derive(Debug, Clone)]
struct Weigh;

impl quick_cache::Weighter<BodyKey, Arc<Rendered>> for Weigh {
    fn weight(&self, key: &BodyKey, value: &Arc<Rendered>) -> u64 {
        let strings = [&key.media, &key.content_type, &key.example]
            .iter()
            .map(|s| s.as_ref().map_or(0, |s| s.len()))
            .sum::<usize>();
        let headers: usize = value
            .headers
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 32)
            .sum();
        (value.body.len() + headers + strings + 128) as u64
    }
}

/// The memo.
#[derive(Debug)]
pub struct Bodies {
    cache: quick_cache::sync::Cache<BodyKey, Arc<Rendered>, Weigh>,
    max_entry: usize,
}

/// Total weight kept by default (bytes).
pub const DEFAULT_BYTES: u64 = 16 * 1024 * 1024;

impl Default for Bodies {
    fn default() -> Self {
        Bodies::new(DEFAULT_BYTES)
    }
}

impl Bodies {
    /// A memo of at most `bytes` (bodies larger than a sixteenth of it are not kept; 0 keeps
    /// nothing).
    pub fn new(bytes: u64) -> Bodies {
        Bodies {
            cache: quick_cache::sync::Cache::with_weighter(
                usize::try_from(bytes / 1024).unwrap_or(1024).max(16),
                bytes.max(1),
                Weigh,
            ),
            max_entry: usize::try_from(bytes / 16).unwrap_or(usize::MAX),
        }
    }

    /// The response for `key`, rendered by `render` the first time.
    pub fn get_or_render<E>(
        &self,
        key: BodyKey,
        render: impl FnOnce() -> Result<Rendered, E>,
    ) -> Result<Arc<Rendered>, E> {
        if let Some(hit) = self.cache.get(&key) {
            return Ok(hit);
        }
        let rendered = Arc::new(render()?);
        if self.max_entry > 0 && rendered.body.len() <= self.max_entry {
            self.cache.insert(key, rendered.clone());
        }
        Ok(rendered)
    }

    /// How many responses are kept.
    pub fn len(&self) -> usize {
        self.cache.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.cache.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u64) -> BodyKey {
        BodyKey {
            api: 0,
            op: 0,
            response: 0,
            media: Some("application/json".into()),
            content_type: Some("application/json".into()),
            example: None,
            dynamic: false,
            seed: Seed(seed),
        }
    }

    fn rendered(body: &'static [u8]) -> Result<Rendered, ()> {
        Ok(Rendered {
            body: Bytes::from_static(body),
            headers: HeaderMap::new(),
        })
    }

    /// Ask `bodies` for `key` `times` times; how many times it rendered.
    fn renders(bodies: &Bodies, key: BodyKey, body: &'static [u8], times: usize) -> usize {
        let mut calls = 0;
        for _ in 0..times {
            let r = bodies
                .get_or_render(key.clone(), || {
                    calls += 1;
                    rendered(body)
                })
                .expect("rendered");
            assert_eq!(&r.body[..], body);
        }
        calls
    }

    #[test]
    fn renders_once_per_key() {
        let bodies = Bodies::default();
        assert_eq!(renders(&bodies, key(1), b"{}", 3), 1);
        assert_eq!(renders(&bodies, key(2), b"[]", 1), 1);
        assert_eq!(bodies.len(), 2);
    }

    #[test]
    fn errors_and_oversized_bodies_are_not_kept() {
        let bodies = Bodies::new(16 * 1024);
        let e: Result<_, &str> = bodies.get_or_render(key(1), || Err("no"));
        assert!(e.is_err());
        assert!(bodies.is_empty());
        static BIG: [u8; 2048] = [b'x'; 2048];
        bodies
            .get_or_render(key(2), || rendered(&BIG))
            .expect("rendered");
        assert!(
            bodies.is_empty(),
            "a body over a sixteenth of the memo is not kept"
        );
    }

    #[test]
    fn a_memo_of_zero_bytes_keeps_nothing() {
        let bodies = Bodies::new(0);
        assert_eq!(renders(&bodies, key(1), b"{}", 2), 2);
        assert!(bodies.is_empty());
    }

    #[test]
    fn weight_stays_bounded() {
        let bodies = Bodies::new(64 * 1024);
        static BODY: [u8; 1000] = [b'y'; 1000];
        for seed in 0..1000 {
            bodies
                .get_or_render(key(seed), || rendered(&BODY))
                .expect("rendered");
        }
        assert!(bodies.len() < 64, "{} entries kept", bodies.len());
    }
}
