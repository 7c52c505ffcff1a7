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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::pet_api;
    use serde_json::json;

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
