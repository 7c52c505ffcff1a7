//! A JSON value written as XML, named the way the schema's `xml` objects say (element and
//! attribute names, namespaces and prefixes, wrapped arrays, text content).

use api_model::{Api, Schema, SchemaKind, SchemaRef};
use quick_xml::escape::escape;
use serde_json::Value;

/// The document for `value`, whose schema is `schema` (the root element is named by the schema's
/// `xml.name`, else the named schema's name, else `root`).
pub fn to_xml(api: &Api, schema: Option<&SchemaRef>, value: &Value) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let resolved = schema.and_then(|s| s.resolve(api));
    let name = resolved
        .and_then(|s| s.xml.as_ref())
        .and_then(|x| x.name.clone())
        .or_else(|| schema.and_then(SchemaRef::name).map(str::to_string))
        .unwrap_or_else(|| "root".to_string());
    // A root array is always wrapped: XML needs one root element.
    if let (Value::Array(items), Some(SchemaKind::Array(rules))) =
        (value, resolved.map(|s| &s.kind))
    {
        let item_ref = rules.items.as_deref();
        let item_name = element_name(api, item_ref, "item");
        open(&mut out, &name, resolved, "");
        out.push('>');
        for item in items {
            element(&mut out, api, &item_name, item_ref, item, 1);
        }
        close(&mut out, &name, resolved);
        return out;
    }
    element(&mut out, api, &name, schema, value, 0);
    out
}

fn safe_name(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || !s.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        s.insert(0, '_');
    }
    s
}

fn element_name(api: &Api, schema: Option<&SchemaRef>, fallback: &str) -> String {
    let own = match schema {
        Some(SchemaRef::Inline(s)) => s.xml.as_ref().and_then(|x| x.name.clone()),
        _ => None,
    };
    own.or_else(|| {
        schema
            .and_then(|s| s.resolve(api))
            .and_then(|s| s.xml.as_ref())
            .and_then(|x| x.name.clone())
    })
    .unwrap_or_else(|| fallback.to_string())
}

fn qualified(name: &str, schema: Option<&Schema>) -> String {
    let prefix = schema
        .and_then(|s| s.xml.as_ref())
        .and_then(|x| x.prefix.as_deref());
    match prefix {
        Some(p) if !p.is_empty() => format!("{}:{}", safe_name(p), safe_name(name)),
        _ => safe_name(name),
    }
}

fn open(out: &mut String, name: &str, schema: Option<&Schema>, attrs: &str) {
    out.push('<');
    out.push_str(&qualified(name, schema));
    if let Some(xml) = schema.and_then(|s| s.xml.as_ref()) {
        if let Some(ns) = &xml.namespace {
            match xml.prefix.as_deref().filter(|p| !p.is_empty()) {
                Some(p) => out.push_str(&format!(
                    " xmlns:{}=\"{}\"",
                    safe_name(p),
                    escape(ns.as_str())
                )),
                None => out.push_str(&format!(" xmlns=\"{}\"", escape(ns.as_str()))),
            }
        }
    }
    out.push_str(attrs);
}

fn close(out: &mut String, name: &str, schema: Option<&Schema>) {
    out.push_str("</");
    out.push_str(&qualified(name, schema));
    out.push('>');
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => escape(s.as_str()).into_owned(),
        Value::Null => String::new(),
        other => escape(other.to_string().as_str()).into_owned(),
    }
}

