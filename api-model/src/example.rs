//! Deterministic example payloads: the spec's own example when there is one, else a value
//! generated from the schema with a seeded, portable RNG (ChaCha8), so the same inputs give the
//! same bytes on every machine and after every restart.
//!
//! Rules win over realism: `const`, `enum`, `pattern`, `format`, lengths and ranges are honoured
//! first; the property name (the "hint") only picks realistic data (names, cities, IBANs,
//! amounts...) where the rules leave room.

use fake::Fake;
use fake::rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use serde_json::{Map, Number, Value};
use sha2::{Digest, Sha256};

use crate::model::{
    Additional, Api, AssertionValue, Bound, Keyword, MediaType, NumberRules, Schema, SchemaKind,
    SchemaRef, StringFormat, StringRules,
};

/// The RNG every generator uses.
pub type ExampleRng = ChaCha8Rng;

/// A seed derived from stable inputs (operation, status, request...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Seed(pub u64);

impl Seed {
    /// Hash the parts (length-prefixed, so `["ab","c"]` and `["a","bc"]` differ).
    pub fn from_parts(parts: &[&[u8]]) -> Seed {
        let mut hasher = Sha256::new();
        for part in parts {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        let digest = hasher.finalize();
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&digest[..8]);
        Seed(u64::from_le_bytes(bytes))
    }

    /// The RNG for this seed.
    pub fn rng(self) -> ExampleRng {
        ChaCha8Rng::seed_from_u64(self.0)
    }
}

/// Which side of the exchange an example is for: `readOnly` properties only appear in
/// responses, `writeOnly` ones only in requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// A request body or parameter (no `readOnly` properties).
    Request,
    /// A response body (no `writeOnly` properties).
    Response,
    /// Both kinds of properties (documentation of the schema itself).
    Any,
}

/// How many named schemas deep an example goes before optional parts are cut.
const MAX_NAMED_DEPTH: usize = 6;
/// Deepest nesting of any kind.
const MAX_DEPTH: usize = 24;
/// The most values one example holds (stops huge schemas from making huge examples).
const MAX_NODES: usize = 2_000;
/// The longest string generated (a larger `minLength` is not honoured).
const MAX_STRING: usize = 10_000;
/// The most items generated for one array.
const MAX_ITEMS: u64 = 64;
/// How deep [`Gen::smallest`] follows required properties and required items (a schema whose
/// required parts refer back to itself has no finite value without a `null` somewhere).
const SMALLEST_DEPTH: usize = 32;

/// A value for a leaf schema (string, number, integer, boolean, null, any), honouring its rules;
/// `name_hint` (property or element name) picks realistic data (names, amounts, IBANs...).
/// Composite kinds get `Value::Null` here: use [`json_example`] for them.
pub fn leaf_value(schema: &Schema, name_hint: &str, rng: &mut ExampleRng) -> Value {
    if let Some(v) = given(schema) {
        return v;
    }
    if let Some(v) = first_enum(schema) {
        return v;
    }
    leaf_kind(&schema.kind, name_hint, rng).unwrap_or(Value::Null)
}

/// The example for a schema: its own example when present, else generated (for documentation:
/// both read-only and write-only properties included).
pub fn json_example(api: &Api, schema: &SchemaRef, seed: Seed) -> Value {
    json_example_for(api, schema, seed, Direction::Any)
}

/// The example for a schema as sent in `direction`.
pub fn json_example_for(api: &Api, schema: &SchemaRef, seed: Seed, direction: Direction) -> Value {
    json_example_variant(api, schema, seed, direction, 0).0
}

/// Like [`json_example_for`], taking member `variant` (modulo their number) of each `oneOf` and
/// `anyOf` instead of the first: when the first member's value also fits another member of a
/// `oneOf` (members that overlap), another variant may give a value that fits exactly one.
/// Variant 0 is [`json_example_for`]. The flag says whether a `oneOf` or `anyOf` had several
/// members to take from; when it did not, every variant gives the same value.
pub fn json_example_variant(
    api: &Api,
    schema: &SchemaRef,
    seed: Seed,
    direction: Direction,
    variant: usize,
) -> (Value, bool) {
    let mut g = Gen {
        api,
        rng: seed.rng(),
        direction,
        named: Vec::new(),
        nodes: 0,
        variant,
        chose: false,
    };
    let value = match g.value(schema, "", 0) {
        Some(v) => v,
        None => g.smallest(schema, "", 0),
    };
    (value, g.chose)
}

/// The example of a media type: its `example`, else the first of its named `examples` that has
/// a value, else one generated from its schema (`Value::Null` when it has none).
pub fn media_example(api: &Api, media: &MediaType, seed: Seed, direction: Direction) -> Value {
    if let Some(v) = &media.example {
        return v.clone();
    }
    if let Some(v) = media.examples.values().find_map(|e| e.value.as_ref()) {
        return v.clone();
    }
    match &media.schema {
        Some(s) => json_example_for(api, s, seed, direction),
        None => Value::Null,
    }
}

/// A named example of a media type (`examples.<name>.value`).
pub fn named_example<'a>(media: &'a MediaType, name: &str) -> Option<&'a Value> {
    media.examples.get(name).and_then(|e| e.value.as_ref())
}

/// The value the schema itself gives: `const`, then its first example, then `default`.
fn given(schema: &Schema) -> Option<Value> {
    if let Some(c) = &schema.const_value {
        return Some(c.clone());
    }
    if let Some(e) = schema.examples.first() {
        return Some(e.clone());
    }
    schema.default.clone()
}

/// The first non-null `enum` value: stable, and what readers expect to see first.
fn first_enum(s: &Schema) -> Option<Value> {
    s.enum_values
        .iter()
        .find(|v| !v.is_null())
        .or(s.enum_values.first())
        .cloned()
}

struct Gen<'a> {
    api: &'a Api,
    rng: ExampleRng,
    direction: Direction,
    /// Named schemas being generated (outermost first).
    named: Vec<&'a str>,
    nodes: usize,
    /// Which member of each `oneOf`/`anyOf` is taken (see [`json_example_variant`]).
    variant: usize,
    /// A `oneOf`/`anyOf` with several members to take from was met.
    chose: bool,
}

impl<'a> Gen<'a> {
    /// `None` means "leave this out" (a recursion cut).
    fn value(&mut self, sref: &'a SchemaRef, hint: &str, depth: usize) -> Option<Value> {
        self.nodes += 1;
        if depth > MAX_DEPTH || self.nodes > MAX_NODES {
            return None;
        }
        match sref {
            SchemaRef::Inline(s) => self.schema(s, hint, depth),
            SchemaRef::Named(name) => self.named(name, hint, depth),
        }
    }

    fn named(&mut self, name: &'a str, hint: &str, depth: usize) -> Option<Value> {
        let schema = self.api.schemas.get(name)?;
        let repeats = self.named.iter().filter(|n| **n == name).count();
        if repeats >= 1 && self.named.len() >= 2
            || repeats >= 2
            || self.named.len() >= MAX_NAMED_DEPTH
        {
            return None;
        }
        self.named.push(name);
        let hint = if hint.is_empty() { name } else { hint };
        let v = self.schema(schema, hint, depth + 1);
        self.named.pop();
        v
    }

    /// The hint for a property: a bare `name` or `title` of a thing that is not a person gets
    /// the thing's name in front (`Tag.name` -> `TagName`), so it reads as a thing, not a person.
    fn property_hint(&self, prop: &str) -> String {
        let person = [
            "user", "person", "customer", "owner", "contact", "employee", "member", "author",
            "holder", "payer", "payee", "debtor", "creditor",
        ];
        match self.named.last() {
            Some(parent) if (prop == "name" || prop == "title") => {
                let p = norm(parent);
                if person.iter().any(|k| p.contains(k)) {
                    prop.to_string()
                } else {
                    format!("{parent}_{prop}")
                }
            }
            _ => prop.to_string(),
        }
    }

