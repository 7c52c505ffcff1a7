//! XML Schema -> [`Schema`]: global types and elements become named schemas, everything else is
//! converted inline, and references between named components become [`SchemaKind::Ref`] so that
//! recursive schemas are cut.
//!
//! Keys in [`crate::model::Api::schemas`]:
//! - a named complex or simple type `T` of target namespace `ns` is `{ns}T` (just `T` without a
//!   namespace), like [`QName`]'s `Display`;
//! - a global element `E` is `element:{ns}E`.
//!
//! Shapes:
//! - a complex type is an `Object` whose properties are its attributes (with `xml.attribute`)
//!   then its child elements in order; when its content holds a `choice`, a nested group or a
//!   repeated `sequence`, it is an `AllOf` of those pieces in order (plain runs of elements are
//!   `Object`s, a choice is a `OneOf` of its branches, a repeated group an `Array` with no XML
//!   name);
//! - a repeated element (`maxOccurs` > 1) is a property whose schema is an `Array` carrying the
//!   element's `xml` name, whose items are the element itself;
//! - an element's schema is its type's (a `Ref` for named types, inline for built-in and
//!   anonymous ones) with the element's `xml` (name, namespace when qualified, `xsd_type`),
//!   `nullable` (nillable), `default` and `const_value` (fixed) on top;
//! - `complexContent` extension is `AllOf[Ref(base), own]`; a SOAP-encoding array restriction is
//!   an `Array` whose items are elements named `item` of the `wsdl:arrayType`;
//! - `simpleContent` is an `Object` with a `#text` property (`xml.text`) and the attributes;
//! - simple types are converted fully (base facets then own facets), `list` as its item type (one
//!   item is a valid list), `union` as a `OneOf` of its members.

use std::collections::BTreeSet;
use std::path::Path;

use indexmap::IndexMap;
use serde_json::Value;

use super::xml::{Element, XML_NS};
use crate::error::{Diagnostic, Location, line_col};
use crate::model::{
    Additional, ArrayRules, Bound, Composite, NumberRules, ObjectRules, QName, Schema, SchemaKind,
    SchemaRef, StringFormat, StringRules, XmlInfo,
};

/// The XML Schema namespace.
pub const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";
/// The SOAP 1.1 encoding namespace.
pub const SOAP_ENC_NS: &str = "http://schemas.xmlsoap.org/soap/encoding/";
/// The SOAP 1.2 encoding namespace.
pub const SOAP12_ENC_NS: &str = "http://www.w3.org/2003/05/soap-encoding";
/// The WSDL 1.1 namespace (for `wsdl:arrayType`).
pub const WSDL_NS: &str = "http://schemas.xmlsoap.org/wsdl/";

/// Namespaces whose schemas are built in and never loaded (imports of them are satisfied).
pub const WELL_KNOWN: [&str; 12] = [
    XSD_NS,
    SOAP_ENC_NS,
    SOAP12_ENC_NS,
    XML_NS,
    WSDL_NS,
    "http://schemas.xmlsoap.org/soap/envelope/",
    "http://www.w3.org/2003/05/soap-envelope",
    "http://www.w3.org/2005/08/addressing",
    "http://schemas.microsoft.com/2003/10/Serialization/",
    "http://www.w3.org/2001/XMLSchema-instance",
    "http://www.w3.org/2004/08/xop/include",
    "http://www.w3.org/2005/05/xmlmime",
];

/// Whether a namespace's schema is built in.
pub fn is_well_known(ns: &str) -> bool {
    WELL_KNOWN.contains(&ns)
}

/// The key of a named type.
pub fn type_key(q: &QName) -> String {
    q.to_string()
}

/// The key of a global element.
pub fn element_key(q: &QName) -> String {
    format!("element:{q}")
}

/// Where a schema element sits: its file and its schema-wide settings.
#[derive(Debug, Clone)]
pub struct Ctx<'a> {
    /// Target namespace (after chameleon include).
    pub tns: Option<String>,
    /// `elementFormDefault="qualified"`.
    pub elements_qualified: bool,
    /// `attributeFormDefault="qualified"`.
    pub attributes_qualified: bool,
    /// The file.
    pub path: &'a Path,
    /// Its text (for line numbers).
    pub text: &'a str,
}

impl<'a> Ctx<'a> {
    /// The context of a `<xsd:schema>` element, `tns_override` for a chameleon include.
    pub fn of_schema(
        schema: &Element,
        path: &'a Path,
        text: &'a str,
        tns_override: Option<&str>,
    ) -> Ctx<'a> {
        let tns = schema
            .attr("targetNamespace")
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .or_else(|| tns_override.map(str::to_string));
        Ctx {
            tns,
            elements_qualified: schema.attr("elementFormDefault") == Some("qualified"),
            attributes_qualified: schema.attr("attributeFormDefault") == Some("qualified"),
            path,
            text,
        }
    }

    fn loc(&self, e: &Element) -> Location {
        let (line, column) = line_col(self.text, e.offset);
        Location::at(self.path, line, column)
    }

    fn qname(&self, local: &str) -> QName {
        QName {
            namespace: self.tns.clone(),
            local: local.to_string(),
        }
    }
}

type Entry<'a> = (&'a Element, Ctx<'a>);

/// Every global component of every schema, by qualified name (first declaration wins).
#[derive(Debug, Default)]
pub struct Index<'a> {
    /// complexType and simpleType.
    pub types: IndexMap<QName, Entry<'a>>,
    /// Global elements.
    pub elements: IndexMap<QName, Entry<'a>>,
    /// Global attributes.
    pub attributes: IndexMap<QName, Entry<'a>>,
    /// Model groups.
    pub groups: IndexMap<QName, Entry<'a>>,
    /// Attribute groups.
    pub attribute_groups: IndexMap<QName, Entry<'a>>,
}

impl<'a> Index<'a> {
    /// Add the global components of one `<xsd:schema>`.
    pub fn add_schema(&mut self, schema: &'a Element, ctx: &Ctx<'a>) {
        for child in &schema.children {
            if child.ns.as_deref() != Some(XSD_NS) {
                continue;
            }
            let Some(name) = child.attr("name") else {
                // `redefine`/`override` bodies hold components too.
                if child.local == "redefine" || child.local == "override" {
                    self.add_schema(child, ctx);
                }
                continue;
            };
            let map = match child.local.as_str() {
                "complexType" | "simpleType" => &mut self.types,
                "element" => &mut self.elements,
                "attribute" => &mut self.attributes,
                "group" => &mut self.groups,
                "attributeGroup" => &mut self.attribute_groups,
                _ => continue,
            };
            map.entry(ctx.qname(name))
                .or_insert_with(|| (child, ctx.clone()));
        }
    }
}

