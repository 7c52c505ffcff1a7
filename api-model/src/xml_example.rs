//! Deterministic XML for SOAP messages, valid against the message's XSD-derived schemas: element
//! names and namespaces as qualified by the schema, sequence order, one branch per choice,
//! occurrence bounds, attributes, enumerations, patterns, lengths, ranges, defaults and fixed
//! values; for rpc style the operation wrapper, for encoded use `xsi:type` and SOAP-ENC arrays.
//!
//! The same inputs (API, message, binding, seed) always give the same bytes.

use fake::rand::Rng;
use fake::rand::distr::Distribution;
use serde_json::Value;

use crate::example::{ExampleRng, Seed};
use crate::model::{
    Api, Bound, NumberRules, PartContent, QName, Schema, SchemaKind, SchemaRef, SoapBinding,
    SoapHeader, SoapMessage, SoapStyle, SoapUse, SoapVersion, StringFormat, StringRules, XmlInfo,
};

const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";
const SOAP_ENC_NS: &str = "http://schemas.xmlsoap.org/soap/encoding/";

/// Deepest element nesting generated; deeper required content is left empty.
const MAX_DEPTH: usize = 24;
/// Below this depth optional elements and attributes are left out (recursion ends here).
const OPTIONAL_DEPTH: usize = 5;
/// Most repetitions of one element or group.
const MAX_REPEAT: u64 = 100;
/// Most elements written in one message.
const MAX_ELEMENTS: usize = 5_000;

/// Which message of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// The input message (what the client sends).
    Request,
    /// The output message (what the service answers).
    Response,
}

/// The content of the SOAP `Body` for `message` as bound by `binding`: the part elements
/// (document style) or the operation wrapper with part accessors (rpc style, named `op_name`,
/// plus `Response` for the output). Parts bound to SOAP headers are left out.
pub fn message_xml(
    api: &Api,
    message: &SoapMessage,
    binding: &SoapBinding,
    op_name: &str,
    direction: Direction,
    seed: Seed,
) -> String {
    let mut g = Gen::new(api, seed, binding.body_use == SoapUse::Encoded);
    let headers = match direction {
        Direction::Request => &binding.input_headers,
        Direction::Response => &binding.output_headers,
    };
    let body_parts: Vec<_> = message
        .parts
        .iter()
        .filter(|p| {
            !headers
                .iter()
                .any(|h| h.message == message.name && h.part == p.name)
        })
        .collect();
    match binding.style {
        SoapStyle::Document => {
            for part in body_parts {
                g.part(&part.name, &part.content, part.schema.as_ref());
            }
        }
        SoapStyle::Rpc => {
            let name = match direction {
                Direction::Request => op_name.to_string(),
                Direction::Response => format!("{op_name}Response"),
            };
            let ns = binding.namespace.as_deref().filter(|n| !n.is_empty());
            let mut attrs = Vec::new();
            if g.encoded {
                let style = binding
                    .encoding_style
                    .clone()
                    .unwrap_or_else(|| SOAP_ENC_NS.to_string());
                attrs.push((
                    Some(env_ns(binding.version).to_string()),
                    "encodingStyle".to_string(),
                    AttrValue::Text(style),
                ));
            }
            g.open(&name, ns, attrs, None);
            for part in body_parts {
                // Accessors are unqualified elements named after the part.
                match &part.content {
                    PartContent::Element(_) => {
                        g.part(&part.name, &part.content, part.schema.as_ref());
                    }
                    PartContent::Type(_) => {
                        let schema = part.schema.as_ref().and_then(|s| g.resolve_ref(s));
                        match schema {
                            Some(s) => g.element(s, &part.name, 1, true),
                            None => g.empty(&part.name, None),
                        }
                    }
                }
            }
            g.close();
        }
    }
    g.out
}

/// The SOAP header blocks of `binding` for one direction (empty when it declares none).
pub fn headers_xml(api: &Api, binding: &SoapBinding, direction: Direction, seed: Seed) -> String {
    let headers: &[SoapHeader] = match direction {
        Direction::Request => &binding.input_headers,
        Direction::Response => &binding.output_headers,
    };
    let mut g = Gen::new(api, seed, binding.body_use == SoapUse::Encoded);
    for h in headers {
        let content = match &h.element {
            Some(q) if q.namespace.is_some() => PartContent::Element(q.clone()),
            _ => PartContent::Type(QName::default()),
        };
        g.part(&h.part, &content, h.schema.as_ref());
    }
    g.out
}

/// One element described by an element schema (a fault detail, a header block).
pub fn element_xml(api: &Api, schema: &SchemaRef, fallback_name: &str, seed: Seed) -> String {
    let mut g = Gen::new(api, seed, false);
    match g.resolve_ref(schema) {
        Some(s) => g.element(s, fallback_name, 0, true),
        None => g.empty(fallback_name, None),
    }
    g.out
}

fn env_ns(version: SoapVersion) -> &'static str {
    version.envelope_ns()
}