    /// Whether generating `sref` now would re-enter a named schema already being generated.
    fn recursive(&self, sref: &SchemaRef) -> bool {
        match sref.name() {
            Some(n) => self.named.contains(&n) || self.named.len() >= MAX_NAMED_DEPTH,
            None => match sref {
                SchemaRef::Inline(s) => match &s.kind {
                    SchemaKind::Array(a) => a.items.as_deref().is_some_and(|i| self.recursive(i)),
                    _ => false,
                },
                SchemaRef::Named(_) => false,
            },
        }
    }

    fn schema(&mut self, s: &'a Schema, hint: &str, depth: usize) -> Option<Value> {
        let value = self.schema_kind(s, hint, depth)?;
        if s.assertions.is_empty() || given(s).is_some() || first_enum(s).is_some() {
            return Some(value);
        }
        Some(self.hold_assertions(s, value, hint, depth, false))
    }

    /// Make `value` (generated from the schema's kind) hold the schema's assertions where a
    /// generator can: the items `prefixItems` and `contains` ask for, the properties
    /// `dependentRequired` asks for. `small`: fill with [`Gen::smallest`] values.
    fn hold_assertions(
        &mut self,
        s: &'a Schema,
        mut value: Value,
        hint: &str,
        depth: usize,
        small: bool,
    ) -> Value {
        let item_hint = singular(hint);
        let make = |g: &mut Self, r: &'a SchemaRef, h: &str| {
            if small {
                g.smallest(r, h, depth + 1)
            } else {
                g.value(r, h, depth + 1)
                    .unwrap_or_else(|| g.smallest(r, h, depth + 1))
            }
        };
        match (&s.kind, &mut value) {
            (SchemaKind::Array(rules), Value::Array(items)) => {
                if let Some(AssertionValue::Schemas(prefix)) = s.assertion(Keyword::PrefixItems) {
                    // The tuple's positions, then (when `items` allows more) what `minItems`
                    // still asks for.
                    let more = items.len().saturating_sub(prefix.len());
                    let mut out: Vec<Value> = Vec::with_capacity(prefix.len());
                    if !(small && items.is_empty()) {
                        for r in prefix {
                            out.push(make(self, r, &item_hint));
                        }
                    }
                    let min = rules.min_items.unwrap_or(0) as usize;
                    if let Some(rest) = rules.items.as_deref().filter(|r| !self.forbidden(r)) {
                        for _ in 0..more.min(min.saturating_sub(out.len())) {
                            out.push(make(self, rest, &item_hint));
                        }
                    }
                    *items = out;
                }
                if let Some(AssertionValue::Schema(wanted)) = s.assertion(Keyword::Contains) {
                    let at_least = match s.assertion(Keyword::MinContains) {
                        Some(AssertionValue::Value(v)) => v.as_u64().unwrap_or(1),
                        _ => 1,
                    };
                    for _ in 0..at_least.min(MAX_ITEMS) {
                        let v = make(self, wanted, &item_hint);
                        match rules.max_items {
                            Some(max) if items.len() as u64 >= max && !items.is_empty() => {
                                if let Some(last) = items.last_mut() {
                                    *last = v;
                                }
                            }
                            _ => items.push(v),
                        }
                    }
                }
            }
            (SchemaKind::Object(rules), Value::Object(map)) => {
                if let Some(AssertionValue::Value(Value::Object(deps))) =
                    s.assertion(Keyword::DependentRequired)
                {
                    for (trigger, needed) in deps {
                        if !map.contains_key(trigger) {
                            continue;
                        }
                        for name in needed.as_array().into_iter().flatten() {
                            let Some(name) = name.as_str() else { continue };
                            if map.contains_key(name) {
                                continue;
                            }
                            let v = match rules.properties.get(name) {
                                Some(prop) => make(self, prop, name),
                                None => Value::String(hint_string(name, &mut self.rng)),
                            };
                            map.insert(name.to_string(), v);
                        }
                    }
                }
            }
            _ => {}
        }
        value
    }

    /// A schema no value matches (`false`, `not: {}`).
    fn forbidden(&self, r: &SchemaRef) -> bool {
        r.resolve(self.api).is_some_and(Schema::matches_nothing)
    }

    fn schema_kind(&mut self, s: &'a Schema, hint: &str, depth: usize) -> Option<Value> {
        if let Some(v) = given(s) {
            return Some(v);
        }
        if let Some(v) = first_enum(s) {
            return Some(v);
        }
        match &s.kind {
            SchemaKind::Ref(name) => self.named(name, hint, depth),
            SchemaKind::Array(rules) => {
                let min = rules.min_items.unwrap_or(0);
                let max = rules
                    .max_items
                    .unwrap_or(u64::MAX)
                    .min(MAX_ITEMS.max(min.min(256)));
                let mut n = min.max(1).min(max);
                if let Some(items) = rules.items.as_deref() {
                    if min == 0 && self.recursive(items) {
                        n = 0;
                    }
                }
                let item_hint = singular(hint);
                let mut out: Vec<Value> = Vec::new();
                let mut tries = 0;
                while (out.len() as u64) < n && tries < n * 8 + 8 {
                    tries += 1;
                    let v = match rules.items.as_deref() {
                        Some(items) => self.value(items, &item_hint, depth + 1),
                        None => Some(Value::String(hint_string(&item_hint, &mut self.rng))),
                    };
                    let Some(v) = v else { break };
                    if rules.unique_items && out.contains(&v) {
                        continue;
                    }
                    out.push(v);
                }
                // Cut short by a cap: the items `minItems` still asks for are the smallest ones.
                while (out.len() as u64) < min.min(MAX_ITEMS.max(min.min(256))) {
                    let v = match rules.items.as_deref() {
                        Some(items) => self.smallest(items, &item_hint, depth + 1),
                        None => Value::String(hint_string(&item_hint, &mut self.rng)),
                    };
                    if rules.unique_items && out.contains(&v) {
                        break;
                    }
                    out.push(v);
                }
                Some(Value::Array(out))
            }
            SchemaKind::Object(rules) => {
                let mut map = Map::new();
                for (name, prop) in &rules.properties {
                    let required = rules.required.iter().any(|r| r == name);
                    // A property no value may have (`false`) is left out.
                    if !required && self.forbidden(prop) {
                        continue;
                    }
                    if let Some(p) = prop.resolve(self.api) {
                        let skip = match self.direction {
                            Direction::Request => p.read_only,
                            Direction::Response => p.write_only,
                            Direction::Any => false,
                        };
                        // Left out even when required: the side's schema does not require
                        // it (readOnly in a request) or forbids it (writeOnly in a response).
                        if skip {
                            continue;
                        }
                    }
                    if !required && self.recursive(prop) {
                        continue;
                    }
                    let hint = self.property_hint(name);
                    match self.value(prop, &hint, depth + 1) {
                        Some(v) => {
                            map.insert(name.clone(), v);
                        }
                        None if required => {
                            let v = self.smallest(prop, &hint, depth + 1);
                            map.insert(name.clone(), v);
                        }
                        None => {}
                    }
                }
                let want = rules.min_properties.unwrap_or(0) as usize;
                let extra = match &rules.additional {
                    Additional::Schema(extra) => Some(extra.as_ref()),
                    _ => None,
                };
                let add = if rules.properties.is_empty() && extra.is_some() {
                    want.max(1)
                } else {
                    want
                };
                let mut i = 1;
                while map.len() < add && i < 64 {
                    let key = format!("additionalProp{i}");
                    i += 1;
                    let v = match extra {
                        Some(e) => self.value(e, &key, depth + 1),
                        None => Some(Value::String(hint_string("", &mut self.rng))),
                    };
                    match v {
                        Some(v) => {
                            map.insert(key, v);
                        }
                        None => break,
                    }
                }
                Some(Value::Object(map))
            }
            SchemaKind::OneOf(c) | SchemaKind::AnyOf(c) => {
                // The first member that is neither a recursion nor a bare `null` (3.1 writes
                // nullable references as `oneOf: [{type: 'null'}, {$ref: ..}]`).
                let is_null = |m: &SchemaRef| {
                    m.resolve(self.api)
                        .is_some_and(|s| matches!(s.kind, SchemaKind::Null))
                };
                let eligible: Vec<&'a SchemaRef> = c
                    .members
                    .iter()
                    .filter(|m| !self.recursive(m) && !is_null(m))
                    .collect();
                let first = match eligible.len() {
                    0 => c
                        .members
                        .iter()
                        .find(|m| !self.recursive(m))
                        .or(c.members.first())?,
                    n => {
                        self.chose |= n > 1;
                        eligible[self.variant % n]
                    }
                };
                let mut v = self.value(first, hint, depth + 1)?;
                if let (Some(d), Value::Object(map)) = (&c.discriminator, &mut v) {
                    let tag = first.name().map(|n| {
                        d.mapping
                            .iter()
                            .find(|(_, target)| target.as_str() == n)
                            .map_or_else(|| n.to_string(), |(value, _)| value.clone())
                    });
                    if let Some(tag) = tag {
                        map.insert(d.property_name.clone(), Value::String(tag));
                    }
                }
                Some(v)
            }
            SchemaKind::AllOf(c) => {
                let mut merged: Option<Map<String, Value>> = None;
                // A plain value must satisfy every member: take the one the most specific member
                // gives (a `const` or an enumeration over a bare `type: string`).
                let mut other: Option<(u8, Value)> = None;
                for m in &c.members {
                    // A member cut by a cap still needs its required parts.
                    let v = match self.value(m, hint, depth + 1) {
                        Some(v) => v,
                        None => self.smallest(m, hint, depth + 1),
                    };
                    match v {
                        Value::Object(obj) => {
                            let target = merged.get_or_insert_with(Map::new);
                            for (k, v) in obj {
                                target.insert(k, v);
                            }
                        }
                        v => {
                            let rank = specificity(m, self.api);
                            if other.as_ref().is_none_or(|(r, _)| rank > *r) {
                                other = Some((rank, v));
                            }
                        }
                    }
                }
                match (merged, other) {
                    (Some(m), _) => Some(Value::Object(m)),
                    (None, o) => o.map(|(_, v)| v),
                }
            }
            SchemaKind::Union(kinds) => {
                let kind = kinds
                    .iter()
                    .find(|k| !matches!(k, SchemaKind::Null))
                    .or(kinds.first())?;
                match kind {
                    SchemaKind::Array(_) | SchemaKind::Object(_) => {
                        // Rare (`type: [object, array]`): generate with a copy of the schema.
                        let copy = Schema {
                            kind: kind.clone(),
                            ..Schema::default()
                        };
                        let mut sub = Gen {
                            api: self.api,
                            rng: self.rng.clone(),
                            direction: self.direction,
                            named: self.named.clone(),
                            nodes: self.nodes,
                            variant: self.variant,
                            chose: false,
                        };
                        let v = sub.schema(&copy, hint, depth + 1);
                        self.chose |= sub.chose;
                        self.rng = sub.rng;
                        self.nodes = sub.nodes;
                        v
                    }
                    k => leaf_kind(k, hint, &mut self.rng),
                }
            }
            kind => leaf_kind(kind, hint, &mut self.rng),
        }
    }
}

