//! JSON Schema (as OpenAPI 2.0, 3.0 and 3.1 write it) -> [`Schema`]. A `$ref` becomes a
//! [`SchemaRef::Named`] key, so recursive schemas end at the reference.

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::source::Ptr;
use super::{Ctx, Version};
use crate::model::{
    Additional, ArrayRules, Assertion, AssertionValue, Bound, Composite, Discriminator, Keyword,
    NumberRules, ObjectRules, Schema, SchemaKind, SchemaRef, StringFormat, StringRules, XmlInfo,
};

/// Deepest inline nesting of schemas (named references restart the count).
const MAX_DEPTH: usize = 64;

/// Keys that make a `$ref`'s siblings more than annotations (3.1 allows them).
const CONSTRAINT_KEYS: [&str; 12] = [
    "type",
    "properties",
    "items",
    "allOf",
    "oneOf",
    "anyOf",
    "enum",
    "const",
    "required",
    "additionalProperties",
    "minimum",
    "maximum",
];

/// The keywords of one schema object, found in one pass over its entries: looking each keyword up
/// in the map would hash every name (SipHash) some 40 times per schema node.
struct Keys<'v> {
    values: [Option<&'v Value>; 39],
    /// Any keyword at all besides `$ref` and annotations (for 3.1 `$ref` siblings).
    constrained: bool,
    /// A keyword the model keeps as an [`Assertion`] (most schemas have none).
    asserts: bool,
}

fn slot(key: &str) -> Option<usize> {
    match key {
        "$ref" => Some(0),
        "additionalProperties" => Some(1),
        "const" => Some(2),
        "default" => Some(3),
        "deprecated" => Some(4),
        "description" => Some(5),
        "discriminator" => Some(6),
        "enum" => Some(7),
        "example" => Some(8),
        "examples" => Some(9),
        "exclusiveMaximum" => Some(10),
        "exclusiveMinimum" => Some(11),
        "format" => Some(12),
        "items" => Some(13),
        "maxItems" => Some(14),
        "maxLength" => Some(15),
        "maxProperties" => Some(16),
        "maximum" => Some(17),
        "minItems" => Some(18),
        "minLength" => Some(19),
        "minProperties" => Some(20),
        "minimum" => Some(21),
        "multipleOf" => Some(22),
        "nullable" => Some(23),
        "pattern" => Some(24),
        "prefixItems" => Some(25),
        "properties" => Some(26),
        "readOnly" => Some(27),
        "required" => Some(28),
        "title" => Some(29),
        "type" => Some(30),
        "uniqueItems" => Some(31),
        "writeOnly" => Some(32),
        "x-nullable" => Some(33),
        "xml" => Some(34),
        "allOf" => Some(35),
        "oneOf" => Some(36),
        "anyOf" => Some(37),
        "additionalItems" => Some(38),
        _ => None,
    }
}

impl<'v> Keys<'v> {
    fn new(obj: &'v Map<String, Value>) -> Keys<'v> {
        let mut values = [None; 39];
        let mut constrained = false;
        let mut asserts = false;
        for (k, v) in obj {
            if let Some(i) = slot(k) {
                values[i] = Some(v);
                constrained |= CONSTRAINT_KEYS.contains(&k.as_str());
            }
            // A draft 4-7 tuple (`items` as a list) is read as `prefixItems`.
            asserts |= assertion_keyword(k).is_some() || (k == "items" && v.is_array());
        }
        Keys {
            values,
            // The assertions beside a 3.1 `$ref` constrain too.
            constrained: constrained || asserts,
            asserts,
        }
    }

    fn get(&self, key: &str) -> Option<&'v Value> {
        slot(key).and_then(|i| self.values[i])
    }

    fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

/// Convert the schema `v` found at `at` in document `doc`.
pub(crate) fn convert(ctx: &mut Ctx, doc: usize, at: &Ptr, v: &Value, depth: usize) -> SchemaRef {
    if depth > MAX_DEPTH {
        ctx.warn(
            doc,
            at,
            format!("schema nested more than {MAX_DEPTH} levels deep; the rest is read as `any`"),
        );
        return inline(Schema::default());
    }
    let obj = match v {
        Value::Object(o) => o,
        Value::Bool(true) => return inline(Schema::default()),
        Value::Bool(false) => {
            return inline(Schema {
                description: Some("no value is valid here (`false` schema)".into()),
                assertions: vec![Assertion {
                    keyword: Keyword::Not,
                    value: AssertionValue::Schema(inline(Schema::default())),
                }],
                ..Schema::default()
            });
        }
        Value::Null => {
            ctx.warn(doc, at, "empty schema (null); read as `any`");
            return inline(Schema::default());
        }
        _ => {
            ctx.error(doc, at, "a schema must be an object");
            return inline(Schema::default());
        }
    };
    let map = obj;
    let obj = &Keys::new(map);
    if let Some(r) = obj.get("$ref") {
        match r.as_str() {
            Some(reference) => {
                let target = ctx.resolve(doc, at, reference);
                let named = match target {
                    Some(t) => SchemaRef::Named(ctx.schema_key(&t)),
                    None => SchemaRef::Inline(Box::default()),
                };
                let constrained = ctx.version == Version::V31 && obj.constrained;
                if !constrained {
                    // Annotations next to a `$ref` (a property's own description, example,
                    // `nullable`, `readOnly`...) are what readers see on that property: keep
                    // them on an inline reference (`SchemaKind::Ref`) instead of dropping them.
                    let mut s = Schema::default();
                    annotations(ctx, doc, at, obj, &mut s);
                    return match named {
                        SchemaRef::Named(key) if s != Schema::default() => inline(Schema {
                            kind: SchemaKind::Ref(key),
                            ..s
                        }),
                        SchemaRef::Named(key) => SchemaRef::Named(key),
                        SchemaRef::Inline(_) => inline(s),
                    };
                }
                let mut rest = map.clone();
                rest.remove("$ref");
                let sibling = convert(ctx, doc, at, &Value::Object(rest), depth + 1);
                return inline(Schema {
                    kind: SchemaKind::AllOf(Composite {
                        members: vec![named, sibling],
                        discriminator: None,
                    }),
                    ..Schema::default()
                });
            }
            None if r.is_null() => {
                ctx.warn(
                    doc,
                    &at.key("$ref"),
                    "`$ref` has no value (an unquoted `#...` is a YAML comment: quote the reference); read as `any`",
                );
            }
            None => ctx.error(doc, &at.key("$ref"), "`$ref` must be a string"),
        }
    }
    let mut s = Schema::default();
    annotations(ctx, doc, at, obj, &mut s);
    s.kind = kind(ctx, doc, at, obj, &mut s, depth);
    if obj.asserts {
        s.assertions = assertions(ctx, doc, at, map, depth);
    }
    inline(s)
}

/// The keyword an assertion of the model holds, by its JSON Schema name.
pub(crate) fn assertion_keyword(key: &str) -> Option<Keyword> {
    // A match, not a search of `Keyword::ALL`: every key of every schema object comes here.
    Some(match key {
        "prefixItems" => Keyword::PrefixItems,
        "contains" => Keyword::Contains,
        "minContains" => Keyword::MinContains,
        "maxContains" => Keyword::MaxContains,
        "patternProperties" => Keyword::PatternProperties,
        "propertyNames" => Keyword::PropertyNames,
        "dependentRequired" => Keyword::DependentRequired,
        "dependentSchemas" => Keyword::DependentSchemas,
        "not" => Keyword::Not,
        "if" => Keyword::If,
        "then" => Keyword::Then,
        "else" => Keyword::Else,
        "unevaluatedProperties" => Keyword::UnevaluatedProperties,
        "unevaluatedItems" => Keyword::UnevaluatedItems,
        _ => return None,
    })
}

/// The schema's [`Assertion`]s, in document order; a draft 4-7 tuple (`items` as a list) is
/// read as `prefixItems`.
fn assertions(
    ctx: &mut Ctx,
    doc: usize,
    at: &Ptr,
    map: &Map<String, Value>,
    depth: usize,
) -> Vec<Assertion> {
    let mut out = Vec::new();
    for (key, v) in map {
        let keyword = match (key.as_str(), v) {
            ("items", Value::Array(_)) if !map.contains_key("prefixItems") => Keyword::PrefixItems,
            (key, _) => match assertion_keyword(key) {
                Some(k) => k,
                None => continue,
            },
        };
        let p = at.key(key);
        let value = match keyword {
            Keyword::PrefixItems => match v {
                Value::Array(list) => AssertionValue::Schemas(
                    list.iter()
                        .enumerate()
                        .map(|(i, item)| convert(ctx, doc, &p.index(i), item, depth + 1))
                        .collect(),
                ),
                _ => {
                    ctx.error(doc, &p, "`prefixItems` must be a list of schemas");
                    continue;
                }
            },
            Keyword::PatternProperties | Keyword::DependentSchemas => match v {
                Value::Object(entries) => AssertionValue::SchemaMap(
                    entries
                        .iter()
                        .map(|(k, sub)| (k.clone(), convert(ctx, doc, &p.key(k), sub, depth + 1)))
                        .collect(),
                ),
                _ => {
                    ctx.error(doc, &p, format!("`{key}` must be an object of schemas"));
                    continue;
                }
            },
            Keyword::MinContains | Keyword::MaxContains => match v.as_u64() {
                Some(_) => AssertionValue::Value(v.clone()),
                None => {
                    ctx.error(doc, &p, format!("`{key}` must be a non-negative integer"));
                    continue;
                }
            },
            Keyword::DependentRequired => {
                let valid = v.as_object().is_some_and(|o| {
                    o.values().all(|names| {
                        names
                            .as_array()
                            .is_some_and(|l| l.iter().all(Value::is_string))
                    })
                });
                if !valid {
                    ctx.error(
                        doc,
                        &p,
                        "`dependentRequired` must map property names to lists of names",
                    );
                    continue;
                }
                AssertionValue::Value(v.clone())
            }
            Keyword::Contains
            | Keyword::PropertyNames
            | Keyword::Not
            | Keyword::If
            | Keyword::Then
            | Keyword::Else
            | Keyword::UnevaluatedProperties
            | Keyword::UnevaluatedItems => {
                AssertionValue::Schema(convert(ctx, doc, &p, v, depth + 1))
            }
        };
        out.push(Assertion { keyword, value });
    }
    out
}

fn inline(s: Schema) -> SchemaRef {
    SchemaRef::Inline(Box::new(s))
}

fn annotations(ctx: &mut Ctx, doc: usize, at: &Ptr, obj: &Keys<'_>, s: &mut Schema) {
    s.title = obj.get("title").and_then(Value::as_str).map(str::to_string);
    s.description = obj
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_string);
    s.nullable = obj
        .get("nullable")
        .and_then(Value::as_bool)
        .unwrap_or(false)
        || obj
            .get("x-nullable")
            .and_then(Value::as_bool)
            .unwrap_or(false);
    match obj.get("enum") {
        Some(Value::Array(values)) => s.enum_values = values.clone(),
        Some(_) => ctx.warn(doc, &at.key("enum"), "`enum` must be a list; ignored"),
        None => {}
    }
    s.const_value = obj.get("const").cloned();
    s.default = obj.get("default").cloned();
    if let Some(e) = obj.get("example") {
        s.examples.push(e.clone());
    }
    match obj.get("examples") {
        Some(Value::Array(list)) => s.examples.extend(list.iter().cloned()),
        // 3.0 schemas have no `examples`; some specs write a map of named examples anyway.
        Some(Value::Object(map)) => s.examples.extend(
            map.values()
                .map(|e| e.get("value").cloned().unwrap_or_else(|| e.clone())),
        ),
        _ => {}
    }
    s.deprecated = obj
        .get("deprecated")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    s.read_only = obj
        .get("readOnly")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    s.write_only = obj
        .get("writeOnly")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if let Some(x) = obj.get("xml").and_then(Value::as_object) {
        s.xml = Some(XmlInfo {
            name: x.get("name").and_then(Value::as_str).map(str::to_string),
            namespace: x
                .get("namespace")
                .and_then(Value::as_str)
                .map(str::to_string),
            prefix: x.get("prefix").and_then(Value::as_str).map(str::to_string),
            attribute: x.get("attribute").and_then(Value::as_bool).unwrap_or(false),
            wrapped: x.get("wrapped").and_then(Value::as_bool).unwrap_or(false),
            text: false,
            list: false,
            substitute: None,
            xsd_type: None,
        });
    }
}

