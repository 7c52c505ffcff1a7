//! Validation of a request's Body against the input message's XSD-derived schemas: element names
//! and namespaces, order in sequences, required children, choices, occurrences, attributes, and
//! the facets of simple types. Strict where the schema speaks, lenient where it is silent
//! (unknown attributes, `xsd:any`, namespaces the model does not record).

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use api_model::wsdl::xsd;
use api_model::{
    Additional, Api, Bound, NumberRules, Schema, SchemaKind, SchemaRef, SoapBinding, SoapOperation,
    SoapStyle, SoapUse, StringFormat, StringRules,
};
use regex::Regex;
use serde_json::Value;

use super::dispatch::{body_parts, expected_body_element};
use super::envelope::XmlElement;

/// At most this many problems are reported.
const MAX_PROBLEMS: usize = 20;
/// Schemas deeper than this are not followed (recursive types meet a recursive document).
const MAX_DEPTH: usize = 64;

/// One thing wrong with the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where: element names from the Body down (`Add/intA`), `@name` for attributes.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Validate the Body's elements against the operation's input message as the binding lays it
/// out. Returns the problems found (empty when valid).
pub fn validate_body(
    api: &Api,
    soap: &SoapOperation,
    binding: &SoapBinding,
    body: &[XmlElement],
) -> Vec<Problem> {
    let Some(input) = soap.input.as_ref() else {
        return Vec::new();
    };
    validate_message(
        api,
        input,
        binding,
        &binding.input_headers,
        expected_body_element(soap, binding),
        body,
    )
}

/// Validate Body elements against a message as `binding` lays it out: `headers` are the parts
/// bound to header blocks, `rpc_wrapper` the wrapper element's name for rpc style.
pub fn validate_message(
    api: &Api,
    message: &api_model::SoapMessage,
    binding: &SoapBinding,
    headers: &[api_model::SoapHeader],
    rpc_wrapper: Option<api_model::QName>,
    body: &[XmlElement],
) -> Vec<Problem> {
    let mut v = Validator {
        api,
        problems: Vec::new(),
        lenient: binding.body_use == SoapUse::Encoded,
    };
    let parts = body_parts(message, headers);
    match binding.style {
        SoapStyle::Rpc => {
            let Some(wrapper) = body.first() else {
                let name = rpc_wrapper.map(|q| q.local).unwrap_or_default();
                v.problem("Body", format!("expected the element {name}"));
                return v.problems;
            };
            let path = wrapper.name.local.clone();
            if let Some(expected) = rpc_wrapper
                && (expected.local != wrapper.name.local
                    || expected.namespace.is_some() && expected.namespace != wrapper.name.namespace)
            {
                v.problem(
                    &path,
                    format!(
                        "expected the rpc wrapper {expected}, found {}",
                        wrapper.name
                    ),
                );
                return v.problems;
            }
            let mut pos = 0;
            for part in parts {
                let child = wrapper.children.get(pos);
                // rpc parts should name a type (WS-I BP R2203); for one that names an element
                // some clients (zeep) write that element instead of the part's accessor.
                let accessor = |c: &XmlElement| {
                    c.name.local == part.name
                        || matches!(&part.content, api_model::PartContent::Element(q)
                            if q.local == c.name.local
                                && (q.namespace.is_none() || q.namespace == c.name.namespace))
                };
                match child {
                    Some(c) if accessor(c) => {
                        let child_path = format!("{path}/{}", part.name);
                        if let Some(schema) = &part.schema {
                            v.element(c, schema, &child_path, 0);
                        }
                        pos += 1;
                    }
                    Some(c) if !v.lenient => v.problem(
                        &path,
                        format!("expected the part {}, found {}", part.name, c.name.local),
                    ),
                    None if !v.lenient => {
                        v.problem(&path, format!("missing the part {}", part.name));
                    }
                    _ => {}
                }
            }
            if !v.lenient
                && let Some(extra) = wrapper.children.get(pos)
            {
                v.problem(&path, format!("unexpected element {}", extra.name));
            }
        }
        SoapStyle::Document => {
            for (i, part) in parts.iter().enumerate() {
                let expected = match &part.content {
                    api_model::PartContent::Element(q) => q.clone(),
                    api_model::PartContent::Type(_) => api_model::QName {
                        namespace: None,
                        local: part.name.clone(),
                    },
                };
                let Some(child) = body.get(i) else {
                    v.problem("Body", format!("missing the element {expected}"));
                    continue;
                };
                if child.name.local != expected.local
                    || expected.namespace.is_some() && child.name.namespace != expected.namespace
                {
                    v.problem(
                        "Body",
                        format!("expected the element {expected}, found {}", child.name),
                    );
                    continue;
                }
                if let Some(schema) = &part.schema {
                    v.element(child, schema, &child.name.local, 0);
                }
            }
            if let Some(extra) = body.get(parts.len()) {
                v.problem("Body", format!("unexpected element {}", extra.name));
            }
        }
    }
    v.problems
}

struct Validator<'a> {
    api: &'a Api,
    problems: Vec<Problem>,
    /// rpc/encoded: only simple values are checked (SOAP encoding adds hrefs, arrays, xsi:types).
    lenient: bool,
}

/// One particle of a content model.
enum Particle<'a> {
    Element {
        local: String,
        namespace: Option<String>,
        min: u64,
        max: Option<u64>,
        schema: &'a SchemaRef,
    },
    Choice {
        required: bool,
        options: Vec<Vec<Particle<'a>>>,
    },
    /// A model group (sequence or choice) repeated `min..max` times.
    Repeat {
        min: u64,
        max: Option<u64>,
        particles: Vec<Particle<'a>>,
    },
}

impl Particle<'_> {
    fn describe(&self) -> String {
        match self {
            Particle::Element { local, .. } => local.clone(),
            Particle::Choice { options, .. } => {
                let names: Vec<String> = options
                    .iter()
                    .filter_map(|o| o.first().map(Particle::describe))
                    .collect();
                format!("one of {}", names.join(", "))
            }
            Particle::Repeat { particles, .. } => particles
                .first()
                .map_or_else(String::new, Particle::describe),
        }
    }

    fn accepts(&self, el: &XmlElement) -> bool {
        match self {
            Particle::Element {
                local, namespace, ..
            } => {
                el.name.local == *local && (namespace.is_none() || el.name.namespace == *namespace)
            }
            Particle::Choice { options, .. } => options.iter().any(|o| starts(o, el)),
            Particle::Repeat { particles, .. } => starts(particles, el),
        }
    }

    fn min(&self) -> u64 {
        match self {
            Particle::Element { min, .. } | Particle::Repeat { min, .. } => *min,
            Particle::Choice { required, .. } => u64::from(*required),
        }
    }
}