/// How narrowly a schema pins its values: a `const`, `enum` or example (2) or a composition
/// (1) over a bare type (0). An `allOf` of plain values takes its value from the highest.
fn specificity(sref: &SchemaRef, api: &Api) -> u8 {
    let Some(s) = sref.resolve(api) else { return 0 };
    if given(s).is_some() || !s.enum_values.is_empty() {
        return 2;
    }
    match s.kind {
        SchemaKind::OneOf(_) | SchemaKind::AnyOf(_) | SchemaKind::AllOf(_) => 1,
        _ => 0,
    }
}

impl<'a> Gen<'a> {
    /// The smallest value a schema allows, for a required part that the depth, size or
    /// recursion caps cut: `null` where null is allowed, no optional property, the shortest
    /// list `minItems` allows, the first alternative. Unlike a cut, it is never left out, so a
    /// generated body always satisfies its schema.
    fn smallest(&mut self, sref: &'a SchemaRef, hint: &str, depth: usize) -> Value {
        match sref.resolve(self.api) {
            Some(s) => self.smallest_schema(s, hint, depth),
            None => Value::Null,
        }
    }

    fn smallest_schema(&mut self, s: &'a Schema, hint: &str, depth: usize) -> Value {
        let value = self.smallest_kind(s, hint, depth);
        if s.assertions.is_empty() || given(s).is_some() || first_enum(s).is_some() {
            return value;
        }
        self.hold_assertions(s, value, hint, depth, true)
    }

    fn smallest_kind(&mut self, s: &'a Schema, hint: &str, depth: usize) -> Value {
        if let Some(v) = given(s) {
            return v;
        }
        if let Some(v) = first_enum(s) {
            return v;
        }
        if s.nullable || depth > SMALLEST_DEPTH {
            return Value::Null;
        }
        match &s.kind {
            SchemaKind::Null | SchemaKind::Any => Value::Null,
            SchemaKind::Ref(name) => match self.api.schemas.get(name.as_str()) {
                Some(target) => self.smallest_schema(target, hint, depth + 1),
                None => Value::Null,
            },
            SchemaKind::Array(rules) => {
                let n = rules.min_items.unwrap_or(0).min(MAX_ITEMS);
                let item_hint = singular(hint);
                let mut out = Vec::new();
                for _ in 0..n {
                    let v = match rules.items.as_deref() {
                        // Distinct items when they must be: generated ones, which vary.
                        Some(items) if rules.unique_items && !out.is_empty() => self
                            .value(items, &item_hint, depth + 1)
                            .unwrap_or_else(|| self.smallest(items, &item_hint, depth + 1)),
                        Some(items) => self.smallest(items, &item_hint, depth + 1),
                        None => Value::String(hint_string(&item_hint, &mut self.rng)),
                    };
                    out.push(v);
                }
                Value::Array(out)
            }
            SchemaKind::Object(rules) => {
                let mut map = Map::new();
                for name in &rules.required {
                    let v = match (rules.properties.get(name), &rules.additional) {
                        (Some(prop), _) => self.smallest(prop, name, depth + 1),
                        (None, Additional::Schema(extra)) => self.smallest(extra, name, depth + 1),
                        (None, _) => Value::String(hint_string(name, &mut self.rng)),
                    };
                    map.insert(name.clone(), v);
                }
                // `minProperties`: optional properties first, then additional ones.
                let want = rules.min_properties.unwrap_or(0) as usize;
                for (name, prop) in &rules.properties {
                    if map.len() >= want {
                        break;
                    }
                    if !map.contains_key(name) && !self.forbidden(prop) {
                        let v = self.smallest(prop, name, depth + 1);
                        map.insert(name.clone(), v);
                    }
                }
                let mut i = 1;
                while map.len() < want && i < 64 {
                    let key = format!("additionalProp{i}");
                    i += 1;
                    let v = match &rules.additional {
                        Additional::Schema(extra) => self.smallest(extra, &key, depth + 1),
                        Additional::Any => Value::Null,
                        Additional::Forbidden => break,
                    };
                    map.insert(key, v);
                }
                Value::Object(map)
            }
            SchemaKind::OneOf(c) | SchemaKind::AnyOf(c) => {
                // `null` when an alternative allows it (the smallest value there is), else the
                // first alternative, tagged as its discriminator says.
                let nullable = c.members.iter().find(|m| {
                    m.resolve(self.api)
                        .is_some_and(|s| matches!(s.kind, SchemaKind::Null) || s.nullable)
                });
                if nullable.is_some() {
                    return Value::Null;
                }
                let Some(first) = c.members.first() else {
                    return Value::Null;
                };
                let mut v = self.smallest(first, hint, depth + 1);
                if let (Some(d), Value::Object(map)) = (&c.discriminator, &mut v) {
                    if let Some(n) = first.name() {
                        let tag = d
                            .mapping
                            .iter()
                            .find(|(_, target)| target.as_str() == n)
                            .map_or_else(|| n.to_string(), |(value, _)| value.clone());
                        map.insert(d.property_name.clone(), Value::String(tag));
                    }
                }
                v
            }
            SchemaKind::AllOf(c) => {
                let mut merged: Option<Map<String, Value>> = None;
                let mut other: Option<(u8, Value)> = None;
                for m in &c.members {
                    match self.smallest(m, hint, depth + 1) {
                        Value::Object(obj) => merged.get_or_insert_with(Map::new).extend(obj),
                        v => {
                            let rank = specificity(m, self.api);
                            if other.as_ref().is_none_or(|(r, _)| rank > *r) {
                                other = Some((rank, v));
                            }
                        }
                    }
                }
                match (merged, other) {
                    (Some(m), _) => Value::Object(m),
                    (None, Some((_, v))) => v,
                    (None, None) => Value::Null,
                }
            }
            SchemaKind::Union(kinds) => {
                if kinds.iter().any(|k| matches!(k, SchemaKind::Null)) {
                    return Value::Null;
                }
                match kinds.first() {
                    Some(SchemaKind::Array(_)) => Value::Array(Vec::new()),
                    Some(SchemaKind::Object(_)) => Value::Object(Map::new()),
                    Some(k) => leaf_kind(k, hint, &mut self.rng).unwrap_or(Value::Null),
                    None => Value::Null,
                }
            }
            kind => leaf_kind(kind, hint, &mut self.rng).unwrap_or(Value::Null),
        }
    }
}

