//! The model written back out: an API as one OpenAPI 3.1 JSON document (what the sandbox serves
//! at `/_sandbox/apis/<id>/openapi.json`), and a model schema as a standalone JSON Schema
//! 2020-12 document with `$defs` (what request and response validation compiles).
//!
//! Both are pure functions of the model. Every named schema reachable from an operation is in
//! the model already (external `$ref`s were bundled by the loader), so the document is
//! self-contained.

use std::collections::BTreeSet;

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use crate::model::{
    Additional, Api, ApiKeyLocation, AssertionValue, Binding, Bound, Composite, Header,
    HttpAuthScheme, MediaType, NumberRules, OAuthFlow, Operation, ParamStyle, Parameter,
    RequestBody, Response, Schema, SchemaKind, SchemaRef, SecurityRequirement, SecuritySchemeKind,
    StringRules, XmlInfo,
};

/// Which side of a call a schema describes: `readOnly` properties are not required in requests
/// (and accepted when sent), `writeOnly` ones are absent from responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// What the client sends.
    Request,
    /// What the server answers.
    Response,
    /// Neither (documentation): keep `required` as written.
    Both,
}

/// The output key of every named schema of an API (valid per OpenAPI's component-name rule,
/// made unique in the order the schemas are listed). Worth keeping when many documents are
/// written for one API: an API may have thousands of schemas, and each standalone document
/// would otherwise work the keys out again.
#[derive(Debug, Clone, Default)]
pub struct SchemaKeys {
    /// Model schema name -> key.
    keys: IndexMap<String, String>,
}

impl SchemaKeys {
    /// The keys of `api`'s named schemas.
    pub fn new(api: &Api) -> SchemaKeys {
        let mut keys = IndexMap::with_capacity(api.schemas.len());
        let mut used = std::collections::HashSet::with_capacity(api.schemas.len());
        for name in api.schemas.keys() {
            let base = component_key(name);
            let mut key = base.clone();
            let mut n = 2;
            while used.contains(&key) {
                key = format!("{base}_{n}");
                n += 1;
            }
            used.insert(key.clone());
            keys.insert(name.clone(), key);
        }
        SchemaKeys { keys }
    }

    fn get(&self, name: &str) -> Option<&String> {
        self.keys.get(name)
    }
}

/// How `$ref`s are written and which named schemas they may point to.
struct Refs<'a> {
    api: &'a Api,
    /// `#/components/schemas/` or `#/$defs/`.
    prefix: &'static str,
    keys: std::borrow::Cow<'a, SchemaKeys>,
    direction: Direction,
    /// Written for clients (the OpenAPI document) rather than for validation: each schema's
    /// XML object (`xml`) is written, since clients read there how to write XML bodies, and a
    /// nullable schema with a `format` is written as `anyOf: [schema, null]` rather than with
    /// a type list, since clients that generate data from the description (schemathesis 4)
    /// drop the `format` of a type list and send `""` as a date-time. Both mean the same.
    document: bool,
}

impl<'a> Refs<'a> {
    fn new(api: &'a Api, prefix: &'static str, direction: Direction) -> Refs<'a> {
        Refs {
            api,
            prefix,
            keys: std::borrow::Cow::Owned(SchemaKeys::new(api)),
            direction,
            document: false,
        }
    }

    fn with_keys(
        api: &'a Api,
        keys: &'a SchemaKeys,
        prefix: &'static str,
        direction: Direction,
    ) -> Refs<'a> {
        Refs {
            api,
            prefix,
            keys: std::borrow::Cow::Borrowed(keys),
            direction,
            document: false,
        }
    }

    fn reference(&self, name: &str) -> Value {
        match self.keys.get(name) {
            Some(key) => json!({ "$ref": format!("{}{}", self.prefix, pointer_escape(key)) }),
            // A dangling name: accept anything rather than emit a broken `$ref`.
            None => json!({}),
        }
    }
}

/// A component key matching `^[a-zA-Z0-9._-]+$`.
fn component_key(name: &str) -> String {
    let key: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if key.is_empty() { "_".to_string() } else { key }
}

fn pointer_escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The JSON Schema 2020-12 document for one schema of an API, with every named schema it
/// reaches under `$defs`. `readOnly`/`writeOnly` are kept as annotations and `required` is kept
/// as written ([`Direction::Both`]); see [`json_schema_for`].
pub fn json_schema(api: &Api, schema: &SchemaRef) -> Value {
    json_schema_for(api, schema, Direction::Both)
}

/// Like [`json_schema`], for one side of a call: in requests `readOnly` properties are not
/// required, in responses `writeOnly` ones are absent (`false`).
pub fn json_schema_for(api: &Api, schema: &SchemaRef, direction: Direction) -> Value {
    json_schema_keyed(api, &SchemaKeys::new(api), schema, direction)
}

/// Like [`json_schema_for`], with the API's [`SchemaKeys`] worked out beforehand (the sandbox
/// writes one document per parameter and body; the keys are the same for all of them).
pub fn json_schema_keyed(
    api: &Api,
    keys: &SchemaKeys,
    schema: &SchemaRef,
    direction: Direction,
) -> Value {
    let refs = Refs::with_keys(api, keys, "#/$defs/", direction);
    let mut root = match schema_ref(&refs, schema) {
        Value::Object(map) => map,
        other => {
            let mut map = Map::new();
            map.insert("allOf".into(), json!([other]));
            map
        }
    };
    let mut reached = BTreeSet::new();
    collect_ref(api, schema, &mut reached);
    if !reached.is_empty() {
        let mut defs = Map::new();
        for name in api.schemas.keys().filter(|n| reached.contains(n.as_str())) {
            if let (Some(key), Some(s)) = (refs.keys.get(name), api.schemas.get(name)) {
                defs.insert(key.clone(), schema_value(&refs, s));
            }
        }
        root.insert("$defs".into(), Value::Object(defs));
    }
    root.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    Value::Object(root)
}

/// Names of the named schemas a schema reaches (itself included when named).
fn collect_ref(api: &Api, schema: &SchemaRef, out: &mut BTreeSet<String>) {
    match schema {
        SchemaRef::Named(name) => collect_name(api, name, out),
        SchemaRef::Inline(s) => collect_schema(api, s, out),
    }
}

fn collect_name(api: &Api, name: &str, out: &mut BTreeSet<String>) {
    if out.contains(name) {
        return;
    }
    if let Some(s) = api.schemas.get(name) {
        out.insert(name.to_string());
        collect_schema(api, s, out);
    }
}