/// Turns indexed XSD components into schemas.
pub struct Converter<'i, 'a> {
    index: &'i Index<'a>,
    /// Named schemas produced so far.
    pub schemas: IndexMap<String, Schema>,
    /// Warnings about the schemas.
    pub diagnostics: Vec<Diagnostic>,
    warned: BTreeSet<String>,
    /// Group / attribute-group / simple-type chains being expanded (cycle guard).
    expanding: Vec<QName>,
    /// Components converted so far (groups are expanded inline, so a hostile schema could
    /// otherwise fan out exponentially).
    work: usize,
}

const MAX_EXPANSION: usize = 48;
/// Most particles, attributes and simple types converted for one WSDL.
pub const MAX_WORK: usize = 200_000;

impl<'i, 'a> Converter<'i, 'a> {
    /// A converter over an index.
    pub fn new(index: &'i Index<'a>) -> Self {
        Converter {
            index,
            schemas: IndexMap::new(),
            diagnostics: Vec::new(),
            warned: BTreeSet::new(),
            expanding: Vec::new(),
            work: 0,
        }
    }

    /// Convert every global type and element into [`Converter::schemas`].
    pub fn convert_all(&mut self) {
        let index = self.index;
        for (q, (el, ctx)) in &index.types {
            let mut schema = if el.local == "complexType" {
                self.complex_type(el, ctx)
            } else {
                self.simple_type(el, ctx)
            };
            let xml = schema.xml.get_or_insert_with(XmlInfo::default);
            xml.xsd_type = Some(q.clone());
            schema.title = Some(q.local.clone());
            self.schemas.insert(type_key(q), schema);
        }
        for (q, (el, ctx)) in &index.elements {
            let mut schema = self.element_decl(el, ctx, true);
            schema.title = Some(q.local.clone());
            self.schemas.insert(element_key(q), schema);
        }
        self.substitutes();
    }

    /// Give each abstract complex type its first concrete derived type (breadth first, in
    /// document order), for examples to write in its place.
    fn substitutes(&mut self) {
        let index = self.index;
        let is_abstract = |el: &Element| matches!(el.attr("abstract"), Some("true" | "1"));
        // (type, base, abstract) of every complex type derived by extension or restriction.
        let mut derived: Vec<(QName, QName, bool)> = Vec::new();
        for (q, (el, _)) in &index.types {
            // Resolved quietly: converting the type has already warned of a bad prefix.
            let base = el
                .child(XSD_NS, "complexContent")
                .and_then(|cc| {
                    cc.child(XSD_NS, "extension")
                        .or_else(|| cc.child(XSD_NS, "restriction"))
                })
                .and_then(|d| d.resolve_qname(d.attr("base")?));
            if let Some(base) = base {
                derived.push((q.clone(), base, is_abstract(el)));
            }
        }
        for (q, (el, _)) in &index.types {
            if el.local != "complexType" || !is_abstract(el) {
                continue;
            }
            let mut frontier = vec![q.clone()];
            let mut seen: BTreeSet<QName> = BTreeSet::from([q.clone()]);
            let mut found = None;
            while found.is_none() && !frontier.is_empty() {
                let mut next = Vec::new();
                for base in &frontier {
                    for (t, b, abstract_type) in &derived {
                        if b != base || !seen.insert(t.clone()) {
                            continue;
                        }
                        if *abstract_type {
                            next.push(t.clone());
                        } else if found.is_none() {
                            found = Some(t.clone());
                        }
                    }
                }
                frontier = next;
            }
            if let Some(schema) = self.schemas.get_mut(&type_key(q)) {
                schema.xml.get_or_insert_with(XmlInfo::default).substitute = found;
            }
        }
    }

    /// Count one unit of work; `false` (with one warning) once the budget is spent.
    fn spend(&mut self, ctx: &Ctx<'_>, e: &Element) -> bool {
        self.work += 1;
        if self.work == MAX_WORK {
            self.warn(
                ctx,
                e,
                format!("schemas expand to more than {MAX_WORK} components; the rest is left out"),
            );
        }
        self.work < MAX_WORK
    }

    fn warn(&mut self, ctx: &Ctx<'_>, e: &Element, message: String) {
        if self.warned.insert(message.clone()) {
            self.diagnostics
                .push(Diagnostic::warning(ctx.loc(e), message));
        }
    }

    fn resolve(&mut self, e: &Element, ctx: &Ctx<'_>, value: &str) -> Option<QName> {
        let q = e.resolve_qname(value);
        if q.is_none() {
            self.warn(
                ctx,
                e,
                format!("namespace prefix of `{value}` is not declared"),
            );
        }
        q
    }

    /// The schema for a reference to type `q` (built-in kinds inline, named types as `Ref`).
    pub fn type_ref(&mut self, q: &QName, e: &Element, ctx: &Ctx<'_>) -> Schema {
        let ns = q.namespace.as_deref().unwrap_or("");
        if ns == XSD_NS {
            return builtin(&q.local, q);
        }
        if self.index.types.contains_key(q) {
            return Schema {
                kind: SchemaKind::Ref(type_key(q)),
                xml: Some(XmlInfo {
                    xsd_type: Some(q.clone()),
                    ..XmlInfo::default()
                }),
                ..Schema::default()
            };
        }
        if ns == SOAP_ENC_NS || ns == SOAP12_ENC_NS {
            return match q.local.as_str() {
                "Array" => Schema {
                    kind: SchemaKind::Array(ArrayRules::default()),
                    xml: Some(XmlInfo {
                        xsd_type: Some(q.clone()),
                        ..XmlInfo::default()
                    }),
                    ..Schema::default()
                },
                "base64" => builtin("base64Binary", q),
                "Struct" | "arrayType" | "offset" | "position" => Schema::default(),
                other => builtin(other, q),
            };
        }
        if ns == "http://schemas.microsoft.com/2003/10/Serialization/" {
            return match q.local.as_str() {
                "guid" => Schema {
                    kind: SchemaKind::String(StringRules {
                        format: Some(StringFormat::Uuid),
                        xsd_type: Some("xsd:string".into()),
                        ..StringRules::default()
                    }),
                    ..Schema::default()
                },
                "char" => builtin("int", q),
                other => builtin(other, q),
            };
        }
        self.warn(ctx, e, format!("unknown type `{q}`; treated as anyType"));
        Schema::default()
    }