/// `pets` -> `pet`, `addresses` -> `address`: a hint for array items.
fn singular(hint: &str) -> String {
    if let Some(stem) = hint.strip_suffix("ies") {
        format!("{stem}y")
    } else if let Some(stem) = hint.strip_suffix("sses") {
        format!("{stem}ss")
    } else if hint.ends_with("ss") {
        hint.to_string()
    } else if let Some(stem) = hint.strip_suffix('s') {
        stem.to_string()
    } else {
        hint.to_string()
    }
}

fn leaf_kind(kind: &SchemaKind, hint: &str, rng: &mut ExampleRng) -> Option<Value> {
    Some(match kind {
        SchemaKind::Null => Value::Null,
        SchemaKind::Boolean => Value::Bool(rng.random_bool(0.5)),
        SchemaKind::Integer(rules) => number(rules, true, hint, rng),
        SchemaKind::Number(rules) => number(rules, false, hint, rng),
        SchemaKind::String(rules) => Value::String(string(rules, hint, rng)),
        SchemaKind::Any => Value::String(hint_string(hint, rng)),
        SchemaKind::Union(kinds) => {
            let k = kinds.iter().find(|k| !matches!(k, SchemaKind::Null))?;
            return leaf_kind(k, hint, rng);
        }
        _ => return None,
    })
}

/// Lower-case letters and digits of a hint: `first_Name` -> `firstname`.
fn norm(hint: &str) -> String {
    hint.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn number(rules: &NumberRules, integer: bool, hint: &str, rng: &mut ExampleRng) -> Value {
    // Arithmetic on the bounds is in floats: an example needs no more than 2^53 of precision.
    let f = |b: &Option<Bound>| b.as_ref().map(Bound::value);
    let (minimum, maximum) = (f(&rules.minimum), f(&rules.maximum));
    let (exclusive_minimum, exclusive_maximum) =
        (f(&rules.exclusive_minimum), f(&rules.exclusive_maximum));
    let multiple_of = f(&rules.multiple_of);
    let h = norm(hint);
    let money = ["amount", "price", "total", "balance", "fee", "cost"]
        .iter()
        .any(|k| h.contains(k));
    let (def_lo, def_hi) = if money {
        (1.0, 1000.0)
    } else if h.contains("age") && !h.contains("page") {
        (18.0, 90.0)
    } else if h.ends_with("year") {
        (2000.0, 2030.0)
    } else if h.contains("port") {
        (1024.0, 65535.0)
    } else if h.contains("percent") || h.contains("rate") {
        (0.0, 100.0)
    } else if h.contains("lat") && !h.contains("late") {
        (-90.0, 90.0)
    } else if h.contains("lon") || h.contains("lng") {
        (-180.0, 180.0)
    } else {
        (1.0, 1000.0)
    };
    let step = if integer { 1.0 } else { 0.01 };
    let mut lo = minimum
        .or(exclusive_minimum.map(|m| m + step))
        .unwrap_or(f64::NAN);
    let mut hi = maximum
        .or(exclusive_maximum.map(|m| m - step))
        .unwrap_or(f64::NAN);
    if let (Some(a), Some(b)) = (minimum, exclusive_minimum) {
        lo = a.max(b + step);
    }
    if let (Some(a), Some(b)) = (maximum, exclusive_maximum) {
        hi = a.min(b - step);
    }
    if let Some(total) = rules.total_digits {
        let frac = rules.fraction_digits.unwrap_or(0).min(total);
        let limit = 10f64.powi(i32::try_from(total - frac).unwrap_or(0)) - 1.0;
        if hi.is_nan() || hi > limit {
            hi = limit;
        }
        if lo.is_nan() && hi < def_lo {
            lo = 0.0_f64.min(hi);
        }
    }
    match (lo.is_nan(), hi.is_nan()) {
        (true, true) => {
            lo = def_lo;
            hi = def_hi;
        }
        (false, true) => {
            hi = if lo < def_hi && lo >= 0.0 {
                def_hi.max(lo + 1.0)
            } else {
                lo + 1000.0
            }
        }
        (true, false) => {
            lo = if hi > def_lo {
                def_lo.min(hi)
            } else {
                hi - 1000.0
            }
        }
        (false, false) => {}
    }
    if hi < lo {
        hi = lo;
    }
    // A huge allowed range (`0..2^53`) still gets a readable value: the usual range when it
    // fits inside, else the low end of it.
    if hi - lo > 1.0e6 {
        if lo <= def_lo && def_hi <= hi {
            lo = def_lo;
            hi = def_hi;
        } else {
            hi = lo + 1000.0;
        }
    }
    // Bounds of the integer formats (OpenAPI's and XSD's built-in integer types).
    let format = rules
        .format
        .as_deref()
        .map(|f| f.rsplit(':').next().unwrap_or(f));
    let int_bounds = match format {
        Some("int32" | "int") => Some((f64::from(i32::MIN), f64::from(i32::MAX))),
        Some("byte") => Some((-128.0, 127.0)),
        Some("unsignedByte" | "uint8") => Some((0.0, 255.0)),
        Some("short" | "int16") => Some((-32768.0, 32767.0)),
        Some("unsignedShort" | "uint16") => Some((0.0, 65535.0)),
        Some("unsignedInt" | "uint32") => Some((0.0, f64::from(u32::MAX))),
        Some("int53") => Some((-9_007_199_254_740_991.0, 9_007_199_254_740_991.0)),
        // Within the doubles that stay inside `i64` (2^63 itself is beyond it).
        Some("int64" | "long") => Some((-9_223_372_036_854_774_784.0, 9_223_372_036_854_774_784.0)),
        Some("unsignedLong" | "nonNegativeInteger" | "uint64") => Some((0.0, f64::MAX)),
        Some("positiveInteger") => Some((1.0, f64::MAX)),
        Some("negativeInteger") => Some((f64::MIN, -1.0)),
        Some("nonPositiveInteger") => Some((f64::MIN, 0.0)),
        _ => None,
    };
    if let Some((a, b)) = int_bounds {
        if b < 1.0 && minimum.is_none() && exclusive_minimum.is_none() {
            // Negative-only types: the default range would sit above them.
            lo = b - 1000.0;
            hi = b;
        }
        lo = lo.max(a);
        hi = hi.min(b).max(lo);
    }
    if let Some(m) = multiple_of.filter(|m| *m > 0.0 && m.is_finite()) {
        let k_lo = (lo / m).ceil();
        let k_hi = (hi / m).floor();
        let k = if k_hi >= k_lo && (k_hi - k_lo) < 1e15 {
            let span = (k_hi - k_lo) as u64;
            k_lo + rng.random_range(0..=span.min(1000)) as f64
        } else {
            k_lo
        };
        return to_number(k * m, integer);
    }
    if integer {
        let a = lo.ceil();
        let b = hi.floor().max(a);
        if (b - a) < 9.0e15 && a.abs() < 9.0e15 {
            let v = a as i64 + rng.random_range(0..=(b - a) as i64);
            return Value::Number(Number::from(v));
        }
        return to_number(a, true);
    }
    let frac = rules.fraction_digits.map_or(2, |f| f.min(6));
    let scale = 10f64.powi(i32::try_from(frac).unwrap_or(2));
    let v = if hi > lo {
        lo + rng.random_range(0.0..1.0) * (hi - lo)
    } else {
        lo
    };
    let mut rounded = (v * scale).round() / scale;
    if rounded < lo || rounded > hi {
        rounded = v;
    }
    to_number(rounded, false)
}

/// 2^63, the first double beyond `i64`.
const TWO_63: f64 = (1u64 << 63) as f64;

fn to_number(v: f64, integer: bool) -> Value {
    if integer && v.abs() < 9.0e15 {
        return Value::Number(Number::from(v.round() as i64));
    }
    // A large integer is still written as one (`9000000000000000000`, not `9e18`) while `i64`
    // holds it.
    if integer && v.fract() == 0.0 && (-TWO_63..TWO_63).contains(&v) {
        return Value::Number(Number::from(v as i64));
    }
    Number::from_f64(v).map_or(Value::Null, Value::Number)
}

fn string(rules: &StringRules, hint: &str, rng: &mut ExampleRng) -> String {
    let min = (rules.min_length.unwrap_or(0) as usize).min(MAX_STRING);
    let max = rules.max_length.map_or(usize::MAX, |m| m as usize);
    if let Some(p) = &rules.pattern {
        if let Some(s) = from_pattern(p, min, max, rng) {
            return s;
        }
    }
    let raw = match &rules.format {
        Some(f) => format_value(f, hint, rng),
        None => match rules.xsd_type.as_deref() {
            Some(t) => xsd_string(t, hint, rng),
            None => hint_string(hint, rng),
        },
    };
    fit_length(raw, min, max, rng)
}

/// Pad with letters or cut to honour `minLength` / `maxLength` (in characters).
fn fit_length(mut s: String, min: usize, max: usize, rng: &mut ExampleRng) -> String {
    let len = s.chars().count();
    if len > max {
        s = s.chars().take(max).collect();
    }
    let mut len = s.chars().count();
    while len < min {
        s.push(char::from(b'a' + rng.random_range(0..26u8)));
        len += 1;
    }
    s
}

/// A string matching an ECMA/XSD pattern, if the pattern is one `regex-syntax` reads (no
/// lookarounds or backreferences).
fn from_pattern(pattern: &str, min: usize, max: usize, rng: &mut ExampleRng) -> Option<String> {
    if pattern.len() > 1000 {
        return None;
    }
    // ASCII classes first (`\d` as 0-9, not every Unicode digit); Unicode when the pattern
    // needs it (a `.` that could match invalid UTF-8 without it, or non-ASCII literals).
    let hir = match regex_syntax::ParserBuilder::new()
        .unicode(false)
        .build()
        .parse(pattern)
    {
        Ok(h) => h,
        Err(_) => regex_syntax::ParserBuilder::new()
            .build()
            .parse(pattern)
            .ok()?,
    };
    let hir = strip_anchors(hir)?;
    let props = hir.properties();
    if props.minimum_len().is_none_or(|m| m > MAX_STRING)
        || props.maximum_len().is_some_and(|m| m > 10 * MAX_STRING)
    {
        return None;
    }
    let regex = rand_regex::Regex::with_hir(hir, 8).ok()?;
    let mut last = None;
    for _ in 0..16 {
        let s: Result<String, _> = rng.sample(&regex);
        let Ok(s) = s else { return None };
        let n = s.chars().count();
        if n >= min && n <= max {
            return Some(s);
        }
        last = Some(s);
    }
    last
}

/// Drop `^` and `$` at the ends of a pattern (JSON Schema patterns are unanchored; a value that
/// matches the whole pattern also matches it anchored or not). Other assertions: give up.
fn strip_anchors(hir: regex_syntax::hir::Hir) -> Option<regex_syntax::hir::Hir> {
    use regex_syntax::hir::{Hir, HirKind, Look};
    let is_anchor = |h: &Hir| {
        matches!(
            h.kind(),
            HirKind::Look(
                Look::Start
                    | Look::End
                    | Look::StartLF
                    | Look::EndLF
                    | Look::StartCRLF
                    | Look::EndCRLF
            )
        )
    };
    match hir.kind() {
        HirKind::Look(_) if is_anchor(&hir) => Some(Hir::empty()),
        HirKind::Concat(parts) => {
            let kept: Vec<Hir> = parts.iter().filter(|h| !is_anchor(h)).cloned().collect();
            let mut out = Vec::with_capacity(kept.len());
            for h in kept {
                out.push(strip_anchors(h)?);
            }
            Some(Hir::concat(out))
        }
        HirKind::Alternation(parts) => {
            let mut out = Vec::with_capacity(parts.len());
            for h in parts {
                out.push(strip_anchors(h.clone())?);
            }
            Some(Hir::alternation(out))
        }
        HirKind::Capture(c) => {
            let sub = strip_anchors((*c.sub).clone())?;
            Some(Hir::capture(regex_syntax::hir::Capture {
                index: c.index,
                name: c.name.clone(),
                sub: Box::new(sub),
            }))
        }
        _ => Some(hir),
    }
}

fn pick<'s>(rng: &mut ExampleRng, list: &[&'s str]) -> &'s str {
    list[rng.random_range(0..list.len())]
}