fn element(
    out: &mut String,
    api: &Api,
    name: &str,
    schema: Option<&SchemaRef>,
    value: &Value,
    depth: usize,
) {
    let resolved = schema.and_then(|s| s.resolve(api));
    if depth > 64 {
        return;
    }
    match value {
        Value::Object(map) => {
            let props = resolved.and_then(|s| match &s.kind {
                SchemaKind::Object(o) => Some(&o.properties),
                _ => None,
            });
            let mut attrs = String::new();
            let mut body = String::new();
            for (key, v) in map {
                let prop = props.and_then(|p| p.get(key));
                let prop_schema = prop.and_then(|p| p.resolve(api));
                let own_xml = match prop {
                    Some(SchemaRef::Inline(s)) => s.xml.as_ref(),
                    _ => None,
                }
                .or_else(|| prop_schema.and_then(|s| s.xml.as_ref()));
                let child_name = own_xml
                    .and_then(|x| x.name.clone())
                    .unwrap_or_else(|| key.clone());
                if own_xml.is_some_and(|x| x.attribute) && !v.is_object() && !v.is_array() {
                    attrs.push_str(&format!(
                        " {}=\"{}\"",
                        qualified(&child_name, prop_schema),
                        text(v)
                    ));
                } else if own_xml.is_some_and(|x| x.text) {
                    body.push_str(&text(v));
                } else if let Value::Array(items) = v {
                    let item_ref = prop_schema.and_then(|s| match &s.kind {
                        SchemaKind::Array(a) => a.items.as_deref(),
                        _ => None,
                    });
                    if own_xml.is_some_and(|x| x.wrapped) {
                        let item_name = element_name(api, item_ref, &child_name);
                        open(&mut body, &child_name, prop_schema, "");
                        body.push('>');
                        for item in items {
                            element(&mut body, api, &item_name, item_ref, item, depth + 1);
                        }
                        close(&mut body, &child_name, prop_schema);
                    } else {
                        let item_name = match item_ref {
                            Some(SchemaRef::Inline(s)) => {
                                s.xml.as_ref().and_then(|x| x.name.clone())
                            }
                            _ => None,
                        }
                        .unwrap_or_else(|| child_name.clone());
                        for item in items {
                            element(&mut body, api, &item_name, item_ref, item, depth + 1);
                        }
                    }
                } else {
                    element(&mut body, api, &child_name, prop, v, depth + 1);
                }
            }
            open(out, name, resolved, &attrs);
            if body.is_empty() {
                out.push_str("/>");
            } else {
                out.push('>');
                out.push_str(&body);
                close(out, name, resolved);
            }
        }
        Value::Array(items) => {
            let item_ref = resolved.and_then(|s| match &s.kind {
                SchemaKind::Array(a) => a.items.as_deref(),
                _ => None,
            });
            let item_name = element_name(api, item_ref, "item");
            open(out, name, resolved, "");
            out.push('>');
            for item in items {
                element(out, api, &item_name, item_ref, item, depth + 1);
            }
            close(out, name, resolved);
        }
        other => {
            open(out, name, resolved, "");
            out.push('>');
            out.push_str(&text(other));
            close(out, name, resolved);
        }
    }
}

/// One parsed XML element (local names only: namespaces do not decide validity here).
#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: Vec<(String, String)>,
    children: Vec<Element>,
    text: String,
}

/// Deepest element nesting read from a request body.
const MAX_XML_DEPTH: usize = 64;

fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    match name.rsplit_once(':') {
        Some((_, l)) => l.to_string(),
        None => name.into_owned(),
    }
}

fn parse_tree(body: &[u8]) -> Result<Element, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(body);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("not well-formed XML: {e}"))?;
        match event {
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                let _ = start;
                return Err("content after the root element".into());
            }
            Event::Start(start) => {
                if stack.len() >= MAX_XML_DEPTH {
                    return Err(format!("elements nested deeper than {MAX_XML_DEPTH}"));
                }
                stack.push(read_element(&start)?);
            }
            Event::Empty(start) => {
                let el = read_element(&start)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let Some(el) = stack.pop() else {
                    return Err("unbalanced end tag".into());
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    let text = t.unescape().map_err(|e| format!("bad text: {e}"))?;
                    el.text.push_str(&text);
                }
            }
            Event::CData(c) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&String::from_utf8_lossy(&c));
                }
            }
            Event::DocType(_) => return Err("DTDs are not accepted".into()),
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !stack.is_empty() {
        return Err("unclosed element".into());
    }
    root.ok_or_else(|| "no root element".to_string())
}

fn read_element(start: &quick_xml::events::BytesStart<'_>) -> Result<Element, String> {
    let mut el = Element {
        name: local(start.name().as_ref()),
        ..Element::default()
    };
    for attr in start.attributes() {
        let attr = attr.map_err(|e| format!("bad attribute: {e}"))?;
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value = attr
            .unescape_value()
            .map_err(|e| format!("bad attribute value: {e}"))?
            .into_owned();
        el.attributes.push((local(key.as_bytes()), value));
    }
    Ok(el)
}