/// The simple type names of `type` (a string, or a list in 3.1).
fn type_names(ctx: &mut Ctx, doc: usize, at: &Ptr, obj: &Keys<'_>) -> Vec<String> {
    match obj.get("type") {
        None => Vec::new(),
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(list)) => {
            if ctx.version < Version::V31 {
                ctx.warn(
                    doc,
                    &at.key("type"),
                    "a list of types needs OpenAPI 3.1; read anyway",
                );
            }
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        }
        Some(_) => {
            ctx.warn(doc, &at.key("type"), "`type` must be a string; ignored");
            Vec::new()
        }
    }
}

fn kind(
    ctx: &mut Ctx,
    doc: usize,
    at: &Ptr,
    obj: &Keys<'_>,
    s: &mut Schema,
    depth: usize,
) -> SchemaKind {
    let mut parts: Vec<SchemaKind> = Vec::new();
    let discriminator = discriminator(ctx, doc, at, obj);
    for (key, make) in [
        ("allOf", SchemaKind::AllOf as fn(Composite) -> SchemaKind),
        ("oneOf", SchemaKind::OneOf),
        ("anyOf", SchemaKind::AnyOf),
    ] {
        let Some(list) = obj.get(key) else { continue };
        let list_ptr = at.key(key);
        let Some(items) = list.as_array() else {
            ctx.warn(doc, &list_ptr, format!("`{key}` must be a list; ignored"));
            continue;
        };
        let mut members = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let p = list_ptr.index(i);
            members.push(convert(ctx, doc, &p, item, depth + 1));
        }
        let disc = if key == "allOf" {
            None
        } else {
            discriminator.clone()
        };
        parts.push(make(Composite {
            members,
            discriminator: disc,
        }));
    }

    let mut names = type_names(ctx, doc, at, obj);
    if names.iter().any(|n| n == "null") {
        names.retain(|n| n != "null");
        if names.is_empty() && parts.is_empty() {
            return SchemaKind::Null;
        }
        s.nullable = true;
    }
    let own = if names.len() > 1 {
        let kinds = names
            .iter()
            .map(|n| simple_kind(ctx, doc, at, obj, n, depth))
            .collect();
        Some(SchemaKind::Union(kinds))
    } else if let Some(n) = names.first() {
        Some(simple_kind(ctx, doc, at, obj, n, depth))
    } else if obj.contains_key("properties")
        || obj.contains_key("additionalProperties")
        || obj.contains_key("required") && obj.get("required").is_some_and(Value::is_array)
    {
        Some(simple_kind(ctx, doc, at, obj, "object", depth))
    } else if obj.contains_key("items") || obj.contains_key("prefixItems") {
        Some(simple_kind(ctx, doc, at, obj, "array", depth))
    } else if parts.is_empty() {
        // Infer from the constraints alone (common in hand-written specs).
        if obj.contains_key("minLength")
            || obj.contains_key("maxLength")
            || obj.contains_key("pattern")
            || obj.contains_key("format") && !has_number_format(obj)
        {
            Some(simple_kind(ctx, doc, at, obj, "string", depth))
        } else if obj.contains_key("minimum") || obj.contains_key("maximum") {
            Some(simple_kind(ctx, doc, at, obj, "number", depth))
        } else {
            None
        }
    } else {
        None
    };

    // An object with its own properties next to allOf is one more member of the allOf.
    match (own, parts.len()) {
        (None, 0) => SchemaKind::Any,
        (Some(k), 0) => k,
        (None, 1) => parts.pop().unwrap_or_default(),
        (own, _) => {
            let mut members: Vec<SchemaRef> = Vec::new();
            let mut all_members = Vec::new();
            for part in parts {
                match part {
                    SchemaKind::AllOf(c) => all_members.extend(c.members),
                    other => members.push(inline(Schema {
                        kind: other,
                        ..Schema::default()
                    })),
                }
            }
            if let Some(k) = own {
                // Keep the object's own part first only when it is an object (its properties
                // are the base that allOf members extend).
                all_members.push(inline(Schema {
                    kind: k,
                    ..Schema::default()
                }));
            }
            all_members.extend(members);
            if all_members.len() == 1 {
                if let Some(SchemaRef::Inline(only)) = all_members.pop() {
                    return only.kind;
                }
                return SchemaKind::Any;
            }
            SchemaKind::AllOf(Composite {
                members: all_members,
                discriminator,
            })
        }
    }
}