/// A whole SOAP envelope of `version` around header blocks (omitted when empty) and body content.
pub fn envelope(version: SoapVersion, headers_xml: &str, body_xml: &str) -> String {
    let ns = version.envelope_ns();
    let mut out = String::with_capacity(headers_xml.len() + body_xml.len() + 256);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    out.push_str("<soap:Envelope xmlns:soap=\"");
    out.push_str(ns);
    out.push_str("\">");
    if !headers_xml.is_empty() {
        out.push_str("<soap:Header>");
        out.push_str(headers_xml);
        out.push_str("</soap:Header>");
    }
    out.push_str("<soap:Body>");
    out.push_str(body_xml);
    out.push_str("</soap:Body></soap:Envelope>");
    out
}

/// Escape text content.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Escape an attribute value (double-quoted).
pub fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// An attribute value: text, or a QName (whose prefix is declared as needed) with a suffix.
enum AttrValue {
    Text(String),
    QName(QName, String),
}

/// The parts of an element's content, flattened in document order.
enum Item<'a> {
    Attr(&'a Schema, &'a str, bool),
    Text(&'a Schema),
    Elem(&'a Schema, &'a str, bool),
}

/// An element schema with its `Ref`s followed: the naming and value rules of the outermost
/// schema that has them, and the content of the final one.
struct Effective<'a> {
    xml: XmlInfo,
    content: &'a Schema,
    leaf: Schema,
    /// The content is an abstract type's concrete substitute, which `xsi:type` must name.
    substituted: bool,
}

struct Gen<'a> {
    api: &'a Api,
    rng: ExampleRng,
    encoded: bool,
    out: String,
    /// Open elements' namespace declarations (namespace, prefix).
    scopes: Vec<Vec<(String, String)>>,
    /// Open element names, for closing tags.
    open: Vec<String>,
    next_prefix: usize,
    elements: usize,
}

impl<'a> Gen<'a> {
    fn new(api: &'a Api, seed: Seed, encoded: bool) -> Self {
        Gen {
            api,
            rng: seed.rng(),
            encoded,
            out: String::new(),
            scopes: Vec::new(),
            open: Vec::new(),
            next_prefix: 1,
            elements: 0,
        }
    }

