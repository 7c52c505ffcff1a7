//! Where each API is mounted and which operation a request path reaches.
//!
//! Every REST API is mounted under the path of its sandbox server URL; a SOAP API at the path of
//! its endpoint address. When an API would overlap one mounted before it, it moves under
//! `/<api-id>` + its path, and [`Mount::moved_from`] says so for the start-up listing. Path
//! templates are compiled into a trie in which literal segments are tried before parameters, as
//! OpenAPI says (`/pets/mine` beats `/pets/{id}`).

use std::collections::HashMap;

use api_model::{Api, Catalog, HttpMethod, PortalConfig, Protocol};
use percent_encoding::percent_decode_str;

/// Where one API is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// Index of the API in the catalog.
    pub api: usize,
    /// The API id.
    pub api_id: String,
    /// REST or SOAP.
    pub protocol: Protocol,
    /// Path prefix (REST) or endpoint path (SOAP), no trailing slash; empty for the root.
    pub base_path: String,
    /// The path it would have had, when an overlap moved it under `/<api-id>`.
    pub moved_from: Option<String>,
    /// SOAP: every endpoint path (one per distinct port address; the first is `base_path`).
    /// Empty for REST.
    pub endpoints: Vec<String>,
}

/// One part of a path segment.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    Param,
}

/// A compiled path segment.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Text only.
    Literal(String),
    /// `{name}`: any non-empty segment.
    Param,
    /// Text and parameters mixed (`{name}.{ext}`, `{id}:cancel`).
    Pattern(Vec<Part>),
}

impl Segment {
    fn parse(text: &str) -> (Segment, Vec<String>) {
        let mut parts = Vec::new();
        let mut names = Vec::new();
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| c + open) else {
                break;
            };
            if open > 0 {
                parts.push(Part::Literal(rest[..open].to_string()));
            }
            names.push(rest[open + 1..close].trim().to_string());
            parts.push(Part::Param);
            rest = &rest[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.to_string()));
        }
        let segment = match parts.as_slice() {
            [] => Segment::Literal(String::new()),
            [Part::Literal(l)] => Segment::Literal(l.clone()),
            [Part::Param] => Segment::Param,
            _ => Segment::Pattern(parts),
        };
        (segment, names)
    }

    /// Captured values when `text` matches.
    fn matches(&self, text: &str) -> Option<Vec<String>> {
        match self {
            Segment::Literal(l) => (l == text).then(Vec::new),
            Segment::Param => (!text.is_empty()).then(|| vec![text.to_string()]),
            Segment::Pattern(parts) => {
                let mut out = Vec::new();
                match_parts(parts, text, &mut out).then_some(out)
            }
        }
    }
}

fn match_parts(parts: &[Part], text: &str, out: &mut Vec<String>) -> bool {
    match parts.split_first() {
        None => text.is_empty(),
        Some((Part::Literal(l), rest)) => text
            .strip_prefix(l.as_str())
            .is_some_and(|t| match_parts(rest, t, out)),
        Some((Part::Param, rest)) => match rest.first() {
            None => {
                if text.is_empty() {
                    return false;
                }
                out.push(text.to_string());
                true
            }
            Some(Part::Literal(next)) => {
                // Try every place the next literal occurs, shortest capture first (at least
                // one character, which may be several bytes).
                let mut start = text.chars().next().map_or(1, char::len_utf8);
                while start <= text.len() {
                    let Some(pos) = text.get(start..).and_then(|t| t.find(next.as_str())) else {
                        return false;
                    };
                    let at = start + pos;
                    let mark = out.len();
                    out.push(text[..at].to_string());
                    if match_parts(rest, &text[at..], out) {
                        return true;
                    }
                    out.truncate(mark);
                    start = at + 1;
                    while start < text.len() && !text.is_char_boundary(start) {
                        start += 1;
                    }
                }
                false
            }
            // Two parameters back to back: the first takes one character less than it could.
            Some(Part::Param) => {
                let mut end = text.len();
                while end > 0 {
                    end -= 1;
                    while end > 0 && !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    if end == 0 {
                        return false;
                    }
                    let mark = out.len();
                    out.push(text[..end].to_string());
                    if match_parts(rest, &text[end..], out) {
                        return true;
                    }
                    out.truncate(mark);
                }
                false
            }
        },
    }
}