fn has_number_format(obj: &Keys<'_>) -> bool {
    matches!(
        obj.get("format").and_then(Value::as_str),
        Some("int32" | "int64" | "float" | "double" | "decimal")
    )
}

fn discriminator(ctx: &mut Ctx, doc: usize, at: &Ptr, obj: &Keys<'_>) -> Option<Discriminator> {
    match obj.get("discriminator")? {
        // Swagger 2.0: the property name only.
        Value::String(name) => Some(Discriminator {
            property_name: name.clone(),
            mapping: IndexMap::new(),
        }),
        Value::Object(d) => {
            let property_name = d.get("propertyName").and_then(Value::as_str)?.to_string();
            let mut mapping = IndexMap::new();
            if let Some(map) = d.get("mapping").and_then(Value::as_object) {
                let dp = at.key("discriminator");
                let mp = dp.key("mapping");
                for (value, target) in map {
                    let Some(target) = target.as_str() else {
                        continue;
                    };
                    let reference =
                        if target.contains('#') || target.contains('/') || target.contains('.') {
                            target.to_string()
                        } else {
                            // A bare schema name.
                            format!("#/components/schemas/{target}")
                        };
                    let p = mp.key(value);
                    if let Some(t) = ctx.resolve(doc, &p, &reference) {
                        let key = ctx.schema_key(&t);
                        mapping.insert(value.clone(), key);
                    }
                }
            }
            Some(Discriminator {
                property_name,
                mapping,
            })
        }
        _ => None,
    }
}