    fn resolve_ref(&self, r: &'a SchemaRef) -> Option<&'a Schema> {
        match r {
            SchemaRef::Inline(s) => Some(s),
            SchemaRef::Named(n) => self.api.schemas.get(n),
        }
    }

    fn effective(&self, schema: &'a Schema) -> Effective<'a> {
        let mut xml = schema.xml.clone().unwrap_or_default();
        let mut leaf = Schema {
            nullable: schema.nullable,
            enum_values: schema.enum_values.clone(),
            const_value: schema.const_value.clone(),
            default: schema.default.clone(),
            examples: schema.examples.clone(),
            ..Schema::default()
        };
        let mut cur = schema;
        for _ in 0..64 {
            let SchemaKind::Ref(key) = &cur.kind else {
                break;
            };
            let Some(next) = self.api.schemas.get(key) else {
                break;
            };
            cur = next;
            if let Some(x) = &next.xml {
                if xml.name.is_none() {
                    xml.name = x.name.clone();
                    xml.namespace = x.namespace.clone();
                }
                if xml.xsd_type.is_none() {
                    xml.xsd_type = x.xsd_type.clone();
                }
            }
            leaf.nullable |= next.nullable;
            if leaf.enum_values.is_empty() {
                leaf.enum_values = next.enum_values.clone();
            }
            if leaf.const_value.is_none() {
                leaf.const_value = next.const_value.clone();
            }
            if leaf.default.is_none() {
                leaf.default = next.default.clone();
            }
            if leaf.examples.is_empty() {
                leaf.examples = next.examples.clone();
            }
        }
        // An abstract type cannot appear itself: its first concrete derived type does, named
        // by `xsi:type`.
        let mut substituted = false;
        if let Some(sub) = cur.xml.as_ref().and_then(|x| x.substitute.as_ref()) {
            if let Some(concrete) = self.api.schemas.get(&crate::wsdl::xsd::type_key(sub)) {
                cur = concrete;
                xml.xsd_type = Some(sub.clone());
                substituted = true;
            }
        }
        if matches!(cur.kind, SchemaKind::Ref(_)) {
            // A dangling or endless alias: nothing to generate.
            leaf.kind = SchemaKind::Any;
        } else if matches!(cur.kind, SchemaKind::Object(_) | SchemaKind::Array(_)) {
            // Written from `content`: the leaf is only read for text, and cloning a structure's
            // whole subtree at every level cost more than the rest of the response.
            leaf.kind = SchemaKind::Any;
        } else {
            leaf.kind = cur.kind.clone();
        }
        if leaf.enum_values.is_empty() {
            leaf.enum_values = cur.enum_values.clone();
        }
        if let Some(x) = &cur.xml {
            if xml.xsd_type.is_none() {
                xml.xsd_type = x.xsd_type.clone();
            }
        }
        Effective {
            xml,
            content: cur,
            leaf,
            substituted,
        }
    }

    // ------------------------------------------------------------ writing

    fn prefix_for(&mut self, ns: &str, decls: &mut Vec<(String, String)>) -> String {
        for scope in self.scopes.iter().rev() {
            if let Some((_, p)) = scope.iter().find(|(n, _)| n == ns) {
                return p.clone();
            }
        }
        if let Some((_, p)) = decls.iter().find(|(n, _)| n == ns) {
            return p.clone();
        }
        let p = match ns {
            XSI_NS => "xsi".to_string(),
            XSD_NS => "xsd".to_string(),
            SOAP_ENC_NS => "soapenc".to_string(),
            "http://schemas.xmlsoap.org/soap/envelope/"
            | "http://www.w3.org/2003/05/soap-envelope" => "soapenv".to_string(),
            _ => {
                let p = format!("ns{}", self.next_prefix);
                self.next_prefix += 1;
                p
            }
        };
        decls.push((ns.to_string(), p.clone()));
        p
    }

    fn qualified(
        &mut self,
        name: &str,
        ns: Option<&str>,
        decls: &mut Vec<(String, String)>,
    ) -> String {
        match ns {
            Some(ns) if !ns.is_empty() => format!("{}:{name}", self.prefix_for(ns, decls)),
            _ => name.to_string(),
        }
    }

    /// Write a start tag with attributes `(namespace, name, value)` and an optional `xsi:type`.
    fn open(
        &mut self,
        name: &str,
        ns: Option<&str>,
        attrs: Vec<(Option<String>, String, AttrValue)>,
        xsi_type: Option<&QName>,
    ) {
        let mut decls = Vec::new();
        let tag = self.qualified(name, ns, &mut decls);
        if self.encoded && self.scopes.is_empty() {
            // Encoded messages use these on nearly every element: declare them once, on top.
            for ns in [XSI_NS, XSD_NS, SOAP_ENC_NS] {
                self.prefix_for(ns, &mut decls);
            }
        }
        let mut written = Vec::new();
        for (ans, aname, value) in attrs {
            let key = self.qualified(&aname, ans.as_deref(), &mut decls);
            let value = match value {
                AttrValue::Text(t) => t,
                AttrValue::QName(q, suffix) => {
                    format!(
                        "{}{suffix}",
                        self.qualified(&q.local, q.namespace.as_deref(), &mut decls)
                    )
                }
            };
            written.push((key, value));
        }
        if let Some(t) = xsi_type {
            let xsi = self.prefix_for(XSI_NS, &mut decls);
            let value = self.qualified(&t.local, t.namespace.as_deref(), &mut decls);
            written.push((format!("{xsi}:type"), value));
        }
        self.out.push('<');
        self.out.push_str(&tag);
        for (ns, p) in &decls {
            self.out
                .push_str(&format!(" xmlns:{p}=\"{}\"", escape_attr(ns)));
        }
        for (k, v) in written {
            self.out.push_str(&format!(" {k}=\"{}\"", escape_attr(&v)));
        }
        self.out.push('>');
        self.scopes.push(decls);
        self.open.push(tag);
    }

    fn close(&mut self) {
        if let Some(tag) = self.open.pop() {
            self.out.push_str("</");
            self.out.push_str(&tag);
            self.out.push('>');
        }
        self.scopes.pop();
    }

    fn empty(&mut self, name: &str, ns: Option<&str>) {
        self.open(name, ns, Vec::new(), None);
        self.close();
    }

    // ------------------------------------------------------------ content

    fn part(&mut self, name: &str, content: &PartContent, schema: Option<&'a SchemaRef>) {
        let resolved = schema.and_then(|s| self.resolve_ref(s));
        match (resolved, content) {
            (Some(s), _) => self.element(s, name, 0, true),
            (None, PartContent::Element(q)) => self.empty(&q.local, q.namespace.as_deref()),
            (None, PartContent::Type(_)) => self.empty(name, None),
        }
    }

    /// Write one element described by `schema` (an element-level schema).
    fn element(&mut self, schema: &'a Schema, fallback_name: &str, depth: usize, _required: bool) {
        self.elements += 1;
        let eff = self.effective(schema);
        let name = eff
            .xml
            .name
            .clone()
            .unwrap_or_else(|| fallback_name.to_string());
        let ns = eff.xml.namespace.clone();
        let xsi_type = if self.encoded || eff.substituted {
            eff.xml.xsd_type.clone()
        } else {
            None
        };
        if depth > MAX_DEPTH || self.elements > MAX_ELEMENTS {
            self.open(&name, ns.as_deref(), Vec::new(), None);
            self.close();
            return;
        }
        match &eff.content.kind {
            SchemaKind::Array(a) => {
                // A SOAP-encoded (or literal) array type: items are child elements.
                let item = a.items.as_deref().and_then(|i| self.resolve_ref(i));
                let count = self.count(a.min_items.unwrap_or(0), a.max_items, depth);
                if self.encoded {
                    let item_type =
                        item.and_then(|i| self.effective(i).xml.xsd_type)
                            .unwrap_or(QName {
                                namespace: Some(XSD_NS.into()),
                                local: "anyType".into(),
                            });
                    let attrs = vec![(
                        Some(SOAP_ENC_NS.to_string()),
                        "arrayType".to_string(),
                        AttrValue::QName(item_type, format!("[{count}]")),
                    )];
                    let array = QName {
                        namespace: Some(SOAP_ENC_NS.into()),
                        local: "Array".into(),
                    };
                    self.open(&name, ns.as_deref(), attrs, Some(&array));
                } else {
                    self.open(&name, ns.as_deref(), Vec::new(), None);
                }
                for _ in 0..count {
                    if self.elements > MAX_ELEMENTS {
                        break;
                    }
                    match item {
                        Some(i) => self.element(i, "item", depth + 1, true),
                        None => self.empty("item", None),
                    }
                }
                self.close();
            }
            SchemaKind::Object(_)
            | SchemaKind::AllOf(_)
            | SchemaKind::OneOf(_)
            | SchemaKind::AnyOf(_) => {
                let mut items = Vec::new();
                self.flatten(eff.content, &mut items, depth, 0);
                let leafish =
                    items.is_empty() && !matches!(eff.content.kind, SchemaKind::Object(_));
                let mut attrs = Vec::new();
                for it in &items {
                    if let Item::Attr(s, key, required) = it {
                        if !required && depth >= OPTIONAL_DEPTH && s.const_value.is_none() {
                            continue;
                        }
                        let e = self.effective(s);
                        let aname = e
                            .xml
                            .name
                            .clone()
                            .unwrap_or_else(|| key.trim_start_matches('@').to_string());
                        let value = self.leaf_text(&e.leaf, &aname);
                        attrs.push((e.xml.namespace.clone(), aname, AttrValue::Text(value)));
                    }
                }
                self.open(&name, ns.as_deref(), attrs, xsi_type.as_ref());
                if leafish {
                    // A union of simple types (OneOf of leaves): text content.
                    let text = self.leaf_text(&eff.leaf, &name);
                    self.out.push_str(&escape_text(&text));
                }
                let mut wrote_text = false;
                for it in &items {
                    if let Item::Text(s) = it {
                        if !wrote_text {
                            let e = self.effective(s);
                            let text = self.leaf_text(&e.leaf, &name);
                            self.out.push_str(&escape_text(&text));
                            wrote_text = true;
                        }
                    }
                }
                for it in &items {
                    if self.elements > MAX_ELEMENTS {
                        break;
                    }
                    if let Item::Elem(s, key, required) = it {
                        self.child(s, key, *required, depth + 1);
                    }
                }
                self.close();
            }
            SchemaKind::Any => {
                self.open(&name, ns.as_deref(), Vec::new(), xsi_type.as_ref());
                self.close();
            }
            _ => {
                self.open(&name, ns.as_deref(), Vec::new(), xsi_type.as_ref());
                let text = self.leaf_text(&eff.leaf, &name);
                self.out.push_str(&escape_text(&text));
                self.close();
            }
        }
    }

    /// A child element property: repeated when its schema is an inline `Array` with an XML name.
    fn child(&mut self, s: &'a Schema, key: &str, required: bool, depth: usize) {
        if let SchemaKind::Array(a) = &s.kind {
            if s.xml.as_ref().is_some_and(|x| x.name.is_some()) || a.items.is_some() {
                let item = a.items.as_deref().and_then(|i| self.resolve_ref(i));
                let min = a.min_items.unwrap_or(0);
                let count = if !required && depth > OPTIONAL_DEPTH {
                    0
                } else {
                    self.count(min, a.max_items, depth)
                };
                for _ in 0..count {
                    if self.elements > MAX_ELEMENTS {
                        break;
                    }
                    match item {
                        Some(i) => self.element(i, key, depth, true),
                        None => self.empty(key, None),
                    }
                }
                return;
            }
        }
        if !required && depth > OPTIONAL_DEPTH {
            return;
        }
        self.element(s, key, depth, required);
    }

    /// How many repetitions: at least `min`, at most `max`, one or two when free.
    fn count(&mut self, min: u64, max: Option<u64>, depth: usize) -> u64 {
        // Absurd minimums (minOccurs="1000000") are not honoured past a hundred.
        let min = min.min(MAX_REPEAT);
        let max = max.unwrap_or(u64::MAX);
        if depth > OPTIONAL_DEPTH {
            return min.min(max);
        }
        let low = min.max(1).min(max);
        let high = (low + 1).min(max).max(low);
        if high > low && self.rng.random_bool(0.5) {
            high
        } else {
            low
        }
    }

    /// Flatten complex content into attributes, text and child elements, choosing one branch of
    /// each choice and repeating repeated groups.
    fn flatten(&mut self, s: &'a Schema, out: &mut Vec<Item<'a>>, depth: usize, hops: usize) {
        if hops > 64 || out.len() > MAX_ELEMENTS {
            return;
        }
        match &s.kind {
            SchemaKind::Ref(key) => {
                if let Some(t) = self.api.schemas.get(key) {
                    self.flatten(t, out, depth, hops + 1);
                }
            }
            SchemaKind::Object(o) => {
                for (key, prop) in &o.properties {
                    let Some(p) = self.resolve_ref(prop) else {
                        continue;
                    };
                    let required = o.required.iter().any(|r| r == key);
                    let xml = p.xml.as_ref();
                    if xml.is_some_and(|x| x.attribute) {
                        out.push(Item::Attr(p, key, required));
                    } else if xml.is_some_and(|x| x.text) {
                        out.push(Item::Text(p));
                    } else {
                        out.push(Item::Elem(p, key, required));
                    }
                }
            }
            SchemaKind::AllOf(c) => {
                for m in &c.members {
                    if let Some(m) = self.resolve_ref(m) {
                        self.flatten(m, out, depth, hops + 1);
                    }
                }
            }
            SchemaKind::OneOf(c) | SchemaKind::AnyOf(c) => {
                if c.members.is_empty() {
                    return;
                }
                let pick = if depth > OPTIONAL_DEPTH {
                    0
                } else {
                    self.rng.random_range(0..c.members.len())
                };
                if let Some(m) = self.resolve_ref(&c.members[pick]) {
                    self.flatten(m, out, depth, hops + 1);
                }
            }
            SchemaKind::Array(a) => {
                // A repeated model group.
                let Some(item) = a.items.as_deref().and_then(|i| self.resolve_ref(i)) else {
                    return;
                };
                let count = self.count(a.min_items.unwrap_or(0), a.max_items, depth);
                for _ in 0..count {
                    self.flatten(item, out, depth, hops + 1);
                }
            }
            SchemaKind::Any => {}
            _ => out.push(Item::Text(s)),
        }
    }

    // ------------------------------------------------------------ values

    fn leaf_text(&mut self, s: &Schema, hint: &str) -> String {
        if let Some(v) = &s.const_value {
            return value_text(v);
        }
        if !s.enum_values.is_empty() {
            let i = self.rng.random_range(0..s.enum_values.len());
            return value_text(&s.enum_values[i]);
        }
        if let Some(v) = &s.default {
            return value_text(v);
        }
        if let Some(v) = s.examples.first() {
            return value_text(v);
        }
        if let SchemaKind::OneOf(c) | SchemaKind::AnyOf(c) = &s.kind {
            // A union: a value of its first member.
            if let Some(m) = c.members.first().and_then(|m| self.resolve_ref_any(m)) {
                return self.leaf_text(&m, hint);
            }
        }
        // XSD patterns are not ECMA patterns: those strings come from our own generator.
        let xsd_pattern = matches!(&s.kind, SchemaKind::String(r) if r.pattern.is_some());
        let v = if xsd_pattern {
            Value::Null
        } else {
            crate::example::leaf_value(s, hint, &mut self.rng)
        };
        if !v.is_null() {
            let text = value_text(&v);
            if lexically_valid(s, &text) {
                return text;
            }
        }
        fallback(s, hint, &mut self.rng)
    }

    /// A union member as an owned leaf schema (named aliases followed).
    fn resolve_ref_any(&self, r: &SchemaRef) -> Option<Schema> {
        let mut s = match r {
            SchemaRef::Inline(s) => (**s).clone(),
            SchemaRef::Named(n) => self.api.schemas.get(n)?.clone(),
        };
        for _ in 0..64 {
            let SchemaKind::Ref(key) = &s.kind else { break };
            let next = self.api.schemas.get(key)?;
            s.kind = next.kind.clone();
            if s.enum_values.is_empty() {
                s.enum_values = next.enum_values.clone();
            }
        }
        Some(s)
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Whether `text` is a valid XSD lexical value for the leaf's kind and bounds (the shared JSON
/// generator may write numbers in exponent form or strings outside length facets).
fn lexically_valid(s: &Schema, text: &str) -> bool {
    match &s.kind {
        SchemaKind::Integer(n) => text.parse::<i128>().is_ok_and(|v| {
            n.minimum.as_ref().is_none_or(|m| v >= m.ceil())
                && n.maximum.as_ref().is_none_or(|m| v <= m.floor())
                && n.exclusive_minimum.as_ref().is_none_or(|m| v > m.floor())
                && n.exclusive_maximum.as_ref().is_none_or(|m| v < m.ceil())
                && n.total_digits
                    .is_none_or(|d| text.trim_start_matches('-').len() <= d as usize)
        }),
        SchemaKind::Number(n) => {
            let decimal =
                !text.contains(['e', 'E']) && !text.contains("inf") && !text.contains("NaN");
            let frac_ok = n
                .fraction_digits
                .is_none_or(|d| text.split('.').nth(1).map_or(0, str::len) <= d as usize);
            decimal
                && frac_ok
                && text.parse::<f64>().is_ok_and(|v| {
                    n.minimum.as_ref().is_none_or(|m| v >= m.value())
                        && n.maximum.as_ref().is_none_or(|m| v <= m.value())
                        && n.exclusive_minimum.as_ref().is_none_or(|m| v > m.value())
                        && n.exclusive_maximum.as_ref().is_none_or(|m| v < m.value())
                })
        }
        SchemaKind::Boolean => matches!(text, "true" | "false" | "1" | "0"),
        SchemaKind::String(r) => {
            let len = text.chars().count() as u64;
            name_like_ok(r.xsd_type.as_deref(), text)
                && format_ok(r.format.as_ref(), text)
                && r.min_length.is_none_or(|m| len >= m)
                && r.max_length.is_none_or(|m| len <= m)
                // XSD patterns differ from ECMA ones: only trust our own pattern generator.
                && r.pattern.is_none()
        }
        _ => true,
    }
}

/// Whether `text` has the XSD lexical form of a formatted string (roughly, but never letting
/// through what a validator refuses for the common formats).
fn format_ok(format: Option<&StringFormat>, text: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let date = |s: &str| {
        let p: Vec<&str> = s.split('-').collect();
        p.len() == 3 && digits(p[0], 4) && digits(p[1], 2) && digits(p[2], 2)
    };
    let time = |s: &str| {
        let s = s.trim_end_matches('Z');
        let s = s.split(['+']).next().unwrap_or(s);
        let p: Vec<&str> = s.split(':').collect();
        p.len() == 3
            && digits(p[0], 2)
            && digits(p[1], 2)
            && p[2].split('.').next().is_some_and(|sec| digits(sec, 2))
    };
    match format {
        None => true,
        Some(StringFormat::Date) => date(text),
        Some(StringFormat::DateTime) => text
            .split_once('T')
            .is_some_and(|(d, t)| date(d) && time(t)),
        Some(StringFormat::Time) => time(text),
        Some(StringFormat::Byte) => text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')),
        Some(StringFormat::Uri) | Some(StringFormat::UriReference) => {
            !text.contains(char::is_whitespace)
        }
        Some(StringFormat::Uuid) | Some(StringFormat::Email) | Some(StringFormat::Hostname) => {
            !text.contains(char::is_whitespace)
        }
        // gYear & co, durations, hexBinary: our own generator writes these.
        Some(_) => false,
    }
}

/// Whether `text` is valid for the XSD string types with a restricted lexical space.
fn name_like_ok(xsd_type: Option<&str>, text: &str) -> bool {
    let name_start = |c: char| c.is_alphabetic() || c == '_';
    let name_char = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.');
    let ncname = |t: &str| t.chars().next().is_some_and(name_start) && t.chars().all(name_char);
    match xsd_type.unwrap_or("") {
        "xsd:NCName" | "xsd:ID" | "xsd:IDREF" | "xsd:ENTITY" => ncname(text),
        // A QName's prefix would need a declaration: keep to unprefixed names.
        "xsd:Name" | "xsd:QName" => ncname(text),
        "xsd:NMTOKEN" => !text.is_empty() && text.chars().all(name_char),
        "xsd:IDREFS" | "xsd:ENTITIES" => text.split(' ').all(ncname),
        "xsd:NMTOKENS" => text
            .split(' ')
            .all(|t| !t.is_empty() && t.chars().all(name_char)),
        "xsd:language" => {
            let mut parts = text.split('-');
            parts.next().is_some_and(|p| {
                (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic())
            }) && parts
                .all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
        }
        "xsd:token" => {
            !text.starts_with(' ')
                && !text.ends_with(' ')
                && !text.contains("  ")
                && !text.contains(['\t', '\n', '\r'])
        }
        "xsd:normalizedString" => !text.contains(['\t', '\n', '\r']),
        _ => true,
    }
}

/// A value for a leaf schema when the shared generator has none.
fn fallback(s: &Schema, hint: &str, rng: &mut ExampleRng) -> String {
    match &s.kind {
        SchemaKind::Boolean => rng.random_bool(0.5).to_string(),
        SchemaKind::Integer(n) => integer(n, rng).to_string(),
        SchemaKind::Number(n) => number(n, rng),
        SchemaKind::String(r) => string(r, hint, rng),
        _ => "value".to_string(),
    }
}

fn integer(n: &NumberRules, rng: &mut ExampleRng) -> i128 {
    let mut lo = n.minimum.as_ref().map(Bound::ceil);
    if let Some(x) = &n.exclusive_minimum {
        let v = x.floor() + 1;
        lo = Some(lo.map_or(v, |l| l.max(v)));
    }
    let mut hi = n.maximum.as_ref().map(Bound::floor);
    if let Some(x) = &n.exclusive_maximum {
        let v = x.ceil() - 1;
        hi = Some(hi.map_or(v, |h| h.min(v)));
    }
    if let Some(td) = n.total_digits.filter(|d| *d < 30) {
        let cap = 10i128.pow(td) - 1;
        hi = Some(hi.map_or(cap, |h| h.min(cap)));
        lo = Some(lo.map_or(-cap, |l| l.max(-cap)));
    }
    // A window of a thousand values near 1 (or near the bounds when 1 is outside them).
    let lo_b = lo.unwrap_or(i128::MIN);
    let hi_b = hi.unwrap_or(i128::MAX);
    if hi_b <= lo_b {
        return lo_b;
    }
    let lo_v = if lo_b <= 1 && hi_b >= 1 {
        1
    } else if lo_b > 1 {
        lo_b
    } else {
        hi_b.saturating_sub(999).max(lo_b)
    };
    let hi_v = hi_b.min(lo_v.saturating_add(999));
    if hi_v <= lo_v {
        return lo_v;
    }
    let span = u64::try_from(hi_v - lo_v).unwrap_or(999);
    lo_v + i128::from(rng.random_range(0..=span))
}

fn number(n: &NumberRules, rng: &mut ExampleRng) -> String {
    let frac = n.fraction_digits.unwrap_or(2).min(6);
    let scale = 10f64.powi(i32::try_from(frac).unwrap_or(2));
    let value = |b: &Option<Bound>| b.as_ref().map(Bound::value);
    let mut lo = value(&n.minimum)
        .or(value(&n.exclusive_minimum).map(|x| x + 1.0 / scale))
        .unwrap_or(1.0);
    let mut hi = value(&n.maximum)
        .or(value(&n.exclusive_maximum).map(|x| x - 1.0 / scale))
        .unwrap_or(lo + 1000.0);
    if let Some(td) = n.total_digits.filter(|d| *d < 30) {
        let int_digits = td.saturating_sub(frac.min(td));
        let cap = 10f64.powi(i32::try_from(int_digits).unwrap_or(0)) - 1.0 / scale;
        hi = hi.min(cap.max(0.0));
        lo = lo.max(-cap);
    }
    if hi > lo + 1000.0 {
        hi = lo + 1000.0;
    }
    let v = if hi > lo {
        lo + rng.random::<f64>() * (hi - lo)
    } else {
        lo
    };
    let mut v = (v * scale).round() / scale;
    if v < lo {
        v = (lo * scale).ceil() / scale;
    }
    if v > hi {
        v = (hi * scale).floor() / scale;
    }
    if frac == 0 {
        format!("{v:.0}")
    } else {
        format!("{v:.prec$}", prec = frac as usize)
    }
}

fn string(r: &StringRules, hint: &str, rng: &mut ExampleRng) -> String {
    let base = match &r.format {
        Some(StringFormat::Date) => "2024-05-17".to_string(),
        Some(StringFormat::DateTime) => "2024-05-17T10:30:00Z".to_string(),
        Some(StringFormat::Time) => "10:30:00".to_string(),
        Some(StringFormat::Duration) => "P1DT2H".to_string(),
        Some(StringFormat::Byte) => "ZXhhbXBsZQ==".to_string(),
        Some(StringFormat::HexBinary) => "CAFE01".to_string(),
        Some(StringFormat::Uri) | Some(StringFormat::UriReference) => {
            "https://example.com/resource".to_string()
        }
        Some(StringFormat::Uuid) => "3f2504e0-4f89-41d3-9a0c-0305e82c3301".to_string(),
        Some(StringFormat::Email) => "user@example.com".to_string(),
        Some(StringFormat::Other(f)) => match f.as_str() {
            "gYear" => "2024".into(),
            "gYearMonth" => "2024-05".into(),
            "gMonth" => "--05".into(),
            "gMonthDay" => "--05-17".into(),
            "gDay" => "---17".into(),
            _ => String::new(),
        },
        _ => String::new(),
    };
    if !base.is_empty() {
        return base;
    }
    if let Some(p) = &r.pattern {
        if let Some(s) = from_pattern(p, r, rng) {
            return s;
        }
    }
    let xsd = r.xsd_type.as_deref().unwrap_or("");
    let mut word = match xsd {
        "xsd:language" => "en".to_string(),
        _ => {
            let letters: String = hint.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            let letters = letters
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .to_string();
            let stem = if letters.is_empty() {
                "value".to_string()
            } else {
                letters
            };
            format!("{stem}{}", rng.random_range(1..100u32))
        }
    };
    let min = r.min_length.unwrap_or(0) as usize;
    let max = r.max_length.map_or(usize::MAX, |m| m as usize);
    while word.chars().count() < min {
        word.push('x');
    }
    if word.chars().count() > max {
        word = word.chars().take(max).collect();
    }
    word
}

/// A string matching an XSD pattern (implicitly anchored), honouring lengths when possible.
fn from_pattern(pattern: &str, r: &StringRules, rng: &mut ExampleRng) -> Option<String> {
    let translated = pattern
        .replace("\\i", "[A-Za-z_:]")
        .replace("\\c", "[A-Za-z0-9._:-]");
    // ASCII classes first (`\d` as 0-9), full Unicode when the pattern needs it.
    let hir = match regex_syntax::ParserBuilder::new()
        .unicode(false)
        .build()
        .parse(&translated)
    {
        Ok(h) => h,
        Err(_) => regex_syntax::ParserBuilder::new()
            .build()
            .parse(&translated)
            .ok()?,
    };
    // Hostile patterns (`((a{9999}){9999}){9999}`) must not allocate without bound.
    if max_len(&hir) > 4096 {
        return None;
    }
    let regex = rand_regex::Regex::with_hir(hir, 8).ok()?;
    let min = r.min_length.unwrap_or(0) as usize;
    let max = r.max_length.map_or(usize::MAX, |m| m as usize);
    let mut last = None;
    for _ in 0..16 {
        let s: String = regex.sample(rng);
        let n = s.chars().count();
        if n >= min && n <= max {
            return Some(s);
        }
        last = Some(s);
    }
    last
}

/// The longest string (in bytes) a pattern generates with unbounded repeats capped at 8.
fn max_len(hir: &regex_syntax::hir::Hir) -> u64 {
    use regex_syntax::hir::HirKind;
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 0,
        HirKind::Literal(l) => l.0.len() as u64,
        HirKind::Class(_) => 4,
        HirKind::Repetition(r) => {
            let times = u64::from(r.max.unwrap_or(r.min.max(8)).max(r.min));
            max_len(&r.sub).saturating_mul(times)
        }
        HirKind::Capture(c) => max_len(&c.sub),
        HirKind::Concat(hs) => hs.iter().map(max_len).fold(0u64, u64::saturating_add),
        HirKind::Alternation(hs) => hs.iter().map(max_len).max().unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_abstract_type_is_written_as_its_first_concrete_derived_type() {
        let wsdl = r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
          xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:odd" targetNamespace="urn:odd">
          <types><xs:schema targetNamespace="urn:odd" elementFormDefault="qualified">
            <xs:complexType name="Shape" abstract="true"><xs:sequence>
              <xs:element name="name" type="xs:string"/></xs:sequence></xs:complexType>
            <xs:complexType name="Round" abstract="true"><xs:complexContent>
              <xs:extension base="tns:Shape"/></xs:complexContent></xs:complexType>
            <xs:complexType name="Circle"><xs:complexContent><xs:extension base="tns:Round">
              <xs:sequence><xs:element name="radius" type="xs:decimal"/></xs:sequence>
            </xs:extension></xs:complexContent></xs:complexType>
            <xs:element name="Echo" type="tns:Shape"/>
          </xs:schema></types></definitions>"#;
        let mut files = crate::files::MemoryFiles::new();
        files.insert("/odd.wsdl", wsdl);
        let api = crate::wsdl::load(std::path::Path::new("/odd.wsdl"), &files)
            .expect("loads")
            .api;
        let circle = QName {
            namespace: Some("urn:odd".into()),
            local: "Circle".into(),
        };
        let substitute = |name: &str| {
            api.schemas[&format!("{{urn:odd}}{name}")]
                .xml
                .as_ref()
                .and_then(|x| x.substitute.clone())
        };
        // Through the abstract `Round` to the concrete `Circle`.
        assert_eq!(substitute("Shape"), Some(circle.clone()));
        assert_eq!(substitute("Round"), Some(circle));
        assert_eq!(substitute("Circle"), None);
        let echo = SchemaRef::Named("element:{urn:odd}Echo".into());
        let xml = element_xml(&api, &echo, "Echo", Seed::from_parts(&[b"x"]));
        assert!(xml.contains(r#"xsi:type="ns1:Circle""#), "{xml}");
        assert!(xml.contains(":radius>"), "{xml}");
    }

    #[test]
    fn hostile_patterns_are_skipped() {
        let mut rng = Seed(1).rng();
        let r = StringRules::default();
        assert!(from_pattern("((a{9999}){9999}){9999}", &r, &mut rng).is_none());
        assert!(
            from_pattern("(((a{4294967295}){4294967295}){4294967295})", &r, &mut rng).is_none()
        );
        assert!(from_pattern("[0-9]{3}", &r, &mut rng).is_some_and(|s| s.len() == 3));
    }

    #[test]
    fn escapes_text_and_attributes() {
        assert_eq!(escape_text("a<b&c>\u{1}"), "a&lt;b&amp;c&gt;");
        assert_eq!(escape_attr("\"x\"\n"), "&quot;x&quot;&#10;");
    }

    #[test]
    fn formats_are_checked() {
        assert!(format_ok(Some(&StringFormat::Date), "2024-01-31"));
        assert!(!format_ok(Some(&StringFormat::Date), "31/01/2024"));
        assert!(format_ok(
            Some(&StringFormat::DateTime),
            "2024-01-31T10:00:00Z"
        ));
        assert!(format_ok(
            Some(&StringFormat::DateTime),
            "2024-01-31T10:00:00.5+01:00"
        ));
        assert!(!format_ok(
            Some(&StringFormat::Other("gYear".into())),
            "2024"
        ));
        assert!(format_ok(None, "anything"));
    }

    #[test]
    fn name_like_types_are_checked() {
        assert!(name_like_ok(Some("xsd:NCName"), "abc_1"));
        assert!(!name_like_ok(Some("xsd:NCName"), "Darrin Crist"));
        assert!(!name_like_ok(Some("xsd:ID"), "1abc"));
        assert!(!name_like_ok(Some("xsd:QName"), "p:x"));
        assert!(name_like_ok(Some("xsd:language"), "en-GB"));
        assert!(!name_like_ok(Some("xsd:language"), "english language"));
        assert!(!name_like_ok(Some("xsd:token"), " a"));
        assert!(name_like_ok(Some("xsd:string"), " a  b "));
    }

    #[test]
    fn envelope_versions() {
        let e = envelope(SoapVersion::V12, "", "<a/>");
        assert!(e.contains("http://www.w3.org/2003/05/soap-envelope"));
        assert!(!e.contains("Header"));
        let e = envelope(SoapVersion::V11, "<h/>", "<a/>");
        assert!(e.contains("<soap:Header><h/></soap:Header><soap:Body><a/></soap:Body>"));
    }

    #[test]
    fn numbers_honour_ranges_and_digits() {
        let mut rng = Seed(7).rng();
        for _ in 0..50 {
            let n = NumberRules {
                minimum: Bound::from_f64(10.0),
                exclusive_maximum: Bound::from_f64(20.0),
                ..NumberRules::default()
            };
            let v = integer(&n, &mut rng);
            assert!((10..20).contains(&v), "{v}");
            let d = NumberRules {
                total_digits: Some(4),
                fraction_digits: Some(2),
                ..NumberRules::default()
            };
            let s = number(&d, &mut rng);
            let f: f64 = s.parse().expect("number");
            assert!(
                f < 100.0 && s.split('.').nth(1).map_or(0, str::len) == 2,
                "{s}"
            );
        }
    }

    #[test]
    fn strings_honour_patterns_and_lengths() {
        let mut rng = Seed(1).rng();
        let r = StringRules {
            pattern: Some("[A-Z]{2}[0-9]{2,4}".into()),
            ..StringRules::default()
        };
        for _ in 0..20 {
            let s = string(&r, "code", &mut rng);
            assert!(
                s.len() >= 4 && s.len() <= 6 && s[..2].chars().all(|c| c.is_ascii_uppercase()),
                "{s}"
            );
        }
        let r = StringRules {
            min_length: Some(12),
            max_length: Some(12),
            ..StringRules::default()
        };
        assert_eq!(string(&r, "name", &mut rng).chars().count(), 12);
    }
}