/// Whether a sequence of particles can start with this element.
fn starts(particles: &[Particle<'_>], el: &XmlElement) -> bool {
    for p in particles {
        if p.accepts(el) {
            return true;
        }
        if p.min() > 0 {
            return false;
        }
    }
    false
}

#[derive(Default)]
struct Model<'a> {
    attributes: Vec<(String, Option<String>, bool, &'a SchemaRef)>,
    particles: Vec<Particle<'a>>,
    text: Option<&'a SchemaRef>,
    open: bool,
    has_elements: bool,
}

fn inline_xml(sref: &SchemaRef) -> Option<&api_model::XmlInfo> {
    match sref {
        SchemaRef::Inline(s) => s.xml.as_ref(),
        SchemaRef::Named(_) => None,
    }
}

impl<'a> Validator<'a> {
    fn problem(&mut self, path: &str, message: String) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(Problem {
                path: path.to_string(),
                message,
            });
        }
    }

    fn resolve(&self, sref: &'a SchemaRef) -> Option<&'a Schema> {
        sref.resolve(self.api)
    }

    /// Validate an element whose type is `sref`.
    fn element(&mut self, el: &XmlElement, sref: &'a SchemaRef, path: &str, depth: usize) {
        if depth > MAX_DEPTH || self.problems.len() >= MAX_PROBLEMS {
            return;
        }
        let Some(declared) = self.resolve(sref) else {
            return;
        };
        // `xsi:type` names the type the element has (a type derived from the declared one, an
        // abstract type's extension): the content is checked against that type.
        let schema = match &el.xsi_type {
            Some(named) if !self.lenient => {
                if let Some(schema) = self.api.schemas.get(&xsd::type_key(named)) {
                    schema
                } else if named.namespace.as_deref() == Some(xsd::XSD_NS) {
                    // A built-in type (`xsi:type="xsd:int"`): its text is checked, or nothing
                    // for `xsd:anyType`.
                    let builtin = xsd::builtin(&named.local, named);
                    if is_simple(&builtin.kind) {
                        self.text_only(el, &builtin, path);
                    }
                    return;
                } else {
                    self.problem(
                        path,
                        format!("xsi:type {named} is not a type this service's schemas define"),
                    );
                    return;
                }
            }
            // An abstract type cannot be an element's type itself (XSD 1.1 part 1, 3.4.4.2):
            // the element must name a concrete derived type.
            None if !self.lenient
                && declared
                    .xml
                    .as_ref()
                    .is_some_and(|x| x.substitute.is_some()) =>
            {
                let xml = declared.xml.as_ref();
                let name = xml
                    .and_then(|x| x.xsd_type.as_ref())
                    .map_or_else(|| "its declared type".to_string(), |t| t.to_string());
                let example = xml
                    .and_then(|x| x.substitute.as_ref())
                    .map(|t| t.to_string())
                    .unwrap_or_default();
                self.problem(
                    path,
                    format!(
                        "has the abstract type {name}: name a type derived from it with \
                         xsi:type (such as {example})"
                    ),
                );
                return;
            }
            _ => declared,
        };
        if el.is_nil() {
            if !schema.nullable && !self.lenient {
                self.problem(
                    path,
                    "is nil (xsi:nil) but the schema does not allow it (nillable)".into(),
                );
            } else if !el.children.is_empty() || !el.text.trim().is_empty() {
                self.problem(path, "is nil (xsi:nil) but has content".into());
            }
            return;
        }
        // SOAP encoding: a multi-reference accessor has no content of its own.
        if self.lenient && el.attributes.iter().any(|a| a.name.local == "href") {
            return;
        }
        if is_simple(&schema.kind) {
            self.text_only(el, schema, path);
            return;
        }
        if self.lenient {
            // Encoded structs: check the simple values of the accessors that are present.
            let model = self.model(schema, 0);
            for child in &el.children {
                if let Some(Particle::Element { schema, .. }) =
                    model.particles.iter().find(|p| p.accepts(child))
                {
                    let child_path = format!("{path}/{}", child.name.local);
                    self.element(child, schema, &child_path, depth + 1);
                }
            }
            return;
        }
        let model = self.model(schema, 0);
        for (local, namespace, required, attr_schema) in &model.attributes {
            match el.attribute(namespace.as_deref(), local) {
                Some(value) => {
                    if let Some(s) = self.resolve(attr_schema)
                        && let Err(message) = check_simple(s, value)
                    {
                        self.problem(&format!("{path}/@{local}"), message);
                    }
                }
                None if *required => {
                    self.problem(path, format!("missing the required attribute {local}"));
                }
                None => {}
            }
        }
        if let Some(text_schema) = model.text {
            if let Some(s) = self.resolve(text_schema)
                && let Err(message) = check_simple(s, &el.text)
            {
                self.problem(path, message);
            }
        }
        let mut pos = 0;
        self.sequence(&model.particles, &el.children, &mut pos, path, depth);
        if let Some(extra) = el.children.get(pos)
            && !model.open
        {
            let known = model.particles.iter().any(|p| p.accepts(extra));
            let message = if known {
                format!(
                    "element {} is out of order or repeated too often",
                    extra.name.local
                )
            } else {
                format!("unexpected element {}", extra.name)
            };
            self.problem(path, message);
        }
        if !model.has_elements
            && model.text.is_none()
            && !model.open
            && el.children.is_empty()
            && !el.text.trim().is_empty()
            && matches!(schema.kind, SchemaKind::Object(_))
        {
            self.problem(path, "has text but the schema allows none".into());
        }
    }

    /// An element of a simple type: text only, checked against the type (each value of an
    /// `xsd:list`).
    fn text_only(&mut self, el: &XmlElement, schema: &Schema, path: &str) {
        if let Some(child) = el.children.first() {
            if !self.lenient {
                self.problem(
                    path,
                    format!(
                        "has a child element {} but the schema allows text only",
                        child.name.local
                    ),
                );
            }
            return;
        }
        if schema.xml.as_ref().is_some_and(|x| x.list) {
            // An `xsd:list`: each whitespace-separated value is one of the item type.
            for item in el.text.split_whitespace() {
                if let Err(message) = check_simple(schema, item) {
                    self.problem(path, message);
                    break;
                }
            }
        } else if let Err(message) = check_simple(schema, &el.text) {
            self.problem(path, message);
        }
    }

    fn sequence(
        &mut self,
        particles: &[Particle<'a>],
        children: &[XmlElement],
        pos: &mut usize,
        path: &str,
        depth: usize,
    ) {
        for particle in particles {
            match particle {
                Particle::Element {
                    local,
                    min,
                    max,
                    schema,
                    ..
                } => {
                    let mut count = 0u64;
                    while let Some(child) = children.get(*pos) {
                        if max.is_some_and(|m| count >= m) || !particle.accepts(child) {
                            break;
                        }
                        let child_path = if count > 0 || max.is_none_or(|m| m > 1) {
                            format!("{path}/{local}[{}]", count + 1)
                        } else {
                            format!("{path}/{local}")
                        };
                        self.element(child, schema, &child_path, depth + 1);
                        *pos += 1;
                        count += 1;
                    }
                    if count < *min {
                        let found = match children.get(*pos) {
                            Some(c) => format!(", found {}", c.name.local),
                            None => String::new(),
                        };
                        let message = if *min > 1 && count > 0 {
                            format!("needs at least {min} {local} elements, has {count}")
                        } else {
                            format!("missing the required element {local}{found}")
                        };
                        self.problem(path, message);
                    }
                }
                Particle::Repeat {
                    min,
                    max,
                    particles,
                } => {
                    let mut count = 0u64;
                    while let Some(child) = children.get(*pos) {
                        if max.is_some_and(|m| count >= m) || !starts(particles, child) {
                            break;
                        }
                        let before = *pos;
                        self.sequence(particles, children, pos, path, depth);
                        count += 1;
                        if *pos == before {
                            break;
                        }
                    }
                    if count < *min {
                        self.problem(path, format!("missing {}", particle.describe()));
                    }
                }
                Particle::Choice { required, options } => {
                    let chosen = children
                        .get(*pos)
                        .and_then(|child| options.iter().find(|o| starts(o, child)));
                    match chosen {
                        Some(option) => self.sequence(option, children, pos, path, depth),
                        None if *required => {
                            self.problem(path, format!("missing {}", particle.describe()));
                        }
                        None => {}
                    }
                }
            }
        }
    }

    /// The content model of a complex schema (attributes, element particles, text).
    fn model(&self, schema: &'a Schema, depth: usize) -> Model<'a> {
        let mut model = Model::default();
        self.collect(schema, &mut model, depth);
        model
    }

    fn collect(&self, schema: &'a Schema, model: &mut Model<'a>, depth: usize) {
        if depth > 16 {
            return;
        }
        match &schema.kind {
            SchemaKind::Object(rules) => {
                if !matches!(rules.additional, Additional::Forbidden) {
                    model.open = true;
                }
                for (key, sref) in &rules.properties {
                    let required = rules.required.iter().any(|r| r == key);
                    let xml = inline_xml(sref)
                        .or_else(|| self.resolve(sref).and_then(|s| s.xml.as_ref()));
                    if xml.is_some_and(|x| x.attribute) {
                        let local = xml
                            .and_then(|x| x.name.clone())
                            .unwrap_or_else(|| key.clone());
                        let namespace = xml.and_then(|x| x.namespace.clone());
                        model.attributes.push((local, namespace, required, sref));
                        continue;
                    }
                    if xml.is_some_and(|x| x.text) {
                        model.text = Some(sref);
                        continue;
                    }
                    model.has_elements = true;
                    model
                        .particles
                        .push(self.particle(key, sref, required, depth));
                }
            }
            SchemaKind::AllOf(c) => {
                for member in &c.members {
                    if let Some(s) = self.resolve(member) {
                        if is_simple(&s.kind) {
                            model.text = Some(member);
                        } else {
                            self.collect(s, model, depth + 1);
                        }
                    }
                }
            }
            SchemaKind::Array(rules)
                if schema.xml.as_ref().and_then(|x| x.name.as_ref()).is_none() =>
            {
                // A repeated model group (the loader gives it no XML name).
                if let Some(items) = rules.items.as_deref().and_then(|i| self.resolve(i)) {
                    let inner = self.model(items, depth + 1);
                    model.open |= inner.open;
                    model.has_elements = true;
                    model.particles.push(Particle::Repeat {
                        min: rules.min_items.unwrap_or(0),
                        max: rules.max_items,
                        particles: inner.particles,
                    });
                }
            }
            SchemaKind::OneOf(c) | SchemaKind::AnyOf(c) => {
                model.has_elements = true;
                model.particles.push(self.choice(&c.members, true, depth));
            }
            SchemaKind::Any => model.open = true,
            _ => {}
        }
    }

    fn choice(&self, members: &'a [SchemaRef], required: bool, depth: usize) -> Particle<'a> {
        let mut options = Vec::new();
        for member in members {
            let named = inline_xml(member).and_then(|x| x.name.clone());
            match (named, self.resolve(member)) {
                (None, Some(s))
                    if matches!(s.kind, SchemaKind::Object(_) | SchemaKind::AllOf(_))
                        && s.xml.as_ref().and_then(|x| x.name.as_ref()).is_none() =>
                {
                    // A sequence inside the choice.
                    let m = self.model(s, depth + 1);
                    options.push(m.particles);
                }
                (None, Some(s))
                    if matches!(s.kind, SchemaKind::OneOf(_) | SchemaKind::AnyOf(_)) =>
                {
                    if let SchemaKind::OneOf(c) | SchemaKind::AnyOf(c) = &s.kind {
                        options.push(vec![self.choice(&c.members, true, depth + 1)]);
                    }
                }
                (_, resolved) => {
                    let key = inline_xml(member)
                        .and_then(|x| x.name.clone())
                        .or_else(|| {
                            resolved
                                .and_then(|s| s.xml.as_ref())
                                .and_then(|x| x.name.clone())
                        })
                        .or_else(|| member.name().map(|n| local_of(n).to_string()))
                        .unwrap_or_default();
                    options.push(vec![self.particle(&key, member, true, depth)]);
                }
            }
        }
        Particle::Choice { required, options }
    }

    fn particle(
        &self,
        key: &str,
        sref: &'a SchemaRef,
        required: bool,
        depth: usize,
    ) -> Particle<'a> {
        let resolved = self.resolve(sref);
        if let Some(s) = resolved {
            match &s.kind {
                SchemaKind::Array(rules) if !s.xml.as_ref().is_some_and(|x| x.wrapped) => {
                    if let Some(items) = rules.items.as_deref() {
                        let xml = inline_xml(items).or(s.xml.as_ref());
                        return Particle::Element {
                            local: xml
                                .and_then(|x| x.name.clone())
                                .unwrap_or_else(|| key.to_string()),
                            namespace: xml.and_then(|x| x.namespace.clone()),
                            min: rules.min_items.unwrap_or(u64::from(required)),
                            max: rules.max_items,
                            schema: items,
                        };
                    }
                }
                SchemaKind::OneOf(c) | SchemaKind::AnyOf(c)
                    if inline_xml(sref).and_then(|x| x.name.as_ref()).is_none() =>
                {
                    return self.choice(&c.members, required, depth + 1);
                }
                _ => {}
            }
        }
        let xml = inline_xml(sref);
        Particle::Element {
            local: xml
                .and_then(|x| x.name.clone())
                .unwrap_or_else(|| key.to_string()),
            namespace: xml.and_then(|x| x.namespace.clone()),
            min: u64::from(required),
            max: Some(1),
            schema: sref,
        }
    }
}

fn local_of(name: &str) -> &str {
    name.rsplit(['}', ':', '/']).next().unwrap_or(name)
}

fn is_simple(kind: &SchemaKind) -> bool {
    matches!(
        kind,
        SchemaKind::Boolean
            | SchemaKind::Integer(_)
            | SchemaKind::Number(_)
            | SchemaKind::String(_)
            | SchemaKind::Null
            | SchemaKind::Union(_)
    ) || matches!(kind, SchemaKind::OneOf(c) | SchemaKind::AnyOf(c) if simple_members(c))
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Check a simple value against a schema's kind and facets. `Err` says what is wrong.
pub fn check_simple(schema: &Schema, raw: &str) -> Result<(), String> {
    let collapsed = raw.trim();
    let value = match &schema.kind {
        SchemaKind::String(rules) if !collapses(rules) => raw,
        _ => collapsed,
    };
    if !schema.enum_values.is_empty() && !schema.enum_values.iter().any(|e| value_text(e) == value)
    {
        let allowed: Vec<String> = schema.enum_values.iter().take(10).map(value_text).collect();
        return Err(format!(
            "{value:?} is not one of the allowed values: {}",
            allowed.join(", ")
        ));
    }
    if let Some(fixed) = &schema.const_value
        && value_text(fixed) != value
    {
        return Err(format!(
            "{value:?} must be the fixed value {:?}",
            value_text(fixed)
        ));
    }
    match &schema.kind {
        SchemaKind::Boolean => match value {
            "true" | "false" | "1" | "0" => Ok(()),
            _ => Err(format!("{value:?} is not a boolean (true, false, 1, 0)")),
        },
        SchemaKind::Integer(rules) => check_integer(rules, value),
        SchemaKind::Number(rules) => check_number(rules, value),
        SchemaKind::String(rules) => check_string(rules, value),
        SchemaKind::Union(kinds) => {
            let ok = kinds.iter().any(|k| {
                let s = Schema {
                    kind: k.clone(),
                    ..Schema::default()
                };
                check_simple(&s, value).is_ok()
            });
            if ok {
                Ok(())
            } else {
                Err(format!("{value:?} matches none of the union's types"))
            }
        }
        // An `xsd:union` of simple types: the text must be a value of one of them.
        SchemaKind::OneOf(c) | SchemaKind::AnyOf(c) if simple_members(c) => {
            let ok = c.members.iter().any(|m| match m {
                SchemaRef::Inline(s) => check_simple(s, value).is_ok(),
                SchemaRef::Named(_) => true,
            });
            if ok {
                Ok(())
            } else {
                Err(format!(
                    "{value:?} matches none of the union's member types"
                ))
            }
        }
        _ => Ok(()),
    }
}

/// Whether every member of a composite is an inline simple type (an `xsd:union`).
fn simple_members(c: &api_model::Composite) -> bool {
    !c.members.is_empty()
        && c.members.iter().all(|m| match m {
            SchemaRef::Inline(s) => is_simple(&s.kind),
            SchemaRef::Named(_) => false,
        })
}

fn collapses(rules: &StringRules) -> bool {
    // Every XSD string type but string and normalizedString collapses whitespace.
    match rules.xsd_type.as_deref().map(local_of) {
        None | Some("string" | "normalizedString") => rules.format.is_some(),
        Some(_) => true,
    }
}

fn integer_bounds(format: Option<&str>) -> (Option<i128>, Option<i128>, &'static str) {
    match format.map(local_of).unwrap_or("integer") {
        "byte" => (Some(i8::MIN.into()), Some(i8::MAX.into()), "byte"),
        "short" => (Some(i16::MIN.into()), Some(i16::MAX.into()), "short"),
        "int" | "int32" => (Some(i32::MIN.into()), Some(i32::MAX.into()), "int"),
        "long" | "int64" => (Some(i64::MIN.into()), Some(i64::MAX.into()), "long"),
        "unsignedByte" => (Some(0), Some(u8::MAX.into()), "unsignedByte"),
        "unsignedShort" => (Some(0), Some(u16::MAX.into()), "unsignedShort"),
        "unsignedInt" => (Some(0), Some(u32::MAX.into()), "unsignedInt"),
        "unsignedLong" => (Some(0), Some(u64::MAX.into()), "unsignedLong"),
        "positiveInteger" => (Some(1), None, "positiveInteger"),
        "nonNegativeInteger" => (Some(0), None, "nonNegativeInteger"),
        "negativeInteger" => (None, Some(-1), "negativeInteger"),
        "nonPositiveInteger" => (None, Some(0), "nonPositiveInteger"),
        _ => (None, None, "integer"),
    }
}

fn check_integer(rules: &NumberRules, value: &str) -> Result<(), String> {
    let (lo, hi, name) = integer_bounds(rules.format.as_deref());
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{value:?} is not a valid {name}"));
    }
    let n: i128 = match value.strip_prefix('+').unwrap_or(value).parse() {
        Ok(n) => n,
        Err(_) => return Err(format!("{value:?} is out of range for {name}")),
    };
    if lo.is_some_and(|lo| n < lo) || hi.is_some_and(|hi| n > hi) {
        return Err(format!("{value} is out of range for {name}"));
    }
    check_range(rules, Given::Integer(n), value)?;
    if let Some(total) = rules.total_digits
        && digits.trim_start_matches('0').len() > total as usize
    {
        return Err(format!("{value} has more than {total} digits"));
    }
    Ok(())
}

/// A value to compare with a type's bounds: integers exactly (an `xsd:long` bound is beyond
/// what an `f64` holds).
#[derive(Debug, Clone, Copy)]
enum Given {
    Integer(i128),
    Decimal(f64),
}

impl Given {
    /// How the value compares with `bound` (`None` for NaN).
    fn cmp(self, bound: &Bound) -> Option<Ordering> {
        match (self, bound.integer()) {
            (Given::Integer(n), Some(b)) => Some(n.cmp(&b)),
            #[allow(clippy::cast_precision_loss)]
            (Given::Integer(n), None) => (n as f64).partial_cmp(&bound.value()),
            (Given::Decimal(f), _) => f.partial_cmp(&bound.value()),
        }
    }
}

fn check_range(rules: &NumberRules, n: Given, value: &str) -> Result<(), String> {
    use Ordering::{Equal, Greater, Less};
    if let Some(min) = &rules.minimum
        && n.cmp(min) == Some(Less)
    {
        return Err(format!("{value} is less than the minimum {min}"));
    }
    if let Some(max) = &rules.maximum
        && n.cmp(max) == Some(Greater)
    {
        return Err(format!("{value} is more than the maximum {max}"));
    }
    if let Some(min) = &rules.exclusive_minimum
        && matches!(n.cmp(min), Some(Less | Equal))
    {
        return Err(format!("{value} must be more than {min}"));
    }
    if let Some(max) = &rules.exclusive_maximum
        && matches!(n.cmp(max), Some(Greater | Equal))
    {
        return Err(format!("{value} must be less than {max}"));
    }
    Ok(())
}

fn check_number(rules: &NumberRules, value: &str) -> Result<(), String> {
    let format = rules.format.as_deref().map(local_of).unwrap_or("decimal");
    let floating = matches!(format, "float" | "double");
    if floating && matches!(value, "INF" | "+INF" | "-INF" | "NaN") {
        return Ok(());
    }
    let re = if floating {
        r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
    } else {
        r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
    };
    let name = if floating { format } else { "decimal" };
    if !cached_regex(re).is_some_and(|r| r.is_match(value)) {
        return Err(format!("{value:?} is not a valid {name}"));
    }
    let n: f64 = value
        .parse()
        .map_err(|_| format!("{value:?} is not a valid {name}"))?;
    check_range(rules, Given::Decimal(n), value)?;
    if !floating {
        let unsigned = value.trim_start_matches(['+', '-']);
        let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let frac = frac.trim_end_matches('0');
        if let Some(fd) = rules.fraction_digits
            && frac.len() > fd as usize
        {
            return Err(format!("{value} has more than {fd} fraction digits"));
        }
        if let Some(td) = rules.total_digits
            && int.trim_start_matches('0').len() + frac.len() > td as usize
        {
            return Err(format!("{value} has more than {td} digits"));
        }
    }
    Ok(())
}

fn check_string(rules: &StringRules, value: &str) -> Result<(), String> {
    let binary = matches!(
        rules.format,
        Some(StringFormat::Byte | StringFormat::HexBinary)
    );
    if !binary {
        let len = value.chars().count() as u64;
        if let Some(min) = rules.min_length
            && len < min
        {
            return Err(format!("{value:?} is shorter than {min} characters"));
        }
        if let Some(max) = rules.max_length
            && len > max
        {
            return Err(format!("{value:?} is longer than {max} characters"));
        }
    }
    if let Some(format) = &rules.format {
        check_format(format, value)?;
    }
    if let Some(xsd_type) = &rules.xsd_type {
        check_lexical(local_of(xsd_type), value)?;
    }
    if let Some(pattern) = &rules.pattern
        && let Some(re) = xsd_regex(pattern)
        && !re.is_match(value)
    {
        return Err(format!("{value:?} does not match the pattern {pattern}"));
    }
    Ok(())
}

const TZ: &str = r"(Z|[+-]\d{2}:\d{2})?";

fn check_format(format: &StringFormat, value: &str) -> Result<(), String> {
    let (re, name) = match format {
        StringFormat::Date => (
            format!(r"^-?\d{{4,}}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]){TZ}$"),
            "date (YYYY-MM-DD)",
        ),
        StringFormat::DateTime => (
            format!(
                r"^-?\d{{4,}}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-4]):[0-5]\d:[0-5]\d(\.\d+)?{TZ}$"
            ),
            "dateTime (YYYY-MM-DDThh:mm:ss)",
        ),
        StringFormat::Time => (
            format!(r"^([01]\d|2[0-4]):[0-5]\d:[0-5]\d(\.\d+)?{TZ}$"),
            "time (hh:mm:ss)",
        ),
        StringFormat::Duration => {
            let ok = cached_regex(r"^-?P(\d+Y)?(\d+M)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
                .is_some_and(|r| r.is_match(value))
                && !value.ends_with('P')
                && !value.ends_with('T');
            return if ok {
                Ok(())
            } else {
                Err(format!(
                    "{value:?} is not a valid duration (PnYnMnDTnHnMnS)"
                ))
            };
        }
        StringFormat::Byte => {
            let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
            let ok = compact.len() % 4 == 0
                && cached_regex(r"^[A-Za-z0-9+/]*={0,2}$").is_some_and(|r| r.is_match(&compact));
            return if ok {
                Ok(())
            } else {
                Err(format!("{value:?} is not valid base64"))
            };
        }
        StringFormat::HexBinary => {
            let ok = value.len() % 2 == 0 && value.bytes().all(|b| b.is_ascii_hexdigit());
            return if ok {
                Ok(())
            } else {
                Err(format!("{value:?} is not valid hexBinary"))
            };
        }
        StringFormat::Uuid => (
            r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
                .to_string(),
            "UUID",
        ),
        _ => return Ok(()),
    };
    if cached_regex(&re).is_some_and(|r| r.is_match(value)) {
        Ok(())
    } else {
        Err(format!("{value:?} is not a valid {name}"))
    }
}

/// XML 1.0 (fifth edition) `NameStartChar` without `:`, as a regex class body.
const NC_START: &str = r"A-Z_a-z\u{C0}-\u{D6}\u{D8}-\u{F6}\u{F8}-\u{2FF}\u{370}-\u{37D}\u{37F}-\u{1FFF}\u{200C}-\u{200D}\u{2070}-\u{218F}\u{2C00}-\u{2FEF}\u{3001}-\u{D7FF}\u{F900}-\u{FDCF}\u{FDF0}-\u{FFFD}\u{10000}-\u{EFFFF}";
/// What `NameChar` adds to `NameStartChar`.
const NAME_MORE: &str = r"\-.0-9\u{B7}\u{300}-\u{36F}\u{203F}-\u{2040}";

/// The lexical space of the XSD built-in string types that `format` does not cover: the
/// `g*` calendar types, `language` and the XML name types (XSD 1.1 part 2, 3.3). `local` is the
/// built-in's local name; the value has had its whitespace collapsed. Others pass.
fn check_lexical(local: &str, value: &str) -> Result<(), String> {
    // Built only for the types that need them: most strings are `xsd:string`, which pass.
    let nc = || format!("[{NC_START}][{NC_START}{NAME_MORE}]*");
    let list = |item: &str| format!(r"^{item}(\s+{item})*$");
    let (re, name) = match local {
        "gYear" => (format!(r"^-?\d{{4,}}{TZ}$"), "gYear (YYYY)"),
        "gYearMonth" => (
            format!(r"^-?\d{{4,}}-(0[1-9]|1[0-2]){TZ}$"),
            "gYearMonth (YYYY-MM)",
        ),
        "gMonth" => (format!(r"^--(0[1-9]|1[0-2]){TZ}$"), "gMonth (--MM)"),
        "gMonthDay" => (
            format!(r"^--(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]){TZ}$"),
            "gMonthDay (--MM-DD)",
        ),
        "gDay" => (format!(r"^---(0[1-9]|[12]\d|3[01]){TZ}$"), "gDay (---DD)"),
        "language" => (
            r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$".to_string(),
            "language tag",
        ),
        "NMTOKEN" => (format!("^[{NC_START}{NAME_MORE}:]+$"), "NMTOKEN"),
        "NMTOKENS" => (list(&format!("[{NC_START}{NAME_MORE}:]+")), "NMTOKENS"),
        "Name" => (
            format!("^[{NC_START}:][{NC_START}{NAME_MORE}:]*$"),
            "XML name",
        ),
        "NCName" | "ID" | "IDREF" | "ENTITY" => (format!("^{}$", nc()), "NCName"),
        "IDREFS" | "ENTITIES" => (list(&nc()), "list of NCNames"),
        "QName" => {
            let nc = nc();
            (format!("^({nc}:)?{nc}$"), "QName (prefix:name)")
        }
        _ => return Ok(()),
    };
    if cached_regex(&re).is_none_or(|r| r.is_match(value)) {
        Ok(())
    } else {
        Err(format!("{value:?} is not a valid {name}"))
    }
}

/// Compiled regexes by source, so each pattern of a spec is compiled once. `None` caches a
/// pattern the `regex` crate cannot express (XSD character-class subtraction...): not checked.
fn cached_regex(source: &str) -> Option<Regex> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(found) = map.get(source) {
        return found.clone();
    }
    let compiled = regex::RegexBuilder::new(source)
        .size_limit(1 << 20)
        .build()
        .ok();
    if map.len() < 4096 {
        map.insert(source.to_string(), compiled.clone());
    }
    compiled
}

/// An XSD pattern as an anchored `regex` (best effort: `\i`, `\c` and friends translated).
pub fn xsd_regex(pattern: &str) -> Option<Regex> {
    let translated = pattern
        .replace(r"\i", "[_:A-Za-z]")
        .replace(r"\I", "[^_:A-Za-z]")
        .replace(r"\c", "[-._:A-Za-z0-9]")
        .replace(r"\C", "[^-._:A-Za-z0-9]");
    cached_regex(&format!("^(?:{translated})$"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::envelope::{Limits, parse};
    use crate::soap::fixtures::{self, q};
    use api_model::{ArrayRules, Composite, ObjectRules, SoapVersion, XmlInfo};

    fn body(inner: &str) -> Vec<XmlElement> {
        let xml = format!(
            r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>{inner}</s:Body></s:Envelope>"#
        );
        parse(xml.as_bytes(), &Limits::default(), SoapVersion::V11)
            .expect("valid")
            .body
    }

    fn check(api: &Api, op: usize, inner: &str) -> Vec<String> {
        let soap = api.operations[op].soap().expect("soap");
        validate_body(api, soap, &soap.bindings[0], &body(inner))
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn document_literal_wrapped() {
        let api = fixtures::calculator();
        let ok = r#"<Add xmlns="http://tempuri.org/"><intA xmlns="">1</intA><intB xmlns="">-2</intB></Add>"#;
        assert!(check(&api, 0, ok).is_empty());
        let p = check(
            &api,
            0,
            r#"<Add xmlns="http://tempuri.org/"><intA xmlns="">x</intA></Add>"#,
        );
        assert_eq!(
            p,
            vec![
                "Add/intA: \"x\" is not a valid int",
                "Add: missing the required element intB"
            ]
        );
        let p = check(
            &api,
            0,
            r#"<Add xmlns="http://tempuri.org/"><intB xmlns="">1</intB><intA xmlns="">2</intA></Add>"#,
        );
        assert_eq!(p[0], "Add: missing the required element intA, found intB");
        let p = check(
            &api,
            0,
            r#"<Add xmlns="http://tempuri.org/"><intA>1</intA><intB>2</intB><c/></Add>"#,
        );
        assert_eq!(p, vec!["Add: unexpected element {http://tempuri.org/}c"]);
        let p = check(
            &api,
            0,
            r#"<Add xmlns="http://tempuri.org/"><intA>99999999999</intA><intB>2</intB></Add>"#,
        );
        assert_eq!(p, vec!["Add/intA: 99999999999 is out of range for int"]);
        let p = check(&api, 0, r#"<Sum xmlns="http://tempuri.org/"/>"#);
        assert!(
            p[0].contains(
                "expected the element {http://tempuri.org/}Add, found {http://tempuri.org/}Sum"
            ),
            "{p:?}"
        );
    }

    /// A WSDL with an abstract type and its extension, an `xsd:union` and `xsd:list`s.
    const DERIVED_WSDL: &str = r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
  xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:tns="urn:odd" targetNamespace="urn:odd" name="Odd">
  <types><xs:schema targetNamespace="urn:odd" elementFormDefault="qualified">
    <xs:simpleType name="IntOrDate"><xs:union memberTypes="xs:int xs:date"/></xs:simpleType>
    <xs:simpleType name="Codes"><xs:list itemType="xs:int"/></xs:simpleType>
    <xs:complexType name="Shape" abstract="true"><xs:sequence>
      <xs:element name="name" type="xs:string"/></xs:sequence></xs:complexType>
    <xs:complexType name="Circle"><xs:complexContent><xs:extension base="tns:Shape"><xs:sequence>
      <xs:element name="radius" type="xs:decimal"/></xs:sequence></xs:extension></xs:complexContent>
    </xs:complexType>
    <xs:element name="Measure"><xs:complexType><xs:sequence>
      <xs:element name="shape" type="tns:Shape"/>
      <xs:element name="mixed" type="tns:IntOrDate" minOccurs="0"/>
      <xs:element name="codes" type="tns:Codes" minOccurs="0"/>
      <xs:element name="days" minOccurs="0"><xs:simpleType><xs:list><xs:simpleType>
        <xs:restriction base="xs:string"><xs:enumeration value="mon"/><xs:enumeration value="tue"/>
        </xs:restriction></xs:simpleType></xs:list></xs:simpleType></xs:element>
    </xs:sequence></xs:complexType></xs:element>
    <xs:element name="MeasureResponse"><xs:complexType><xs:sequence>
      <xs:element name="area" type="xs:double"/></xs:sequence></xs:complexType></xs:element>
  </xs:schema></types>
  <message name="In"><part name="parameters" element="tns:Measure"/></message>
  <message name="Out"><part name="parameters" element="tns:MeasureResponse"/></message>
  <portType name="P"><operation name="Measure"><input message="tns:In"/><output message="tns:Out"/></operation></portType>
  <binding name="B" type="tns:P"><soap:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>
    <operation name="Measure"><soap:operation soapAction="urn:odd#Measure"/>
      <input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation></binding>
  <service name="Odd"><port name="P" binding="tns:B"><soap:address location="http://localhost/odd"/></port></service>
</definitions>"#;

    #[test]
    fn xsi_type_selects_the_derived_type_unions_take_any_member_lists_split() {
        let mut files = api_model::files::MemoryFiles::new();
        files.insert("/odd.wsdl", DERIVED_WSDL);
        let loaded =
            api_model::wsdl::load(std::path::Path::new("/odd.wsdl"), &files).expect("wsdl loads");
        let api = &loaded.api;
        let measure = |shape: &str, mixed: &str| {
            format!(
                r#"<o:Measure xmlns:o="urn:odd" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{shape}{mixed}</o:Measure>"#
            )
        };
        let circle =
            r#"<o:shape xsi:type="o:Circle"><o:name>c</o:name><o:radius>2.5</o:radius></o:shape>"#;
        assert_eq!(check(api, 0, &measure(circle, "")), Vec::<String>::new());
        // The same type through another prefix bound deeper down.
        let other = r#"<o:shape xmlns:z="urn:odd" xsi:type="z:Circle"><o:name>c</o:name><o:radius>1</o:radius></o:shape>"#;
        assert_eq!(check(api, 0, &measure(other, "")), Vec::<String>::new());
        // The derived type's own fields are checked.
        let wide =
            r#"<o:shape xsi:type="o:Circle"><o:name>c</o:name><o:radius>wide</o:radius></o:shape>"#;
        assert_eq!(
            check(api, 0, &measure(wide, "")),
            ["Measure/shape/radius: \"wide\" is not a valid decimal"]
        );
        // Without xsi:type the element would have the abstract type itself.
        let plain = r#"<o:shape><o:name>c</o:name><o:radius>2</o:radius></o:shape>"#;
        assert_eq!(
            check(api, 0, &measure(plain, "")),
            [
                "Measure/shape: has the abstract type {urn:odd}Shape: name a type derived from it \
              with xsi:type (such as {urn:odd}Circle)"
            ]
        );
        let unknown = r#"<o:shape xsi:type="o:Square"><o:name>c</o:name></o:shape>"#;
        assert_eq!(
            check(api, 0, &measure(unknown, "")),
            ["Measure/shape: xsi:type {urn:odd}Square is not a type this service's schemas define"]
        );
        // A union takes a value of any member type, and only those.
        for (value, ok) in [("12", true), ("2024-01-02", true), ("abc", false)] {
            let mixed = format!("<o:mixed>{value}</o:mixed>");
            assert_eq!(
                check(api, 0, &measure(circle, &mixed)).is_empty(),
                ok,
                "{value}"
            );
        }
        // A list holds whitespace-separated values of its item type (named or anonymous).
        for (value, ok) in [("1 2  3", true), ("7", true), ("", true), ("1 x", false)] {
            let codes = format!("<o:codes>{value}</o:codes>");
            assert_eq!(
                check(api, 0, &measure(circle, &codes)).is_empty(),
                ok,
                "{value}"
            );
        }
        for (value, ok) in [("mon tue", true), ("mon wed", false)] {
            let days = format!("<o:days>{value}</o:days>");
            assert_eq!(
                check(api, 0, &measure(circle, &days)).is_empty(),
                ok,
                "{value}"
            );
        }
    }

    #[test]
    fn document_literal_bare() {
        let api = fixtures::bare();
        assert!(
            check(
                &api,
                0,
                r#"<Account xmlns="urn:bare">12</Account><Currency xmlns="urn:bare">EUR</Currency>"#
            )
            .is_empty()
        );
        let p = check(&api, 0, r#"<Account xmlns="urn:bare">123456789</Account>"#);
        assert_eq!(
            p,
            vec![
                "Account: \"123456789\" is longer than 8 characters".to_string(),
                "Body: missing the element {urn:bare}Currency".to_string(),
            ]
        );
    }

    #[test]
    fn rpc_literal_and_encoded() {
        let api = fixtures::quotes(SoapUse::Literal);
        let ok =
            r#"<q:GetQuote xmlns:q="urn:quotes"><symbol>IBM</symbol><count>3</count></q:GetQuote>"#;
        assert!(check(&api, 0, ok).is_empty());
        let p = check(
            &api,
            0,
            r#"<q:GetQuote xmlns:q="urn:quotes"><symbol>IBM</symbol></q:GetQuote>"#,
        );
        assert_eq!(p, vec!["GetQuote: missing the part count"]);
        let p = check(&api, 0, r#"<q:GetQuote xmlns:q="urn:other"/>"#);
        assert!(p[0].contains("rpc wrapper {urn:quotes}GetQuote"), "{p:?}");
        // A part that names an element (not a type, as rpc asks) may be written as that
        // element (zeep does) or as the part's accessor.
        let mut api = fixtures::quotes(SoapUse::Literal);
        if let api_model::Binding::Soap(soap) = &mut api.operations[0].binding {
            if let Some(input) = soap.input.as_mut() {
                input.parts[0].content = api_model::PartContent::Element(api_model::QName {
                    namespace: Some("urn:quotes".into()),
                    local: "Ticker".into(),
                });
            }
        }
        for symbol in ["<symbol>IBM</symbol>", r#"<q:Ticker>IBM</q:Ticker>"#] {
            let call = format!(
                r#"<q:GetQuote xmlns:q="urn:quotes">{symbol}<count>3</count></q:GetQuote>"#
            );
            assert!(
                check(&api, 0, &call).is_empty(),
                "{symbol}: {:?}",
                check(&api, 0, &call)
            );
        }
        let other = r#"<q:GetQuote xmlns:q="urn:quotes"><o:Ticker xmlns:o="urn:other">IBM</o:Ticker><count>3</count></q:GetQuote>"#;
        let p = check(&api, 0, other);
        assert_eq!(
            p[0], "GetQuote: expected the part symbol, found Ticker",
            "{p:?}"
        );
        let api = fixtures::quotes(SoapUse::Encoded);
        let enc = r#"<q:GetQuote xmlns:q="urn:quotes" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><symbol xsi:type="xsd:string">IBM</symbol><count>x</count></q:GetQuote>"#;
        assert_eq!(
            check(&api, 0, enc),
            vec!["GetQuote/count: \"x\" is not a valid int"]
        );
        assert!(
            check(
                &api,
                0,
                r#"<q:GetQuote xmlns:q="urn:quotes"><symbol>IBM</symbol></q:GetQuote>"#
            )
            .is_empty()
        );
    }

    fn el(name: &str, kind: SchemaKind) -> SchemaRef {
        SchemaRef::Inline(Box::new(Schema {
            kind,
            xml: Some(XmlInfo {
                name: Some(name.into()),
                ..XmlInfo::default()
            }),
            ..Schema::default()
        }))
    }

    fn complex_api() -> Api {
        let mut api = fixtures::calculator();
        let color = Schema {
            kind: SchemaKind::String(StringRules::default()),
            enum_values: vec![Value::from("red"), Value::from("blue")],
            xml: Some(XmlInfo {
                name: Some("color".into()),
                ..XmlInfo::default()
            }),
            ..Schema::default()
        };
        let item = el(
            "item",
            SchemaKind::String(StringRules {
                pattern: Some(r"[A-Z]{2}\d+".into()),
                ..StringRules::default()
            }),
        );
        let items = SchemaRef::Inline(Box::new(Schema {
            kind: SchemaKind::Array(ArrayRules {
                items: Some(Box::new(item)),
                min_items: Some(1),
                max_items: Some(2),
                unique_items: false,
            }),
            ..Schema::default()
        }));
        let choice = SchemaRef::Inline(Box::new(Schema {
            kind: SchemaKind::OneOf(Composite {
                members: vec![
                    el("iban", SchemaKind::String(StringRules::default())),
                    el("account", SchemaKind::String(StringRules::default())),
                ],
                discriminator: None,
            }),
            ..Schema::default()
        }));
        let id_attr = SchemaRef::Inline(Box::new(Schema {
            kind: SchemaKind::Integer(NumberRules::default()),
            xml: Some(XmlInfo {
                name: Some("id".into()),
                attribute: true,
                ..XmlInfo::default()
            }),
            ..Schema::default()
        }));
        let when = el(
            "when",
            SchemaKind::String(StringRules {
                format: Some(StringFormat::Date),
                ..StringRules::default()
            }),
        );
        let flag = SchemaRef::Inline(Box::new(Schema {
            kind: SchemaKind::Boolean,
            nullable: true,
            xml: Some(XmlInfo {
                name: Some("flag".into()),
                ..XmlInfo::default()
            }),
            ..Schema::default()
        }));
        let order = Schema {
            kind: SchemaKind::Object(ObjectRules {
                properties: [
                    ("id".to_string(), id_attr),
                    ("color".to_string(), SchemaRef::Inline(Box::new(color))),
                    ("item".to_string(), items),
                    ("pay".to_string(), choice),
                    ("when".to_string(), when),
                    ("flag".to_string(), flag),
                ]
                .into_iter()
                .collect(),
                required: vec!["id".into(), "color".into(), "pay".into()],
                additional: Additional::Forbidden,
                ..ObjectRules::default()
            }),
            xml: Some(XmlInfo {
                name: Some("Add".into()),
                namespace: Some(fixtures::TEMPURI.into()),
                ..XmlInfo::default()
            }),
            ..Schema::default()
        };
        api.schemas
            .insert(q(fixtures::TEMPURI, "Add").to_string(), order);
        api
    }

    #[test]
    fn facets_occurrences_choice_and_attributes() {
        let api = complex_api();
        let wrap = |attrs: &str, inner: &str| {
            format!(
                r#"<t:Add xmlns:t="http://tempuri.org/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" {attrs}>{inner}</t:Add>"#
            )
        };
        let ok = wrap(
            r#"id="7""#,
            "<color>red</color><item>AB1</item><item>CD22</item><account>1</account><when>2024-02-29</when><flag xsi:nil=\"true\"/>",
        );
        assert_eq!(check(&api, 0, &ok), Vec::<String>::new());
        let bad = wrap(
            "",
            "<color>green</color><item>ab</item><when>2024-13-01</when>",
        );
        assert_eq!(
            check(&api, 0, &bad),
            vec![
                "Add: missing the required attribute id",
                "Add/color: \"green\" is not one of the allowed values: red, blue",
                r#"Add/item[1]: "ab" does not match the pattern [A-Z]{2}\d+"#,
                "Add: missing one of iban, account",
                "Add/when: \"2024-13-01\" is not a valid date (YYYY-MM-DD)",
            ]
        );
        let too_many = wrap(
            r#"id="x""#,
            "<color>red</color><item>AB1</item><item>AB2</item><item>AB3</item><iban>1</iban>",
        );
        assert_eq!(
            check(&api, 0, &too_many),
            vec![
                "Add/@id: \"x\" is not a valid integer",
                "Add: missing one of iban, account",
                "Add: element item is out of order or repeated too often",
            ]
        );
    }

    #[test]
    fn simple_types() {
        let s = |kind: SchemaKind| Schema {
            kind,
            ..Schema::default()
        };
        let num = |format: &str| {
            s(SchemaKind::Number(NumberRules {
                format: Some(format.into()),
                ..NumberRules::default()
            }))
        };
        assert!(check_simple(&num("double"), "1.5E3").is_ok());
        assert!(check_simple(&num("double"), "INF").is_ok());
        assert!(check_simple(&num("decimal"), "1.5E3").is_err());
        assert!(check_simple(&num("decimal"), " 12.50 ").is_ok());
        let mut dec = NumberRules {
            total_digits: Some(4),
            fraction_digits: Some(2),
            ..NumberRules::default()
        };
        assert!(check_simple(&s(SchemaKind::Number(dec.clone())), "12.345").is_err());
        assert!(check_simple(&s(SchemaKind::Number(dec.clone())), "123.45").is_err());
        dec.minimum = Some(0i64.into());
        assert_eq!(
            check_simple(&s(SchemaKind::Number(dec)), "-1"),
            Err("-1 is less than the minimum 0".into())
        );
        let int = |f: &str| {
            s(SchemaKind::Integer(NumberRules {
                format: Some(f.into()),
                ..NumberRules::default()
            }))
        };
        assert!(check_simple(&int("unsignedByte"), "256").is_err());
        assert!(check_simple(&int("unsignedLong"), "18446744073709551615").is_ok());
        // A facet beyond 2^53 is compared exactly (as floats, both numbers are 2^64).
        let capped = s(SchemaKind::Integer(NumberRules {
            format: Some("unsignedLong".into()),
            maximum: Bound::parse("18446744073709551614"),
            exclusive_minimum: Bound::parse("9007199254740992"),
            ..NumberRules::default()
        }));
        assert_eq!(
            check_simple(&capped, "18446744073709551615"),
            Err("18446744073709551615 is more than the maximum 18446744073709551614".into())
        );
        assert!(check_simple(&capped, "18446744073709551614").is_ok());
        assert!(check_simple(&capped, "9007199254740993").is_ok());
        assert!(check_simple(&capped, "9007199254740992").is_err());
        assert!(check_simple(&int("positiveInteger"), "0").is_err());
        assert!(check_simple(&s(SchemaKind::Boolean), "yes").is_err());
        assert!(check_simple(&s(SchemaKind::Boolean), " true ").is_ok());
        let st = |format: StringFormat| {
            s(SchemaKind::String(StringRules {
                format: Some(format),
                ..StringRules::default()
            }))
        };
        assert!(check_simple(&st(StringFormat::DateTime), "2024-01-02T03:04:05.123Z").is_ok());
        assert!(check_simple(&st(StringFormat::DateTime), "2024-01-02 03:04:05").is_err());
        assert!(check_simple(&st(StringFormat::Byte), "aGVsbG8=").is_ok());
        assert!(check_simple(&st(StringFormat::Byte), "aGVsbG8").is_err());
        assert!(check_simple(&st(StringFormat::HexBinary), "0aFF").is_ok());
        assert!(check_simple(&st(StringFormat::HexBinary), "0aF").is_err());
        assert!(check_simple(&st(StringFormat::Duration), "P1Y2MT3H").is_ok());
        assert!(check_simple(&st(StringFormat::Duration), "P").is_err());
        let builtin = |local: &str| {
            s(SchemaKind::String(StringRules {
                xsd_type: Some(format!("xsd:{local}")),
                ..StringRules::default()
            }))
        };
        for (local, good, bad) in [
            ("gYear", "2024", "24"),
            ("gYear", "-0044Z", "2024-01"),
            ("gYearMonth", "2024-05+02:00", "2024-13"),
            ("gMonth", "--05", "05"),
            ("gMonthDay", "--05-17", "--05-32"),
            ("gDay", "---17", "--17"),
            ("language", "en-US", "en_US"),
            ("NMTOKEN", "1.2-a:b", "a b"),
            ("NMTOKENS", "a 1\n  b:c", "a,b"),
            ("Name", "a:b", "1a"),
            ("NCName", "récit_1", "a:b"),
            ("ID", "id-1", "1id"),
            ("IDREFS", "a b", "a 1"),
            ("QName", "tns:item", "tns:1"),
        ] {
            assert!(
                check_simple(&builtin(local), good).is_ok(),
                "{local} {good}"
            );
            assert!(check_simple(&builtin(local), bad).is_err(), "{local} {bad}");
        }
        assert!(check_simple(&builtin("token"), "any text at all").is_ok());
        // A pattern the regex crate cannot express is not held against the client.
        let sub = s(SchemaKind::String(StringRules {
            pattern: Some("[a-z-[aeiou]]+".into()),
            ..StringRules::default()
        }));
        assert!(check_simple(&sub, "xyz").is_ok());
        let name = s(SchemaKind::String(StringRules {
            pattern: Some(r"\i\c*".into()),
            ..StringRules::default()
        }));
        assert!(check_simple(&name, "a1").is_ok());
        assert!(check_simple(&name, "1a").is_err());
    }
}