fn collect_schema(api: &Api, schema: &Schema, out: &mut BTreeSet<String>) {
    collect_kind(api, &schema.kind, out);
    for a in &schema.assertions {
        match &a.value {
            AssertionValue::Schema(r) => collect_ref(api, r, out),
            AssertionValue::Schemas(list) => list.iter().for_each(|r| collect_ref(api, r, out)),
            AssertionValue::SchemaMap(m) => m.values().for_each(|r| collect_ref(api, r, out)),
            AssertionValue::Value(_) => {}
        }
    }
}

fn collect_kind(api: &Api, kind: &SchemaKind, out: &mut BTreeSet<String>) {
    match kind {
        SchemaKind::Array(rules) => {
            if let Some(items) = &rules.items {
                collect_ref(api, items, out);
            }
        }
        SchemaKind::Object(rules) => {
            for prop in rules.properties.values() {
                collect_ref(api, prop, out);
            }
            if let Additional::Schema(s) = &rules.additional {
                collect_ref(api, s, out);
            }
        }
        SchemaKind::OneOf(c) | SchemaKind::AnyOf(c) | SchemaKind::AllOf(c) => {
            for m in &c.members {
                collect_ref(api, m, out);
            }
            if let Some(d) = &c.discriminator {
                for target in d.mapping.values() {
                    collect_name(api, target, out);
                }
            }
        }
        SchemaKind::Union(kinds) => {
            for k in kinds {
                collect_kind(api, k, out);
            }
        }
        SchemaKind::Ref(name) => collect_name(api, name, out),
        SchemaKind::Any
        | SchemaKind::Null
        | SchemaKind::Boolean
        | SchemaKind::Integer(_)
        | SchemaKind::Number(_)
        | SchemaKind::String(_) => {}
    }
}

fn schema_ref(refs: &Refs<'_>, schema: &SchemaRef) -> Value {
    match schema {
        SchemaRef::Named(name) => refs.reference(name),
        SchemaRef::Inline(s) => schema_value(refs, s),
    }
}

fn number(n: &Bound) -> Value {
    Value::Number(n.number().clone())
}

/// The range a sized integer format implies (`int32`, `int64`), which clients enforce.
fn format_range(format: Option<&str>) -> Option<(Value, Value)> {
    match format? {
        "int32" => Some((json!(i32::MIN), json!(i32::MAX))),
        "uint32" => Some((json!(0), json!(u32::MAX))),
        "int64" => Some((json!(i64::MIN), json!(i64::MAX))),
        _ => None,
    }
}

fn number_rules(map: &mut Map<String, Value>, rules: &NumberRules, integer: bool) {
    if let Some(f) = &rules.format {
        map.insert("format".into(), json!(f));
    }
    let implied = if integer {
        format_range(rules.format.as_deref())
    } else {
        None
    };
    match (&rules.minimum, &implied) {
        (Some(v), _) => {
            map.insert("minimum".into(), number(v));
        }
        (None, Some((lo, _))) if rules.exclusive_minimum.is_none() => {
            map.insert("minimum".into(), lo.clone());
        }
        _ => {}
    }
    match (&rules.maximum, &implied) {
        (Some(v), _) => {
            map.insert("maximum".into(), number(v));
        }
        (None, Some((_, hi))) if rules.exclusive_maximum.is_none() => {
            map.insert("maximum".into(), hi.clone());
        }
        _ => {}
    }
    if let Some(v) = &rules.exclusive_minimum {
        map.insert("exclusiveMinimum".into(), number(v));
    }
    if let Some(v) = &rules.exclusive_maximum {
        map.insert("exclusiveMaximum".into(), number(v));
    }
    if let Some(v) = &rules.multiple_of {
        if v.value() > 0.0 {
            map.insert("multipleOf".into(), number(v));
        }
    }
}

fn string_rules(map: &mut Map<String, Value>, rules: &StringRules) {
    if let Some(f) = &rules.format {
        map.insert("format".into(), json!(f.as_str()));
    }
    if let Some(v) = rules.min_length {
        map.insert("minLength".into(), json!(v));
    }
    if let Some(v) = rules.max_length {
        map.insert("maxLength".into(), json!(v));
    }
    if let Some(p) = &rules.pattern {
        map.insert("pattern".into(), json!(ecma_pattern(p)));
    }
}

/// `pattern` with each `-` that stands next to a class escape inside a character class
/// (`[\w- ]`) written as `\-`: ECMAScript's unicode mode, which JSON Schema patterns follow,
/// refuses it, where the engines most specs are written for (Java, .NET, PCRE, Python) read
/// a literal `-`: the same expression in every dialect. Pure.
pub fn ecma_pattern(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let class_escape = |i: usize| {
        chars.get(i) == Some(&'\\') && chars.get(i + 1).is_some_and(|c| "wdsWDS".contains(*c))
    };
    let mut out = String::with_capacity(pattern.len() + 2);
    let mut in_class = false;
    let mut after_class_escape = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            after_class_escape = in_class && class_escape(i);
            out.push(c);
            out.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if in_class && c == '-' && (after_class_escape || class_escape(i + 1)) {
            out.push_str("\\-");
        } else {
            if c == '[' {
                in_class = true;
            } else if c == ']' {
                in_class = false;
            }
            out.push(c);
        }
        after_class_escape = false;
        i += 1;
    }
    out
}