fn digits(rng: &mut ExampleRng, n: usize) -> String {
    (0..n)
        .map(|i| {
            let d = if i == 0 {
                rng.random_range(1..10u8)
            } else {
                rng.random_range(0..10u8)
            };
            char::from(b'0' + d)
        })
        .collect()
}

fn date(rng: &mut ExampleRng) -> String {
    format!(
        "{}-{:02}-{:02}",
        rng.random_range(2020..2026),
        rng.random_range(1..13),
        rng.random_range(1..29)
    )
}

fn time(rng: &mut ExampleRng) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        rng.random_range(0..24),
        rng.random_range(0..60),
        rng.random_range(0..60)
    )
}

fn uuid(rng: &mut ExampleRng) -> String {
    let b: [u8; 16] = rng.random();
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    // Version 4, RFC 4122 variant.
    format!(
        "{}-{}-4{}-{}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        ["8", "9", "a", "b"][usize::from(b[8] & 3)],
        &hex[17..20],
        &hex[20..32]
    )
}

fn word(rng: &mut ExampleRng) -> String {
    fake::faker::lorem::en::Word().fake_with_rng(rng)
}

fn format_value(f: &StringFormat, hint: &str, rng: &mut ExampleRng) -> String {
    match f {
        StringFormat::DateTime => format!("{}T{}Z", date(rng), time(rng)),
        StringFormat::Date => date(rng),
        StringFormat::Time => time(rng),
        StringFormat::Duration => {
            format!("PT{}H{}M", rng.random_range(0..24), rng.random_range(1..60))
        }
        StringFormat::Email => fake::faker::internet::en::SafeEmail().fake_with_rng(rng),
        StringFormat::Uuid => uuid(rng),
        StringFormat::Uri => format!("https://example.com/{}", word(rng)),
        StringFormat::UriReference => format!("/{}/{}", word(rng), rng.random_range(1..1000)),
        StringFormat::Hostname => format!("{}.example.com", word(rng)),
        StringFormat::Ipv4 => format!("192.0.2.{}", rng.random_range(1..255)),
        StringFormat::Ipv6 => format!("2001:db8::{:x}", rng.random_range(1..0xffff)),
        StringFormat::Byte => {
            use base64::Engine;
            let text = hint_string(hint, rng);
            base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
        }
        StringFormat::HexBinary => {
            let b: [u8; 8] = rng.random();
            b.iter().map(|x| format!("{x:02X}")).collect()
        }
        StringFormat::Binary => format!(
            "<binary {} data>",
            if hint.is_empty() { "file" } else { hint }
        ),
        StringFormat::Password => format!("S3cret-{}", digits(rng, 4)),
        StringFormat::Other(name) => match name.as_str() {
            "iban" => iban(rng),
            "bic" => bic(rng),
            "phone" => fake::faker::phone_number::en::PhoneNumber().fake_with_rng(rng),
            "int32" | "int64" | "decimal" | "double" | "float" | "number" => digits(rng, 4),
            _ => hint_string(hint, rng),
        },
    }
}