    /// An element declaration (global or local, not a `ref`) as a schema, without occurrence.
    pub fn element_decl(&mut self, el: &Element, ctx: &Ctx<'_>, global: bool) -> Schema {
        let name = el.attr("name").unwrap_or("").to_string();
        let mut schema = if let Some(t) = el.attr("type") {
            match self.resolve(el, ctx, t) {
                Some(q) => self.type_ref(&q, el, ctx),
                None => Schema::default(),
            }
        } else if let Some(ct) = el.child(XSD_NS, "complexType") {
            self.complex_type(ct, ctx)
        } else if let Some(st) = el.child(XSD_NS, "simpleType") {
            self.simple_type(st, ctx)
        } else {
            Schema::default()
        };
        let qualified = global
            || match el.attr("form") {
                Some(f) => f == "qualified",
                None => ctx.elements_qualified,
            };
        let xml = schema.xml.get_or_insert_with(XmlInfo::default);
        xml.name = Some(name);
        xml.namespace = if qualified { ctx.tns.clone() } else { None };
        if el.attr("nillable") == Some("true") {
            schema.nullable = true;
        }
        if let Some(d) = el.attr("default") {
            schema.default = Some(typed_value(&schema.kind, d));
        }
        if let Some(f) = el.attr("fixed") {
            schema.const_value = Some(typed_value(&schema.kind, f));
        }
        if let Some(doc) = documentation(el) {
            schema.description = Some(doc);
        }
        schema
    }

    /// A `<xsd:element>` particle (local, or a `ref` to a global element) as a property:
    /// name, schema (an `Array` when repeated), required. `None` when `maxOccurs="0"`.
    fn element_particle(&mut self, el: &Element, ctx: &Ctx<'_>) -> Option<(String, Schema, bool)> {
        let (min, max) = occurs(el);
        if max == Some(0) {
            return None;
        }
        let (name, schema) = if let Some(r) = el.attr("ref") {
            let q = self.resolve(el, ctx, r)?;
            let schema = match self.index.elements.get(&q) {
                Some((_, target_ctx)) => Schema {
                    kind: SchemaKind::Ref(element_key(&q)),
                    xml: Some(XmlInfo {
                        name: Some(q.local.clone()),
                        namespace: target_ctx.tns.clone(),
                        ..XmlInfo::default()
                    }),
                    ..Schema::default()
                },
                None => {
                    self.warn(
                        ctx,
                        el,
                        format!("unknown element `{q}`; treated as anyType"),
                    );
                    Schema {
                        xml: Some(XmlInfo {
                            name: Some(q.local.clone()),
                            namespace: q.namespace.clone(),
                            ..XmlInfo::default()
                        }),
                        ..Schema::default()
                    }
                }
            };
            (q.local, schema)
        } else {
            let name = el.attr("name")?.to_string();
            (name, self.element_decl(el, ctx, false))
        };
        Some((name, repeat(schema, min, max), min > 0))
    }

    /// A complex type (named or anonymous).
    pub fn complex_type(&mut self, ct: &Element, ctx: &Ctx<'_>) -> Schema {
        if !self.spend(ctx, ct) {
            return Schema::default();
        }
        let description = documentation(ct);
        let mut b = Builder::default();
        let mut kind = None;
        for child in &ct.children {
            if child.ns.as_deref() != Some(XSD_NS) {
                continue;
            }
            match child.local.as_str() {
                "simpleContent" => kind = Some(self.simple_content(child, ctx)),
                "complexContent" => kind = Some(self.complex_content(child, ctx)),
                _ => {}
            }
        }
        let kind = match kind {
            Some(k) => k,
            None => {
                self.attributes(ct, ctx, &mut b);
                self.content(ct, ctx, &mut b);
                b.finish()
            }
        };
        Schema {
            description,
            kind,
            ..Schema::default()
        }
    }

    /// Attributes (and attribute groups, `anyAttribute`) of `parent` into the builder.
    fn attributes(&mut self, parent: &Element, ctx: &Ctx<'_>, b: &mut Builder) {
        for child in &parent.children {
            if !self.spend(ctx, child) {
                return;
            }
            if child.ns.as_deref() != Some(XSD_NS) {
                continue;
            }
            match child.local.as_str() {
                "attribute" => {
                    if let Some((name, schema, required)) = self.attribute(child, ctx) {
                        b.attribute(name, schema, required);
                    }
                }
                "attributeGroup" => {
                    let Some(r) = child.attr("ref") else { continue };
                    let Some(q) = self.resolve(child, ctx, r) else {
                        continue;
                    };
                    let Some((group, gctx)) = self.index.attribute_groups.get(&q) else {
                        self.warn(ctx, child, format!("unknown attributeGroup `{q}`"));
                        continue;
                    };
                    if self.expanding.contains(&q) || self.expanding.len() > MAX_EXPANSION {
                        self.warn(ctx, child, format!("attributeGroup `{q}` refers to itself"));
                        continue;
                    }
                    self.expanding.push(q);
                    let gctx = gctx.clone();
                    self.attributes(group, &gctx, b);
                    self.expanding.pop();
                }
                _ => {}
            }
        }
    }

    fn attribute(&mut self, at: &Element, ctx: &Ctx<'_>) -> Option<(String, Schema, bool)> {
        let usage = at.attr("use").unwrap_or("optional");
        if usage == "prohibited" {
            return None;
        }
        let required = usage == "required";
        let (name, mut schema) = if let Some(r) = at.attr("ref") {
            let q = self.resolve(at, ctx, r)?;
            let mut schema = if let Some((decl, dctx)) = self.index.attributes.get(&q) {
                let dctx = dctx.clone();
                self.attribute_type(decl, &dctx)
            } else if q.namespace.as_deref() == Some(XML_NS) {
                builtin(
                    if q.local == "lang" {
                        "language"
                    } else {
                        "string"
                    },
                    &q,
                )
            } else if q.namespace.as_deref() == Some(SOAP_ENC_NS) && q.local == "arrayType" {
                builtin("string", &q)
            } else {
                self.warn(
                    ctx,
                    at,
                    format!("unknown attribute `{q}`; treated as a string"),
                );
                builtin("string", &q)
            };
            schema.xml = Some(XmlInfo {
                name: Some(q.local.clone()),
                namespace: q.namespace.clone(),
                attribute: true,
                xsd_type: schema.xml.and_then(|x| x.xsd_type),
                ..XmlInfo::default()
            });
            (q.local, schema)
        } else {
            let name = at.attr("name")?.to_string();
            let mut schema = self.attribute_type(at, ctx);
            let qualified = match at.attr("form") {
                Some(f) => f == "qualified",
                None => ctx.attributes_qualified,
            };
            schema.xml = Some(XmlInfo {
                name: Some(name.clone()),
                namespace: if qualified { ctx.tns.clone() } else { None },
                attribute: true,
                xsd_type: schema.xml.and_then(|x| x.xsd_type),
                ..XmlInfo::default()
            });
            (name, schema)
        };
        if let Some(d) = at.attr("default") {
            schema.default = Some(typed_value(&schema.kind, d));
        }
        if let Some(f) = at.attr("fixed") {
            schema.const_value = Some(typed_value(&schema.kind, f));
        }
        if schema.description.is_none() {
            schema.description = documentation(at);
        }
        Some((name, schema, required))
    }