fn kind_value(refs: &Refs<'_>, kind: &SchemaKind) -> Map<String, Value> {
    let mut map = Map::new();
    match kind {
        SchemaKind::Any => {}
        SchemaKind::Null => {
            map.insert("type".into(), json!("null"));
        }
        SchemaKind::Boolean => {
            map.insert("type".into(), json!("boolean"));
        }
        SchemaKind::Integer(rules) => {
            map.insert("type".into(), json!("integer"));
            number_rules(&mut map, rules, true);
        }
        SchemaKind::Number(rules) => {
            map.insert("type".into(), json!("number"));
            number_rules(&mut map, rules, false);
        }
        SchemaKind::String(rules) => {
            map.insert("type".into(), json!("string"));
            string_rules(&mut map, rules);
        }
        SchemaKind::Array(rules) => {
            map.insert("type".into(), json!("array"));
            if let Some(items) = &rules.items {
                map.insert("items".into(), schema_ref(refs, items));
            }
            if let Some(v) = rules.min_items {
                map.insert("minItems".into(), json!(v));
            }
            if let Some(v) = rules.max_items {
                map.insert("maxItems".into(), json!(v));
            }
            if rules.unique_items {
                map.insert("uniqueItems".into(), json!(true));
            }
        }
        SchemaKind::Object(rules) => {
            map.insert("type".into(), json!("object"));
            if !rules.properties.is_empty() {
                // In a response a `writeOnly` property is absent ("SHOULD NOT be sent", as
                // clients check it): the sandbox never answers with one, not even from an
                // example that shows one (that example does not hold; data is generated).
                let props: Map<String, Value> = rules
                    .properties
                    .iter()
                    .map(|(k, v)| {
                        let absent = refs.direction == Direction::Response && skipped(refs, v);
                        let value = if absent {
                            Value::Bool(false)
                        } else {
                            schema_ref(refs, v)
                        };
                        (k.clone(), value)
                    })
                    .collect();
                map.insert("properties".into(), Value::Object(props));
            }
            let required: Vec<&String> = rules
                .required
                .iter()
                .filter(|name| match rules.properties.get(name.as_str()) {
                    Some(prop) => !skipped(refs, prop),
                    None => true,
                })
                .collect();
            if !required.is_empty() {
                map.insert("required".into(), json!(required));
            }
            match &rules.additional {
                Additional::Any => {}
                Additional::Forbidden => {
                    map.insert("additionalProperties".into(), json!(false));
                }
                Additional::Schema(s) => {
                    map.insert("additionalProperties".into(), schema_ref(refs, s));
                }
            }
            if let Some(v) = rules.min_properties {
                map.insert("minProperties".into(), json!(v));
            }
            if let Some(v) = rules.max_properties {
                map.insert("maxProperties".into(), json!(v));
            }
        }
        SchemaKind::OneOf(c) => composite(refs, &mut map, "oneOf", c),
        SchemaKind::AnyOf(c) => composite(refs, &mut map, "anyOf", c),
        SchemaKind::AllOf(c) => composite(refs, &mut map, "allOf", c),
        SchemaKind::Union(kinds) => {
            let parts: Vec<Map<String, Value>> =
                kinds.iter().map(|k| kind_value(refs, k)).collect();
            let simple = parts
                .iter()
                .all(|p| p.len() == 1 && p.get("type").is_some_and(Value::is_string));
            if simple {
                let types: Vec<Value> = parts
                    .into_iter()
                    .filter_map(|mut p| p.remove("type"))
                    .collect();
                map.insert("type".into(), Value::Array(types));
            } else {
                map.insert(
                    "anyOf".into(),
                    Value::Array(parts.into_iter().map(Value::Object).collect()),
                );
            }
        }
        SchemaKind::Ref(name) => {
            if let Value::Object(r) = refs.reference(name) {
                map = r;
            }
        }
    }
    map
}

/// Whether a required property is left out of `required` for this direction.
fn skipped(refs: &Refs<'_>, prop: &SchemaRef) -> bool {
    let Some(schema) = prop.resolve(refs.api) else {
        return false;
    };
    let own = match prop {
        SchemaRef::Inline(s) => Some(s.as_ref()),
        SchemaRef::Named(_) => None,
    };
    let read_only = schema.read_only || own.is_some_and(|s| s.read_only);
    let write_only = schema.write_only || own.is_some_and(|s| s.write_only);
    match refs.direction {
        Direction::Request => read_only,
        Direction::Response => write_only,
        Direction::Both => false,
    }
}

fn composite(refs: &Refs<'_>, map: &mut Map<String, Value>, key: &str, c: &Composite) {
    let members: Vec<Value> = c.members.iter().map(|m| schema_ref(refs, m)).collect();
    let Some(d) = c.discriminator.as_ref().filter(|_| key != "allOf") else {
        map.insert(key.into(), Value::Array(members));
        return;
    };
    if refs.document {
        // Clients read the discriminator to tell the members apart (and to generate data).
        let mapping: Map<String, Value> = d
            .mapping
            .iter()
            .filter_map(|(tag, target)| {
                refs.reference(target)
                    .get("$ref")
                    .map(|r| (tag.clone(), r.clone()))
            })
            .collect();
        let mut discriminator = Map::new();
        discriminator.insert("propertyName".into(), json!(d.property_name));
        if !mapping.is_empty() {
            discriminator.insert("mapping".into(), Value::Object(mapping));
        }
        map.insert(key.into(), Value::Array(members));
        map.insert("discriminator".into(), Value::Object(discriminator));
        return;
    }
    // For validation the discriminator picks the member, as a server does: with its tag sent,
    // a body is taken by the members that tag names. Members that overlap (two objects of
    // optional properties, or two names for one schema) would otherwise make a `oneOf` refuse
    // every body as "valid under more than one" schema. A body without the tag is checked as
    // the spec writes it (Adyen's examples leave the tag out; the one member that does not
    // require it takes them).
    let guarded: Vec<Value> = c
        .members
        .iter()
        .zip(members.iter().cloned())
        .map(|(member, value)| match discriminator_tags(d, member) {
            Some(tags) => json!({
                "allOf": [
                    { "properties": { d.property_name.clone(): { "enum": tags } } },
                    value,
                ]
            }),
            None => value,
        })
        .collect();
    let pick = json!({
        "if": { "required": [d.property_name.clone()] },
        "then": { "anyOf": guarded },
        "else": { key: members },
    });
    match map.get_mut("allOf") {
        Some(Value::Array(all)) => all.push(pick),
        _ => {
            map.insert("allOf".into(), json!([pick]));
        }
    }
}

/// The tag values that name `member` under discriminator `d`: the mapping's keys that point at
/// it, else its schema name (OpenAPI's implicit mapping). `None` for an inline member, which no
/// tag names.
fn discriminator_tags(d: &crate::model::Discriminator, member: &SchemaRef) -> Option<Vec<String>> {
    let name = member.name()?;
    let mapped: Vec<String> = d
        .mapping
        .iter()
        .filter(|(_, target)| target.as_str() == name)
        .map(|(tag, _)| tag.clone())
        .collect();
    Some(if mapped.is_empty() {
        vec![name.to_string()]
    } else {
        mapped
    })
}