/// A request body in XML, read as the JSON value its schema describes (element and attribute
/// names from the schema's `xml` objects), so it can be validated like a JSON body.
pub fn from_xml(api: &Api, schema: Option<&SchemaRef>, body: &[u8]) -> Result<Value, String> {
    let root = parse_tree(body)?;
    Ok(convert(api, schema, &root, 0))
}

fn xml_of<'a>(api: &'a Api, schema: &'a SchemaRef) -> Option<&'a api_model::XmlInfo> {
    match schema {
        SchemaRef::Inline(s) if s.xml.is_some() => s.xml.as_ref(),
        _ => schema.resolve(api).and_then(|s| s.xml.as_ref()),
    }
}

/// Properties of an object-like schema (members of allOf/oneOf/anyOf merged).
fn properties<'a>(
    api: &'a Api,
    schema: &'a Schema,
    depth: usize,
    out: &mut Vec<(&'a String, &'a SchemaRef)>,
) {
    if depth > 16 {
        return;
    }
    match &schema.kind {
        SchemaKind::Object(o) => out.extend(o.properties.iter()),
        SchemaKind::AllOf(c) | SchemaKind::OneOf(c) | SchemaKind::AnyOf(c) => {
            for m in &c.members {
                if let Some(s) = m.resolve(api) {
                    properties(api, s, depth + 1, out);
                }
            }
        }
        _ => {}
    }
}

/// Required property names of an object-like schema (allOf members merged).
fn required_names<'a>(api: &'a Api, schema: &'a Schema, depth: usize, out: &mut Vec<&'a String>) {
    if depth > 16 {
        return;
    }
    match &schema.kind {
        SchemaKind::Object(o) => out.extend(o.required.iter()),
        SchemaKind::AllOf(c) => {
            for m in &c.members {
                if let Some(s) = m.resolve(api) {
                    required_names(api, s, depth + 1, out);
                }
            }
        }
        _ => {}
    }
}

fn props_of<'a>(api: &'a Api, schema: &'a Schema, name: &str) -> Option<&'a SchemaRef> {
    let mut props = Vec::new();
    properties(api, schema, 0, &mut props);
    props
        .into_iter()
        .find(|(k, _)| k.as_str() == name)
        .map(|(_, v)| v)
}

