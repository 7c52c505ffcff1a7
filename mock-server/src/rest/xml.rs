//! A JSON value written as XML, named the way the schema's `xml` objects say (element and
//! attribute names, namespaces and prefixes, wrapped arrays, text content).

use api_model::{Additional, Api, Schema, SchemaKind, SchemaRef};
use indexmap::IndexMap;
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

/// A request body in XML, read as the JSON value its schema describes, so that it can be
/// validated like a JSON body.
///
/// The reading follows the schema's XML mapping (element and attribute names, wrapped and
/// unwrapped arrays) and keeps visible to the validator whatever does not fit it:
/// - an element that is not there stays absent, so a required one is reported missing (but a
///   required unwrapped list that may be empty: with no items it writes nothing at all);
/// - an empty element is the empty value of its type: `<tags/>` a wrapped list with no items,
///   `<name/>` the empty string, `<address/>` an object with no properties;
/// - an element the schema does not declare is an additional property (which
///   `additionalProperties` may forbid), and so is an element inside a wrapped list that is not
///   one of its items (the list is then an object);
/// - a property written twice is a list, and an element with child elements where a plain value
///   is expected is an object (both then break their type).
///
/// The root element's name is not checked (clients name it after the schema, or `data`).
pub fn from_xml(api: &Api, schema: Option<&SchemaRef>, body: &[u8]) -> Result<Value, String> {
    let root = parse_tree(body)?;
    Ok(convert(api, schema, &root, &[&root.name, "item"], 0))
}

fn xml_of<'a>(api: &'a Api, schema: &'a SchemaRef) -> Option<&'a api_model::XmlInfo> {
    match schema {
        SchemaRef::Inline(s) if s.xml.is_some() => s.xml.as_ref(),
        _ => schema.resolve(api).and_then(|s| s.xml.as_ref()),
    }
}