/// One model schema as a JSON Schema 2020-12 object (refs relative to `refs.prefix`).
fn schema_value(refs: &Refs<'_>, schema: &Schema) -> Value {
    let mut map = kind_value(refs, &schema.kind);
    // A `null` among the allowed values only makes sense if null is allowed (OpenAPI 3.0
    // writers often forget `nullable`; 3.1 would write `type: [T, "null"]`).
    if schema.nullable || schema.enum_values.contains(&Value::Null) {
        let any_of = refs.document && map.contains_key("format");
        make_nullable(&mut map, &schema.kind, any_of);
    }
    if let Some(t) = &schema.title {
        map.insert("title".into(), json!(t));
    }
    if let Some(d) = &schema.description {
        map.insert("description".into(), json!(d));
    }
    if !schema.enum_values.is_empty() {
        let mut values = schema.enum_values.clone();
        if schema.nullable && !values.contains(&Value::Null) {
            values.push(Value::Null);
        }
        map.insert("enum".into(), Value::Array(values));
    }
    if let Some(c) = &schema.const_value {
        map.insert("const".into(), c.clone());
    }
    if let Some(d) = &schema.default {
        map.insert("default".into(), d.clone());
    }
    if !schema.examples.is_empty() {
        map.insert("examples".into(), Value::Array(schema.examples.clone()));
    }
    if schema.deprecated {
        map.insert("deprecated".into(), json!(true));
    }
    if schema.read_only {
        map.insert("readOnly".into(), json!(true));
    }
    if schema.write_only {
        map.insert("writeOnly".into(), json!(true));
    }
    if let Some(xml) = schema.xml.as_ref().filter(|_| refs.document) {
        let info = xml_object(xml);
        if !info.is_empty() {
            map.insert("xml".into(), Value::Object(info));
        }
    }
    for a in &schema.assertions {
        let value = match &a.value {
            AssertionValue::Schema(r) => schema_ref(refs, r),
            AssertionValue::Schemas(list) => {
                Value::Array(list.iter().map(|r| schema_ref(refs, r)).collect())
            }
            AssertionValue::SchemaMap(m) => Value::Object(
                m.iter()
                    .map(|(k, r)| (k.clone(), schema_ref(refs, r)))
                    .collect(),
            ),
            AssertionValue::Value(v) => v.clone(),
        };
        map.insert(a.keyword.as_str().into(), value);
    }
    Value::Object(map)
}

/// The OpenAPI XML Object of a schema (how it is written as XML).
fn xml_object(xml: &XmlInfo) -> Map<String, Value> {
    let mut m = Map::new();
    if let Some(name) = &xml.name {
        m.insert("name".into(), json!(name));
    }
    if let Some(ns) = &xml.namespace {
        m.insert("namespace".into(), json!(ns));
    }
    // A prefix needs its namespace: clients refuse to write a prefix they cannot declare.
    if let (Some(prefix), Some(_)) = (&xml.prefix, &xml.namespace) {
        m.insert("prefix".into(), json!(prefix));
    }
    if xml.attribute {
        m.insert("attribute".into(), json!(true));
    }
    if xml.wrapped {
        m.insert("wrapped".into(), json!(true));
    }
    m
}

/// Let `map` allow null too: `null` joins its type list, or, with `any_of` or no type to join,
/// it becomes `anyOf: [map, {type: null}]`.
fn make_nullable(map: &mut Map<String, Value>, kind: &SchemaKind, any_of: bool) {
    if matches!(kind, SchemaKind::Any | SchemaKind::Null) {
        return;
    }
    match map.get_mut("type").filter(|_| !any_of) {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            map.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(types)) => {
            if !types.contains(&json!("null")) {
                types.push(json!("null"));
            }
        }
        _ => {
            let inner = std::mem::take(map);
            map.insert(
                "anyOf".into(),
                json!([Value::Object(inner), { "type": "null" }]),
            );
        }
    }
}

/// The API as one OpenAPI 3.1 document whose only server is `server_url`.
pub fn openapi_document(api: &Api, server_url: &str) -> Value {
    let refs = Refs {
        document: true,
        ..Refs::new(api, "#/components/schemas/", Direction::Both)
    };
    let mut doc = Map::new();
    doc.insert("openapi".into(), json!("3.1.0"));

    let mut info = Map::new();
    info.insert("title".into(), json!(api.title));
    info.insert(
        "version".into(),
        json!(if api.version.is_empty() {
            "0"
        } else {
            api.version.as_str()
        }),
    );
    if let Some(d) = &api.description {
        info.insert("description".into(), json!(d));
    }
    doc.insert("info".into(), Value::Object(info));
    doc.insert("servers".into(), json!([{ "url": server_url }]));

    if !api.tags.is_empty() {
        let tags: Vec<Value> = api
            .tags
            .iter()
            .map(|t| {
                let mut m = Map::new();
                m.insert("name".into(), json!(t.name));
                if let Some(d) = &t.description {
                    m.insert("description".into(), json!(d));
                }
                Value::Object(m)
            })
            .collect();
        doc.insert("tags".into(), Value::Array(tags));
    }

    let mut paths: Map<String, Value> = Map::new();
    for op in &api.operations {
        let Binding::Http { method, path } = &op.binding else {
            continue;
        };
        let item = paths
            .entry(path.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(item) = item {
            item.insert(method.key().into(), operation(&refs, op));
        }
    }
    doc.insert("paths".into(), Value::Object(paths));

    if !api.security.is_empty() {
        doc.insert("security".into(), security(&api.security));
    }

    let mut components = Map::new();
    if !api.schemas.is_empty() {
        let schemas: Map<String, Value> = api
            .schemas
            .iter()
            .filter_map(|(name, s)| Some((refs.keys.get(name)?.clone(), schema_value(&refs, s))))
            .collect();
        components.insert("schemas".into(), Value::Object(schemas));
    }
    let schemes: Map<String, Value> = api
        .security_schemes
        .iter()
        .filter_map(|(name, s)| {
            Some((
                name.clone(),
                security_scheme(&s.kind, s.description.as_deref())?,
            ))
        })
        .collect();
    if !schemes.is_empty() {
        components.insert("securitySchemes".into(), Value::Object(schemes));
    }
    if !components.is_empty() {
        doc.insert("components".into(), Value::Object(components));
    }
    Value::Object(doc)
}

fn security(reqs: &[SecurityRequirement]) -> Value {
    Value::Array(reqs.iter().map(|r| json!(r)).collect())
}

fn operation(refs: &Refs<'_>, op: &Operation) -> Value {
    let mut m = Map::new();
    m.insert(
        "operationId".into(),
        json!(op.operation_id.as_deref().unwrap_or(&op.id)),
    );
    if let Some(s) = &op.summary {
        m.insert("summary".into(), json!(s));
    }
    if let Some(d) = &op.description {
        m.insert("description".into(), json!(d));
    }
    if !op.tags.is_empty() {
        m.insert("tags".into(), json!(op.tags));
    }
    if op.deprecated {
        m.insert("deprecated".into(), json!(true));
    }
    // OpenAPI: a header parameter named `Accept`, `Content-Type` or `Authorization` "SHALL be
    // ignored" (content negotiation, the body's media type and security say it instead); the
    // sandbox ignores it, so its description leaves it out too.
    let params: Vec<Value> = op
        .parameters
        .iter()
        .filter(|p| !p.is_ignored_header())
        .map(|p| parameter(refs, p))
        .collect();
    if !params.is_empty() {
        m.insert("parameters".into(), Value::Array(params));
    }
    if let Some(body) = &op.request_body {
        m.insert("requestBody".into(), request_body(refs, body));
    }
    let mut responses = Map::new();
    for r in &op.responses {
        responses.insert(r.status.label(), response(refs, r));
    }
    if responses.is_empty() {
        responses.insert(
            "default".into(),
            json!({ "description": "No response is documented." }),
        );
    }
    m.insert("responses".into(), Value::Object(responses));
    if let Some(sec) = &op.security {
        m.insert("security".into(), security(sec));
    }
    Value::Object(m)
}

fn style_name(style: ParamStyle) -> Option<&'static str> {
    Some(match style {
        ParamStyle::Simple => "simple",
        ParamStyle::Form => "form",
        ParamStyle::Matrix => "matrix",
        ParamStyle::Label => "label",
        ParamStyle::SpaceDelimited => "spaceDelimited",
        ParamStyle::PipeDelimited => "pipeDelimited",
        ParamStyle::DeepObject => "deepObject",
        // Not an OpenAPI 3 style: leave the default.
        ParamStyle::TabDelimited => return None,
    })
}

