//! Media types: `Accept` negotiation against the media types an operation documents, matching a
//! request's `Content-Type` against a request body's, and what family a media type belongs to.

/// The family of a media type, which decides how a body is written or read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// `application/json`, `*/*+json`.
    Json,
    /// `application/xml`, `text/xml`, `*/*+xml`.
    Xml,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `multipart/*`.
    Multipart,
    /// `application/yaml`, `text/yaml`, the `x-yaml` forms, `*/*+yaml`.
    Yaml,
    /// Other `text/*`.
    Text,
    /// Anything else (octet-stream, images, PDFs...).
    Binary,
}

/// `type/subtype` in lower case, without parameters.
pub fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The family of a media type.
pub fn kind(media_type: &str) -> MediaKind {
    let e = essence(media_type);
    let (ty, sub) = e.split_once('/').unwrap_or((e.as_str(), ""));
    if sub == "json" || sub.ends_with("+json") || e == "*/*" || (ty == "application" && sub == "*")
    {
        MediaKind::Json
    } else if sub == "xml" || sub.ends_with("+xml") {
        MediaKind::Xml
    } else if sub == "yaml" || sub == "x-yaml" || sub.ends_with("+yaml") {
        MediaKind::Yaml
    } else if e == "application/x-www-form-urlencoded" {
        MediaKind::Form
    } else if ty == "multipart" {
        MediaKind::Multipart
    } else if ty == "text" {
        MediaKind::Text
    } else {
        MediaKind::Binary
    }
}

/// One entry of `Accept`.
#[derive(Debug, Clone, PartialEq)]
struct Range {
    ty: String,
    sub: String,
    q: f32,
}

fn parse_accept(header: &str) -> Vec<Range> {
    header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let e = parts.next()?.trim().to_ascii_lowercase();
            if e.is_empty() {
                return None;
            }
            let (ty, sub) = match e.split_once('/') {
                Some((t, s)) => (t.trim().to_string(), s.trim().to_string()),
                None if e == "*" => ("*".to_string(), "*".to_string()),
                None => return None,
            };
            let mut q = 1.0_f32;
            for p in parts {
                if let Some((k, v)) = p.split_once('=') {
                    if k.trim().eq_ignore_ascii_case("q") {
                        q = v.trim().parse().unwrap_or(0.0);
                    }
                }
            }
            Some(Range { ty, sub, q })
        })
        .collect()
}

/// How well a range matches a concrete type: 3 exact, 2 `type/*`, 1 `*/*`, 0 no.
fn specificity(range: &Range, ty: &str, sub: &str) -> u8 {
    if range.ty == "*" && range.sub == "*" {
        1
    } else if range.ty == ty && range.sub == "*" {
        2
    } else if range.ty == ty && range.sub == sub {
        3
    } else if ty == "*" || (sub == "*" && range.ty == ty) {
        // The spec itself documents a wildcard: anything of that family will do.
        1
    } else {
        0
    }
}

/// The quality `Accept` gives a media type: the q of the most specific matching range.
fn quality(ranges: &[Range], media_type: &str) -> f32 {
    let e = essence(media_type);
    let (ty, sub) = e.split_once('/').unwrap_or((e.as_str(), "*"));
    let mut best: Option<(u8, f32)> = None;
    for r in ranges {
        let s = specificity(r, ty, sub);
        if s > 0 && best.is_none_or(|(bs, _)| s > bs) {
            best = Some((s, r.q));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

/// The documented media type to answer with: the best by `Accept` (document order breaks ties),
/// or the first when there is no `Accept`. `None` when nothing is acceptable.
pub fn choose<'a>(available: &[&'a str], accept: Option<&str>) -> Option<&'a str> {
    let accept = accept.map(str::trim).filter(|a| !a.is_empty());
    let Some(accept) = accept else {
        // Prefer JSON when the client says nothing, as most clients expect it.
        return available
            .iter()
            .find(|m| kind(m) == MediaKind::Json)
            .or_else(|| available.first())
            .copied();
    };
    let ranges = parse_accept(accept);
    let mut best: Option<(&str, f32)> = None;
    for m in available {
        let q = quality(&ranges, m);
        if q > 0.0 && best.is_none_or(|(_, bq)| q > bq) {
            best = Some((m, q));
        }
    }
    best.map(|(m, _)| m)
}