/// An operation reachable at a trie leaf.
#[derive(Debug, Clone)]
struct Target {
    method: HttpMethod,
    api: usize,
    op: usize,
    /// Parameter names in the order they occur in the operation's template.
    names: Vec<String>,
    /// Query conditions from a `#fragment` or `?query` in the template (AWS-style
    /// `/tagging#Operation=Tag`, AutoRest-style `/xml?comp=list`): name and, when given, the
    /// value it must have.
    query: Vec<(String, Option<String>)>,
    /// The template ends with `/` (`/things/`). A request is routed with or without its
    /// trailing slash, but when a spec has both `/things` and `/things/`, each answers its own.
    slash: bool,
}

impl Target {
    /// How many of its query conditions hold, or `None` when one fails.
    fn query_score(&self, query: &[(String, String)]) -> Option<usize> {
        for (name, value) in &self.query {
            let ok = query
                .iter()
                .any(|(k, v)| k == name && value.as_ref().is_none_or(|want| want == v));
            if !ok {
                return None;
            }
        }
        Some(self.query.len())
    }
}

#[derive(Debug, Default)]
struct Node {
    literal: HashMap<String, Node>,
    param: Option<Box<Node>>,
    /// Mixed segments, most literal text first.
    patterns: Vec<(Segment, Node)>,
    targets: Vec<Target>,
}

impl Node {
    fn insert(&mut self, segments: &[Segment], target: Target) {
        let Some((first, rest)) = segments.split_first() else {
            if !self.targets.iter().any(|t| {
                t.method == target.method && t.query == target.query && t.slash == target.slash
            }) {
                self.targets.push(target);
            }
            return;
        };
        let child = match first {
            Segment::Literal(l) => self.literal.entry(l.clone()).or_default(),
            Segment::Param => self.param.get_or_insert_with(Box::default),
            Segment::Pattern(_) => {
                let index = match self.patterns.iter().position(|(s, _)| s == first) {
                    Some(i) => i,
                    None => {
                        self.patterns.push((first.clone(), Node::default()));
                        self.patterns
                            .sort_by_key(|(s, _)| std::cmp::Reverse(literal_len(s)));
                        self.patterns
                            .iter()
                            .position(|(s, _)| s == first)
                            .expect("just inserted")
                    }
                };
                &mut self.patterns[index].1
            }
        };
        child.insert(rest, target);
    }

    /// The deepest-literal leaf matching `segments`, with captured values.
    fn find<'a>(&'a self, segments: &[String], captured: &mut Vec<String>) -> Option<&'a Node> {
        let Some((first, rest)) = segments.split_first() else {
            return (!self.targets.is_empty()).then_some(self);
        };
        if let Some(child) = self.literal.get(first) {
            if let Some(found) = child.find(rest, captured) {
                return Some(found);
            }
        }
        for (segment, child) in &self.patterns {
            if let Some(values) = segment.matches(first) {
                let mark = captured.len();
                captured.extend(values);
                if let Some(found) = child.find(rest, captured) {
                    return Some(found);
                }
                captured.truncate(mark);
            }
        }
        if let Some(child) = &self.param {
            if !first.is_empty() {
                captured.push(first.clone());
                if let Some(found) = child.find(rest, captured) {
                    return Some(found);
                }
                captured.pop();
            }
        }
        None
    }

    /// Whether any leaf could be reached by a path that `segments` could also match.
    fn overlaps(&self, segments: &[Segment]) -> bool {
        let Some((first, rest)) = segments.split_first() else {
            return !self.targets.is_empty();
        };
        match first {
            Segment::Literal(l) => {
                self.literal.get(l).is_some_and(|c| c.overlaps(rest))
                    || self.param.as_ref().is_some_and(|c| c.overlaps(rest))
                    || self
                        .patterns
                        .iter()
                        .any(|(s, c)| s.matches(l).is_some() && c.overlaps(rest))
            }
            Segment::Param | Segment::Pattern(_) => {
                self.literal.values().any(|c| c.overlaps(rest))
                    || self.param.as_ref().is_some_and(|c| c.overlaps(rest))
                    || self.patterns.iter().any(|(_, c)| c.overlaps(rest))
            }
        }
    }
}

