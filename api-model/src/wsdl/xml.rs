//! A small, hostile-input-safe XML tree for WSDL and XSD documents: quick-xml events folded into
//! elements with resolved namespaces and byte offsets, with no DTDs, no entities beyond the five
//! predefined ones, and limits on depth, element count and size.

use std::collections::BTreeMap;
use std::path::Path;
use std::rc::Rc;

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::error::{Error, Location, Result, line_col};
use crate::model::QName;

/// Deepest element nesting accepted.
pub const MAX_DEPTH: usize = 256;
/// Most elements accepted in one document (the largest real WSDLs have tens of thousands).
pub const MAX_ELEMENTS: usize = 500_000;
/// Most attributes accepted in one document.
pub const MAX_TOTAL_ATTRIBUTES: usize = 1_000_000;
/// Largest document accepted (bytes).
pub const MAX_BYTES: usize = 32 * 1024 * 1024;
/// Most attributes on one element.
pub const MAX_ATTRIBUTES: usize = 4096;

/// The namespace bound to the `xml` prefix.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

/// Prefix -> namespace bindings in scope (`""` is the default namespace).
pub type Scope = BTreeMap<String, String>;

/// An attribute with its namespace resolved (unprefixed attributes have none).
#[derive(Debug, Clone)]
pub struct Attr {
    /// Namespace.
    pub ns: Option<String>,
    /// Local name.
    pub local: String,
    /// Unescaped value.
    pub value: String,
}

/// An element: resolved name, attributes, children, direct text and where it starts.
#[derive(Debug, Clone)]
pub struct Element {
    /// Namespace.
    pub ns: Option<String>,
    /// Local name.
    pub local: String,
    /// Attributes except namespace declarations.
    pub attrs: Vec<Attr>,
    /// Child elements in order.
    pub children: Vec<Element>,
    /// Direct character data, concatenated.
    pub text: String,
    /// Byte offset of the `<` of the start tag.
    pub offset: usize,
    /// Namespace bindings in scope.
    pub scope: Rc<Scope>,
}

impl Element {
    /// Whether the element is `{ns}local`.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.local == local && self.ns.as_deref() == Some(ns)
    }

    /// An unqualified attribute's value.
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.is_none() && a.local == local)
            .map(|a| a.value.as_str())
    }

    /// A qualified attribute's value.
    pub fn attr_ns(&self, ns: &str, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|a| a.ns.as_deref() == Some(ns) && a.local == local)
            .map(|a| a.value.as_str())
    }

    /// Children named `{ns}local`.
    pub fn children_named<'a>(
        &'a self,
        ns: &'a str,
        local: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.is(ns, local))
    }

    /// The first child named `{ns}local`.
    pub fn child(&self, ns: &str, local: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, local))
    }

    /// The first child in namespace `ns`, whatever its name.
    pub fn child_in<'a>(&'a self, ns: &str) -> impl Iterator<Item = &'a Element> + 'a {
        let ns = ns.to_string();
        self.children
            .iter()
            .filter(move |c| c.ns.as_deref() == Some(ns.as_str()))
    }

    /// Resolve a QName-valued attribute value (`tns:Foo`, or `Foo` in the default namespace).
    /// `None` when the prefix is not bound.
    pub fn resolve_qname(&self, value: &str) -> Option<QName> {
        let value = value.trim();
        match value.split_once(':') {
            Some((prefix, local)) => {
                let ns = if prefix == "xml" {
                    Some(XML_NS.to_string())
                } else {
                    Some(self.scope.get(prefix)?.clone())
                };
                Some(QName {
                    namespace: ns,
                    local: local.to_string(),
                })
            }
            None => Some(QName {
                namespace: self.scope.get("").filter(|s| !s.is_empty()).cloned(),
                local: value.to_string(),
            }),
        }
    }

    /// All text below this element (for `documentation`, which may hold markup).
    pub fn deep_text(&self) -> String {
        let mut out = String::new();
        collect_text(self, &mut out, 0);
        out
    }
}

fn collect_text(e: &Element, out: &mut String, depth: usize) {
    out.push_str(&e.text);
    if depth > MAX_DEPTH {
        return;
    }
    for c in &e.children {
        if !out.is_empty() && !out.ends_with(char::is_whitespace) {
            out.push(' ');
        }
        collect_text(c, out, depth + 1);
    }
}

fn loc(path: &Path, text: &str, offset: usize) -> Location {
    let (line, column) = line_col(text, offset);
    Location::at(path, line, column)
}

fn syntax(path: &Path, text: &str, offset: usize, message: impl Into<String>) -> Error {
    Error::Syntax {
        loc: loc(path, text, offset),
        message: message.into(),
    }
}

fn limit(path: &Path, text: &str, offset: usize, message: impl Into<String>) -> Error {
    Error::Limit {
        loc: loc(path, text, offset),
        message: message.into(),
    }
}