fn parameter(refs: &Refs<'_>, p: &Parameter) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(p.name));
    m.insert("in".into(), json!(p.location.as_str()));
    if let Some(d) = &p.description {
        m.insert("description".into(), json!(d));
    }
    m.insert(
        "required".into(),
        json!(p.required || p.location == crate::model::ParamLocation::Path),
    );
    if p.deprecated {
        m.insert("deprecated".into(), json!(true));
    }
    let schema = p
        .schema
        .as_ref()
        .map_or_else(|| json!({}), |s| schema_ref(refs, s));
    if let Some(ct) = &p.content_type {
        m.insert("content".into(), json!({ ct: { "schema": schema } }));
    } else {
        if let Some(style) = style_name(p.style) {
            m.insert("style".into(), json!(style));
        }
        m.insert("explode".into(), json!(p.explode));
        if p.allow_empty_value {
            m.insert("allowEmptyValue".into(), json!(true));
        }
        m.insert("schema".into(), schema);
    }
    if let Some(e) = &p.example {
        m.insert("example".into(), e.clone());
    }
    Value::Object(m)
}

fn request_body(refs: &Refs<'_>, body: &RequestBody) -> Value {
    let mut m = Map::new();
    if let Some(d) = &body.description {
        m.insert("description".into(), json!(d));
    }
    m.insert("required".into(), json!(body.required));
    let mut content = content(refs, &body.content);
    for (mt, media) in &body.content {
        let essence = mt.split(';').next().unwrap_or_default().trim();
        // Multipart parts carry their own types; what a form of parts cannot write either is
        // an empty list.
        let text_fields = if essence.eq_ignore_ascii_case(FORM) {
            true
        } else if essence.eq_ignore_ascii_case(MULTIPART_FORM) {
            false
        } else {
            continue;
        };
        let schema = media.schema.as_ref().and_then(|s| s.resolve(refs.api));
        let Some(written) = schema.and_then(|s| form_schema(refs, s, text_fields)) else {
            continue;
        };
        if let Some(entry) = content.get_mut(mt).and_then(Value::as_object_mut) {
            entry.insert("schema".into(), written);
        }
    }
    m.insert("content".into(), content);
    Value::Object(m)
}

const FORM: &str = "application/x-www-form-urlencoded";
const MULTIPART_FORM: &str = "multipart/form-data";

/// The schema of a form body as a form can carry it, for clients that generate requests from
/// the description. Every value of a form is text, and a form cannot write an empty list (the
/// field is left out, which reads as a missing one), so: a field or list item of no type is
/// text (`type: string`, which is what the sandbox reads it as), and a required list holds at
/// least one item (`minItems: 1`). The top-level object is written inline to say so; its
/// fields' own schemas are left as they are. `None` when there is nothing to say (not an
/// object, or no such field): the body's schema is written as it is, `$ref` and all. A
/// `multipart/form-data` body (`text_fields` false) gets the list rule only: a list is written
/// as one part per item, so an empty one is no part at all, but a part has a type of its own.
fn form_schema(refs: &Refs<'_>, schema: &Schema, text_fields: bool) -> Option<Value> {
    let SchemaKind::Object(rules) = &schema.kind else {
        return None;
    };
    let mut value = schema_value(refs, schema);
    let props = value.get_mut("properties").and_then(Value::as_object_mut)?;
    let mut changed = false;
    for (name, prop) in props.iter_mut() {
        let Some(model) = rules.properties.get(name).and_then(|p| p.resolve(refs.api)) else {
            continue;
        };
        if untyped(model) {
            if !text_fields {
                continue;
            }
            if let Some(map) = prop.as_object_mut() {
                map.insert("type".into(), json!("string"));
                changed = true;
            }
            continue;
        }
        let SchemaKind::Array(list) = &model.kind else {
            continue;
        };
        let Some(map) = prop.as_object_mut() else {
            continue;
        };
        // A named list (`$ref`) keeps its reference; the sibling keyword narrows it (2020-12).
        if rules.required.contains(name) && list.min_items.is_none() {
            map.insert("minItems".into(), json!(1));
            changed = true;
        }
        let items_untyped = list
            .items
            .as_deref()
            .and_then(|i| i.resolve(refs.api))
            .is_some_and(untyped);
        if items_untyped && text_fields {
            if let Some(items) = map.get_mut("items").and_then(Value::as_object_mut) {
                items.insert("type".into(), json!("string"));
                changed = true;
            }
        }
    }
    changed.then_some(value)
}