fn literal_len(s: &Segment) -> usize {
    match s {
        Segment::Literal(l) => l.len(),
        Segment::Param => 0,
        Segment::Pattern(parts) => parts
            .iter()
            .map(|p| match p {
                Part::Literal(l) => l.len(),
                Part::Param => 0,
            })
            .sum(),
    }
}

/// What a request reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RouteMatch {
    /// A REST operation, with its path parameters (raw, percent-decoded).
    Rest {
        /// API index in the catalog.
        api: usize,
        /// Operation index in the API.
        op: usize,
        /// Path parameter name -> value.
        params: Vec<(String, String)>,
    },
    /// A SOAP endpoint.
    Soap {
        /// API index in the catalog.
        api: usize,
    },
    /// The path exists with other methods.
    MethodNotAllowed {
        /// The methods it has.
        allow: Vec<HttpMethod>,
    },
    /// Nothing here.
    NotFound,
}

/// Every API's mount and the compiled paths.
#[derive(Debug, Default)]
pub struct Routes {
    /// Mounts in catalog order.
    pub mounts: Vec<Mount>,
    root: Node,
    soap: HashMap<String, usize>,
}

/// The path part of a URL, or the URL itself when it is a path; no trailing slash.
pub fn url_path(url: &str) -> String {
    let after_scheme = match url.find("://") {
        Some(i) => {
            let rest = &url[i + 3..];
            match rest.find('/') {
                Some(j) => &rest[j..],
                None => "",
            }
        }
        None => url,
    };
    let path = after_scheme
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('/');
    if path.is_empty() || path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    }
}

/// Every endpoint path of a SOAP API (distinct port address paths, in order), or
/// `/<api-id>` when it has no usable address.
pub fn soap_paths(api: &Api) -> Vec<String> {
    crate::soap::mounts::soap_mounts(api)
        .into_iter()
        .map(|m| m.path)
        .collect()
}

/// The path an API would be served at before overlaps are considered.
pub fn wanted_base_path(api: &Api, config: &PortalConfig) -> String {
    match api.protocol {
        Protocol::Rest => {
            let server_path = api
                .servers
                .first()
                .map(|s| url_path(&s.resolved_url()))
                .unwrap_or_default();
            if config.environments.contains_key("sandbox") {
                if let Some(url) = config.api_url("sandbox", &api.id, &server_path) {
                    return url_path(&url);
                }
            }
            server_path
        }
        Protocol::Soap => soap_paths(api).swap_remove(0),
    }
}

/// Query conditions written in a template: a `#fragment` (AWS style, `/tagging#Operation=Tag`,
/// never sent by clients) or a `?query` (AutoRest and `x-ms-paths` style, `/xml?comp=list`).
fn template_query(path: &str) -> Vec<(String, Option<String>)> {
    let Some(at) = path.find(['#', '?']) else {
        return Vec::new();
    };
    path[at + 1..]
        .split(['&', '#', '?'])
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (p.to_string(), None),
        })
        .collect()
}

fn split_template(path: &str) -> (Vec<Segment>, Vec<String>) {
    let mut segments = Vec::new();
    let mut names = Vec::new();
    let path = path.split(['#', '?']).next().unwrap_or_default();
    let trimmed = path.trim_start_matches('/');
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    if trimmed.is_empty() {
        return (segments, names);
    }
    for raw in trimmed.split('/') {
        let (segment, n) = Segment::parse(raw);
        segments.push(segment);
        names.extend(n);
    }
    (segments, names)
}

/// Whether a path (or a template, before its `#fragment` or `?query`) ends with a `/` of its
/// own (not the root `/`).
fn trailing_slash(path: &str) -> bool {
    let path = path.split(['#', '?']).next().unwrap_or(path);
    path.len() > 1 && path.ends_with('/')
}

