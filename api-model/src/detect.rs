//! Tells what a file is (OpenAPI, Swagger, WSDL, XSD, product, fragment) from its name and first
//! bytes, without parsing it fully. Pure.

use std::path::Path;

use crate::model::SpecKind;

/// File extensions this tool reads.
pub const SPEC_EXTENSIONS: [&str; 6] = ["json", "yaml", "yml", "wsdl", "xsd", "xml"];

/// Whether the path has an extension that may hold a spec.
pub fn is_candidate(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| SPEC_EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// Guess the kind of a spec file from its text. Structured documents (JSON/YAML) are recognized
/// by a top-level `openapi:`, `swagger:` or `product:` key; XML by its root element. Anything
/// else that parses as a mapping is a fragment (it may be the target of a `$ref`).
pub fn detect(path: &Path, text: &str) -> SpecKind {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if trimmed.starts_with('<') || ext == "wsdl" || ext == "xsd" || ext == "xml" {
        return detect_xml(trimmed);
    }
    detect_structured(trimmed)
}

fn detect_xml(text: &str) -> SpecKind {
    // Find the first element start that is not a declaration, comment or processing instruction.
    let mut rest = text;
    loop {
        let Some(start) = rest.find('<') else {
            return SpecKind::Unknown;
        };
        rest = &rest[start..];
        if rest.starts_with("<?") {
            match rest.find("?>") {
                Some(end) => rest = &rest[end + 2..],
                None => return SpecKind::Unknown,
            }
        } else if rest.starts_with("<!--") {
            match rest.find("-->") {
                Some(end) => rest = &rest[end + 3..],
                None => return SpecKind::Unknown,
            }
        } else if rest.starts_with("<!") {
            match rest.find('>') {
                Some(end) => rest = &rest[end + 1..],
                None => return SpecKind::Unknown,
            }
        } else {
            break;
        }
    }
    let name_end = rest[1..]
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .map_or(rest.len(), |i| i + 1);
    let name = &rest[1..name_end];
    let local = name.rsplit(':').next().unwrap_or(name);
    match local {
        "definitions" => SpecKind::Wsdl,
        "description" if rest.contains("http://www.w3.org/ns/wsdl") => SpecKind::Wsdl,
        "schema" => SpecKind::Xsd,
        _ => SpecKind::Unknown,
    }
}

fn detect_structured(text: &str) -> SpecKind {
    if text.starts_with('{') {
        // JSON: look at the top-level keys only (they may come after a large `components`).
        for key in json_top_level_keys(text) {
            match key {
                "openapi" => return SpecKind::Openapi,
                "swagger" => return SpecKind::Swagger,
                "product" => return SpecKind::Product,
                _ => {}
            }
        }
        return SpecKind::Fragment;
    }
    for line in text.lines() {
        // Top-level YAML keys start at column 0.
        let Some(first) = line.chars().next() else {
            continue;
        };
        if first.is_whitespace() || first == '#' || line.starts_with("---") {
            continue;
        }
        let key = line
            .split(':')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches(|c| c == '"' || c == '\'');
        match key {
            "openapi" => return SpecKind::Openapi,
            "swagger" => return SpecKind::Swagger,
            "product" => return SpecKind::Product,
            _ => {}
        }
    }
    if text.is_empty() {
        SpecKind::Unknown
    } else {
        SpecKind::Fragment
    }
}

/// The keys of the top-level object of a JSON text, found by a single scan that tracks nesting
/// and strings (no allocation, no full parse). Lazy: a caller that stops at the key it looks for
/// does not scan the rest (`openapi` usually comes first, before megabytes of `paths`).
fn json_top_level_keys(text: &str) -> TopLevelKeys<'_> {
    TopLevelKeys {
        text,
        i: 0,
        depth: 0,
        last_string: None,
    }
}

/// The iterator of [`json_top_level_keys`].
struct TopLevelKeys<'a> {
    text: &'a str,
    i: usize,
    depth: usize,
    last_string: Option<(usize, usize)>,
}

impl<'a> Iterator for TopLevelKeys<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        while self.i < bytes.len() {
            let at = self.i;
            self.i += 1;
            match bytes[at] {
                b'"' => {
                    let start = at + 1;
                    let mut j = start;
                    while j < bytes.len() && bytes[j] != b'"' {
                        if bytes[j] == b'\\' {
                            j += 1;
                        }
                        j += 1;
                    }
                    self.last_string = Some((start, j.min(bytes.len())));
                    self.i = j + 1;
                }
                b':' if self.depth == 1 => {
                    if let Some(k) = self
                        .last_string
                        .take()
                        .and_then(|(s, e)| self.text.get(s..e))
                    {
                        return Some(k);
                    }
                }
                b'{' | b'[' => {
                    self.depth += 1;
                    self.last_string = None;
                }
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    self.last_string = None;
                }
                b',' => self.last_string = None,
                _ => {}
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_kinds() {
        let p = Path::new("a.yaml");
        assert_eq!(detect(p, "openapi: 3.1.0\ninfo: {}"), SpecKind::Openapi);
        assert_eq!(detect(p, "# c\nswagger: '2.0'"), SpecKind::Swagger);
        assert_eq!(detect(p, "product: 1.0.0"), SpecKind::Product);
        assert_eq!(detect(p, "type: object"), SpecKind::Fragment);
        let j = Path::new("a.json");
        assert_eq!(
            detect(
                j,
                r#"{"components": {"x": {"openapi": 1}}, "openapi": "3.0.1"}"#
            ),
            SpecKind::Openapi
        );
        assert_eq!(
            detect(j, r#"{"a": {"openapi": "3.0.1"}}"#),
            SpecKind::Fragment
        );
        let x = Path::new("a.wsdl");
        assert_eq!(
            detect(x, "<?xml version=\"1.0\"?><!-- x --><wsdl:definitions>"),
            SpecKind::Wsdl
        );
        assert_eq!(detect(Path::new("a.xsd"), "<xs:schema/>"), SpecKind::Xsd);
    }

    #[test]
    fn top_level_keys_skip_nested_objects_and_strings() {
        let text = r#"{"a": {"b": 1}, "c\"d": [1, {"e": 2}], "f": "x:y", "g": {"h": "}"}}"#;
        let keys: Vec<&str> = json_top_level_keys(text).collect();
        assert_eq!(keys, ["a", r#"c\"d"#, "f", "g"]);
        let mut lazy = json_top_level_keys(r#"{"openapi": "3.1.0", "paths": {"#);
        assert_eq!(lazy.next(), Some("openapi"));
    }
}