/// A schema that says nothing of its value (`{}` with at most annotations).
fn untyped(schema: &Schema) -> bool {
    matches!(schema.kind, SchemaKind::Any)
        && schema.enum_values.is_empty()
        && schema.const_value.is_none()
        && schema.assertions.is_empty()
        && !schema.nullable
}

fn content(refs: &Refs<'_>, content: &IndexMap<String, MediaType>) -> Value {
    let mut out = Map::new();
    for (mt, media) in content {
        let mut m = Map::new();
        if let Some(s) = &media.schema {
            m.insert("schema".into(), schema_ref(refs, s));
        }
        if let Some(e) = &media.example {
            m.insert("example".into(), e.clone());
        }
        if !media.examples.is_empty() {
            let mut examples = Map::new();
            for (name, ex) in &media.examples {
                let mut e = Map::new();
                if let Some(s) = &ex.summary {
                    e.insert("summary".into(), json!(s));
                }
                if let Some(d) = &ex.description {
                    e.insert("description".into(), json!(d));
                }
                if let Some(v) = &ex.value {
                    e.insert("value".into(), v.clone());
                }
                if let Some(u) = &ex.external_value {
                    e.insert("externalValue".into(), json!(u));
                }
                examples.insert(name.clone(), Value::Object(e));
            }
            m.insert("examples".into(), Value::Object(examples));
        }
        if !media.encoding.is_empty() {
            let enc: Map<String, Value> = media
                .encoding
                .iter()
                .map(|(k, v)| (k.clone(), json!({ "contentType": v })))
                .collect();
            m.insert("encoding".into(), Value::Object(enc));
        }
        out.insert(mt.clone(), Value::Object(m));
    }
    Value::Object(out)
}

fn response(refs: &Refs<'_>, r: &Response) -> Value {
    let mut m = Map::new();
    m.insert("description".into(), json!(r.description));
    if !r.headers.is_empty() {
        let headers: Map<String, Value> = r
            .headers
            .iter()
            .map(|(name, h)| (name.clone(), header(refs, h)))
            .collect();
        m.insert("headers".into(), Value::Object(headers));
    }
    if !r.content.is_empty() {
        m.insert("content".into(), content(refs, &r.content));
    }
    Value::Object(m)
}

fn header(refs: &Refs<'_>, h: &Header) -> Value {
    let mut m = Map::new();
    if let Some(d) = &h.description {
        m.insert("description".into(), json!(d));
    }
    if h.required {
        m.insert("required".into(), json!(true));
    }
    if h.deprecated {
        m.insert("deprecated".into(), json!(true));
    }
    let schema = h
        .schema
        .as_ref()
        .map_or_else(|| json!({ "type": "string" }), |s| schema_ref(refs, s));
    m.insert("schema".into(), schema);
    if let Some(e) = &h.example {
        m.insert("example".into(), e.clone());
    }
    Value::Object(m)
}

fn flow(f: &OAuthFlow) -> Value {
    let mut m = Map::new();
    if let Some(u) = &f.authorization_url {
        m.insert("authorizationUrl".into(), json!(u));
    }
    if let Some(u) = &f.token_url {
        m.insert("tokenUrl".into(), json!(u));
    }
    if let Some(u) = &f.refresh_url {
        m.insert("refreshUrl".into(), json!(u));
    }
    m.insert("scopes".into(), json!(f.scopes));
    Value::Object(m)
}