    fn attribute_type(&mut self, at: &Element, ctx: &Ctx<'_>) -> Schema {
        if let Some(t) = at.attr("type") {
            match self.resolve(at, ctx, t) {
                Some(q) => self.type_ref(&q, at, ctx),
                None => Schema::default(),
            }
        } else if let Some(st) = at.child(XSD_NS, "simpleType") {
            self.simple_type(st, ctx)
        } else {
            builtin("anySimpleType", &QName::default())
        }
    }

    /// The particles of `parent` (a complexType, extension or restriction) into the builder.
    fn content(&mut self, parent: &Element, ctx: &Ctx<'_>, b: &mut Builder) {
        for child in &parent.children {
            if child.ns.as_deref() != Some(XSD_NS) {
                continue;
            }
            match child.local.as_str() {
                "sequence" | "all" | "choice" | "group" => self.particle(child, ctx, b, 0),
                "anyAttribute" => {}
                _ => {}
            }
        }
    }

    /// One particle into the builder: elements become properties, plain sequences are flattened,
    /// choices and repeated groups become group members.
    fn particle(&mut self, p: &Element, ctx: &Ctx<'_>, b: &mut Builder, depth: usize) {
        if !self.spend(ctx, p) {
            return;
        }
        if depth > MAX_EXPANSION {
            self.warn(ctx, p, "model groups nested too deeply".into());
            return;
        }
        let (min, max) = occurs(p);
        if max == Some(0) {
            return;
        }
        let once = min == 1 && max == Some(1);
        match p.local.as_str() {
            "element" => {
                if let Some((name, schema, required)) = self.element_particle(p, ctx) {
                    b.element(name, schema, required);
                }
            }
            "any" => b.any = true,
            "sequence" | "all" if once => {
                for c in p
                    .children
                    .iter()
                    .filter(|c| c.ns.as_deref() == Some(XSD_NS))
                {
                    self.particle(c, ctx, b, depth + 1);
                }
            }
            "sequence" | "all" => {
                let mut inner = Builder::default();
                for c in p
                    .children
                    .iter()
                    .filter(|c| c.ns.as_deref() == Some(XSD_NS))
                {
                    self.particle(c, ctx, &mut inner, depth + 1);
                }
                let group = Schema {
                    kind: inner.finish(),
                    ..Schema::default()
                };
                b.group(repeat_group(group, min, max));
            }
            "choice" => {
                let mut members = Vec::new();
                for c in p
                    .children
                    .iter()
                    .filter(|c| c.ns.as_deref() == Some(XSD_NS))
                {
                    if c.local == "annotation" {
                        continue;
                    }
                    let mut inner = Builder::default();
                    self.particle(c, ctx, &mut inner, depth + 1);
                    if inner.is_empty() && c.local != "any" {
                        continue;
                    }
                    members.push(SchemaRef::Inline(Box::new(Schema {
                        kind: inner.finish(),
                        ..Schema::default()
                    })));
                }
                if members.is_empty() {
                    return;
                }
                let group = Schema {
                    kind: SchemaKind::OneOf(Composite {
                        members,
                        discriminator: None,
                    }),
                    ..Schema::default()
                };
                if once {
                    b.group(group);
                } else {
                    b.group(repeat_group(group, min, max));
                }
            }
            "group" => {
                let Some(r) = p.attr("ref") else { return };
                let Some(q) = self.resolve(p, ctx, r) else {
                    return;
                };
                let Some((def, gctx)) = self.index.groups.get(&q) else {
                    self.warn(ctx, p, format!("unknown group `{q}`"));
                    return;
                };
                if self.expanding.contains(&q) || self.expanding.len() > MAX_EXPANSION {
                    self.warn(ctx, p, format!("group `{q}` refers to itself"));
                    return;
                }
                let gctx = gctx.clone();
                self.expanding.push(q);
                let mut inner = Builder::default();
                for c in def
                    .children
                    .iter()
                    .filter(|c| c.ns.as_deref() == Some(XSD_NS))
                {
                    self.particle(c, &gctx, &mut inner, depth + 1);
                }
                self.expanding.pop();
                if once {
                    b.merge(inner);
                } else {
                    let group = Schema {
                        kind: inner.finish(),
                        ..Schema::default()
                    };
                    b.group(repeat_group(group, min, max));
                }
            }
            _ => {}
        }
    }

    fn complex_content(&mut self, cc: &Element, ctx: &Ctx<'_>) -> SchemaKind {
        let Some(derivation) = cc.children.iter().find(|c| {
            c.ns.as_deref() == Some(XSD_NS) && (c.local == "extension" || c.local == "restriction")
        }) else {
            return SchemaKind::Object(ObjectRules::default());
        };
        let base = derivation
            .attr("base")
            .and_then(|b| self.resolve(derivation, ctx, b));
        if derivation.local == "restriction" {
            if let Some(base) = &base {
                let enc = base.namespace.as_deref() == Some(SOAP_ENC_NS)
                    || base.namespace.as_deref() == Some(SOAP12_ENC_NS);
                if enc && base.local == "Array" {
                    return self.soap_array(derivation, ctx);
                }
            }
            let mut b = Builder::default();
            self.attributes(derivation, ctx, &mut b);
            self.content(derivation, ctx, &mut b);
            return b.finish();
        }
        let mut own = Builder::default();
        self.attributes(derivation, ctx, &mut own);
        self.content(derivation, ctx, &mut own);
        let Some(base) = base else {
            return own.finish();
        };
        let base_schema = self.type_ref(&base, derivation, ctx);
        if own.is_empty() {
            return SchemaKind::AllOf(Composite {
                members: vec![SchemaRef::Inline(Box::new(base_schema))],
                discriminator: None,
            });
        }
        SchemaKind::AllOf(Composite {
            members: vec![
                SchemaRef::Inline(Box::new(base_schema)),
                SchemaRef::Inline(Box::new(Schema {
                    kind: own.finish(),
                    ..Schema::default()
                })),
            ],
            discriminator: None,
        })
    }