/// A string for an XSD built-in string-ish type.
fn xsd_string(xsd_type: &str, hint: &str, rng: &mut ExampleRng) -> String {
    let local = xsd_type.rsplit(':').next().unwrap_or(xsd_type);
    match local {
        "token" | "normalizedString" | "string" => hint_string(hint, rng),
        "NMTOKEN" | "NMTOKENS" | "Name" | "NCName" | "ENTITY" | "NOTATION" => {
            let w = word(rng);
            if local == "NMTOKENS" {
                format!("{w} {}", word(rng))
            } else {
                w
            }
        }
        "ID" | "IDREF" => format!("id-{}", digits(rng, 4)),
        "IDREFS" => format!("id-{} id-{}", digits(rng, 4), digits(rng, 4)),
        "QName" => format!("tns:{}", word(rng)),
        "language" => pick(rng, &["en", "en-US", "de", "fr", "es"]).to_string(),
        "anyURI" => format!("https://example.com/{}", word(rng)),
        "dateTime" => format_value(&StringFormat::DateTime, hint, rng),
        "date" => date(rng),
        "time" => time(rng),
        "duration" => format_value(&StringFormat::Duration, hint, rng),
        "gYear" => rng.random_range(2000..2030).to_string(),
        "gYearMonth" => format!(
            "{}-{:02}",
            rng.random_range(2000..2030),
            rng.random_range(1..13)
        ),
        "gMonth" => format!("--{:02}", rng.random_range(1..13)),
        "gMonthDay" => format!(
            "--{:02}-{:02}",
            rng.random_range(1..13),
            rng.random_range(1..29)
        ),
        "gDay" => format!("---{:02}", rng.random_range(1..29)),
        "base64Binary" => format_value(&StringFormat::Byte, hint, rng),
        "hexBinary" => format_value(&StringFormat::HexBinary, hint, rng),
        _ => hint_string(hint, rng),
    }
}

/// A valid IBAN (German layout, correct check digits).
fn iban(rng: &mut ExampleRng) -> String {
    let bban = format!("{}{}", digits(rng, 8), digits(rng, 10));
    // Check digits: move "DE00" to the end, letters to numbers (D=13, E=14), mod 97.
    let numeric = format!("{bban}131400");
    let rem = numeric
        .bytes()
        .fold(0u32, |acc, b| (acc * 10 + u32::from(b - b'0')) % 97);
    format!("DE{:02}{bban}", 98 - rem)
}

fn bic(rng: &mut ExampleRng) -> String {
    let letters: String = (0..4)
        .map(|_| char::from(b'A' + rng.random_range(0..26u8)))
        .collect();
    format!("{letters}DEFF")
}