fn num(obj: &Keys<'_>, key: &str) -> Option<Bound> {
    obj.get(key).and_then(Bound::from_value)
}

fn count(obj: &Keys<'_>, key: &str) -> Option<u64> {
    obj.get(key).and_then(|v| {
        v.as_u64()
            .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
    })
}

fn simple_kind(
    ctx: &mut Ctx,
    doc: usize,
    at: &Ptr,
    obj: &Keys<'_>,
    name: &str,
    depth: usize,
) -> SchemaKind {
    match name {
        "string" => SchemaKind::String(StringRules {
            format: obj
                .get("format")
                .and_then(Value::as_str)
                .map(StringFormat::parse),
            min_length: count(obj, "minLength"),
            max_length: count(obj, "maxLength"),
            pattern: obj
                .get("pattern")
                .and_then(Value::as_str)
                .map(str::to_string),
            xsd_type: None,
        }),
        "file" => SchemaKind::String(StringRules {
            format: Some(StringFormat::Binary),
            ..StringRules::default()
        }),
        "integer" | "number" => {
            let mut rules = NumberRules {
                format: obj
                    .get("format")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                minimum: num(obj, "minimum"),
                maximum: num(obj, "maximum"),
                multiple_of: num(obj, "multipleOf").filter(|m| m.value() > 0.0),
                ..NumberRules::default()
            };
            // 3.0 / 2.0: boolean exclusive flags on minimum / maximum; 3.1: numbers.
            match obj.get("exclusiveMinimum") {
                Some(Value::Bool(true)) => rules.exclusive_minimum = rules.minimum.take(),
                Some(v) => rules.exclusive_minimum = Bound::from_value(v),
                None => {}
            }
            match obj.get("exclusiveMaximum") {
                Some(Value::Bool(true)) => rules.exclusive_maximum = rules.maximum.take(),
                Some(v) => rules.exclusive_maximum = Bound::from_value(v),
                None => {}
            }
            if name == "integer" {
                SchemaKind::Integer(rules)
            } else {
                SchemaKind::Number(rules)
            }
        }
        "boolean" => SchemaKind::Boolean,
        "null" => SchemaKind::Null,
        "array" => {
            // Item schemas by position are an assertion (`prefixItems`); `items` is what
            // the items after them must be (`additionalItems` beside a draft 4-7 tuple).
            let tuple = obj.contains_key("prefixItems")
                || matches!(obj.get("items"), Some(Value::Array(_)));
            let rest = match obj.get("items") {
                Some(Value::Array(_)) => obj.get("additionalItems").map(|v| (v, "additionalItems")),
                Some(v) => Some((v, "items")),
                None => None,
            };
            let items = match rest {
                Some((v, key)) => {
                    let p = at.key(key);
                    Some(Box::new(convert(ctx, doc, &p, v, depth + 1)))
                }
                None => {
                    if ctx.version == Version::V30 && !tuple {
                        ctx.warn(
                            doc,
                            at,
                            "an array schema needs `items`; items read as `any`",
                        );
                    }
                    None
                }
            };
            SchemaKind::Array(ArrayRules {
                items,
                min_items: count(obj, "minItems"),
                max_items: count(obj, "maxItems"),
                unique_items: obj
                    .get("uniqueItems")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            })
        }
        "object" => {
            let mut properties = IndexMap::new();
            match obj.get("properties") {
                Some(Value::Object(props)) => {
                    let pp = at.key("properties");
                    for (name, v) in props {
                        let p = pp.key(name);
                        properties.insert(name.clone(), convert(ctx, doc, &p, v, depth + 1));
                    }
                }
                Some(Value::Null) | None => {}
                Some(_) => ctx.warn(
                    doc,
                    &at.key("properties"),
                    "`properties` must be a mapping; ignored",
                ),
            }
            let required = match obj.get("required") {
                Some(Value::Array(list)) => list
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                Some(Value::Bool(_)) | None => Vec::new(),
                Some(_) => {
                    ctx.warn(
                        doc,
                        &at.key("required"),
                        "`required` must be a list of property names; ignored",
                    );
                    Vec::new()
                }
            };
            let additional = match obj.get("additionalProperties") {
                None | Some(Value::Bool(true)) => Additional::Any,
                Some(Value::Bool(false)) => Additional::Forbidden,
                Some(v) => {
                    let p = at.key("additionalProperties");
                    match convert(ctx, doc, &p, v, depth + 1) {
                        SchemaRef::Inline(s) if *s == Schema::default() => Additional::Any,
                        other => Additional::Schema(Box::new(other)),
                    }
                }
            };
            SchemaKind::Object(ObjectRules {
                properties,
                required,
                additional,
                min_properties: count(obj, "minProperties"),
                max_properties: count(obj, "maxProperties"),
            })
        }
        other => {
            ctx.warn(
                doc,
                &at.key("type"),
                format!("unknown type `{other}`; read as `any`"),
            );
            SchemaKind::Any
        }
    }
}