    /// `restriction base="soapenc:Array"`: the item type from `wsdl:arrayType`, else from a
    /// repeated element of the restriction's sequence.
    fn soap_array(&mut self, r: &Element, ctx: &Ctx<'_>) -> SchemaKind {
        let mut item: Option<Schema> = None;
        for at in r.children.iter().filter(|c| c.is(XSD_NS, "attribute")) {
            if let Some(t) = at.attr_ns(WSDL_NS, "arrayType") {
                let base = t.split('[').next().unwrap_or(t);
                if let Some(q) = self.resolve(at, ctx, base) {
                    let mut s = self.type_ref(&q, at, ctx);
                    let xml = s.xml.get_or_insert_with(XmlInfo::default);
                    xml.name = Some("item".into());
                    xml.xsd_type = Some(q);
                    item = Some(s);
                }
            }
        }
        if item.is_none() {
            let mut b = Builder::default();
            self.content(r, ctx, &mut b);
            if let Some((_, SchemaRef::Inline(s))) = b.current.properties.into_iter().next() {
                item = Some(match s.kind {
                    SchemaKind::Array(a) => a
                        .items
                        .map(|i| match *i {
                            SchemaRef::Inline(x) => *x,
                            SchemaRef::Named(n) => Schema {
                                kind: SchemaKind::Ref(n),
                                ..Schema::default()
                            },
                        })
                        .unwrap_or_default(),
                    _ => *s,
                });
            }
        }
        SchemaKind::Array(ArrayRules {
            items: item.map(|s| Box::new(SchemaRef::Inline(Box::new(s)))),
            min_items: None,
            max_items: None,
            unique_items: false,
        })
    }

    fn simple_content(&mut self, sc: &Element, ctx: &Ctx<'_>) -> SchemaKind {
        let Some(derivation) = sc.children.iter().find(|c| {
            c.ns.as_deref() == Some(XSD_NS) && (c.local == "extension" || c.local == "restriction")
        }) else {
            return SchemaKind::String(StringRules::default());
        };
        let mut b = Builder::default();
        self.attributes(derivation, ctx, &mut b);
        let base = derivation
            .attr("base")
            .and_then(|x| self.resolve(derivation, ctx, x));
        let mut text = match &base {
            Some(q) => self.simple_base(q, derivation, ctx),
            None => builtin("string", &QName::default()),
        };
        if derivation.local == "restriction" {
            apply_facets(&mut text, derivation);
        }
        text.xml = Some(XmlInfo {
            text: true,
            xsd_type: text.xml.and_then(|x| x.xsd_type),
            ..XmlInfo::default()
        });
        b.text(text);
        b.finish()
    }

    /// The text type of a simple-content base: a built-in or simple type converted fully; for a
    /// complex type with simple content, its text property.
    fn simple_base(&mut self, q: &QName, e: &Element, ctx: &Ctx<'_>) -> Schema {
        if q.namespace.as_deref() == Some(XSD_NS) {
            return builtin(&q.local, q);
        }
        let Some((def, dctx)) = self.index.types.get(q) else {
            return self.type_ref(q, e, ctx);
        };
        if self.expanding.contains(q) || self.expanding.len() > MAX_EXPANSION {
            self.warn(ctx, e, format!("type `{q}` derives from itself"));
            return builtin("string", q);
        }
        let dctx = dctx.clone();
        self.expanding.push(q.clone());
        let out = if def.local == "simpleType" {
            let mut s = self.simple_type(def, &dctx);
            s.xml = Some(XmlInfo {
                xsd_type: Some(q.clone()),
                list: s.xml.as_ref().is_some_and(|x| x.list),
                ..XmlInfo::default()
            });
            s
        } else {
            let converted = self.complex_type(def, &dctx);
            match converted.kind {
                SchemaKind::Object(o) => o
                    .properties
                    .into_iter()
                    .find_map(|(_, p)| match p {
                        SchemaRef::Inline(s) if s.xml.as_ref().is_some_and(|x| x.text) => Some(*s),
                        _ => None,
                    })
                    .unwrap_or_else(|| builtin("string", q)),
                _ => builtin("string", q),
            }
        };
        self.expanding.pop();
        out
    }

    /// A simple type, converted fully.
    pub fn simple_type(&mut self, st: &Element, ctx: &Ctx<'_>) -> Schema {
        if !self.spend(ctx, st) {
            return builtin("string", &QName::default());
        }
        let description = documentation(st);
        let mut out = Schema::default();
        for child in st
            .children
            .iter()
            .filter(|c| c.ns.as_deref() == Some(XSD_NS))
        {
            match child.local.as_str() {
                "restriction" => {
                    let mut base = if let Some(b) = child.attr("base") {
                        match self.resolve(child, ctx, b) {
                            Some(q) => self.simple_base(&q, child, ctx),
                            None => builtin("string", &QName::default()),
                        }
                    } else if let Some(inner) = child.child(XSD_NS, "simpleType") {
                        self.simple_type(inner, ctx)
                    } else {
                        builtin("string", &QName::default())
                    };
                    apply_facets(&mut base, child);
                    out = base;
                }
                "list" => {
                    out = if let Some(t) = child.attr("itemType") {
                        match self.resolve(child, ctx, t) {
                            Some(q) => self.simple_base(&q, child, ctx),
                            None => builtin("string", &QName::default()),
                        }
                    } else if let Some(inner) = child.child(XSD_NS, "simpleType") {
                        self.simple_type(inner, ctx)
                    } else {
                        builtin("string", &QName::default())
                    };
                    out.xml.get_or_insert_with(XmlInfo::default).list = true;
                }
                "union" => {
                    let mut members = Vec::new();
                    if let Some(list) = child.attr("memberTypes") {
                        for t in list.split_whitespace() {
                            if let Some(q) = self.resolve(child, ctx, t) {
                                let s = self.simple_base(&q, child, ctx);
                                members.push(SchemaRef::Inline(Box::new(s)));
                            }
                        }
                    }
                    for inner in child.children_named(XSD_NS, "simpleType") {
                        let s = self.simple_type(inner, ctx);
                        members.push(SchemaRef::Inline(Box::new(s)));
                    }
                    out = match members.len() {
                        0 => builtin("string", &QName::default()),
                        1 => match members.pop() {
                            Some(SchemaRef::Inline(s)) => *s,
                            _ => builtin("string", &QName::default()),
                        },
                        _ => Schema {
                            kind: SchemaKind::OneOf(Composite {
                                members,
                                discriminator: None,
                            }),
                            ..Schema::default()
                        },
                    };
                }
                _ => {}
            }
        }
        if description.is_some() {
            out.description = description;
        }
        out
    }
}

/// Builds the content of a complex type: runs of properties and groups, in order.
#[derive(Debug, Default)]
struct Builder {
    members: Vec<SchemaRef>,
    current: ObjectRules,
    any: bool,
}