/// Properties of an object-like schema (members of allOf/oneOf/anyOf merged).
pub(crate) fn properties<'a>(
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
fn required_names<'a>(api: &'a Api, schema: &'a Schema, depth: usize, out: &mut Vec<&'a str>) {
    if depth > 16 {
        return;
    }
    match &schema.kind {
        SchemaKind::Object(o) => out.extend(o.required.iter().map(String::as_str)),
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

/// The `additionalProperties` schema of an object-like schema (allOf members searched), if any.
fn additional_schema<'a>(api: &'a Api, schema: &'a Schema, depth: usize) -> Option<&'a SchemaRef> {
    if depth > 16 {
        return None;
    }
    match &schema.kind {
        SchemaKind::Object(o) => match &o.additional {
            Additional::Schema(s) => Some(s),
            _ => None,
        },
        SchemaKind::AllOf(c) => c
            .members
            .iter()
            .filter_map(|m| m.resolve(api))
            .find_map(|s| additional_schema(api, s, depth + 1)),
        _ => None,
    }
}

/// The XML name of a schema (its own `xml.name`, or the one of the schema it refers to).
fn xml_name<'a>(api: &'a Api, schema: Option<&'a SchemaRef>) -> Option<&'a str> {
    schema
        .and_then(|s| xml_of(api, s))
        .and_then(|x| x.name.as_deref())
}

/// One value from the elements read for it: a list when there are several.
fn one_or_list(mut values: Vec<Value>) -> Value {
    if values.len() == 1 {
        values.swap_remove(0)
    } else {
        Value::Array(values)
    }
}

/// An element read without a schema: its text, or an object of its child elements (a name
/// written more than once becomes a list).
fn generic(el: &Element, depth: usize) -> Value {
    if el.children.is_empty() || depth >= MAX_XML_DEPTH {
        return Value::String(el.text.clone());
    }
    let mut grouped: IndexMap<&str, Vec<Value>> = IndexMap::new();
    for child in &el.children {
        grouped
            .entry(child.name.as_str())
            .or_default()
            .push(generic(child, depth + 1));
    }
    Value::Object(
        grouped
            .into_iter()
            .map(|(name, values)| (name.to_string(), one_or_list(values)))
            .collect(),
    )
}

/// `el` read as the value of `schema`. `item_names` are the names a list's items may have when
/// the items' schema names none (the list's own element name, and what our responses use).
fn convert(
    api: &Api,
    schema: Option<&SchemaRef>,
    el: &Element,
    item_names: &[&str],
    depth: usize,
) -> Value {
    let resolved = schema.and_then(|s| s.resolve(api));
    let Some(resolved) = resolved.filter(|_| depth < MAX_XML_DEPTH) else {
        return generic(el, depth);
    };
    let has_elements = !el.children.is_empty();
    // Text where elements were expected is not an object (nor a list).
    let complex = matches!(
        resolved.kind,
        SchemaKind::Object(_) | SchemaKind::AllOf(_) | SchemaKind::Array(_)
    );
    if complex && !has_elements && el.attributes.is_empty() && !el.text.trim().is_empty() {
        return Value::String(el.text.clone());
    }
    match &resolved.kind {
        SchemaKind::Array(rules) => {
            let items = rules.items.as_deref();
            let own = xml_name(api, items);
            let is_item =
                |c: &Element| own == Some(c.name.as_str()) || item_names.contains(&c.name.as_str());
            if !el.children.iter().all(is_item) {
                // Elements that are not its items: an object, not a list.
                return generic(el, depth);
            }
            let names: Vec<&str> = own.into_iter().collect();
            Value::Array(
                el.children
                    .iter()
                    .map(|c| convert(api, items, c, &names, depth + 1))
                    .collect(),
            )
        }
        SchemaKind::Object(_) | SchemaKind::AllOf(_) => object(api, resolved, el, depth),
        SchemaKind::OneOf(_) | SchemaKind::AnyOf(_)
            if has_elements || !el.attributes.is_empty() =>
        {
            object(api, resolved, el, depth)
        }
        // Elements where a plain value is expected: an object (valid only for `{}`).
        _ if has_elements => generic(el, depth),
        _ => crate::rest::validate::coerce(api, schema, &el.text),
    }
}

/// `el` read as an object of `schema`'s properties; see [`from_xml`].
fn object(api: &Api, schema: &Schema, el: &Element, depth: usize) -> Value {
    let mut props = Vec::new();
    properties(api, schema, 0, &mut props);
    let mut required = Vec::new();
    required_names(api, schema, 0, &mut required);
    let mut used = vec![false; el.children.len()];
    let mut map = serde_json::Map::new();
    for (key, prop) in props {
        if map.contains_key(key.as_str()) {
            continue;
        }
        let info = xml_of(api, prop);
        // The element is named by the property's `xml.name`, else by its key; both are taken,
        // as clients differ on whether a referenced schema's `xml.name` names the property.
        let own = info.and_then(|x| x.name.as_deref());
        let names: Vec<&str> = own.into_iter().chain([key.as_str()]).collect();
        if info.is_some_and(|x| x.attribute) {
            let value = names
                .iter()
                .find_map(|n| el.attributes.iter().find(|(k, _)| k == n));
            if let Some((_, v)) = value {
                map.insert(
                    key.clone(),
                    crate::rest::validate::coerce(api, Some(prop), v),
                );
            }
            continue;
        }
        if info.is_some_and(|x| x.text) {
            map.insert(
                key.clone(),
                crate::rest::validate::coerce(api, Some(prop), &el.text),
            );
            continue;
        }
        let unwrapped_list = match prop.resolve(api).map(|s| &s.kind) {
            Some(SchemaKind::Array(rules)) if !info.is_some_and(|x| x.wrapped) => Some(rules),
            _ => None,
        };
        let found: Vec<usize> = match unwrapped_list {
            // Each item is an element of its own, named by the items' `xml.name`, else like the
            // property.
            Some(rules) => {
                let item_name = xml_name(api, rules.items.as_deref());
                unused(el, &used, |n| item_name == Some(n) || names.contains(&n))
            }
            None => names
                .iter()
                .map(|name| unused(el, &used, |n| n == *name))
                .find(|found| !found.is_empty())
                .unwrap_or_default(),
        };
        if found.is_empty() {
            // An unwrapped list with no items writes nothing at all: when it is required and
            // may be empty, nothing is that empty list (a wrapped one writes `<tags/>`, and
            // without it stays missing).
            if unwrapped_list.is_some_and(|r| r.min_items.unwrap_or(0) == 0)
                && required.contains(&key.as_str())
            {
                map.insert(key.clone(), Value::Array(Vec::new()));
            }
            continue;
        }
        for &i in &found {
            used[i] = true;
        }
        let value = match unwrapped_list {
            Some(rules) => Value::Array(
                found
                    .iter()
                    .map(|&i| {
                        convert(
                            api,
                            rules.items.as_deref(),
                            &el.children[i],
                            &names,
                            depth + 1,
                        )
                    })
                    .collect(),
            ),
            // Written more than once: a list where one value is expected.
            None => one_or_list(
                found
                    .iter()
                    .map(|&i| convert(api, Some(prop), &el.children[i], &names, depth + 1))
                    .collect(),
            ),
        };
        map.insert(key.clone(), value);
    }
    // Elements the schema does not declare: additional properties.
    let extra = additional_schema(api, schema, 0);
    let mut grouped: IndexMap<&str, Vec<Value>> = IndexMap::new();
    for (i, child) in el.children.iter().enumerate() {
        if used[i] || map.contains_key(child.name.as_str()) {
            continue;
        }
        let value = match extra {
            Some(s) => convert(api, Some(s), child, &[&child.name], depth + 1),
            None => generic(child, depth + 1),
        };
        grouped.entry(child.name.as_str()).or_default().push(value);
    }
    for (name, values) in grouped {
        map.insert(name.to_string(), one_or_list(values));
    }
    Value::Object(map)
}

/// Indexes of the child elements not read yet whose name passes `wanted`.
fn unused(el: &Element, used: &[bool], wanted: impl Fn(&str) -> bool) -> Vec<usize> {
    el.children
        .iter()
        .enumerate()
        .filter(|(i, c)| !used[*i] && wanted(&c.name))
        .map(|(i, _)| i)
        .collect()
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

    /// An order with a required wrapped list, a required unwrapped list, a closed `Address`, and
    /// an open object.
    fn order_api() -> Api {
        use crate::testing::{inline, integer, schema, string};
        use api_model::{ArrayRules, ObjectRules, XmlInfo};
        let mut api = pet_api();
        let list = |items: SchemaRef, wrapped: bool| {
            SchemaRef::Inline(Box::new(Schema {
                xml: wrapped.then(|| XmlInfo {
                    wrapped: true,
                    ..XmlInfo::default()
                }),
                ..schema(SchemaKind::Array(ArrayRules {
                    items: Some(Box::new(items)),
                    ..ArrayRules::default()
                }))
            }))
        };
        let line = SchemaRef::Inline(Box::new(Schema {
            xml: Some(XmlInfo {
                name: Some("line".into()),
                ..XmlInfo::default()
            }),
            ..schema(SchemaKind::String(Default::default()))
        }));
        api.schemas.insert(
            "Address".into(),
            schema(SchemaKind::Object(ObjectRules {
                properties: [("city".to_string(), string())].into_iter().collect(),
                additional: Additional::Forbidden,
                ..ObjectRules::default()
            })),
        );
        api.schemas.insert(
            "Order".into(),
            schema(SchemaKind::Object(ObjectRules {
                properties: [
                    ("lines".to_string(), list(line, true)),
                    ("codes".to_string(), list(integer(None, None), false)),
                    ("note".to_string(), string()),
                    ("address".to_string(), SchemaRef::Named("Address".into())),
                    (
                        "meta".to_string(),
                        inline(SchemaKind::Object(ObjectRules::default())),
                    ),
                ]
                .into_iter()
                .collect(),
                required: vec!["lines".into(), "codes".into()],
                ..ObjectRules::default()
            })),
        );
        api
    }

    fn read(body: &str) -> Value {
        let api = order_api();
        from_xml(
            &api,
            Some(&SchemaRef::Named("Order".into())),
            body.as_bytes(),
        )
        .expect("parsed")
    }

    #[test]
    fn lists_read_as_the_schema_maps_them() {
        assert_eq!(
            read(
                "<order><lines><line>a</line><line>b</line></lines><codes>1</codes><codes>2</codes></order>"
            ),
            json!({"lines": ["a", "b"], "codes": [1, 2]})
        );
        // A wrapped list present and empty is the empty list, left out it is missing (`lines`);
        // a required unwrapped list cannot be written empty: no items is the empty list.
        assert_eq!(
            read("<order><lines/></order>"),
            json!({"lines": [], "codes": []})
        );
        assert_eq!(read("<order/>"), json!({"codes": []}));
        // One empty item element of an unwrapped list is one empty item.
        assert_eq!(
            read("<order><codes></codes></order>"),
            json!({"codes": [""]})
        );
        // Text in a wrapper, or elements that are not its items: not a list.
        assert_eq!(
            read("<order><lines>x</lines></order>"),
            json!({"lines": "x", "codes": []})
        );
        assert_eq!(
            read("<order><lines><k>v</k></lines></order>"),
            json!({"lines": {"k": "v"}, "codes": []})
        );
        // The items may also be named like the list (what clients write without `xml.name`).
        assert_eq!(
            read("<order><lines><lines>a</lines></lines></order>"),
            json!({"lines": ["a"], "codes": []})
        );
    }

    #[test]
    fn what_does_not_fit_the_schema_stays_visible() {
        // A plain value written twice is a list; with child elements, an object.
        assert_eq!(
            read("<order><note>a</note><note>b</note></order>"),
            json!({"note": ["a", "b"], "codes": []})
        );
        assert_eq!(
            read("<order><note><x>1</x></note></order>"),
            json!({"note": {"x": "1"}, "codes": []})
        );
        // Undeclared elements are additional properties, at every level.
        assert_eq!(
            read(
                "<order><extra>1</extra><extra>2</extra><address><city>X</city><zip>1</zip></address></order>"
            ),
            json!({"address": {"city": "X", "zip": "1"}, "extra": ["1", "2"], "codes": []})
        );
        assert_eq!(
            read("<order><meta/></order>"),
            json!({"meta": {}, "codes": []})
        );
    }

    #[test]
    fn faithful_reading_is_what_validation_rejects() {
        let api = order_api();
        let order = SchemaRef::Named("Order".into());
        let doc =
            api_model::export::json_schema_for(&api, &order, api_model::export::Direction::Request);
        let validator = jsonschema::validator_for(&doc).expect("compiles");
        let valid = |body: &str| {
            validator.is_valid(&from_xml(&api, Some(&order), body.as_bytes()).expect("parsed"))
        };
        assert!(valid(
            "<order><lines><line>a</line></lines><codes>1</codes></order>"
        ));
        assert!(valid(
            "<data><lines/><codes>1</codes><extra>x</extra></data>"
        ));
        assert!(
            !valid("<order><codes>1</codes></order>"),
            "required wrapped list missing"
        );
        // An unwrapped list writes nothing when empty: nothing is then that empty list.
        assert!(valid("<order><lines/></order>"));
        assert!(!valid("<order><lines>x</lines><codes>1</codes></order>"));
        assert!(!valid(
            "<order><lines/><codes>1</codes><note><a/></note></order>"
        ));
        assert!(!valid(
            "<order><lines/><codes>1</codes><note>a</note><note>b</note></order>"
        ));
        assert!(!valid(
            "<order><lines/><codes>1</codes><address><zip>1</zip></address></order>"
        ));
    }
}