fn security_scheme(kind: &SecuritySchemeKind, description: Option<&str>) -> Option<Value> {
    let mut m = match kind {
        SecuritySchemeKind::ApiKey { name, location } => {
            let loc = match location {
                ApiKeyLocation::Header => "header",
                ApiKeyLocation::Query => "query",
                ApiKeyLocation::Cookie => "cookie",
            };
            json!({ "type": "apiKey", "name": name, "in": loc })
        }
        SecuritySchemeKind::Http {
            scheme,
            bearer_format,
        } => {
            let s = match scheme {
                HttpAuthScheme::Basic => "basic",
                HttpAuthScheme::Bearer => "bearer",
                HttpAuthScheme::Digest => "digest",
                HttpAuthScheme::Other(o) => o.as_str(),
            };
            let mut v = json!({ "type": "http", "scheme": s });
            if let (Some(bf), Value::Object(m)) = (bearer_format, &mut v) {
                m.insert("bearerFormat".into(), json!(bf));
            }
            v
        }
        SecuritySchemeKind::OAuth2 { flows } => {
            let mut f = Map::new();
            if let Some(x) = &flows.client_credentials {
                f.insert("clientCredentials".into(), flow(x));
            }
            if let Some(x) = &flows.authorization_code {
                f.insert("authorizationCode".into(), flow(x));
            }
            if let Some(x) = &flows.implicit {
                f.insert("implicit".into(), flow(x));
            }
            if let Some(x) = &flows.password {
                f.insert("password".into(), flow(x));
            }
            json!({ "type": "oauth2", "flows": f })
        }
        SecuritySchemeKind::OpenIdConnect { url } => {
            json!({ "type": "openIdConnect", "openIdConnectUrl": url })
        }
        SecuritySchemeKind::MutualTls => json!({ "type": "mutualTLS" }),
        // Not an OpenAPI scheme (SOAP only).
        SecuritySchemeKind::WsSecurityUsernameToken => return None,
    };
    if let (Some(d), Value::Object(map)) = (description, &mut m) {
        map.insert("description".into(), json!(d));
    }
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        ArrayRules, HttpMethod, ObjectRules, ParamLocation, Protocol, ResponseStatus, SpecKind,
        SpecSource,
    };

    fn obj(props: &[(&str, SchemaRef)], required: &[&str]) -> Schema {
        Schema {
            kind: SchemaKind::Object(ObjectRules {
                properties: props
                    .iter()
                    .map(|(k, v)| ((*k).to_string(), v.clone()))
                    .collect(),
                required: required.iter().map(|s| (*s).to_string()).collect(),
                ..ObjectRules::default()
            }),
            ..Schema::default()
        }
    }

    fn inline(kind: SchemaKind) -> SchemaRef {
        SchemaRef::Inline(Box::new(Schema {
            kind,
            ..Schema::default()
        }))
    }

    fn api() -> Api {
        let mut schemas = IndexMap::new();
        let mut id = Schema {
            kind: SchemaKind::Integer(NumberRules {
                minimum: Bound::from_f64(1.0),
                ..NumberRules::default()
            }),
            ..Schema::default()
        };
        id.read_only = true;
        schemas.insert(
            "Pet".to_string(),
            obj(
                &[
                    ("id", SchemaRef::Inline(Box::new(id))),
                    ("name", inline(SchemaKind::String(StringRules::default()))),
                    ("owner", SchemaRef::Named("Owner".into())),
                ],
                &["id", "name"],
            ),
        );
        schemas.insert(
            "Owner".to_string(),
            Schema {
                nullable: true,
                ..obj(
                    &[("name", inline(SchemaKind::String(StringRules::default())))],
                    &[],
                )
            },
        );
        schemas.insert("Unused".to_string(), Schema::default());
        Api {
            id: "pets".into(),
            title: "Pets".into(),
            version: "1".into(),
            description: None,
            protocol: Protocol::Rest,
            source: SpecSource {
                kind: SpecKind::Openapi,
                version: "3.0.0".into(),
                path: "p.yaml".into(),
                files: vec![],
            },
            servers: vec![],
            security_schemes: IndexMap::new(),
            security: vec![],
            tags: vec![],
            operations: vec![Operation {
                id: "listPets".into(),
                operation_id: Some("listPets".into()),
                summary: None,
                description: None,
                tags: vec![],
                deprecated: false,
                binding: Binding::Http {
                    method: HttpMethod::Get,
                    path: "/pets".into(),
                },
                parameters: vec![Parameter {
                    name: "limit".into(),
                    location: ParamLocation::Query,
                    description: None,
                    required: false,
                    deprecated: false,
                    schema: Some(inline(SchemaKind::Integer(NumberRules::default()))),
                    style: ParamStyle::Form,
                    explode: true,
                    allow_empty_value: false,
                    example: None,
                    content_type: None,
                }],
                request_body: None,
                responses: vec![Response {
                    status: ResponseStatus::Code(200),
                    description: "ok".into(),
                    headers: IndexMap::new(),
                    content: [(
                        "application/json".to_string(),
                        MediaType {
                            schema: Some(inline(SchemaKind::Array(ArrayRules {
                                items: Some(Box::new(SchemaRef::Named("Pet".into()))),
                                ..ArrayRules::default()
                            }))),
                            ..MediaType::default()
                        },
                    )]
                    .into_iter()
                    .collect(),
                    links: IndexMap::new(),
                }],
                security: None,
                callbacks: vec![],
                servers: vec![],
            }],
            webhooks: vec![],
            schemas,
            info: crate::model::ApiInfo::default(),
        }
    }

    #[test]
    fn json_schema_has_reachable_defs_only() {
        let api = api();
        let s = json_schema(&api, &SchemaRef::Named("Pet".into()));
        assert_eq!(s["$ref"], "#/$defs/Pet");
        let defs = s["$defs"].as_object().expect("defs");
        assert!(defs.contains_key("Pet") && defs.contains_key("Owner"));
        assert!(!defs.contains_key("Unused"));
        assert_eq!(defs["Owner"]["type"], json!(["object", "null"]));
        assert_eq!(defs["Pet"]["required"], json!(["id", "name"]));
    }

    #[test]
    fn request_direction_drops_read_only_from_required() {
        let api = api();
        let s = json_schema_for(&api, &SchemaRef::Named("Pet".into()), Direction::Request);
        assert_eq!(s["$defs"]["Pet"]["required"], json!(["name"]));
        assert_eq!(
            s["$defs"]["Pet"]["properties"]["id"]["readOnly"],
            json!(true)
        );
    }

    #[test]
    fn patterns_are_written_as_ecma_262_reads_them() {
        assert_eq!(ecma_pattern(r"[A-Za-z][\w- ]+"), r"[A-Za-z][\w\- ]+");
        assert_eq!(ecma_pattern(r"[ -\d]"), r"[ \-\d]");
        // Ranges, escaped dashes and dashes outside a class stay as they are.
        for kept in [r"[a-z0-9-]", r"[\w\-]", r"\d-\d", r"[\\-]", r"[^\]-]"] {
            assert_eq!(ecma_pattern(kept), kept);
        }
    }

    /// A `writeOnly` property is absent from responses (`false`), however required; requests
    /// and the published document keep it as written.
    #[test]
    fn write_only_properties_are_absent_from_responses_only() {
        let mut api = api();
        let pin = Schema {
            write_only: true,
            ..Schema::default()
        };
        let mut card = obj(
            &[
                ("pin", SchemaRef::Inline(Box::new(pin))),
                ("name", inline(SchemaKind::String(StringRules::default()))),
            ],
            &["pin", "name"],
        );
        card.title = Some("Card".into());
        api.schemas.insert("Card".into(), card);
        let named = SchemaRef::Named("Card".into());
        let response = json_schema_for(&api, &named, Direction::Response);
        let card = &response["$defs"]["Card"];
        assert_eq!(card["properties"]["pin"], json!(false));
        assert_eq!(card["required"], json!(["name"]));
        let request = json_schema_for(&api, &named, Direction::Request);
        assert_eq!(
            request["$defs"]["Card"]["properties"]["pin"]["writeOnly"],
            json!(true)
        );
        assert_eq!(request["$defs"]["Card"]["required"], json!(["pin", "name"]));
        let doc = openapi_document(&api, "http://127.0.0.1:4010");
        let card = &doc["components"]["schemas"]["Card"];
        assert_eq!(card["properties"]["pin"]["writeOnly"], json!(true));
        assert_eq!(card["required"], json!(["pin", "name"]));
    }

    #[test]
    fn openapi_document_has_paths_and_components() {
        let api = api();
        let doc = openapi_document(&api, "http://127.0.0.1:4010/v1");
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["servers"][0]["url"], "http://127.0.0.1:4010/v1");
        let op = &doc["paths"]["/pets"]["get"];
        assert_eq!(op["operationId"], "listPets");
        assert_eq!(op["parameters"][0]["in"], "query");
        assert_eq!(
            op["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"],
            "#/components/schemas/Pet"
        );
        assert!(doc["components"]["schemas"]["Unused"].is_object());
    }

    /// In the document a nullable schema with a format is `anyOf: [schema, null]` (clients drop
    /// the format of a type list); the validation schema keeps the type list.
    #[test]
    fn nullable_formats_are_any_of_in_the_document_only() {
        let mut api = api();
        let mut at = Schema {
            kind: SchemaKind::String(StringRules {
                format: Some(crate::model::StringFormat::DateTime),
                ..StringRules::default()
            }),
            ..Schema::default()
        };
        at.nullable = true;
        at.description = Some("When".into());
        api.schemas.insert("At".into(), at);
        let doc = openapi_document(&api, "http://127.0.0.1:4010/v1");
        let written = &doc["components"]["schemas"]["At"];
        assert_eq!(
            written["anyOf"],
            json!([{ "type": "string", "format": "date-time" }, { "type": "null" }]),
            "{written}"
        );
        assert_eq!(written["description"], "When");
        let validation = json_schema(&api, &SchemaRef::Named("At".into()));
        assert_eq!(validation["$defs"]["At"]["type"], json!(["string", "null"]));
        // Without a format, the type list stays in the document too.
        assert_eq!(
            doc["components"]["schemas"]["Owner"]["type"],
            json!(["object", "null"])
        );
    }

    /// A form body is described as a form can carry it: untyped fields and list items are text,
    /// a required list has at least one item (an empty one cannot be written); a JSON body of
    /// the same schema, and the named schema itself, are left as they are.
    #[test]
    fn form_bodies_are_described_as_a_form_carries_them() {
        let mut api = api();
        let any = || inline(SchemaKind::Any);
        let list = |items: Option<SchemaRef>, min: Option<u64>| {
            inline(SchemaKind::Array(ArrayRules {
                items: items.map(Box::new),
                min_items: min,
                ..ArrayRules::default()
            }))
        };
        api.schemas.insert(
            "Form".into(),
            obj(
                &[
                    ("config", any()),
                    ("types", list(Some(any()), None)),
                    (
                        "tags",
                        list(
                            Some(inline(SchemaKind::String(StringRules::default()))),
                            None,
                        ),
                    ),
                    ("some", list(None, Some(2))),
                    ("optional", list(None, None)),
                ],
                &["config", "types", "tags", "some"],
            ),
        );
        let media = |mt: &str| {
            (
                mt.to_string(),
                MediaType {
                    schema: Some(SchemaRef::Named("Form".into())),
                    ..MediaType::default()
                },
            )
        };
        api.operations[0].request_body = Some(RequestBody {
            description: None,
            required: true,
            content: [
                media("application/x-www-form-urlencoded"),
                media("multipart/form-data"),
                media("application/json"),
            ]
            .into_iter()
            .collect(),
        });
        let doc = openapi_document(&api, "http://127.0.0.1:4010/v1");
        let content = &doc["paths"]["/pets"]["get"]["requestBody"]["content"];
        let form = &content["application/x-www-form-urlencoded"]["schema"]["properties"];
        assert_eq!(form["config"]["type"], "string");
        assert_eq!(form["types"]["minItems"], 1);
        assert_eq!(form["types"]["items"]["type"], "string");
        assert_eq!(form["tags"]["minItems"], 1);
        assert_eq!(form["some"]["minItems"], 2, "a list's own minimum stays");
        assert!(form["optional"].get("minItems").is_none(), "{form}");
        // Parts have types of their own: only the list rule holds for multipart.
        let parts = &content["multipart/form-data"]["schema"]["properties"];
        assert_eq!(parts["types"]["minItems"], 1);
        assert!(parts["config"].get("type").is_none(), "{parts}");
        assert!(parts["types"]["items"].get("type").is_none(), "{parts}");
        assert_eq!(
            content["application/json"]["schema"]["$ref"],
            "#/components/schemas/Form"
        );
        let named = &doc["components"]["schemas"]["Form"]["properties"];
        assert!(named["config"].get("type").is_none(), "{named}");
        assert!(named["types"].get("minItems").is_none(), "{named}");

        // A form body with nothing a form cannot carry keeps its reference.
        let body = api.operations[0].request_body.as_mut().expect("body");
        for media in body.content.values_mut() {
            media.schema = Some(SchemaRef::Named("Pet".into()));
        }
        let doc = openapi_document(&api, "http://127.0.0.1:4010/v1");
        let content = &doc["paths"]["/pets"]["get"]["requestBody"]["content"];
        assert_eq!(
            content["application/x-www-form-urlencoded"]["schema"]["$ref"],
            "#/components/schemas/Pet"
        );
    }

    /// OpenAPI ignores header parameters named Accept, Content-Type and Authorization; the
    /// sandbox does, and its description leaves them out so clients do not test them.
    #[test]
    fn ignored_header_parameters_are_left_out() {
        let mut api = api();
        let header = |name: &str| Parameter {
            name: name.into(),
            location: ParamLocation::Header,
            description: None,
            required: true,
            deprecated: false,
            schema: Some(inline(SchemaKind::String(StringRules::default()))),
            style: ParamStyle::Simple,
            explode: false,
            allow_empty_value: false,
            example: None,
            content_type: None,
        };
        for name in ["Authorization", "accept", "Content-Type", "X-Trace"] {
            api.operations[0].parameters.push(header(name));
        }
        let doc = openapi_document(&api, "http://127.0.0.1:4010/v1");
        let names: Vec<&str> = doc["paths"]["/pets"]["get"]["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert_eq!(names, ["limit", "X-Trace"]);
        assert!(header("AUTHORIZATION").is_ignored_header());
        let mut query = header("Accept");
        query.location = ParamLocation::Query;
        assert!(!query.is_ignored_header());
    }

    #[test]
    fn nullable_ref_becomes_any_of_null() {
        let mut api = api();
        api.schemas.insert(
            "MaybeOwner".into(),
            Schema {
                nullable: true,
                kind: SchemaKind::Ref("Owner".into()),
                ..Schema::default()
            },
        );
        let s = json_schema(&api, &SchemaRef::Named("MaybeOwner".into()));
        assert_eq!(
            s["$defs"]["MaybeOwner"]["anyOf"],
            json!([{ "$ref": "#/$defs/Owner" }, { "type": "null" }])
        );
    }

    #[test]
    fn sized_integer_formats_imply_bounds() {
        let api = api();
        let int32 = SchemaRef::Inline(Box::new(Schema {
            kind: SchemaKind::Integer(NumberRules {
                format: Some("int32".into()),
                minimum: Bound::from_f64(1.0),
                ..NumberRules::default()
            }),
            ..Schema::default()
        }));
        let s = json_schema(&api, &int32);
        assert_eq!(s["minimum"], json!(1));
        assert_eq!(s["maximum"], json!(i32::MAX));
    }
}