impl Builder {
    fn is_empty(&self) -> bool {
        self.members.is_empty() && self.current.properties.is_empty() && !self.any
    }

    fn key(&self, name: &str, attribute: bool) -> String {
        let taken = |k: &str| self.current.properties.contains_key(k);
        let mut key = if attribute && taken(name) {
            format!("@{name}")
        } else {
            name.to_string()
        };
        let mut n = 2;
        while taken(&key) {
            key = format!("{name}{n}");
            n += 1;
        }
        key
    }

    fn attribute(&mut self, name: String, schema: Schema, required: bool) {
        let key = self.key(&name, true);
        if required {
            self.current.required.push(key.clone());
        }
        self.current
            .properties
            .insert(key, SchemaRef::Inline(Box::new(schema)));
    }

    fn text(&mut self, schema: Schema) {
        let key = self.key("#text", false);
        self.current.required.push(key.clone());
        self.current
            .properties
            .insert(key, SchemaRef::Inline(Box::new(schema)));
    }

    fn element(&mut self, name: String, schema: Schema, required: bool) {
        let key = self.key(&name, false);
        if required {
            self.current.required.push(key.clone());
        }
        self.current
            .properties
            .insert(key, SchemaRef::Inline(Box::new(schema)));
    }

    fn flush(&mut self) {
        if !self.current.properties.is_empty() {
            let mut run = std::mem::take(&mut self.current);
            run.additional = Additional::Forbidden;
            self.members.push(SchemaRef::Inline(Box::new(Schema {
                kind: SchemaKind::Object(run),
                ..Schema::default()
            })));
        }
    }

    fn group(&mut self, schema: Schema) {
        self.flush();
        self.members.push(SchemaRef::Inline(Box::new(schema)));
    }

    fn merge(&mut self, other: Builder) {
        self.any |= other.any;
        if other.members.is_empty() {
            for (k, v) in other.current.properties {
                let required = other.current.required.contains(&k);
                let key = self.key(&k, false);
                if required {
                    self.current.required.push(key.clone());
                }
                self.current.properties.insert(key, v);
            }
        } else {
            let kind = other.finish();
            self.group(Schema {
                kind,
                ..Schema::default()
            });
        }
    }

    fn finish(mut self) -> SchemaKind {
        let additional = if self.any {
            Additional::Any
        } else {
            Additional::Forbidden
        };
        if self.members.is_empty() {
            self.current.additional = additional;
            return SchemaKind::Object(self.current);
        }
        self.flush();
        SchemaKind::AllOf(Composite {
            members: self.members,
            discriminator: None,
        })
    }
}

/// `minOccurs` and `maxOccurs` (`None` = unbounded).
pub fn occurs(e: &Element) -> (u64, Option<u64>) {
    let min = e
        .attr("minOccurs")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1);
    let max = match e.attr("maxOccurs").map(str::trim) {
        Some("unbounded") => None,
        Some(v) => Some(v.parse().unwrap_or(1)),
        None => Some(1),
    };
    (min, max)
}

/// An element schema repeated `min..max` times (unchanged when it occurs once at most).
fn repeat(schema: Schema, min: u64, max: Option<u64>) -> Schema {
    if max == Some(1) || max == Some(0) {
        return schema;
    }
    let xml = schema.xml.clone().map(|x| XmlInfo {
        name: x.name,
        namespace: x.namespace,
        ..XmlInfo::default()
    });
    Schema {
        kind: SchemaKind::Array(ArrayRules {
            items: Some(Box::new(SchemaRef::Inline(Box::new(schema)))),
            min_items: Some(min),
            max_items: max,
            unique_items: false,
        }),
        xml,
        ..Schema::default()
    }
}

/// A model group repeated `min..max` times: an `Array` with no XML name.
fn repeat_group(group: Schema, min: u64, max: Option<u64>) -> Schema {
    if min == 1 && max == Some(1) {
        return group;
    }
    Schema {
        kind: SchemaKind::Array(ArrayRules {
            items: Some(Box::new(SchemaRef::Inline(Box::new(group)))),
            min_items: Some(min),
            max_items: max,
            unique_items: false,
        }),
        ..Schema::default()
    }
}

/// The `xsd:annotation/xsd:documentation` text.
pub fn documentation(e: &Element) -> Option<String> {
    let ann = e.child(XSD_NS, "annotation")?;
    let text: Vec<String> = ann
        .children_named(XSD_NS, "documentation")
        .map(|d| d.deep_text().trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    if text.is_empty() {
        None
    } else {
        Some(text.join("\n\n"))
    }
}

/// A facet value written in the schema, typed like the schema (numbers for numeric kinds).
pub fn typed_value(kind: &SchemaKind, raw: &str) -> Value {
    match kind {
        SchemaKind::Integer(_) => raw
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(raw.to_string())),
        SchemaKind::Number(_) => raw
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(raw.to_string())),
        SchemaKind::Boolean => match raw.trim() {
            "true" | "1" => Value::Bool(true),
            "false" | "0" => Value::Bool(false),
            _ => Value::String(raw.to_string()),
        },
        _ => Value::String(raw.to_string()),
    }
}

fn facet(e: &Element, name: &str) -> Option<String> {
    e.child(XSD_NS, name)
        .and_then(|f| f.attr("value"))
        .map(|v| v.trim().to_string())
}

fn apply_facets(schema: &mut Schema, r: &Element) {
    let enums: Vec<Value> = r
        .children_named(XSD_NS, "enumeration")
        .filter_map(|f| f.attr("value"))
        .map(|v| typed_value(&schema.kind, v))
        .collect();
    if !enums.is_empty() {
        schema.enum_values = enums;
    }
    let patterns: Vec<&str> = r
        .children_named(XSD_NS, "pattern")
        .filter_map(|f| f.attr("value"))
        .collect();
    let pattern = match patterns.len() {
        0 => None,
        1 => Some(patterns[0].to_string()),
        _ => Some(
            patterns
                .iter()
                .map(|p| format!("({p})"))
                .collect::<Vec<_>>()
                .join("|"),
        ),
    };
    let num = |n: &str| facet(r, n).and_then(|v| Bound::parse(&v));
    let int = |n: &str| facet(r, n).and_then(|v| v.parse::<u64>().ok());
    match &mut schema.kind {
        SchemaKind::String(s) => {
            if let Some(len) = int("length") {
                s.min_length = Some(len);
                s.max_length = Some(len);
            }
            if let Some(v) = int("minLength") {
                s.min_length = Some(v);
            }
            if let Some(v) = int("maxLength") {
                s.max_length = Some(v);
            }
            if pattern.is_some() {
                s.pattern = pattern;
            }
        }
        SchemaKind::Integer(n) | SchemaKind::Number(n) => {
            if let Some(v) = num("minInclusive") {
                n.minimum = Some(v);
            }
            if let Some(v) = num("maxInclusive") {
                n.maximum = Some(v);
            }
            if let Some(v) = num("minExclusive") {
                n.exclusive_minimum = Some(v);
            }
            if let Some(v) = num("maxExclusive") {
                n.exclusive_maximum = Some(v);
            }
            if let Some(v) = int("totalDigits") {
                n.total_digits = u32::try_from(v).ok();
            }
            if let Some(v) = int("fractionDigits") {
                n.fraction_digits = u32::try_from(v).ok();
            }
        }
        _ => {}
    }
}