/// Request path -> decoded segments (leading and one trailing slash ignored).
pub fn split_request_path(path: &str) -> Vec<String> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    if trimmed.is_empty() {
        return Vec::new();
    }
    trimmed
        .split('/')
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect()
}

impl Routes {
    /// Mount every API of the catalog and compile its paths.
    pub fn build(catalog: &Catalog, config: &PortalConfig) -> Routes {
        let mut routes = Routes::default();
        for (index, api) in catalog.apis.iter().enumerate() {
            let wanted = wanted_base_path(api, config);
            let wanted_endpoints = match api.protocol {
                Protocol::Soap => soap_paths(api),
                Protocol::Rest => Vec::new(),
            };
            let overlaps = match api.protocol {
                Protocol::Soap => wanted_endpoints
                    .iter()
                    .any(|p| routes.would_overlap(api, p)),
                Protocol::Rest => routes.would_overlap(api, &wanted),
            };
            let moved = |p: &str| format!("/{}{}", api.id, p);
            let (base_path, moved_from, endpoints) = if overlaps {
                let endpoints = wanted_endpoints.iter().map(|p| moved(p)).collect();
                (moved(&wanted), Some(wanted), endpoints)
            } else {
                (wanted, None, wanted_endpoints)
            };
            match api.protocol {
                Protocol::Soap => {
                    for p in &endpoints {
                        routes.soap.insert(p.clone(), index);
                    }
                }
                Protocol::Rest => routes.add(index, api, &base_path),
            }
            routes.mounts.push(Mount {
                api: index,
                api_id: api.id.clone(),
                protocol: api.protocol,
                base_path,
                moved_from,
                endpoints,
            });
        }
        routes
    }