fn convert(api: &Api, schema: Option<&SchemaRef>, el: &Element, depth: usize) -> Value {
    let resolved = schema.and_then(|s| s.resolve(api));
    let Some(resolved) = resolved.filter(|_| depth < MAX_XML_DEPTH) else {
        return Value::String(el.text.clone());
    };
    // Text where elements were expected is not an object (nor a list).
    let complex = matches!(
        resolved.kind,
        SchemaKind::Object(_) | SchemaKind::AllOf(_) | SchemaKind::Array(_)
    );
    if complex && el.children.is_empty() && el.attributes.is_empty() && !el.text.trim().is_empty() {
        return Value::String(el.text.clone());
    }
    match &resolved.kind {
        SchemaKind::Object(_)
        | SchemaKind::AllOf(_)
        | SchemaKind::OneOf(_)
        | SchemaKind::AnyOf(_)
            if !matches!(resolved.kind, SchemaKind::OneOf(_) | SchemaKind::AnyOf(_))
                || !el.children.is_empty()
                || !el.attributes.is_empty() =>
        {
            let mut props = Vec::new();
            properties(api, resolved, 0, &mut props);
            let mut map = serde_json::Map::new();
            for (key, prop) in props {
                if map.contains_key(key.as_str()) {
                    continue;
                }
                let info = xml_of(api, prop);
                let name = info
                    .and_then(|x| x.name.clone())
                    .unwrap_or_else(|| key.clone());
                let prop_schema = prop.resolve(api);
                if info.is_some_and(|x| x.attribute) {
                    if let Some((_, v)) = el.attributes.iter().find(|(k, _)| *k == name) {
                        map.insert(
                            key.clone(),
                            crate::rest::validate::coerce(api, Some(prop), v),
                        );
                    }
                } else if info.is_some_and(|x| x.text) {
                    map.insert(
                        key.clone(),
                        crate::rest::validate::coerce(api, Some(prop), &el.text),
                    );
                } else if let Some(SchemaKind::Array(rules)) = prop_schema.map(|s| &s.kind) {
                    let items = rules.items.as_deref();
                    if info.is_some_and(|x| x.wrapped) {
                        if let Some(wrapper) = el.children.iter().find(|c| c.name == name) {
                            let values = wrapper
                                .children
                                .iter()
                                .map(|c| convert(api, items, c, depth + 1))
                                .collect();
                            map.insert(key.clone(), Value::Array(values));
                        }
                    } else {
                        let item_name = items
                            .and_then(|i| match i {
                                SchemaRef::Inline(s) => s.xml.as_ref().and_then(|x| x.name.clone()),
                                SchemaRef::Named(_) => None,
                            })
                            .unwrap_or_else(|| name.clone());
                        let values: Vec<Value> = el
                            .children
                            .iter()
                            .filter(|c| c.name == item_name)
                            .map(|c| convert(api, items, c, depth + 1))
                            .collect();
                        if !values.is_empty() {
                            map.insert(key.clone(), Value::Array(values));
                        }
                    }
                } else if let Some(child) = el.children.iter().find(|c| c.name == name) {
                    map.insert(key.clone(), convert(api, Some(prop), child, depth + 1));
                }
            }
            // XML cannot tell an empty list from a missing one: a required list that may be
            // empty and has no element here is that empty list.
            let mut required = Vec::new();
            required_names(api, resolved, 0, &mut required);
            for name in required {
                if map.contains_key(name) {
                    continue;
                }
                let empty_list = props_of(api, resolved, name)
                    .and_then(|p| p.resolve(api))
                    .is_some_and(|s| {
                        matches!(&s.kind, SchemaKind::Array(a) if a.min_items.unwrap_or(0) == 0)
                    });
                if empty_list {
                    map.insert(name.clone(), Value::Array(Vec::new()));
                }
            }
            Value::Object(map)
        }
        SchemaKind::Array(rules) => {
            let items = rules.items.as_deref();
            Value::Array(
                el.children
                    .iter()
                    .map(|c| convert(api, items, c, depth + 1))
                    .collect(),
            )
        }
        _ => crate::rest::validate::coerce(api, schema, &el.text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::pet_api;
    use serde_json::json;

    #[test]
    fn xml_bodies_read_back_as_json() {
        let api = pet_api();
        let pet = SchemaRef::Named("Pet".into());
        let v = from_xml(
            &api,
            Some(&pet),
            b"<?xml version='1.0'?><pet id='7'><name>Rex</name><tags><tag>a</tag><tag>b</tag></tags><age>x</age></pet>",
        )
        .expect("parsed");
        assert_eq!(
            v,
            json!({"id": 7, "name": "Rex", "tags": ["a", "b"], "age": "x"})
        );
        let written = to_xml(
            &api,
            Some(&pet),
            &json!({"id": 3, "name": "A", "tags": ["t"]}),
        );
        assert_eq!(
            from_xml(&api, Some(&pet), written.as_bytes()).expect("round trip"),
            json!({"id": 3, "name": "A", "tags": ["t"]})
        );
        assert!(from_xml(&api, Some(&pet), b"<pet><name>").is_err());
        assert_eq!(
            from_xml(&api, Some(&pet), b"<pet>true</pet>").expect("parsed"),
            json!("true")
        );
        assert!(from_xml(&api, Some(&pet), b"<!DOCTYPE x [<!ENTITY a 'b'>]><pet/>").is_err());
    }

    #[test]
    fn object_with_attribute_and_wrapped_array() {
        let api = pet_api();
        let xml = to_xml(
            &api,
            Some(&SchemaRef::Named("Pet".into())),
            &json!({"id": 7, "name": "Rex & co", "tags": ["a", "b"]}),
        );
        assert!(xml.contains("<pet id=\"7\">"), "{xml}");
        assert!(xml.contains("<name>Rex &amp; co</name>"), "{xml}");
        assert!(
            xml.contains("<tags><tag>a</tag><tag>b</tag></tags>"),
            "{xml}"
        );
    }
}