/// The schema of an XSD built-in type (`local` in the XSD namespace); `q` is recorded as the
/// `xsd_type` so encoded messages can write `xsi:type`.
pub fn builtin(local: &str, q: &QName) -> Schema {
    let xsd = Some(format!("xsd:{local}"));
    let string = |format: Option<StringFormat>| {
        SchemaKind::String(StringRules {
            format,
            xsd_type: xsd.clone(),
            ..StringRules::default()
        })
    };
    let int = |min: Option<Bound>, max: Option<Bound>, format: &str| {
        SchemaKind::Integer(NumberRules {
            format: Some(format.to_string()),
            minimum: min,
            maximum: max,
            ..NumberRules::default()
        })
    };
    let kind = match local {
        "anyType" => SchemaKind::Any,
        "boolean" => SchemaKind::Boolean,
        "decimal" => SchemaKind::Number(NumberRules {
            format: Some("decimal".into()),
            ..NumberRules::default()
        }),
        "float" | "double" => SchemaKind::Number(NumberRules {
            format: Some(local.to_string()),
            ..NumberRules::default()
        }),
        "integer" => int(None, None, "integer"),
        "long" => int(Some(i64::MIN.into()), Some(i64::MAX.into()), "int64"),
        "int" => int(
            Some(i64::from(i32::MIN).into()),
            Some(i64::from(i32::MAX).into()),
            "int32",
        ),
        "short" => int(
            Some(i64::from(i16::MIN).into()),
            Some(i64::from(i16::MAX).into()),
            "short",
        ),
        "byte" => int(
            Some(i64::from(i8::MIN).into()),
            Some(i64::from(i8::MAX).into()),
            "byte",
        ),
        "nonNegativeInteger" => int(Some(0i64.into()), None, local),
        "positiveInteger" => int(Some(1i64.into()), None, local),
        "nonPositiveInteger" => int(None, Some(0i64.into()), local),
        "negativeInteger" => int(None, Some((-1i64).into()), local),
        "unsignedLong" => int(Some(0i64.into()), Some(u64::MAX.into()), local),
        "unsignedInt" => int(Some(0i64.into()), Some(i64::from(u32::MAX).into()), local),
        "unsignedShort" => int(Some(0i64.into()), Some(i64::from(u16::MAX).into()), local),
        "unsignedByte" => int(Some(0i64.into()), Some(i64::from(u8::MAX).into()), local),
        "date" => string(Some(StringFormat::Date)),
        "dateTime" | "dateTimeStamp" => string(Some(StringFormat::DateTime)),
        "time" => string(Some(StringFormat::Time)),
        "duration" | "dayTimeDuration" | "yearMonthDuration" => {
            string(Some(StringFormat::Duration))
        }
        "gYear" | "gYearMonth" | "gMonth" | "gMonthDay" | "gDay" => {
            string(Some(StringFormat::Other(local.to_string())))
        }
        "base64Binary" => string(Some(StringFormat::Byte)),
        "hexBinary" => string(Some(StringFormat::HexBinary)),
        "anyURI" => string(Some(StringFormat::Uri)),
        _ => string(None),
    };
    let xsd_type = if q.local.is_empty() {
        None
    } else {
        Some(q.clone())
    };
    Schema {
        kind,
        xml: xsd_type.map(|t| XmlInfo {
            xsd_type: Some(t),
            ..XmlInfo::default()
        }),
        ..Schema::default()
    }
}

/// Namespaces and files a schema imports or includes: `(is_include, namespace, location, el)`.
pub fn imports(schema: &Element) -> Vec<(bool, Option<&str>, Option<&str>, &Element)> {
    schema
        .children
        .iter()
        .filter(|c| c.ns.as_deref() == Some(XSD_NS))
        .filter_map(|c| match c.local.as_str() {
            "import" => Some((false, c.attr("namespace"), c.attr("schemaLocation"), c)),
            "include" | "redefine" | "override" => Some((true, None, c.attr("schemaLocation"), c)),
            _ => None,
        })
        .collect()
}