    fn templates<'a>(
        api: &'a Api,
        base: &'a str,
    ) -> impl Iterator<Item = (usize, HttpMethod, String)> + 'a {
        api.operations
            .iter()
            .enumerate()
            .filter_map(move |(i, op)| {
                let (method, path) = op.http()?;
                Some((i, method, format!("{base}{path}")))
            })
    }

    fn would_overlap(&self, api: &Api, base: &str) -> bool {
        match api.protocol {
            Protocol::Soap => {
                self.soap.contains_key(base) || {
                    let segments = split_request_path(base);
                    self.root.find(&segments, &mut Vec::new()).is_some()
                }
            }
            Protocol::Rest => Routes::templates(api, base).any(|(_, _, full)| {
                let (segments, _) = split_template(&full);
                self.root.overlaps(&segments)
                    || self.soap.keys().any(|p| {
                        let segs = split_request_path(p);
                        let mut node = Node::default();
                        node.insert(
                            &segments,
                            Target {
                                method: HttpMethod::Get,
                                api: 0,
                                op: 0,
                                names: Vec::new(),
                                query: Vec::new(),
                                slash: false,
                            },
                        );
                        node.find(&segs, &mut Vec::new()).is_some()
                    })
            }),
        }
    }

    fn add(&mut self, index: usize, api: &Api, base: &str) {
        for (op, method, full) in Routes::templates(api, base) {
            let (segments, names) = split_template(&full);
            self.root.insert(
                &segments,
                Target {
                    method,
                    api: index,
                    op,
                    names,
                    query: template_query(&full),
                    slash: trailing_slash(&full),
                },
            );
        }
    }

    /// The mount of an API by id.
    pub fn mount(&self, api_id: &str) -> Option<&Mount> {
        self.mounts.iter().find(|m| m.api_id == api_id)
    }

    /// Route a request. `HEAD` reaches a `GET` operation when the path has no `HEAD` of its own.
    pub fn find(&self, method: HttpMethod, path: &str) -> RouteMatch {
        self.find_with_query(method, path, &[])
    }

    /// Route a request whose decoded query is `query` (it picks between operations that share
    /// a path and method and differ by a `#fragment` query condition).
    pub fn find_with_query(
        &self,
        method: HttpMethod,
        path: &str,
        query: &[(String, String)],
    ) -> RouteMatch {
        let trimmed = if path.len() > 1 {
            path.trim_end_matches('/')
        } else {
            path
        };
        if let Some(&api) = self.soap.get(trimmed) {
            return RouteMatch::Soap { api };
        }
        let segments = split_request_path(path);
        let mut captured = Vec::new();
        let Some(node) = self.root.find(&segments, &mut captured) else {
            return RouteMatch::NotFound;
        };
        let slash = trailing_slash(path);
        let pick = |m: HttpMethod| {
            let candidates = node.targets.iter().filter(|t| t.method == m);
            // Most query conditions met first, then the same trailing slash as the request.
            candidates
                .clone()
                .filter_map(|t| Some(((t.query_score(query)?, t.slash == slash), t)))
                .max_by_key(|(score, _)| *score)
                .map(|(_, t)| t)
                .or_else(|| {
                    candidates
                        .clone()
                        .find(|t| t.slash == slash)
                        .or_else(|| candidates.clone().next())
                })
        };
        let target = pick(method).or_else(|| {
            (method == HttpMethod::Head)
                .then(|| pick(HttpMethod::Get))
                .flatten()
        });
        match target {
            Some(t) => RouteMatch::Rest {
                api: t.api,
                op: t.op,
                params: t.names.iter().cloned().zip(captured).collect(),
            },
            None => {
                let mut allow: Vec<HttpMethod> = node.targets.iter().map(|t| t.method).collect();
                if allow.contains(&HttpMethod::Get) && !allow.contains(&HttpMethod::Head) {
                    allow.push(HttpMethod::Head);
                }
                if !allow.contains(&HttpMethod::Options) {
                    allow.push(HttpMethod::Options);
                }
                allow.sort();
                allow.dedup();
                RouteMatch::MethodNotAllowed { allow }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{api_with_paths, catalog};

    #[test]
    fn url_path_handles_absolute_relative_and_root() {
        assert_eq!(url_path("http://petstore.swagger.io/v1"), "/v1");
        assert_eq!(url_path("https://example.com"), "");
        assert_eq!(url_path("https://example.com/"), "");
        assert_eq!(url_path("/api/v3"), "/api/v3");
        assert_eq!(url_path("v2/"), "/v2");
        assert_eq!(url_path("http://h/x?y=1"), "/x");
    }

    #[test]
    fn a_trailing_slash_is_optional_unless_the_spec_has_both_paths() {
        let both = api_with_paths(
            "both",
            "http://x/v1",
            &[(HttpMethod::Get, "/things"), (HttpMethod::Get, "/things/")],
        );
        let one = api_with_paths("one", "http://x/v2", &[(HttpMethod::Get, "/items/")]);
        let routes = Routes::build(&catalog(vec![both, one]), &PortalConfig::default());
        let op = |path: &str| match routes.find(HttpMethod::Get, path) {
            RouteMatch::Rest { api, op, .. } => (api, op),
            other => panic!("{path}: {other:?}"),
        };
        assert_eq!(op("/v1/things"), (0, 0));
        assert_eq!(op("/v1/things/"), (0, 1));
        // With one of the two, either form reaches it.
        assert_eq!(op("/v2/items/"), (1, 0));
        assert_eq!(op("/v2/items"), (1, 0));
    }

    #[test]
    fn literal_segments_beat_parameters() {
        let api = api_with_paths(
            "pets",
            "http://x/v1",
            &[
                (HttpMethod::Get, "/pets/{petId}"),
                (HttpMethod::Get, "/pets/mine"),
                (HttpMethod::Get, "/pets/{petId}/photo.{ext}"),
            ],
        );
        let routes = Routes::build(&catalog(vec![api]), &PortalConfig::default());
        assert_eq!(
            routes.find(HttpMethod::Get, "/v1/pets/mine"),
            RouteMatch::Rest {
                api: 0,
                op: 1,
                params: vec![]
            }
        );
        assert_eq!(
            routes.find(HttpMethod::Get, "/v1/pets/42"),
            RouteMatch::Rest {
                api: 0,
                op: 0,
                params: vec![("petId".into(), "42".into())]
            }
        );
        assert_eq!(
            routes.find(HttpMethod::Get, "/v1/pets/a%20b/photo.png"),
            RouteMatch::Rest {
                api: 0,
                op: 2,
                params: vec![("petId".into(), "a b".into()), ("ext".into(), "png".into())]
            }
        );
        assert_eq!(
            routes.find(HttpMethod::Get, "/v1/dogs"),
            RouteMatch::NotFound
        );
        assert_eq!(
            routes.find(HttpMethod::Get, "/pets/1"),
            RouteMatch::NotFound
        );
    }

    /// A parameter inside a segment (OData's `/article('{Id}')`, `{name}.{ext}`) takes any
    /// characters, a first one of several bytes included (`Ý` answered 404).
    #[test]
    fn parameters_inside_a_segment_take_any_characters() {
        let api = api_with_paths(
            "odata",
            "/",
            &[
                (HttpMethod::Get, "/article('{Id}')"),
                (HttpMethod::Get, "/files/{name}.{ext}"),
            ],
        );
        let routes = Routes::build(&catalog(vec![api]), &PortalConfig::default());
        for (path, id) in [
            ("/article('abc')", "abc"),
            ("/article('%C3%9D')", "Ý"),
            ("/article('%F4%82%83%9D%5C')", "\u{1020dd}\\"),
            ("/article('a')b')", "a')b"),
        ] {
            assert_eq!(
                routes.find(HttpMethod::Get, path),
                RouteMatch::Rest {
                    api: 0,
                    op: 0,
                    params: vec![("Id".into(), id.into())]
                },
                "{path}"
            );
        }
        assert_eq!(
            routes.find(HttpMethod::Get, "/files/%C3%A9t%C3%A9.pdf"),
            RouteMatch::Rest {
                api: 0,
                op: 1,
                params: vec![("name".into(), "été".into()), ("ext".into(), "pdf".into())]
            }
        );
    }

    #[test]
    fn wrong_method_lists_allowed_ones() {
        let api = api_with_paths(
            "pets",
            "/v1",
            &[(HttpMethod::Get, "/pets"), (HttpMethod::Post, "/pets")],
        );
        let routes = Routes::build(&catalog(vec![api]), &PortalConfig::default());
        assert_eq!(
            routes.find(HttpMethod::Delete, "/v1/pets"),
            RouteMatch::MethodNotAllowed {
                allow: vec![
                    HttpMethod::Get,
                    HttpMethod::Post,
                    HttpMethod::Options,
                    HttpMethod::Head
                ]
                .into_iter()
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect()
            }
        );
        assert!(matches!(
            routes.find(HttpMethod::Head, "/v1/pets"),
            RouteMatch::Rest { op: 0, .. }
        ));
    }

    #[test]
    fn overlapping_api_moves_under_its_id() {
        let a = api_with_paths("a", "http://x/v1", &[(HttpMethod::Get, "/pets")]);
        let b = api_with_paths(
            "b",
            "http://y/v1",
            &[(HttpMethod::Get, "/pets/{id}"), (HttpMethod::Get, "/pets")],
        );
        let c = api_with_paths("c", "http://y/v1", &[(HttpMethod::Get, "/owners")]);
        let routes = Routes::build(&catalog(vec![a, b, c]), &PortalConfig::default());
        assert_eq!(routes.mounts[0].base_path, "/v1");
        assert_eq!(routes.mounts[1].base_path, "/b/v1");
        assert_eq!(routes.mounts[1].moved_from.as_deref(), Some("/v1"));
        assert_eq!(routes.mounts[2].base_path, "/v1", "no shared path, no move");
        assert!(matches!(
            routes.find(HttpMethod::Get, "/b/v1/pets/3"),
            RouteMatch::Rest { api: 1, .. }
        ));
    }

    #[test]
    fn sandbox_environment_sets_the_mount() {
        let api = api_with_paths("pets", "http://x/v1", &[(HttpMethod::Get, "/pets")]);
        let config = PortalConfig::parse(
            std::path::Path::new("portal.toml"),
            "[environments.sandbox]\nurl = \"http://127.0.0.1:4010/sandbox/{api}{base_path}\"\n",
        )
        .expect("config");
        let routes = Routes::build(&catalog(vec![api]), &config);
        assert_eq!(routes.mounts[0].base_path, "/sandbox/pets/v1");
    }

    #[test]
    fn soap_api_is_served_at_every_endpoint_path() {
        let mut soap = api_with_paths("calc", "http://x/", &[]);
        soap.protocol = Protocol::Soap;
        soap.servers = vec![
            api_model::Server {
                url: "http://example.com/calc/soap11".into(),
                ..api_model::Server::default()
            },
            api_model::Server {
                url: "http://example.com/calc/soap12".into(),
                ..api_model::Server::default()
            },
        ];
        let mut bare = api_with_paths("bare", "", &[]);
        bare.protocol = Protocol::Soap;
        bare.servers.clear();
        let routes = Routes::build(&catalog(vec![soap, bare]), &PortalConfig::default());
        assert_eq!(
            routes.mounts[0].endpoints,
            vec!["/calc/soap11", "/calc/soap12"]
        );
        assert_eq!(
            routes.find(HttpMethod::Post, "/calc/soap12"),
            RouteMatch::Soap { api: 0 }
        );
        assert_eq!(
            routes.find(HttpMethod::Get, "/calc/soap11/"),
            RouteMatch::Soap { api: 0 }
        );
        assert_eq!(routes.mounts[1].base_path, "/bare");
        assert_eq!(
            routes.find(HttpMethod::Post, "/bare"),
            RouteMatch::Soap { api: 1 }
        );
    }

    /// A decoded query, as the handler passes it to the router.
    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn template_query_conditions_pick_the_operation() {
        let api = api_with_paths(
            "aws",
            "/",
            &[
                (HttpMethod::Post, "/tagging#Operation=Tag&Resource"),
                (HttpMethod::Post, "/tagging#Operation=Untag&Resource"),
                (HttpMethod::Get, "/tagging#Resource"),
            ],
        );
        let routes = Routes::build(&catalog(vec![api]), &PortalConfig::default());
        let untag = routes.find_with_query(
            HttpMethod::Post,
            "/tagging",
            &q(&[("Operation", "Untag"), ("Resource", "r")]),
        );
        assert!(matches!(untag, RouteMatch::Rest { op: 1, .. }), "{untag:?}");
        let tag = routes.find_with_query(HttpMethod::Post, "/tagging", &q(&[("Operation", "Tag")]));
        assert!(matches!(tag, RouteMatch::Rest { op: 0, .. }), "{tag:?}");
        assert!(matches!(
            routes.find(HttpMethod::Get, "/tagging"),
            RouteMatch::Rest { op: 2, .. }
        ));
    }

    /// AutoRest writes query conditions into path keys as a `?query` (`/xml/?comp=list`, and
    /// Azure's `x-ms-paths`): the path before it is routed, the query picks the operation.
    #[test]
    fn query_in_a_template_picks_the_operation() {
        let api = api_with_paths(
            "autorest",
            "/",
            &[
                (HttpMethod::Get, "/xml/?comp=list"),
                (HttpMethod::Get, "/xml/?comp=properties&restype=service"),
                (
                    HttpMethod::Get,
                    "/xml/{container}?comp=acl&restype=container",
                ),
            ],
        );
        let routes = Routes::build(&catalog(vec![api]), &PortalConfig::default());
        let list = routes.find_with_query(HttpMethod::Get, "/xml/", &q(&[("comp", "list")]));
        assert!(matches!(list, RouteMatch::Rest { op: 0, .. }), "{list:?}");
        let props = q(&[("restype", "service"), ("comp", "properties")]);
        let found = routes.find_with_query(HttpMethod::Get, "/xml/", &props);
        assert!(matches!(found, RouteMatch::Rest { op: 1, .. }), "{found:?}");
        let acl = q(&[("comp", "acl"), ("restype", "container")]);
        let found = routes.find_with_query(HttpMethod::Get, "/xml/box", &acl);
        assert!(matches!(found, RouteMatch::Rest { op: 2, .. }), "{found:?}");
    }
}