/// A realistic string chosen from the name of the property or element.
fn hint_string(hint: &str, rng: &mut ExampleRng) -> String {
    use fake::faker::{
        address::en as addr, company::en as company, internet::en as net, name::en as name,
    };
    let h = norm(hint);
    let has = |k: &str| h.contains(k);
    if h.is_empty() {
        return word(rng);
    }
    if has("iban") {
        return iban(rng);
    }
    if has("bic") || has("swift") {
        return bic(rng);
    }
    if h == "stan" || has("systemtrace") || h.ends_with("stan") && h.len() <= 8 {
        return digits(rng, 6);
    }
    if h == "rrn" || has("retrievalreference") || h.ends_with("rrn") {
        return digits(rng, 12);
    }
    if has("pan") && h.len() <= 6 || has("cardnumber") {
        return fake::faker::creditcard::en::CreditCardNumber().fake_with_rng(rng);
    }
    if has("account") && (has("number") || has("no") || has("id")) || h == "account" {
        return digits(rng, 10);
    }
    if ["amount", "price", "total", "balance", "fee", "cost"]
        .iter()
        .any(|k| has(k))
    {
        // Minor units as a string (cents), the way payment APIs carry money.
        return rng.random_range(100..100_000).to_string();
    }
    if has("currency") {
        return pick(rng, &["EUR", "USD", "GBP", "CHF", "JPY"]).to_string();
    }
    if has("email") || has("mail") {
        return net::SafeEmail().fake_with_rng(rng);
    }
    if has("firstname") || has("givenname") || has("forename") {
        return name::FirstName().fake_with_rng(rng);
    }
    if has("lastname") || has("surname") || has("familyname") {
        return name::LastName().fake_with_rng(rng);
    }
    if has("username") || has("login") || h == "user" || has("nickname") {
        return net::Username().fake_with_rng(rng);
    }
    if has("filename") {
        return format!("{}.pdf", word(rng));
    }
    if has("hostname") || has("domain") {
        return format!("{}.example.com", word(rng));
    }
    if has("company") || has("organization") || has("organisation") || has("merchant") {
        return company::CompanyName().fake_with_rng(rng);
    }
    if has("city") || has("town") {
        return addr::CityName().fake_with_rng(rng);
    }
    if has("country") {
        if has("code") || h.len() <= 7 && has("iso") {
            return addr::CountryCode().fake_with_rng(rng);
        }
        return addr::CountryName().fake_with_rng(rng);
    }
    if has("street") || has("addressline") || h == "address" || has("line1") {
        let n: String = addr::BuildingNumber().fake_with_rng(rng);
        let s: String = addr::StreetName().fake_with_rng(rng);
        return format!("{n} {s}");
    }
    if has("zip") || has("postcode") || has("postalcode") {
        return addr::PostCode().fake_with_rng(rng);
    }
    if h == "state" || has("province") || has("region") {
        return addr::StateName().fake_with_rng(rng);
    }
    if has("phone") || has("mobile") || has("msisdn") || has("fax") {
        return fake::faker::phone_number::en::PhoneNumber().fake_with_rng(rng);
    }
    if has("url") || has("uri") || has("link") || has("website") || has("href") {
        return format!("https://example.com/{}", word(rng));
    }
    if has("uuid") || has("guid") {
        return uuid(rng);
    }
    if has("password") || has("secret") {
        return format!("S3cret-{}", digits(rng, 4));
    }
    if has("token") || has("key") && !has("keyword") {
        let b: [u8; 16] = rng.random();
        return b.iter().map(|x| format!("{x:02x}")).collect();
    }
    if has("description")
        || has("comment")
        || has("note")
        || has("message")
        || has("summary")
        || has("text")
        || has("reason")
    {
        return fake::faker::lorem::en::Sentence(3..8).fake_with_rng(rng);
    }
    if has("title") || has("subject") || has("headline") {
        return company::CatchPhrase().fake_with_rng(rng);
    }
    if has("name") {
        if h == "name" || has("fullname") || has("displayname") || has("holder") || has("customer")
        {
            return name::Name().fake_with_rng(rng);
        }
        return company::Buzzword().fake_with_rng(rng);
    }
    if has("date") || has("timestamp") || h.ends_with("at") && h.len() > 4 || h.ends_with("time") {
        return format!("{}T{}Z", date(rng), time(rng));
    }
    if has("color") || has("colour") {
        return pick(rng, &["red", "green", "blue", "black", "white"]).to_string();
    }
    if has("lang") || has("locale") {
        return pick(rng, &["en-US", "de-DE", "fr-FR", "es-ES"]).to_string();
    }
    if has("status") || has("state") {
        return pick(rng, &["active", "pending", "completed"]).to_string();
    }
    if h.ends_with("id")
        || has("reference")
        || h.ends_with("ref")
        || has("number")
        || h.ends_with("no")
    {
        return format!(
            "{}{}",
            word(rng).chars().take(3).collect::<String>().to_uppercase(),
            digits(rng, 6)
        );
    }
    if has("code") {
        let letters: String = (0..3)
            .map(|_| char::from(b'A' + rng.random_range(0..26u8)))
            .collect();
        return format!("{letters}{}", digits(rng, 3));
    }
    if has("type") || has("kind") || has("category") || has("tag") {
        return word(rng);
    }
    word(rng)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        ArrayRules, Composite, Discriminator, ObjectRules, Protocol, SpecKind, SpecSource,
    };
    use indexmap::IndexMap;

    fn api(schemas: Vec<(&str, Schema)>) -> Api {
        Api {
            id: "t".into(),
            title: "T".into(),
            version: String::new(),
            description: None,
            protocol: Protocol::Rest,
            source: SpecSource {
                kind: SpecKind::Openapi,
                version: "3.1.0".into(),
                path: String::new(),
                files: Vec::new(),
            },
            servers: Vec::new(),
            security_schemes: IndexMap::new(),
            security: Vec::new(),
            tags: Vec::new(),
            operations: Vec::new(),
            webhooks: Vec::new(),
            schemas: schemas
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
            info: Default::default(),
        }
    }

    fn kind(kind: SchemaKind) -> Schema {
        Schema {
            kind,
            ..Schema::default()
        }
    }

    fn inline(kind_: SchemaKind) -> SchemaRef {
        SchemaRef::Inline(Box::new(kind(kind_)))
    }

    fn string_rules(f: impl FnOnce(&mut StringRules)) -> SchemaKind {
        let mut r = StringRules::default();
        f(&mut r);
        SchemaKind::String(r)
    }

    fn pet_api() -> Api {
        let mut props = IndexMap::new();
        props.insert(
            "id".to_string(),
            inline(SchemaKind::Integer(NumberRules::default())),
        );
        props.insert("name".to_string(), inline(string_rules(|_| {})));
        props.insert(
            "email".to_string(),
            inline(string_rules(|r| r.format = Some(StringFormat::Email))),
        );
        props.insert(
            "children".to_string(),
            inline(SchemaKind::Array(ArrayRules {
                items: Some(Box::new(SchemaRef::Named("Pet".into()))),
                ..ArrayRules::default()
            })),
        );
        props.insert("parent".to_string(), SchemaRef::Named("Pet".into()));
        let pet = kind(SchemaKind::Object(ObjectRules {
            properties: props,
            required: vec!["id".into(), "name".into()],
            ..ObjectRules::default()
        }));
        api(vec![("Pet", pet)])
    }

    #[test]
    fn same_seed_same_value_and_seeds_differ() {
        let api = pet_api();
        let s = SchemaRef::Named("Pet".into());
        let a = json_example(&api, &s, Seed(7));
        let b = json_example(&api, &s, Seed(7));
        assert_eq!(a, b);
        let values: std::collections::BTreeSet<String> = (0..8)
            .map(|i| json_example(&api, &s, Seed(i)).to_string())
            .collect();
        assert!(
            values.len() > 1,
            "seeds should vary the example: {values:?}"
        );
    }

    #[test]
    fn recursion_is_cut_and_required_kept() {
        let api = pet_api();
        let v = json_example(&api, &SchemaRef::Named("Pet".into()), Seed(1));
        let obj = v.as_object().expect("object");
        assert!(obj.contains_key("id") && obj.contains_key("name"), "{v}");
        assert!(obj["id"].is_i64());
        assert!(
            obj["email"].as_str().is_some_and(|e| e.contains('@')),
            "{v}"
        );
        // Recursive optional properties are left out rather than nested forever.
        assert!(!obj.contains_key("parent"), "{v}");
        assert!(
            obj.get("children")
                .is_none_or(|c| c == &Value::Array(vec![])),
            "{v}"
        );
    }

    #[test]
    fn rules_are_honoured() {
        let mut rng = Seed(3).rng();
        for _ in 0..50 {
            let s = kind(SchemaKind::Integer(NumberRules {
                minimum: Bound::from_f64(10.0),
                exclusive_maximum: Bound::from_f64(20.0),
                multiple_of: Bound::from_f64(3.0),
                ..NumberRules::default()
            }));
            let v = leaf_value(&s, "", &mut rng).as_i64().expect("int");
            assert!((10..20).contains(&v) && v % 3 == 0, "{v}");
            let s = kind(string_rules(|r| {
                r.pattern = Some("^[A-Z]{3}-\\d{4}$".into());
            }));
            let v = leaf_value(&s, "name", &mut rng);
            let t = v.as_str().expect("string");
            assert!(t.len() == 8 && t.as_bytes()[3] == b'-', "{t}");
            let s = kind(string_rules(|r| {
                r.min_length = Some(12);
                r.max_length = Some(14);
            }));
            let n = leaf_value(&s, "city", &mut rng)
                .as_str()
                .map_or(0, |t| t.chars().count());
            assert!((12..=14).contains(&n));
        }
        // A lookaround (ECMA only) falls back to a plain string instead of failing.
        let s = kind(string_rules(|r| r.pattern = Some("^(?!abc).+$".into())));
        assert!(leaf_value(&s, "x", &mut rng).is_string());
        let s = kind(string_rules(|r| r.format = Some(StringFormat::Uuid)));
        let u = leaf_value(&s, "", &mut rng);
        assert_eq!(u.as_str().map(str::len), Some(36));
    }

    #[test]
    fn spec_examples_win_and_enum_const() {
        let mut rng = Seed(1).rng();
        let s = Schema {
            examples: vec![Value::from("given")],
            default: Some(Value::from("dflt")),
            ..kind(string_rules(|_| {}))
        };
        assert_eq!(leaf_value(&s, "", &mut rng), Value::from("given"));
        let s = Schema {
            const_value: Some(Value::from(5)),
            ..kind(SchemaKind::Integer(NumberRules::default()))
        };
        assert_eq!(leaf_value(&s, "", &mut rng), Value::from(5));
        let api = api(vec![]);
        let s = SchemaRef::Inline(Box::new(Schema {
            enum_values: vec![Value::from("a"), Value::from("b")],
            ..kind(string_rules(|_| {}))
        }));
        assert_eq!(json_example(&api, &s, Seed(9)), Value::from("a"));
    }

    #[test]
    fn variants_take_other_members_and_say_whether_there_was_a_choice() {
        let api = api(vec![]);
        let one_of = inline(SchemaKind::OneOf(Composite {
            members: vec![inline(string_rules(|_| {})), inline(SchemaKind::Boolean)],
            discriminator: None,
        }));
        let (first, chose) = json_example_variant(&api, &one_of, Seed(1), Direction::Any, 0);
        assert!(first.is_string() && chose, "{first}");
        assert_eq!(
            first,
            json_example_for(&api, &one_of, Seed(1), Direction::Any)
        );
        let (second, _) = json_example_variant(&api, &one_of, Seed(1), Direction::Any, 1);
        assert!(second.is_boolean(), "{second}");
        let (third, _) = json_example_variant(&api, &one_of, Seed(1), Direction::Any, 2);
        assert_eq!(third, first);
        let plain = inline(string_rules(|_| {}));
        let (_, chose) = json_example_variant(&api, &plain, Seed(1), Direction::Any, 1);
        assert!(!chose);
    }

    #[test]
    fn discriminator_sets_the_tag_and_read_only_follows_direction() {
        let mut cat_props = IndexMap::new();
        cat_props.insert("kind".to_string(), inline(string_rules(|_| {})));
        cat_props.insert(
            "secret".to_string(),
            SchemaRef::Inline(Box::new(Schema {
                write_only: true,
                ..kind(string_rules(|_| {}))
            })),
        );
        cat_props.insert(
            "id".to_string(),
            SchemaRef::Inline(Box::new(Schema {
                read_only: true,
                ..kind(string_rules(|_| {}))
            })),
        );
        let cat = kind(SchemaKind::Object(ObjectRules {
            properties: cat_props,
            ..ObjectRules::default()
        }));
        let mut mapping = IndexMap::new();
        mapping.insert("cat".to_string(), "Cat".to_string());
        let api = api(vec![("Cat", cat)]);
        let s = inline(SchemaKind::OneOf(Composite {
            members: vec![SchemaRef::Named("Cat".into())],
            discriminator: Some(Discriminator {
                property_name: "kind".into(),
                mapping,
            }),
        }));
        let v = json_example_for(&api, &s, Seed(2), Direction::Request);
        assert_eq!(v["kind"], Value::from("cat"));
        assert!(v.get("secret").is_some() && v.get("id").is_none(), "{v}");
        let v = json_example_for(&api, &s, Seed(2), Direction::Response);
        assert!(v.get("secret").is_none() && v.get("id").is_some(), "{v}");
        // Required changes nothing: a response has no writeOnly property, a request no
        // readOnly one (its side's schema does not require it).
        let mut api = api;
        if let Some(SchemaKind::Object(rules)) = api.schemas.get_mut("Cat").map(|c| &mut c.kind) {
            rules.required = vec!["secret".into(), "id".into()];
        }
        let v = json_example_for(&api, &s, Seed(2), Direction::Response);
        assert!(v.get("secret").is_none() && v.get("id").is_some(), "{v}");
        let v = json_example_for(&api, &s, Seed(2), Direction::Request);
        assert!(v.get("secret").is_some() && v.get("id").is_none(), "{v}");
    }

    #[test]
    fn banking_hints_and_xsd_types() {
        let mut rng = Seed(5).rng();
        let plain = kind(string_rules(|_| {}));
        let iban = leaf_value(&plain, "debtorIban", &mut rng);
        let iban = iban.as_str().expect("iban");
        assert!(iban.starts_with("DE") && iban.len() == 22, "{iban}");
        let stan = leaf_value(&plain, "stan", &mut rng);
        assert_eq!(stan.as_str().map(str::len), Some(6));
        let rrn = leaf_value(&plain, "rrn", &mut rng);
        assert_eq!(rrn.as_str().map(str::len), Some(12));
        let amount = leaf_value(&plain, "amount", &mut rng);
        assert!(
            amount
                .as_str()
                .is_some_and(|a| a.bytes().all(|b| b.is_ascii_digit()))
        );
        let b = kind(SchemaKind::Integer(NumberRules {
            format: Some("xsd:unsignedByte".into()),
            ..NumberRules::default()
        }));
        let n = leaf_value(&b, "count", &mut rng).as_i64().expect("int");
        assert!((0..=255).contains(&n));
        let neg = kind(SchemaKind::Integer(NumberRules {
            format: Some("negativeInteger".into()),
            ..NumberRules::default()
        }));
        assert!(
            leaf_value(&neg, "", &mut rng)
                .as_i64()
                .is_some_and(|n| n < 0)
        );
        let e = Schema {
            enum_values: vec![Value::from("EUR"), Value::from("USD")],
            ..kind(string_rules(|_| {}))
        };
        assert_eq!(leaf_value(&e, "", &mut rng), Value::from("EUR"));
        let q = kind(string_rules(|r| r.xsd_type = Some("xsd:QName".into())));
        assert!(
            leaf_value(&q, "", &mut rng)
                .as_str()
                .is_some_and(|s| s.contains(':'))
        );
        let d = kind(SchemaKind::Number(NumberRules {
            total_digits: Some(5),
            fraction_digits: Some(2),
            ..NumberRules::default()
        }));
        let n = leaf_value(&d, "", &mut rng).as_f64().expect("number");
        assert!(
            n.abs() < 1000.0 && ((n * 100.0).round() - n * 100.0).abs() < 1e-6,
            "{n}"
        );
    }

    #[test]
    fn huge_ranges_and_nullable_unions_read_well() {
        let mut rng = Seed(8).rng();
        let big = kind(SchemaKind::Integer(NumberRules {
            minimum: Bound::from_f64(-9_007_199_254_740_991.0),
            maximum: Bound::from_f64(9_007_199_254_740_991.0),
            ..NumberRules::default()
        }));
        let n = leaf_value(&big, "flags", &mut rng);
        assert!(n.as_i64().is_some_and(|n| (1..=1000).contains(&n)), "{n}");
        let api = api(vec![("Thing", kind(string_rules(|_| {})))]);
        let s = inline(SchemaKind::OneOf(Composite {
            members: vec![inline(SchemaKind::Null), SchemaRef::Named("Thing".into())],
            discriminator: None,
        }));
        assert!(json_example(&api, &s, Seed(1)).is_string());
    }

    #[test]
    fn iban_check_digits_are_valid() {
        let mut rng = Seed(11).rng();
        for _ in 0..20 {
            let iban = iban(&mut rng);
            let moved = format!("{}{}", &iban[4..], "1314");
            let numeric = format!("{moved}{}", &iban[2..4]);
            let rem = numeric
                .bytes()
                .fold(0u32, |acc, b| (acc * 10 + u32::from(b - b'0')) % 97);
            assert_eq!(rem, 1, "{iban}");
        }
    }

    #[test]
    fn required_parts_cut_by_the_caps_get_their_smallest_valid_value() {
        // Node requires a palette (a string enumeration written as oneOf of consts), an id
        // (a bounded integer), two tags, and a child Node: recursion cuts the child's child.
        let palette = kind(SchemaKind::OneOf(Composite {
            members: vec![
                SchemaRef::Inline(Box::new(Schema {
                    const_value: Some(Value::from("crimson")),
                    ..Schema::default()
                })),
                SchemaRef::Inline(Box::new(Schema {
                    const_value: Some(Value::from("berry")),
                    ..Schema::default()
                })),
            ],
            discriminator: None,
        }));
        let mut props = IndexMap::new();
        props.insert("palette".to_string(), SchemaRef::Named("Palette".into()));
        props.insert(
            "id".to_string(),
            inline(SchemaKind::Integer(NumberRules {
                minimum: Bound::from_f64(-9_007_199_254_740_991.0),
                maximum: Bound::from_f64(9_007_199_254_740_991.0),
                format: Some("int64".into()),
                ..NumberRules::default()
            })),
        );
        props.insert(
            "tags".to_string(),
            inline(SchemaKind::Array(ArrayRules {
                items: Some(Box::new(SchemaRef::Named("Node".into()))),
                min_items: Some(2),
                ..ArrayRules::default()
            })),
        );
        props.insert("child".to_string(), SchemaRef::Named("Node".into()));
        let node = kind(SchemaKind::Object(ObjectRules {
            properties: props,
            required: vec!["palette".into(), "id".into(), "child".into()],
            ..ObjectRules::default()
        }));
        let api = api(vec![("Palette", palette), ("Node", node)]);
        let v = json_example(&api, &SchemaRef::Named("Node".into()), Seed(3));
        // Every level down to the cut has all its required properties, none of them null.
        let mut level = &v;
        for depth in 0..3 {
            assert!(level["palette"] == "crimson", "depth {depth}: {v}");
            assert!(level["id"].is_i64(), "depth {depth}: {v}");
            if let Some(tags) = level.get("tags") {
                assert!(tags.as_array().is_some_and(|t| t.len() >= 2), "{v}");
            }
            level = &level["child"];
        }
        // The smallest Node: required properties only, each at its smallest.
        let mut g = Gen {
            api: &api,
            rng: Seed(1).rng(),
            direction: Direction::Any,
            named: Vec::new(),
            nodes: 0,
            variant: 0,
            chose: false,
        };
        let node = SchemaRef::Named("Node".into());
        let smallest = g.smallest(&node, "", SMALLEST_DEPTH - 3);
        assert_eq!(smallest["palette"], "crimson");
        assert!(smallest.get("tags").is_none(), "{smallest}");
    }

    #[test]
    fn sized_integer_formats_keep_values_in_range() {
        let mut rng = Seed(5).rng();
        let near_top = NumberRules {
            minimum: Bound::from_f64(9.0e18),
            format: Some("int64".into()),
            ..NumberRules::default()
        };
        let v = number(&near_top, true, "", &mut rng);
        assert!(
            v.as_i64().is_some_and(|i| i >= 9_000_000_000_000_000_000),
            "{v}"
        );
        let int53 = NumberRules {
            minimum: Bound::from_f64(9_007_199_254_740_000.0),
            format: Some("int53".into()),
            ..NumberRules::default()
        };
        let v = number(&int53, true, "", &mut rng);
        assert!(
            v.as_i64().is_some_and(|i| i <= 9_007_199_254_740_991),
            "{v}"
        );
    }
}