/// Checks a set of schemas: converts every component, collecting warnings (unknown types...).
pub fn check(schemas: &[(&Element, Ctx<'_>)]) -> Vec<Diagnostic> {
    let mut index = Index::default();
    for (s, ctx) in schemas {
        index.add_schema(s, ctx);
    }
    let mut conv = Converter::new(&index);
    conv.convert_all();
    conv.diagnostics
}

/// Used by tests: every key of a converted set, sorted.
#[cfg(test)]
pub fn keys(schemas: &IndexMap<String, Schema>) -> Vec<String> {
    use std::collections::BTreeMap;
    let set: BTreeMap<&String, ()> = schemas.keys().map(|k| (k, ())).collect();
    set.into_keys().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wsdl::xml::parse;

    fn convert(text: &str) -> (IndexMap<String, Schema>, Vec<Diagnostic>) {
        let path = Path::new("t.xsd");
        let root = parse(path, text).expect("parses");
        let ctx = Ctx::of_schema(&root, path, text, None);
        let mut index = Index::default();
        index.add_schema(&root, &ctx);
        let mut conv = Converter::new(&index);
        conv.convert_all();
        (conv.schemas, conv.diagnostics)
    }

    const NS: &str = "urn:t";

    fn obj(s: &Schema) -> &ObjectRules {
        match &s.kind {
            SchemaKind::Object(o) => o,
            other => panic!("not an object: {other:?}"),
        }
    }

    fn inline(r: &SchemaRef) -> &Schema {
        match r {
            SchemaRef::Inline(s) => s,
            SchemaRef::Named(n) => panic!("named {n}"),
        }
    }

    #[test]
    fn sequence_attributes_arrays_and_refs() {
        let (schemas, diags) = convert(
            r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t"
                 targetNamespace="urn:t" elementFormDefault="qualified">
              <xs:complexType name="Node">
                <xs:sequence>
                  <xs:element name="value" type="xs:int"/>
                  <xs:element name="child" type="t:Node" minOccurs="0" maxOccurs="unbounded"/>
                  <xs:element name="note" type="xs:string" nillable="true" minOccurs="0"/>
                </xs:sequence>
                <xs:attribute name="id" type="xs:ID" use="required"/>
              </xs:complexType>
              <xs:element name="Root" type="t:Node"/>
            </xs:schema>"#,
        );
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(keys(&schemas), vec!["element:{urn:t}Root", "{urn:t}Node"]);
        let node = &schemas["{urn:t}Node"];
        let o = obj(node);
        assert_eq!(
            o.properties.keys().collect::<Vec<_>>(),
            vec!["id", "value", "child", "note"]
        );
        assert_eq!(o.required, vec!["id", "value"]);
        let id = inline(&o.properties["id"]);
        assert!(
            id.xml
                .as_ref()
                .is_some_and(|x| x.attribute && x.namespace.is_none())
        );
        let child = inline(&o.properties["child"]);
        let SchemaKind::Array(a) = &child.kind else {
            panic!("array")
        };
        assert_eq!((a.min_items, a.max_items), (Some(0), None));
        let item = inline(a.items.as_deref().expect("items"));
        assert_eq!(item.kind, SchemaKind::Ref("{urn:t}Node".into()));
        assert_eq!(
            item.xml.as_ref().and_then(|x| x.namespace.as_deref()),
            Some(NS)
        );
        assert!(inline(&o.properties["note"]).nullable);
        let root = &schemas["element:{urn:t}Root"];
        assert_eq!(root.kind, SchemaKind::Ref("{urn:t}Node".into()));
    }

    #[test]
    fn choice_extension_simple_content_and_facets() {
        let (schemas, diags) = convert(
            r#"<schema xmlns="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" targetNamespace="urn:t">
              <complexType name="Base"><sequence><element name="a" type="string"/></sequence></complexType>
              <complexType name="Ext"><complexContent><extension base="t:Base">
                <sequence><element name="b" type="string"/>
                  <choice><element name="c" type="int"/><element name="d" type="t:Code"/></choice>
                </sequence></extension></complexContent></complexType>
              <complexType name="Money"><simpleContent><extension base="decimal">
                <attribute name="currency" type="string" default="EUR"/></extension></simpleContent></complexType>
              <simpleType name="Code"><restriction base="string">
                <enumeration value="A"/><enumeration value="B"/><maxLength value="1"/>
              </restriction></simpleType>
              <simpleType name="Small"><restriction base="int"><minInclusive value="1"/><maxExclusive value="10"/></restriction></simpleType>
            </schema>"#,
        );
        assert!(diags.is_empty(), "{diags:?}");
        let SchemaKind::AllOf(ext) = &schemas["{urn:t}Ext"].kind else {
            panic!("allOf")
        };
        assert_eq!(
            inline(&ext.members[0]).kind,
            SchemaKind::Ref("{urn:t}Base".into())
        );
        let SchemaKind::AllOf(own) = &inline(&ext.members[1]).kind else {
            panic!("own allOf")
        };
        assert!(matches!(inline(&own.members[1]).kind, SchemaKind::OneOf(_)));
        let money = obj(&schemas["{urn:t}Money"]);
        let text = inline(&money.properties["#text"]);
        assert!(text.xml.as_ref().is_some_and(|x| x.text));
        assert!(matches!(text.kind, SchemaKind::Number(_)));
        assert_eq!(
            inline(&money.properties["currency"]).default,
            Some(Value::String("EUR".into()))
        );
        let code = &schemas["{urn:t}Code"];
        assert_eq!(code.enum_values.len(), 2);
        let SchemaKind::String(s) = &code.kind else {
            panic!("string")
        };
        assert_eq!(s.max_length, Some(1));
        let SchemaKind::Integer(n) = &schemas["{urn:t}Small"].kind else {
            panic!("int")
        };
        assert_eq!(
            (n.minimum.clone(), n.exclusive_maximum.clone()),
            (Some(1i64.into()), Some(10i64.into()))
        );
        // unqualified by default
        let base = obj(&schemas["{urn:t}Base"]);
        assert!(
            inline(&base.properties["a"])
                .xml
                .as_ref()
                .is_some_and(|x| x.namespace.is_none())
        );
    }

    #[test]
    fn exponential_group_fan_out_is_cut() {
        let mut text = String::from(
            r#"<schema xmlns="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" targetNamespace="urn:t">
              <group name="g0"><sequence><element name="x" type="string"/></sequence></group>"#,
        );
        for i in 1..40 {
            text.push_str(&format!(
                r#"<group name="g{i}"><sequence><group ref="t:g{p}"/><group ref="t:g{p}"/></sequence></group>"#,
                p = i - 1
            ));
        }
        text.push_str(r#"<element name="Bomb"><complexType><sequence><group ref="t:g39"/></sequence></complexType></element></schema>"#);
        let start = std::time::Instant::now();
        let (_, diags) = convert(&text);
        assert!(start.elapsed().as_secs() < 20);
        assert!(
            diags.iter().any(|d| d.message.contains("more than")),
            "{diags:?}"
        );
    }

    #[test]
    fn soap_encoded_arrays_and_groups() {
        let (schemas, diags) = convert(
            r#"<schema xmlns="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" targetNamespace="urn:t"
                  xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/">
              <complexType name="ArrayOfString"><complexContent><restriction base="soapenc:Array">
                <attribute ref="soapenc:arrayType" wsdl:arrayType="xsd:string[]" xmlns:xsd="http://www.w3.org/2001/XMLSchema"/>
              </restriction></complexContent></complexType>
              <group name="G"><sequence><element name="x" type="string"/><group ref="t:G" minOccurs="0"/></sequence></group>
              <attributeGroup name="AG"><attribute name="lang" type="language"/></attributeGroup>
              <complexType name="UsesG"><sequence><group ref="t:G"/></sequence><attributeGroup ref="t:AG"/></complexType>
            </schema>"#,
        );
        let SchemaKind::Array(arr) = &schemas["{urn:t}ArrayOfString"].kind else {
            panic!("array")
        };
        let item = inline(arr.items.as_deref().expect("items"));
        assert!(matches!(item.kind, SchemaKind::String(_)));
        assert_eq!(
            item.xml.as_ref().and_then(|x| x.name.as_deref()),
            Some("item")
        );
        let uses = obj(&schemas["{urn:t}UsesG"]);
        assert_eq!(
            uses.properties.keys().collect::<Vec<_>>(),
            vec!["lang", "x"]
        );
        assert_eq!(
            diags.len(),
            1,
            "the self-referencing group is reported: {diags:?}"
        );
    }
}