/// The concrete `Content-Type` to send for a documented media type (wildcards made concrete).
pub fn concrete(media_type: &str, accept: Option<&str>) -> String {
    let e = essence(media_type);
    if !e.contains('*') {
        return media_type.trim().to_string();
    }
    // A wildcard in the spec: take the client's most preferred concrete type inside it.
    if let Some(accept) = accept {
        let (ty, _) = e.split_once('/').unwrap_or(("*", "*"));
        let mut ranges = parse_accept(accept);
        ranges.sort_by(|a, b| b.q.total_cmp(&a.q));
        for r in ranges {
            if r.q > 0.0 && r.ty != "*" && r.sub != "*" && (ty == "*" || ty == r.ty) {
                return format!("{}/{}", r.ty, r.sub);
            }
        }
    }
    match e.split_once('/') {
        Some(("text", _)) => "text/plain".to_string(),
        Some(("image", _)) => "image/png".to_string(),
        Some(("application", sub)) if sub != "*" && !sub.contains('*') => e.clone(),
        Some(("application", _)) | Some(("*", _)) => "application/json".to_string(),
        _ => "application/octet-stream".to_string(),
    }
}

/// Whether a request's `Content-Type` is one a documented request media type accepts.
pub fn content_type_matches(request: &str, documented: &str) -> bool {
    let r = essence(request);
    let d = essence(documented);
    if r == d || d == "*/*" || d == "*" {
        return true;
    }
    let (rt, rs) = r.split_once('/').unwrap_or((r.as_str(), ""));
    let (dt, ds) = d.split_once('/').unwrap_or((d.as_str(), ""));
    (dt == rt || dt == "*") && (ds == "*" || ds == rs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_accept_prefers_json() {
        assert_eq!(
            choose(&["application/xml", "application/json"], None),
            Some("application/json")
        );
        assert_eq!(choose(&["text/plain"], None), Some("text/plain"));
    }

    #[test]
    fn accept_picks_most_preferred() {
        let avail = ["application/json", "application/xml"];
        assert_eq!(
            choose(&avail, Some("application/xml")),
            Some("application/xml")
        );
        assert_eq!(
            choose(&avail, Some("application/json;q=0.5, application/xml")),
            Some("application/xml")
        );
        assert_eq!(choose(&avail, Some("*/*")), Some("application/json"));
        assert_eq!(choose(&avail, Some("text/html")), None);
        assert_eq!(choose(&avail, Some("application/xml;q=0")), None);
    }

    #[test]
    fn wildcard_documented_types_are_made_concrete() {
        assert_eq!(choose(&["*/*"], Some("text/csv")), Some("*/*"));
        assert_eq!(concrete("*/*", Some("text/csv")), "text/csv");
        assert_eq!(concrete("*/*", None), "application/json");
        assert_eq!(
            concrete("application/json; charset=utf-8", None),
            "application/json; charset=utf-8"
        );
    }

    #[test]
    fn request_content_types_match_ignoring_parameters() {
        assert!(content_type_matches(
            "application/json; charset=utf-8",
            "application/json"
        ));
        assert!(content_type_matches("image/png", "image/*"));
        assert!(!content_type_matches("text/plain", "application/json"));
        assert_eq!(kind("application/vnd.api+json"), MediaKind::Json);
        assert_eq!(kind("text/xml"), MediaKind::Xml);
        assert_eq!(
            kind("multipart/form-data; boundary=x"),
            MediaKind::Multipart
        );
    }
}