/// Parse a document into its root element. Refuses DTDs (so no entity expansion and no external
/// entities), undefined entity references, nesting deeper than [`MAX_DEPTH`], and more than
/// [`MAX_ELEMENTS`] elements.
pub fn parse(path: &Path, text: &str) -> Result<Element> {
    if text.len() > MAX_BYTES {
        return Err(limit(
            path,
            text,
            0,
            format!(
                "XML document is {} bytes, over the limit of {MAX_BYTES}",
                text.len()
            ),
        ));
    }
    let mut reader = Reader::from_str(text);
    {
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        config.trim_text(false);
    }
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut budget = Budget::default();
    let base_scope = Rc::new(Scope::new());
    loop {
        let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(start);
                return Err(syntax(
                    path,
                    text,
                    at,
                    format!("XML is not well-formed: {e}"),
                ));
            }
        };
        match event {
            Event::DocType(_) => {
                return Err(limit(
                    path,
                    text,
                    start,
                    "DOCTYPE declarations are not allowed (no DTDs, entity expansion or external entities)",
                ));
            }
            Event::Start(tag) | Event::Empty(tag) if root.is_some() => {
                let _ = tag;
                return Err(syntax(path, text, start, "content after the root element"));
            }
            Event::Start(tag) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(limit(
                        path,
                        text,
                        start,
                        format!("elements nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let parent = stack.last().map_or(&base_scope, |p| &p.scope).clone();
                let el = counted_element(path, text, start, &tag, parent, &mut budget)?;
                stack.push(el);
            }
            Event::Empty(tag) => {
                let parent = stack.last().map_or(&base_scope, |p| &p.scope).clone();
                let el = counted_element(path, text, start, &tag, parent, &mut budget)?;
                match stack.last_mut() {
                    Some(p) => p.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(syntax(path, text, start, "unexpected end tag"));
                };
                match stack.last_mut() {
                    Some(p) => p.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                let raw = std::str::from_utf8(t.as_ref()).unwrap_or("");
                let unescaped = quick_xml::escape::unescape(raw).map_err(|e| {
                    syntax(
                        path,
                        text,
                        start,
                        format!("bad character or entity reference ({e}); only the five predefined XML entities are allowed"),
                    )
                })?;
                match stack.last_mut() {
                    Some(p) => p.text.push_str(&unescaped),
                    None => {
                        if !unescaped.trim().is_empty() {
                            return Err(syntax(path, text, start, "text outside the root element"));
                        }
                    }
                }
            }
            Event::CData(c) => {
                if let Some(p) = stack.last_mut() {
                    p.text.push_str(&String::from_utf8_lossy(c.as_ref()));
                }
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(syntax(
            path,
            text,
            open.offset,
            format!("element <{}> is never closed", open.local),
        ));
    }
    root.ok_or_else(|| syntax(path, text, 0, "no root element"))
}

/// Elements and attributes read so far, against the limits for hostile input.
#[derive(Default)]
struct Budget {
    elements: usize,
    attributes: usize,
}

/// [`element`], counted against the budget (refused past [`MAX_ELEMENTS`] elements or
/// [`MAX_TOTAL_ATTRIBUTES`] attributes).
fn counted_element(
    path: &Path,
    text: &str,
    offset: usize,
    tag: &BytesStart<'_>,
    parent: Rc<Scope>,
    budget: &mut Budget,
) -> Result<Element> {
    budget.elements += 1;
    if budget.elements > MAX_ELEMENTS {
        return Err(limit(
            path,
            text,
            offset,
            format!("more than {MAX_ELEMENTS} elements"),
        ));
    }
    let el = element(path, text, offset, tag, parent)?;
    budget.attributes += el.attrs.len();
    if budget.attributes > MAX_TOTAL_ATTRIBUTES {
        return Err(limit(
            path,
            text,
            offset,
            format!("more than {MAX_TOTAL_ATTRIBUTES} attributes"),
        ));
    }
    Ok(el)
}

fn element(
    path: &Path,
    text: &str,
    offset: usize,
    tag: &BytesStart<'_>,
    parent: Rc<Scope>,
) -> Result<Element> {
    let name = String::from_utf8_lossy(tag.name().as_ref()).into_owned();
    let mut raw_attrs: Vec<(String, String)> = Vec::new();
    let mut decls: Vec<(String, String)> = Vec::new();
    for attr in tag.attributes().with_checks(true) {
        let attr = attr.map_err(|e| syntax(path, text, offset, format!("bad attribute: {e}")))?;
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        let value = attr.unescape_value().map_err(|e| {
            syntax(
                path,
                text,
                offset,
                format!("bad attribute value of `{key}` ({e}); only the five predefined XML entities are allowed"),
            )
        })?;
        if raw_attrs.len() + decls.len() >= MAX_ATTRIBUTES {
            return Err(limit(
                path,
                text,
                offset,
                format!("more than {MAX_ATTRIBUTES} attributes"),
            ));
        }
        if key == "xmlns" {
            decls.push((String::new(), value.into_owned()));
        } else if let Some(prefix) = key.strip_prefix("xmlns:") {
            decls.push((prefix.to_string(), value.into_owned()));
        } else {
            raw_attrs.push((key, value.into_owned()));
        }
    }
    let scope = if decls.is_empty() {
        parent
    } else {
        let mut s = (*parent).clone();
        for (p, ns) in decls {
            s.insert(p, ns);
        }
        Rc::new(s)
    };
    let lookup = |prefix: &str| -> Result<Option<String>> {
        if prefix == "xml" {
            return Ok(Some(XML_NS.to_string()));
        }
        match scope.get(prefix) {
            Some(ns) if !ns.is_empty() => Ok(Some(ns.clone())),
            _ => Err(syntax(
                path,
                text,
                offset,
                format!("namespace prefix `{prefix}` is not declared"),
            )),
        }
    };
    let (ns, local) = match name.split_once(':') {
        Some((prefix, local)) => (lookup(prefix)?, local.to_string()),
        None => (
            scope.get("").filter(|s| !s.is_empty()).cloned(),
            name.clone(),
        ),
    };
    let mut attrs = Vec::with_capacity(raw_attrs.len());
    for (key, value) in raw_attrs {
        let (ns, local) = match key.split_once(':') {
            Some((prefix, local)) => (lookup(prefix)?, local.to_string()),
            None => (None, key),
        };
        attrs.push(Attr { ns, local, value });
    }
    Ok(Element {
        ns,
        local,
        attrs,
        children: Vec::new(),
        text: String::new(),
        offset,
        scope,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Element> {
        parse(Path::new("t.xml"), text)
    }

    #[test]
    fn resolves_namespaces_per_scope() {
        let root = p(r#"<a:r xmlns:a="urn:a" xmlns="urn:d"><c x="1" a:y="2"><a:d xmlns:a="urn:b"/></c></a:r>"#)
            .expect("parses");
        assert_eq!(root.ns.as_deref(), Some("urn:a"));
        let c = &root.children[0];
        assert_eq!(c.ns.as_deref(), Some("urn:d"));
        assert_eq!(c.attr("x"), Some("1"));
        assert_eq!(c.attr_ns("urn:a", "y"), Some("2"));
        assert_eq!(c.children[0].ns.as_deref(), Some("urn:b"));
        let q = c.resolve_qname("a:T").expect("bound");
        assert_eq!(q.namespace.as_deref(), Some("urn:a"));
        assert_eq!(
            c.resolve_qname("T").and_then(|q| q.namespace).as_deref(),
            Some("urn:d")
        );
        assert!(c.resolve_qname("zz:T").is_none());
    }

    #[test]
    fn refuses_doctype_and_entities() {
        let bomb = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>
<lolz>&lol2;</lolz>"#;
        let err = p(bomb).expect_err("refused");
        assert!(err.to_string().contains("t.xml:2:1"), "{err}");
        assert!(err.to_string().contains("DOCTYPE"), "{err}");
        let err = p("<a>&ext;</a>").expect_err("refused");
        assert!(err.to_string().contains("entit"), "{err}");
        assert_eq!(p("<a>&lt;&#65;</a>").expect("ok").text, "<A");
    }

    #[test]
    fn refuses_deep_nesting_quickly() {
        let deep = "<a>".repeat(10_000) + &"</a>".repeat(10_000);
        let t = std::time::Instant::now();
        let err = p(&deep).expect_err("refused");
        assert!(err.to_string().contains("deeper than 256"), "{err}");
        assert!(t.elapsed().as_secs() < 2);
    }

    #[test]
    fn declared_encodings_do_not_matter_for_decoded_text() {
        let root = p("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<a>é</a>").expect("parses");
        assert_eq!(root.text, "é");
        assert_eq!(p("\u{feff}<a/>").expect("a BOM is skipped").local, "a");
    }

    #[test]
    fn refuses_too_many_elements() {
        let many = format!("<a>{}</a>", "<b/>".repeat(MAX_ELEMENTS + 1));
        let err = p(&many).expect_err("refused");
        assert!(
            err.to_string().contains("more than 500000 elements"),
            "{err}"
        );
    }

    #[test]
    fn reports_located_syntax_errors() {
        let err = p("<a>\n  <b></c>\n</a>").expect_err("bad");
        assert!(err.to_string().starts_with("t.xml:2:"), "{err}");
        let err = p("<a>\n<x:b/></a>").expect_err("bad");
        assert!(err.to_string().contains("t.xml:2:1"), "{err}");
        assert!(p("").is_err());
        assert!(p("<a>").is_err());
    }
}
