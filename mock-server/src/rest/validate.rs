//! Request validation: path, query, header and cookie parameters (decoded by their OpenAPI
//! style/explode) and bodies (JSON, form, multipart, text) checked against the operation's
//! schemas, exported to JSON Schema 2020-12 and compiled with `jsonschema` on first use.
//!
//! A request that cannot be read (missing parameter, malformed body) is a 400; a well-formed
//! body that breaks its schema a 422; either becomes the spec's own 400/422 when it documents
//! only one of them. Never a 5xx: a schema that does not compile is logged and not enforced.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use arc_swap::ArcSwapOption;

use api_model::export::{Direction, SchemaKeys, json_schema_keyed};
use api_model::{
    Api, Catalog, Operation, ParamLocation, ParamStyle, Parameter, ResponseStatus, Schema,
    SchemaKind, SchemaRef,
};
use http::{HeaderMap, StatusCode};
use percent_encoding::percent_decode;
use serde_json::{Map, Number, Value};

use crate::error::{FieldError, MockError};
use crate::rest::negotiate::{self, MediaKind};

/// A compiled schema (or none: nothing to check).
pub type Compiled = Option<jsonschema::Validator>;

/// Operations whose validators are kept by default (see [`Validators::with_resident_ops`]).
pub const DEFAULT_VALIDATOR_CACHE_OPS: usize = 256;

/// Validators of every operation of every API. Nothing is compiled at start-up: each schema is
/// compiled the first time a call needs it (a parameter when it is sent, a body when one comes
/// in), so a sandbox with a thousand operations starts as fast as one with three and holds in
/// memory only what its clients have used.
///
/// And only so much of that: the validators of at most a bounded number of operations are kept.
/// A validator holds every named schema its schema reaches, compiled, so on a large, densely
/// linked spec each operation's weighs a megabyte or more (Microsoft Graph: 14 GB after 11,000
/// operations had been called once each). Past the bound, the oldest operation not called since
/// the sweep last passed it gives its validators up (second chance, close to least recently
/// used), and they are compiled again if it is called again: the same validators, so the same
/// answers.
#[derive(Debug)]
pub struct Validators {
    apis: Vec<ApiValidators>,
    /// Operations that hold validators, `(api, operation)`, oldest first. Only misses take it.
    resident: Mutex<VecDeque<(usize, usize)>>,
    max_resident: usize,
}

#[derive(Debug)]
struct ApiValidators {
    /// The `$defs` keys of the API's named schemas, worked out on the first compile.
    keys: OnceLock<SchemaKeys>,
    ops: Vec<ArcSwapOption<OpSlots>>,
}

/// The lazily filled validators of one operation, shaped like it.
#[derive(Debug)]
struct OpSlots {
    /// Called since the last eviction sweep passed it.
    used: AtomicBool,
    /// One per parameter, in the operation's order.
    params: Vec<OnceLock<Compiled>>,
    /// One per request media type, in the body's order.
    bodies: Vec<OnceLock<Compiled>>,
    /// Per response, per media type: which of the spec's examples is served (see
    /// [`OpValidators::example`]).
    examples: Vec<Vec<OnceLock<Option<usize>>>>,
    /// Per response, per media type: the response body's validator (JSON media types).
    responses: Vec<Vec<OnceLock<Compiled>>>,
}

impl Validators {
    #[cfg(test)]
    fn keys_of(&self, api_index: usize) -> Option<&SchemaKeys> {
        self.apis.get(api_index)?.keys.get()
    }

    /// An empty cache shaped like the catalog, keeping the validators of at most
    /// [`DEFAULT_VALIDATOR_CACHE_OPS`] operations.
    pub fn new(catalog: &Catalog) -> Validators {
        Validators::with_resident_ops(catalog, DEFAULT_VALIDATOR_CACHE_OPS)
    }

    /// An empty cache shaped like the catalog, keeping the validators of at most `max`
    /// operations (at least one).
    pub fn with_resident_ops(catalog: &Catalog, max: usize) -> Validators {
        Validators {
            apis: catalog
                .apis
                .iter()
                .map(|api| ApiValidators {
                    keys: OnceLock::new(),
                    ops: api
                        .operations
                        .iter()
                        .map(|_| ArcSwapOption::empty())
                        .collect(),
                })
                .collect(),
            resident: Mutex::new(VecDeque::new()),
            max_resident: max.max(1),
        }
    }

    /// How many operations hold validators now.
    pub fn resident(&self) -> usize {
        lock(&self.resident).len()
    }

    /// The validators of an operation (each compiled when first used).
    pub fn get<'a>(
        &'a self,
        api: &'a Api,
        api_index: usize,
        op_index: usize,
    ) -> Option<OpValidators<'a>> {
        let cache = self.apis.get(api_index)?;
        let op = api.operations.get(op_index)?;
        let cell = cache.ops.get(op_index)?;
        let slots = match cell.load_full() {
            Some(slots) => {
                // Read first: a flag already set is not written again by every call.
                if !slots.used.load(Ordering::Relaxed) {
                    slots.used.store(true, Ordering::Relaxed);
                }
                slots
            }
            None => self.admit(cell, (api_index, op_index), op),
        };
        Some(OpValidators {
            api,
            op,
            keys: &cache.keys,
            slots,
        })
    }

    /// Give an operation empty validator slots, and evict the validators of others past the
    /// bound.
    fn admit(
        &self,
        cell: &ArcSwapOption<OpSlots>,
        at: (usize, usize),
        op: &Operation,
    ) -> Arc<OpSlots> {
        let mut resident = lock(&self.resident);
        // Another call may have admitted it while this one waited.
        if let Some(slots) = cell.load_full() {
            return slots;
        }
        let slots = Arc::new(OpSlots::new(op));
        cell.store(Some(Arc::clone(&slots)));
        resident.push_back(at);
        let mut turns = resident.len();
        while resident.len() > self.max_resident {
            let Some(oldest) = resident.pop_front() else {
                break;
            };
            let Some(other) = self.cell(oldest) else {
                continue;
            };
            // Second chance: an operation called since the sweep last passed it stays, once
            // round the queue at most.
            let called = other
                .load()
                .as_ref()
                .is_some_and(|s| s.used.swap(false, Ordering::Relaxed));
            if called && turns > 0 {
                turns -= 1;
                resident.push_back(oldest);
            } else {
                other.store(None);
            }
        }
        slots
    }

    fn cell(&self, (api, op): (usize, usize)) -> Option<&ArcSwapOption<OpSlots>> {
        self.apis.get(api)?.ops.get(op)
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl OpSlots {
    /// Empty slots shaped like `op`, marked as called (the call that made them).
    fn new(op: &Operation) -> OpSlots {
        OpSlots {
            used: AtomicBool::new(true),
            params: op.parameters.iter().map(|_| OnceLock::new()).collect(),
            bodies: op
                .request_body
                .iter()
                .flat_map(|b| b.content.iter())
                .map(|_| OnceLock::new())
                .collect(),
            examples: op
                .responses
                .iter()
                .map(|r| r.content.iter().map(|_| OnceLock::new()).collect())
                .collect(),
            responses: op
                .responses
                .iter()
                .map(|r| r.content.iter().map(|_| OnceLock::new()).collect())
                .collect(),
        }
    }
}

/// One operation's validators, as a call sees them.
#[derive(Debug)]
pub struct OpValidators<'a> {
    api: &'a Api,
    op: &'a Operation,
    keys: &'a OnceLock<SchemaKeys>,
    slots: Arc<OpSlots>,
}

impl OpValidators<'_> {
    fn compile(&self, schema: &SchemaRef, direction: Direction) -> Compiled {
        let keys = self.keys.get_or_init(|| SchemaKeys::new(self.api));
        compile_keyed(self.api, keys, schema, direction)
    }

    /// The validator of parameter `index`, if it has a schema that compiles.
    pub fn param(&self, index: usize) -> Option<&jsonschema::Validator> {
        let slot = self.slots.params.get(index)?;
        slot.get_or_init(|| {
            let schema = self.op.parameters.get(index)?.schema.as_ref()?;
            self.compile(schema, Direction::Request)
        })
        .as_ref()
    }

    /// The validator of request media type `index` (in the body's order).
    pub fn body(&self, index: usize) -> Option<&jsonschema::Validator> {
        let slot = self.slots.bodies.get(index)?;
        slot.get_or_init(|| {
            let (_, media) = self.op.request_body.as_ref()?.content.get_index(index)?;
            self.compile(media.schema.as_ref()?, Direction::Request)
        })
        .as_ref()
    }

    /// Which of the spec's examples for response `response` in media type `media_type` is
    /// served: the first that holds against its schema (`media.example`, then the named ones in
    /// order), `None` when there is none or none holds. An example that breaks its own schema
    /// would mislead clients. Only JSON examples are checked; the answer is kept per operation.
    pub fn example(&self, response: usize, media_type: &str) -> Option<usize> {
        let resp = self.op.responses.get(response)?;
        let index = resp.content.get_index_of(media_type)?;
        let media = resp.content.get_index(index).map(|(_, m)| m)?;
        let slot = self.slots.examples.get(response)?.get(index)?;
        *slot.get_or_init(|| {
            let candidates: Vec<&Value> = example_candidates(media).collect();
            if candidates.is_empty() {
                return None;
            }
            let validator = self.response(response, media_type);
            candidates
                .iter()
                .position(|v| validator.is_none_or(|val| val.is_valid(v)))
        })
    }

    /// The validator of response `response`'s body in `media_type`: JSON media types with a
    /// schema that compiles.
    pub fn response(&self, response: usize, media_type: &str) -> Option<&jsonschema::Validator> {
        let resp = self.op.responses.get(response)?;
        let index = resp.content.get_index_of(media_type)?;
        let slot = self.slots.responses.get(response)?.get(index)?;
        slot.get_or_init(|| {
            let media = resp.content.get_index(index).map(|(_, m)| m)?;
            let schema = media.schema.as_ref()?;
            (negotiate::kind(media_type) == MediaKind::Json)
                .then(|| self.compile(schema, Direction::Response))
                .flatten()
        })
        .as_ref()
    }
}

/// The spec's examples of a media type, in the order they are preferred.
pub fn example_candidates(media: &api_model::MediaType) -> impl Iterator<Item = &Value> {
    media
        .example
        .iter()
        .chain(media.examples.values().filter_map(|e| e.value.as_ref()))
}

/// Compile one schema; a schema the crate refuses is logged and not enforced.
fn compile_keyed(
    api: &Api,
    keys: &SchemaKeys,
    schema: &SchemaRef,
    direction: Direction,
) -> Compiled {
    let mut doc = json_schema_keyed(api, keys, schema, direction);
    split_integer_types(&mut doc, 0);
    enforceable_patterns(api, &mut doc, 0);
    match jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&doc)
    {
        Ok(v) => Some(v),
        Err(e) => {
            tracing::warn!(api = %api.id, error = %e, "schema not enforced: it does not compile");
            None
        }
    }
}

/// Whether the validator takes `pattern` as a regular expression (ECMA-262, as JSON Schema's).
fn pattern_compiles(pattern: &str) -> bool {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&serde_json::json!({ "pattern": pattern }))
        .is_ok()
}

/// Make every `pattern` (and `patternProperties` name) of `schema` one the validator takes, so
/// that one expression written for another regex dialect does not leave a whole body unchecked:
/// an expression it refuses is repaired where the fix is certain
/// ([`api_model::export::ecma_pattern`]),
/// else dropped with a warning (that value is then not checked against it). Data (`enum`,
/// `const`, examples, defaults) is not looked into.
fn enforceable_patterns(api: &Api, schema: &mut Value, depth: usize) {
    if depth > 512 {
        return;
    }
    let fixed = |pattern: &str| -> Option<String> {
        if pattern_compiles(pattern) {
            return Some(pattern.to_string());
        }
        let repaired = api_model::export::ecma_pattern(pattern);
        if repaired != pattern && pattern_compiles(&repaired) {
            return Some(repaired);
        }
        tracing::warn!(api = %api.id, pattern, "pattern not enforced: not an ECMA-262 regular expression");
        None
    };
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(pattern)) = map.get("pattern") {
                match fixed(pattern) {
                    Some(p) => {
                        map.insert("pattern".into(), Value::String(p));
                    }
                    None => {
                        map.remove("pattern");
                    }
                }
            }
            if let Some(Value::Object(props)) = map.get_mut("patternProperties") {
                let entries = std::mem::take(props);
                for (name, value) in entries {
                    if let Some(name) = fixed(&name) {
                        props.insert(name, value);
                    }
                }
            }
            for (key, value) in map.iter_mut() {
                if !matches!(
                    key.as_str(),
                    "enum" | "const" | "examples" | "example" | "default"
                ) {
                    enforceable_patterns(api, value, depth + 1);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                enforceable_patterns(api, item, depth + 1);
            }
        }
        _ => {}
    }
}

/// `type: [integer, "null"]` as `anyOf: [{type: integer}, {type: "null"}]`: where a schema
/// allows several types, `jsonschema` takes a whole double (`3.0e22`, beyond what `i64` holds)
/// for no integer, while JSON Schema (and `jsonschema` for a single `type: integer`) does.
fn split_integer_types(schema: &mut Value, depth: usize) {
    if depth > 512 {
        return;
    }
    match schema {
        Value::Object(map) => {
            let split = match map.get("type") {
                Some(Value::Array(types)) if types.iter().any(|t| t == "integer") => {
                    Some(types.clone())
                }
                _ => None,
            };
            if let Some(types) = split {
                map.remove("type");
                let one_of_each: Vec<Value> = types
                    .into_iter()
                    .map(|t| serde_json::json!({ "type": t }))
                    .collect();
                let any_of = serde_json::json!({ "anyOf": one_of_each });
                match map.get_mut("allOf") {
                    Some(Value::Array(all)) => all.push(any_of),
                    _ => {
                        map.insert("allOf".into(), Value::Array(vec![any_of]));
                    }
                }
            }
            for v in map.values_mut() {
                split_integer_types(v, depth + 1);
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| split_integer_types(v, depth + 1)),
        _ => {}
    }
}

/// What validation reads of a request.
#[derive(Debug, Clone, Copy)]
pub struct RequestParts<'a> {
    /// Path parameters from the route (decoded).
    pub path_params: &'a [(String, String)],
    /// Query pairs (decoded), in order.
    pub query: &'a [(String, String)],
    /// Headers.
    pub headers: &'a HeaderMap,
    /// The body.
    pub body: &'a [u8],
}

/// Decode a query string into pairs (`+` is a space).
pub fn parse_query(query: Option<&str>) -> Vec<(String, String)> {
    let Some(q) = query else { return Vec::new() };
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
}

fn form_decode(s: &str) -> String {
    let replaced = s.replace('+', " ");
    percent_decode(replaced.as_bytes())
        .decode_utf8_lossy()
        .into_owned()
}

/// Check parameters and body. `Ok` means the request may be answered.
pub fn validate(
    api: &Api,
    op: &Operation,
    validators: &OpValidators<'_>,
    parts: RequestParts<'_>,
) -> Result<(), MockError> {
    let mut malformed = Vec::new();
    let mut schema_errors = Vec::new();

    for (index, param) in op.parameters.iter().enumerate() {
        if param.is_ignored_header() {
            continue;
        }
        let value = match param_value(api, op, param, parts) {
            Ok(v) => v,
            Err(e) => {
                malformed.push(e);
                continue;
            }
        };
        let loc = param.location.as_str();
        match value {
            None => {
                if param.required || param.location == ParamLocation::Path {
                    malformed.push(FieldError::new(
                        &[loc, &param.name],
                        format!("the {loc} parameter `{}` is required", param.name),
                        "required",
                    ));
                }
            }
            Some(Value::String(s)) if s.is_empty() && param.allow_empty_value => {}
            Some(value) => {
                if let Some(v) = validators.param(index) {
                    malformed.extend(schema_errors_of(v, &value, &[loc, &param.name]));
                }
            }
        }
    }

    if let Some(body) = &op.request_body {
        check_body(
            api,
            body,
            validators,
            parts,
            &mut malformed,
            &mut schema_errors,
        )?;
    }

    if malformed.is_empty() && schema_errors.is_empty() {
        return Ok(());
    }
    let (wanted, detail) = if malformed.is_empty() {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            "The body is well-formed but breaks the operation's schema.",
        )
    } else {
        (
            StatusCode::BAD_REQUEST,
            "The request does not match the operation's parameters or body.",
        )
    };
    let mut errors = malformed;
    errors.extend(schema_errors);
    errors.truncate(50);
    Err(MockError::Invalid {
        status: client_status(op, wanted),
        detail: detail.to_string(),
        errors,
    })
}

/// The status to answer a bad request with: the one wanted when documented, else the spec's own
/// 400 or 422, else the one wanted.
pub fn client_status(op: &Operation, wanted: StatusCode) -> StatusCode {
    let documents = |c: u16| {
        op.responses
            .iter()
            .any(|r| r.status == ResponseStatus::Code(c))
    };
    if documents(wanted.as_u16()) {
        return wanted;
    }
    for c in [400, 422] {
        if documents(c) {
            return StatusCode::from_u16(c).unwrap_or(wanted);
        }
    }
    wanted
}

fn check_body(
    api: &Api,
    body: &api_model::RequestBody,
    validators: &OpValidators<'_>,
    parts: RequestParts<'_>,
    malformed: &mut Vec<FieldError>,
    schema_errors: &mut Vec<FieldError>,
) -> Result<(), MockError> {
    let content_type = parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    // An empty form is an empty object, and empty text the empty string, not a missing body
    // (HTTP cannot tell them apart; the Content-Type says a value was sent).
    let empty_value = matches!(
        negotiate::kind(&content_type),
        MediaKind::Form | MediaKind::Text
    );
    if parts.body.is_empty() && !empty_value {
        if body.required {
            malformed.push(FieldError::new(
                &["body"],
                "a request body is required",
                "required",
            ));
        }
        return Ok(());
    }
    if body.content.is_empty() {
        return Ok(());
    }
    let matched = body.content.iter().enumerate().find(|(_, (mt, _))| {
        !content_type.is_empty() && negotiate::content_type_matches(&content_type, mt)
    });
    let Some((index, (mt, media))) = matched else {
        return Err(MockError::UnsupportedMediaType {
            content_type,
            expected: body.content.keys().cloned().collect(),
        });
    };
    let schema = media.schema.as_ref();
    let value = match negotiate::kind(mt) {
        kind @ (MediaKind::Json | MediaKind::Yaml) => {
            if kind == MediaKind::Json && negotiate::kind(&content_type) != MediaKind::Json {
                // `*/*` documented, something else sent: nothing to parse.
                return Ok(());
            }
            let parsed = if kind == MediaKind::Json {
                // RFC 8259 8.1: a parser may ignore a byte order mark, and some clients send one.
                let body = parts
                    .body
                    .strip_prefix(b"\xEF\xBB\xBF")
                    .unwrap_or(parts.body);
                serde_json::from_slice::<Value>(body)
                    .map_err(|e| format!("the body is not valid JSON: {e}"))
            } else {
                std::str::from_utf8(parts.body)
                    .map_err(|_| "the body is not UTF-8 text".to_string())
                    .and_then(api_model::openapi::yaml_value)
                    .map_err(|e| format!("the body is not valid YAML: {e}"))
            };
            match parsed {
                Ok(mut v) => {
                    widen_huge(&mut v, 0);
                    v
                }
                Err(message) => {
                    malformed.push(FieldError::new(&["body"], message, "malformed"));
                    return Ok(());
                }
            }
        }
        MediaKind::Form => {
            let text = String::from_utf8_lossy(parts.body);
            let pairs = parse_query(Some(&text));
            fields_object(
                api,
                schema,
                pairs.into_iter().map(|(k, v)| (k, Value::String(v))),
            )
        }
        MediaKind::Multipart => match multipart_fields(&content_type, parts.body) {
            Some(fields) => fields_object(api, schema, fields.into_iter()),
            None => {
                malformed.push(FieldError::new(
                    &["body"],
                    "the multipart body has no boundary, or a part that names no field (Content-Disposition: form-data; name=...)",
                    "malformed",
                ));
                return Ok(());
            }
        },
        MediaKind::Text => match std::str::from_utf8(parts.body) {
            Ok(t) => coerce(api, schema, t),
            Err(_) => {
                malformed.push(FieldError::new(
                    &["body"],
                    "the body is not UTF-8 text",
                    "malformed",
                ));
                return Ok(());
            }
        },
        MediaKind::Xml => {
            if negotiate::kind(&content_type) != MediaKind::Xml {
                return Ok(());
            }
            match crate::rest::xml::from_xml(api, schema, parts.body) {
                Ok(v) => v,
                Err(e) => {
                    malformed.push(FieldError::new(&["body"], e, "malformed"));
                    return Ok(());
                }
            }
        }
        MediaKind::Binary => return Ok(()),
    };
    if let Some(v) = validators.body(index) {
        schema_errors.extend(schema_errors_of(v, &value, &["body"]));
    }
    Ok(())
}

/// Form or multipart fields -> an object, repeated names becoming arrays where the schema says so.
///
/// A field that is not sent stays absent, so a required one is reported missing. A form cannot
/// write an empty list (clients leave the field out, which reads as missing); a list field sent
/// once with nothing in it (`tags=`) is the empty list.
fn fields_object(
    api: &Api,
    schema: Option<&SchemaRef>,
    fields: impl Iterator<Item = (String, Value)>,
) -> Value {
    // The fields of an object, or of the members of an allOf/oneOf/anyOf.
    let mut props = Vec::new();
    if let Some(resolved) = schema.and_then(|s| s.resolve(api)) {
        crate::rest::xml::properties(api, resolved, 0, &mut props);
    }
    let mut out = Map::new();
    let mut blank_lists = Vec::new();
    for (name, value) in fields {
        // A field several members of a oneOf/anyOf declare is read as any of them declares it.
        let candidates: Vec<&SchemaRef> = props
            .iter()
            .filter(|(k, _)| **k == name)
            .map(|(_, p)| *p)
            .collect();
        let prop = candidates.first().copied();
        let mut list = prop.and_then(|p| list_items(api, p));
        // `null` for a list that may be null (`type: [array, "null"]`) is that null.
        // So is a JSON part that holds the whole list (or null).
        if list.is_some()
            && !out.contains_key(&name)
            && (value.as_str() == Some("null") || value.is_null() || value.is_array())
            && (value.is_array() || coerce(api, prop, "null").is_null())
        {
            list = None;
        }
        if list.is_some() && !out.contains_key(&name) && value.as_str() == Some("") {
            blank_lists.push(name.clone());
        }
        let value = match (value, list) {
            (Value::String(s), Some(items)) => coerce(api, items, &s),
            (Value::String(s), None) => coerce_any(api, &candidates, &s),
            (other, _) => other,
        };
        if list.is_some() {
            match out.entry(name).or_insert_with(|| Value::Array(Vec::new())) {
                Value::Array(items) => items.push(value),
                other => *other = Value::Array(vec![other.take(), value]),
            }
        } else {
            out.entry(name).or_insert(value);
        }
    }
    for name in blank_lists {
        if let Some(Value::Array(items)) = out.get_mut(&name) {
            if items.len() == 1 {
                items.clear();
            }
        }
    }
    Value::Object(out)
}

/// When a field's schema is a list (or allows one: `type: [array, "null"]`, a oneOf member):
/// `Some` of its items' schema, each repeated field being one item.
fn list_items<'a>(api: &'a Api, prop: &'a SchemaRef) -> Option<Option<&'a SchemaRef>> {
    let schema = prop.resolve(api)?;
    match &schema.kind {
        SchemaKind::Array(a) => Some(a.items.as_deref()),
        SchemaKind::Union(kinds) => kinds.iter().find_map(|k| match k {
            SchemaKind::Array(a) => Some(a.items.as_deref()),
            _ => None,
        }),
        SchemaKind::OneOf(c) | SchemaKind::AnyOf(c) => {
            c.members.iter().find_map(|m| match &m.resolve(api)?.kind {
                SchemaKind::Array(a) => Some(a.items.as_deref()),
                _ => None,
            })
        }
        _ => None,
    }
}

/// Parse a `multipart/form-data` body into (name, value) fields; JSON parts become JSON.
/// `None` when it has no boundary, or a part without a field name.
pub fn multipart_fields(content_type: &str, body: &[u8]) -> Option<Vec<(String, Value)>> {
    let boundary = content_type.split(';').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
    })?;
    if boundary.is_empty() {
        return None;
    }
    let delimiter = format!("--{boundary}");
    let delim = delimiter.as_bytes();
    let mut fields = Vec::new();
    let mut rest = body;
    let first = find(rest, delim)?;
    rest = &rest[first + delim.len()..];
    loop {
        if rest.starts_with(b"--") {
            break;
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .or_else(|| rest.strip_prefix(b"\n"))
            .unwrap_or(rest);
        let Some(end) = find(rest, delim) else { break };
        let mut part = &rest[..end];
        part = part
            .strip_suffix(b"\r\n")
            .or_else(|| part.strip_suffix(b"\n"))
            .unwrap_or(part);
        let (head, content) = match find(part, b"\r\n\r\n") {
            Some(i) => (&part[..i], &part[i + 4..]),
            None => match find(part, b"\n\n") {
                Some(i) => (&part[..i], &part[i + 2..]),
                None => (part, &b""[..]),
            },
        };
        let head = String::from_utf8_lossy(head);
        let mut name = None;
        let mut is_json = false;
        for line in head.lines() {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            let k = k.trim().to_ascii_lowercase();
            if k == "content-disposition" {
                name = v.split(';').find_map(|p| {
                    let (k, v) = p.split_once('=')?;
                    (k.trim() == "name").then(|| v.trim().trim_matches('"').to_string())
                });
            } else if k == "content-type" {
                is_json = negotiate::kind(v) == MediaKind::Json;
            }
        }
        // RFC 7578: every part names its field in `Content-Disposition: form-data; name=`; a
        // part without one is not form data (and dropping it would accept a broken body).
        let name = name?;
        let value = if is_json {
            serde_json::from_slice(content)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(content).into_owned()))
        } else {
            Value::String(String::from_utf8_lossy(content).into_owned())
        };
        fields.push((name, value));
        rest = &rest[end + delim.len()..];
    }
    Some(fields)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The JSON code of a validation error kind.
fn error_code(kind: &jsonschema::error::ValidationErrorKind) -> &'static str {
    use jsonschema::error::ValidationErrorKind as K;
    match kind {
        K::AdditionalItems { .. } => "additionalItems",
        K::AdditionalProperties { .. } => "additionalProperties",
        K::AnyOf { .. } => "anyOf",
        K::Constant { .. } => "const",
        K::Contains => "contains",
        K::Enum { .. } => "enum",
        K::ExclusiveMaximum { .. } => "exclusiveMaximum",
        K::ExclusiveMinimum { .. } => "exclusiveMinimum",
        K::FalseSchema => "false",
        K::Format { .. } => "format",
        K::MaxItems { .. } => "maxItems",
        K::Maximum { .. } => "maximum",
        K::MaxLength { .. } => "maxLength",
        K::MaxProperties { .. } => "maxProperties",
        K::MinItems { .. } => "minItems",
        K::Minimum { .. } => "minimum",
        K::MinLength { .. } => "minLength",
        K::MinProperties { .. } => "minProperties",
        K::MultipleOf { .. } => "multipleOf",
        K::Not { .. } => "not",
        K::OneOfMultipleValid { .. } | K::OneOfNotValid { .. } => "oneOf",
        K::Pattern { .. } => "pattern",
        K::PropertyNames { .. } => "propertyNames",
        K::Required { .. } => "required",
        K::Type { .. } => "type",
        K::UniqueItems => "uniqueItems",
        _ => "schema",
    }
}

/// Validation errors as located field errors (`prefix` + the instance path).
pub fn schema_errors_of(
    validator: &jsonschema::Validator,
    value: &Value,
    prefix: &[&str],
) -> Vec<FieldError> {
    validator
        .iter_errors(value)
        .take(20)
        .map(|e| {
            let mut location: Vec<Value> = prefix.iter().map(|s| Value::from(*s)).collect();
            for seg in e.instance_path.as_str().split('/').skip(1) {
                let seg = seg.replace("~1", "/").replace("~0", "~");
                match seg.parse::<u64>() {
                    Ok(n) => location.push(Value::from(n)),
                    Err(_) => location.push(Value::from(seg)),
                }
            }
            if let jsonschema::error::ValidationErrorKind::Required { property } = &e.kind {
                location.push(property.clone());
            }
            let mut message = e.to_string();
            if message.len() > 300 {
                let mut cut = 300;
                while !message.is_char_boundary(cut) {
                    cut -= 1;
                }
                message.truncate(cut);
                message.push('…');
            }
            FieldError {
                location,
                message,
                code: error_code(&e.kind).to_string(),
            }
        })
        .collect()
}

/// Beyond 64-bit integers a number is only known as a double, which may round onto an `int64`
/// bound (`-9223372036854775809` reads as exactly `i64::MIN`). Nudging such doubles away from
/// zero keeps out-of-range values out of range; the copy is only used for validation.
/// 2^63, the first double beyond `i64`.
const TWO_63: f64 = (1u64 << 63) as f64;

fn widen(x: f64) -> f64 {
    if x.is_finite() && x.abs() >= 9.223_372_036_854_775e18 {
        x * (1.0 + 4.0 * f64::EPSILON)
    } else {
        x
    }
}

/// A double as the number validation should see: a whole one within `i64` as an integer
/// (`8.0` is an integer to JSON Schema, but `jsonschema` reads a double as not one where a
/// schema allows several types, `type: [integer, "null"]`), a huge one widened.
fn as_number(x: f64) -> Option<Number> {
    #[allow(clippy::cast_possible_truncation)]
    if x.fract() == 0.0 && x.abs() < 9.223_372_036_854_775e18 {
        return Some(Number::from(x as i64));
    }
    Number::from_f64(widen(x))
}

fn widen_huge(value: &mut Value, depth: usize) {
    if depth > 256 {
        return;
    }
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(w) = n.as_f64().and_then(as_number) {
                *n = w;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| widen_huge(v, depth + 1)),
        Value::Object(map) => map.values_mut().for_each(|v| widen_huge(v, depth + 1)),
        _ => {}
    }
}

/// The simple type a raw string should become for a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Integer,
    Number,
    Boolean,
    Null,
    Text,
    /// An object or a list (written as JSON text in a form field).
    Complex,
}

fn wants(api: &Api, schema: &Schema, depth: usize) -> Vec<Want> {
    if depth > 8 {
        return vec![Want::Text];
    }
    let mut out = match &schema.kind {
        SchemaKind::Integer(_) => vec![Want::Integer],
        SchemaKind::Number(_) => vec![Want::Number],
        SchemaKind::Boolean => vec![Want::Boolean],
        SchemaKind::Null => vec![Want::Null],
        SchemaKind::String(_) | SchemaKind::Any => vec![Want::Text],
        SchemaKind::Union(kinds) => kinds
            .iter()
            .flat_map(|k| {
                wants(
                    api,
                    &Schema {
                        kind: k.clone(),
                        ..Schema::default()
                    },
                    depth + 1,
                )
            })
            .collect(),
        SchemaKind::OneOf(c) | SchemaKind::AnyOf(c) | SchemaKind::AllOf(c) => c
            .members
            .iter()
            .filter_map(|m| m.resolve(api))
            .flat_map(|s| wants(api, s, depth + 1))
            .collect(),
        SchemaKind::Ref(name) => api
            .schemas
            .get(name)
            .map(|s| wants(api, s, depth + 1))
            .unwrap_or_default(),
        SchemaKind::Array(_) | SchemaKind::Object(_) => vec![Want::Complex],
    };
    if schema.nullable {
        out.push(Want::Null);
    }
    out
}

/// A raw parameter string as the JSON value its schema expects (left a string when it does not
/// parse, so the schema check reports the type error).
pub fn coerce(api: &Api, schema: Option<&SchemaRef>, raw: &str) -> Value {
    let Some(schema) = schema.and_then(|s| s.resolve(api)) else {
        return Value::String(raw.to_string());
    };
    let wanted = wants(api, schema, 0);
    let has = |w: Want| wanted.contains(&w);
    if has(Want::Integer) || has(Want::Number) {
        if let Ok(i) = raw.parse::<i64>() {
            return Value::from(i);
        }
        if let Ok(u) = raw.parse::<u64>() {
            return Value::from(u);
        }
        if raw
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
        {
            let parsed = raw.parse::<f64>().ok();
            // Written as a double (`-9.223372036854776e+18`), the text is that double: at the
            // edge of `i64` it is the edge. Written as an integer too long for 64 bits, it is
            // beyond the edge, where the double it rounds to may sit (see `widen`).
            let exact = raw.contains(['.', 'e', 'E']);
            #[allow(clippy::cast_possible_truncation)]
            let number = match parsed {
                Some(x) if exact && x.fract() == 0.0 && (-TWO_63..TWO_63).contains(&x) => {
                    Some(Number::from(x as i64))
                }
                Some(x) if exact => Number::from_f64(x),
                // An integer too long for 64 bits where a string is allowed too (`oneOf:
                // [int64, string]`) is that string.
                Some(_) if has(Want::Text) => None,
                Some(x) => as_number(x),
                None => None,
            };
            if let Some(n) = number {
                return Value::Number(n);
            }
        }
    }
    if has(Want::Boolean) {
        match raw {
            "true" => return Value::Bool(true),
            "false" => return Value::Bool(false),
            _ => {}
        }
    }
    // `null` where null is allowed: how clients write None in text (a literal "null" string
    // would be valid there too, the schema allowing null).
    if has(Want::Null) && raw == "null" {
        return Value::Null;
    }
    // An object or a list in a field of text is written as JSON (multipart, forms).
    if has(Want::Complex) && raw.starts_with(['{', '[']) {
        if let Ok(mut v @ (Value::Object(_) | Value::Array(_))) = serde_json::from_str(raw) {
            widen_huge(&mut v, 0);
            return v;
        }
    }
    Value::String(raw.to_string())
}

/// A raw field as the first of `schemas` that reads it as more than text (`null` where one
/// member allows null, a number where one wants a number), else as text.
fn coerce_any(api: &Api, schemas: &[&SchemaRef], raw: &str) -> Value {
    schemas
        .iter()
        .map(|s| coerce(api, Some(s), raw))
        .find(|v| v.as_str() != Some(raw))
        .unwrap_or_else(|| Value::String(raw.to_string()))
}

fn item_schema<'a>(api: &'a Api, schema: Option<&'a SchemaRef>) -> Option<&'a SchemaRef> {
    match &schema?.resolve(api)?.kind {
        SchemaKind::Array(a) => a.items.as_deref(),
        _ => None,
    }
}

/// The shape a parameter's schema has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Primitive,
    Array,
    Object,
}

fn shape(api: &Api, schema: Option<&SchemaRef>) -> Shape {
    match schema.and_then(|s| s.resolve(api)).map(|s| &s.kind) {
        Some(SchemaKind::Array(_)) => Shape::Array,
        Some(SchemaKind::Object(_)) => Shape::Object,
        _ => Shape::Primitive,
    }
}

fn split_values(api: &Api, schema: Option<&SchemaRef>, values: Vec<&str>) -> Value {
    let item = item_schema(api, schema);
    Value::Array(values.into_iter().map(|v| coerce(api, item, v)).collect())
}

fn object_from(api: &Api, schema: Option<&SchemaRef>, pairs: Vec<(String, String)>) -> Value {
    let props = schema
        .and_then(|s| s.resolve(api))
        .and_then(|s| match &s.kind {
            SchemaKind::Object(o) => Some(&o.properties),
            _ => None,
        });
    let mut out = Map::new();
    for (k, v) in pairs {
        let prop = props.and_then(|p| p.get(&k));
        out.insert(k, coerce(api, prop, &v));
    }
    Value::Object(out)
}

/// `k,v,k2,v2` -> pairs.
fn flat_pairs(raw: &str, sep: char) -> Vec<(String, String)> {
    let items: Vec<&str> = raw.split(sep).collect();
    items
        .chunks(2)
        .map(|c| {
            (
                c[0].to_string(),
                c.get(1).copied().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// `k=v,k2=v2` -> pairs.
fn eq_pairs(raw: &str, sep: char) -> Vec<(String, String)> {
    raw.split(sep)
        .filter(|s| !s.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// A simple-style (or label/matrix after its prefix is removed) value.
fn simple(api: &Api, p: &Parameter, raw: &str, sep: char) -> Value {
    let schema = p.schema.as_ref();
    match shape(api, schema) {
        Shape::Primitive => coerce(api, schema, raw),
        Shape::Array => split_values(api, schema, raw.split(sep).collect()),
        Shape::Object => {
            let pairs = if p.explode {
                eq_pairs(raw, sep)
            } else {
                flat_pairs(raw, sep)
            };
            object_from(api, schema, pairs)
        }
    }
}

fn delimiter(style: ParamStyle) -> char {
    match style {
        ParamStyle::SpaceDelimited => ' ',
        ParamStyle::PipeDelimited => '|',
        ParamStyle::TabDelimited => '\t',
        _ => ',',
    }
}

/// The value of a parameter as JSON, `None` when absent.
fn param_value(
    api: &Api,
    op: &Operation,
    p: &Parameter,
    parts: RequestParts<'_>,
) -> Result<Option<Value>, FieldError> {
    let schema = p.schema.as_ref();
    let loc = p.location.as_str();
    let raw: Option<String> = match p.location {
        ParamLocation::Path => parts
            .path_params
            .iter()
            .find(|(n, _)| *n == p.name)
            .map(|(_, v)| v.clone()),
        ParamLocation::Header => {
            let values: Vec<&str> = parts
                .headers
                .get_all(p.name.as_str())
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect();
            if parts.headers.get(p.name.as_str()).is_some() && values.is_empty() {
                return Err(FieldError::new(
                    &[loc, &p.name],
                    "the header value is not visible ASCII",
                    "malformed",
                ));
            }
            (!values.is_empty()).then(|| values.join(","))
        }
        ParamLocation::Cookie => parts
            .headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|c| {
                let (k, v) = c.trim().split_once('=')?;
                (k == p.name).then(|| {
                    percent_decode(v.as_bytes())
                        .decode_utf8_lossy()
                        .into_owned()
                })
            }),
        ParamLocation::Query => return Ok(query_value(api, op, p, parts.query)),
    };
    let Some(raw) = raw else { return Ok(None) };
    if let Some(ct) = &p.content_type {
        if negotiate::kind(ct) == MediaKind::Json {
            return serde_json::from_str(&raw).map(Some).map_err(|e| {
                FieldError::new(&[loc, &p.name], format!("not valid JSON: {e}"), "malformed")
            });
        }
        return Ok(Some(Value::String(raw)));
    }
    let value = match p.style {
        ParamStyle::Label => {
            let Some(rest) = raw.strip_prefix('.') else {
                return Err(FieldError::new(
                    &[loc, &p.name],
                    "a label-style value starts with `.`",
                    "malformed",
                ));
            };
            simple(api, p, rest, if p.explode { '.' } else { ',' })
        }
        // RFC 6570 `{;name*}` of an object names its properties, not the parameter:
        // `;R=100;G=200` (an empty object expands to nothing).
        ParamStyle::Matrix if p.explode && shape(api, schema) == Shape::Object => {
            let Some(pairs) = raw.strip_prefix(';').or(raw.is_empty().then_some("")) else {
                return Err(FieldError::new(
                    &[loc, &p.name],
                    "a matrix-style object starts with `;`",
                    "malformed",
                ));
            };
            object_from(api, schema, eq_pairs(pairs, ';'))
        }
        ParamStyle::Matrix => {
            let prefix = format!(";{}", p.name);
            let Some(rest) = raw.strip_prefix(&prefix) else {
                return Err(FieldError::new(
                    &[loc, &p.name],
                    format!("a matrix-style value starts with `;{}`", p.name),
                    "malformed",
                ));
            };
            let rest = rest.strip_prefix('=').unwrap_or(rest);
            if p.explode && shape(api, schema) == Shape::Array {
                let items: Vec<&str> = rest.split(&format!("{prefix}=")).collect();
                split_values(
                    api,
                    schema,
                    items.into_iter().map(|s| s.trim_end_matches(';')).collect(),
                )
            } else {
                simple(api, p, rest, ',')
            }
        }
        _ => simple(api, p, &raw, ','),
    };
    Ok(Some(value))
}

fn query_value(
    api: &Api,
    op: &Operation,
    p: &Parameter,
    query: &[(String, String)],
) -> Option<Value> {
    let schema = p.schema.as_ref();
    let values: Vec<&str> = query
        .iter()
        .filter(|(k, _)| *k == p.name)
        .map(|(_, v)| v.as_str())
        .collect();
    if let Some(ct) = &p.content_type {
        let raw = values.first()?;
        if negotiate::kind(ct) == MediaKind::Json {
            return Some(
                serde_json::from_str(raw).unwrap_or_else(|_| Value::String((*raw).to_string())),
            );
        }
        return Some(Value::String((*raw).to_string()));
    }
    match (shape(api, schema), p.style) {
        (Shape::Object, ParamStyle::DeepObject) => {
            let prefix = format!("{}[", p.name);
            let pairs: Vec<(String, String)> = query
                .iter()
                .filter_map(|(k, v)| {
                    let key = k.strip_prefix(&prefix)?.strip_suffix(']')?;
                    Some((key.to_string(), v.clone()))
                })
                .collect();
            (!pairs.is_empty()).then(|| object_from(api, schema, pairs))
        }
        (Shape::Object, ParamStyle::Form) if p.explode => {
            // Each property is its own query parameter: take the ones the schema declares, or
            // else every one no other parameter claims.
            let props = schema
                .and_then(|s| s.resolve(api))
                .and_then(|s| match &s.kind {
                    SchemaKind::Object(o) => Some(&o.properties),
                    _ => None,
                });
            let pairs: Vec<(String, String)> = query
                .iter()
                .filter(|(k, _)| match props {
                    Some(props) if !props.is_empty() => props.contains_key(k),
                    _ => {
                        !k.starts_with("__")
                            && !op
                                .parameters
                                .iter()
                                .any(|o| o.location == ParamLocation::Query && o.name == *k)
                    }
                })
                .cloned()
                .collect();
            (!pairs.is_empty()).then(|| object_from(api, schema, pairs))
        }
        (Shape::Object, _) => values
            .first()
            .map(|raw| object_from(api, schema, flat_pairs(raw, delimiter(p.style)))),
        (Shape::Array, style) => {
            if values.is_empty() {
                return None;
            }
            if p.explode && style == ParamStyle::Form {
                Some(split_values(api, schema, values))
            } else {
                // One delimited value: `status=` is the empty list (RFC 6570 writes an empty
                // list as nothing), not a list of one empty item.
                let sep = delimiter(style);
                let items: Vec<&str> = values
                    .iter()
                    .filter(|v| !v.is_empty())
                    .flat_map(|v| v.split(sep))
                    .collect();
                Some(split_values(api, schema, items))
            }
        }
        (Shape::Primitive, _) => values.first().map(|raw| coerce(api, schema, raw)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A pattern written for another regex dialect (`[\w- ]`: a literal `-` beside a class
    /// escape) is repaired, and one that cannot be is dropped, so the rest of the schema is
    /// still enforced (go-swagger's task tracker has `[A-Za-z][\w- ]+`; the body was unchecked).
    #[test]
    fn patterns_of_other_dialects_do_not_switch_validation_off() {
        assert!(!pattern_compiles(r"[A-Za-z][\w- ]+"));
        assert!(pattern_compiles(&api_model::export::ecma_pattern(
            r"[A-Za-z][\w- ]+"
        )));
        let api = crate::testing::empty_api("t", "/");
        let mut schema = json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "pattern": r"^[A-Za-z][\w- ]+$"},
                "code": {"type": "string", "pattern": "(?<=a)b(", "maxLength": 3},
                "pattern": {"type": "integer"}
            },
            "patternProperties": {"^x-[\\w- ]+$": {"type": "string"}},
            "examples": [{"pattern": "(("}]
        });
        enforceable_patterns(&api, &mut schema, 0);
        assert_eq!(
            schema["properties"]["name"]["pattern"],
            r"^[A-Za-z][\w\- ]+$"
        );
        assert!(schema["properties"]["code"].get("pattern").is_none());
        assert_eq!(schema["properties"]["code"]["maxLength"], 3);
        assert!(schema["patternProperties"].get(r"^x-[\w\- ]+$").is_some());
        assert_eq!(schema["examples"][0]["pattern"], "((", "data is left alone");
        let v = jsonschema::validator_for(&schema).expect("compiles now");
        assert!(v.is_valid(&json!({"name": "Rex the 2nd", "code": "abc"})));
        assert!(!v.is_valid(&json!({"name": "2 Rex"})));
        assert!(!v.is_valid(&json!({"code": "abcd"})));
        assert!(!v.is_valid(&json!({"pattern": "x"})));
    }

    #[test]
    fn query_strings_decode_plus_and_percent() {
        assert_eq!(
            parse_query(Some("a=1+2&b=%C3%A9&c")),
            vec![
                ("a".into(), "1 2".into()),
                ("b".into(), "é".into()),
                ("c".into(), "".into())
            ]
        );
    }

    #[test]
    fn multipart_fields_are_read() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nRex\r\n--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\r\n--XyZ--\r\n";
        let fields = multipart_fields("multipart/form-data; boundary=XyZ", body).expect("parsed");
        assert_eq!(fields[0], ("name".to_string(), Value::from("Rex")));
        assert_eq!(fields[1].1["a"], 1);
        assert!(multipart_fields("multipart/form-data", body).is_none());
        // A part that names no field is not form data.
        for broken in [
            &b"--XyZ\r\n[]--XyZ--\r\n"[..],
            b"--XyZ\r\nContent-Type: text/plain\r\n\r\nRex\r\n--XyZ--\r\n",
        ] {
            assert!(
                multipart_fields("multipart/form-data; boundary=XyZ", broken).is_none(),
                "{}",
                String::from_utf8_lossy(broken)
            );
        }
        // No part at all is an empty form.
        let empty = multipart_fields("multipart/form-data; boundary=XyZ", b"--XyZ--\r\n");
        assert_eq!(empty, Some(Vec::new()));
    }

    #[test]
    fn flat_and_eq_pairs() {
        assert_eq!(
            flat_pairs("a,1,b,2", ','),
            vec![("a".into(), "1".into()), ("b".into(), "2".into())]
        );
        assert_eq!(
            eq_pairs("a=1,b=2", ','),
            vec![("a".into(), "1".into()), ("b".into(), "2".into())]
        );
    }

    #[test]
    fn doubles_beyond_i64_stay_out_of_int64_range() {
        let parsed: Value = serde_json::from_str("[-9223372036854775809, 1.5]").expect("json");
        let mut v = parsed.clone();
        widen_huge(&mut v, 0);
        let min = json!(i64::MIN);
        let schema = json!({"items": {"minimum": min}});
        let validator = jsonschema::validator_for(&schema).expect("schema");
        assert!(
            validator.is_valid(&parsed),
            "the rounding this guards against"
        );
        assert!(!validator.is_valid(&v));
        assert_eq!(v[1], json!(1.5));
    }

    /// `listPets?limit=0` (its schema wants at least 1) checked with `list`'s validators.
    fn list_with_limit_zero(api: &Api, list: &OpValidators<'_>) -> Result<(), MockError> {
        let headers = HeaderMap::new();
        let query = parse_query(Some("limit=0"));
        let parts = RequestParts {
            path_params: &[],
            query: &query,
            headers: &headers,
            body: b"",
        };
        validate(api, &api.operations[0], list, parts)
    }

    #[test]
    fn validators_are_compiled_when_a_call_needs_them() {
        let api = crate::testing::pet_api();
        let catalog = Catalog {
            apis: vec![api],
            products: Vec::new(),
        };
        let api = &catalog.apis[0];
        let cache = Validators::new(&catalog);
        let filled =
            |slots: &[OnceLock<Compiled>]| slots.iter().filter(|s| s.get().is_some()).count();

        // listPets: a call with `limit` compiles the `limit` schema, and nothing else.
        let list = cache.get(api, 0, 0).expect("listPets");
        assert_eq!(filled(&list.slots.params), 0, "nothing before a call");
        let err = list_with_limit_zero(api, &list).expect_err("limit >= 1");
        assert!(matches!(err, MockError::Invalid { .. }));
        assert_eq!(filled(&list.slots.params), 1);
        assert!(list.slots.params[0].get().is_some());
        assert!(
            cache.keys_of(0).is_some(),
            "the schema keys are worked out once per API"
        );

        // showPetById: the example that holds is found once, and the answer kept.
        let show = cache.get(api, 0, 2).expect("showPetById");
        assert!(show.slots.examples[0][0].get().is_none());
        assert_eq!(
            show.example(0, "application/json"),
            Some(1),
            "`broken` is skipped"
        );
        assert_eq!(show.slots.examples[0][0].get(), Some(&Some(1)));
        assert_eq!(
            show.example(1, "application/json"),
            None,
            "no example at all"
        );
        let again = cache.get(api, 0, 2).expect("showPetById");
        assert_eq!(again.slots.examples[0][0].get(), Some(&Some(1)), "shared");
    }

    #[test]
    fn form_fields_left_out_stay_absent() {
        use crate::testing::{inline, integer, string};
        use api_model::{ArrayRules, ObjectRules};
        let api = crate::testing::pet_api();
        let schema = inline(SchemaKind::Object(ObjectRules {
            properties: [
                (
                    "ids".to_string(),
                    inline(SchemaKind::Array(ArrayRules {
                        items: Some(Box::new(integer(None, None))),
                        ..ArrayRules::default()
                    })),
                ),
                ("name".to_string(), string()),
            ]
            .into_iter()
            .collect(),
            required: vec!["ids".into(), "name".into()],
            ..ObjectRules::default()
        }));
        let read = |body: &str| {
            let pairs = parse_query(Some(body));
            fields_object(
                &api,
                Some(&schema),
                pairs.into_iter().map(|(k, v)| (k, Value::String(v))),
            )
        };
        assert_eq!(read("name=a"), json!({"name": "a"}), "no `ids`: missing");
        assert_eq!(read("name=a&ids="), json!({"name": "a", "ids": []}));
        assert_eq!(read("ids=1&ids=2"), json!({"ids": [1, 2]}));
        assert_eq!(read("ids=&ids=2"), json!({"ids": ["", 2]}));
    }

    /// An object schema of these properties.
    fn object(props: Vec<(&str, SchemaRef)>) -> SchemaRef {
        crate::testing::inline(SchemaKind::Object(api_model::ObjectRules {
            properties: props.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            ..api_model::ObjectRules::default()
        }))
    }

    /// Form fields (name, text) read against `schema`.
    fn read_fields(api: &Api, schema: &SchemaRef, pairs: &[(&str, &str)]) -> Value {
        fields_object(
            api,
            Some(schema),
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_string(), Value::from(*v))),
        )
    }

    #[test]
    fn form_fields_of_composed_schemas_are_typed() {
        use crate::testing::{inline, integer};
        use api_model::{ArrayRules, Composite};
        let api = crate::testing::pet_api();
        let nullable_list = inline(SchemaKind::Union(vec![
            SchemaKind::Array(ArrayRules {
                items: Some(Box::new(integer(None, None))),
                ..ArrayRules::default()
            }),
            SchemaKind::Null,
        ]));
        let nullable_object = inline(SchemaKind::OneOf(Composite {
            members: vec![
                inline(SchemaKind::Null),
                object(vec![("a", integer(None, None))]),
            ],
            discriminator: None,
        }));
        // The body is an allOf: its members' fields are typed all the same.
        let schema = inline(SchemaKind::AllOf(Composite {
            members: vec![
                object(vec![("flags", integer(None, None)), ("ids", nullable_list)]),
                object(vec![("mentions", nullable_object)]),
            ],
            discriminator: None,
        }));
        let read = |pairs: &[(&str, &str)]| read_fields(&api, &schema, pairs);
        assert_eq!(
            read(&[
                ("flags", "8.0"),
                ("ids", "1"),
                ("ids", "2"),
                ("mentions", "{\"a\": 1}")
            ]),
            json!({"flags": 8, "ids": [1, 2], "mentions": {"a": 1}})
        );
        assert_eq!(
            read(&[("ids", "null"), ("mentions", "null")]),
            json!({"ids": null, "mentions": null})
        );
        // JSON parts (multipart) holding the whole list, or null.
        for part in [json!([1, 2]), Value::Null] {
            let v = fields_object(
                &api,
                Some(&schema),
                [("ids".to_string(), part.clone())].into_iter(),
            );
            assert_eq!(v, json!({ "ids": part }));
        }
    }

    /// A field that several members of an anyOf declare is read as any of them declares it:
    /// `null` where only the second member's `data` may be null (Discord's interaction
    /// callback), a number where only one wants a number.
    #[test]
    fn form_fields_declared_by_several_members_take_any_reading() {
        use crate::testing::{inline, integer, string};
        use api_model::Composite;
        let api = crate::testing::pet_api();
        let nullable_object = inline(SchemaKind::OneOf(Composite {
            members: vec![inline(SchemaKind::Null), object(vec![("a", string())])],
            discriminator: None,
        }));
        let schema = inline(SchemaKind::AnyOf(Composite {
            members: vec![
                object(vec![
                    ("data", object(vec![("a", string())])),
                    ("n", string()),
                ]),
                object(vec![("data", nullable_object), ("n", integer(None, None))]),
            ],
            discriminator: None,
        }));
        let read = |pairs: &[(&str, &str)]| read_fields(&api, &schema, pairs);
        assert_eq!(
            read(&[("data", "null"), ("n", "7")]),
            json!({"data": null, "n": 7})
        );
        assert_eq!(
            read(&[("data", "{\"a\": \"x\"}"), ("n", "seven")]),
            json!({"data": {"a": "x"}, "n": "seven"})
        );
    }

    #[test]
    fn whole_doubles_are_integers() {
        // `jsonschema` takes 8.0 for a non-integer where several types are allowed.
        let schema = json!({"type": ["integer", "null"]});
        let validator = jsonschema::validator_for(&schema).expect("schema");
        let mut v: Value = serde_json::from_str("8.0").expect("json");
        assert!(!validator.is_valid(&v), "the behaviour this works around");
        widen_huge(&mut v, 0);
        assert!(validator.is_valid(&v));
        assert_eq!(v, json!(8));
        let mut half: Value = serde_json::from_str("8.5").expect("json");
        widen_huge(&mut half, 0);
        assert!(!validator.is_valid(&half));
    }

    #[test]
    fn integers_at_and_beyond_the_edges() {
        // A whole double beyond i64 where several types are allowed.
        let mut schema = json!({"type": ["integer", "null"], "minimum": 0});
        split_integer_types(&mut schema, 0);
        let validator = jsonschema::validator_for(&schema).expect("schema");
        let huge: Value = serde_json::from_str("3.775013682155024e+22").expect("json");
        assert!(validator.is_valid(&huge));
        assert!(validator.is_valid(&Value::Null));
        assert!(!validator.is_valid(&json!(1.5)));
        assert!(!validator.is_valid(&json!(-1)));
        assert!(!validator.is_valid(&json!("1")));

        // Text: a double at the edge is the edge; an integer past it stays past it.
        let api = crate::testing::pet_api();
        let int64 = crate::testing::integer(Some(-9_223_372_036_854_775_808.0), None);
        let min = jsonschema::validator_for(&json!({"minimum": i64::MIN})).expect("schema");
        assert_eq!(
            coerce(&api, Some(&int64), "-9.223372036854776e+18"),
            json!(i64::MIN)
        );
        assert!(!min.is_valid(&coerce(&api, Some(&int64), "-9223372036854775809")));
        let int_or_string = crate::testing::inline(SchemaKind::OneOf(api_model::Composite {
            members: vec![int64.clone(), crate::testing::string()],
            discriminator: None,
        }));
        assert_eq!(
            coerce(&api, Some(&int_or_string), "-9223372036854775999"),
            json!("-9223372036854775999")
        );
        assert_eq!(coerce(&api, Some(&int_or_string), "12"), json!(12));
    }

    /// The validators of at most `max` operations are kept: past the bound, the operation not
    /// called since the sweep last passed it gives them up (one called again keeps them), and
    /// one that gave them up compiles the same validators again when called.
    #[test]
    fn validators_of_a_bounded_number_of_operations_are_kept() {
        let api = crate::testing::pet_api();
        let catalog = Catalog {
            apis: vec![api],
            products: Vec::new(),
        };
        let api = &catalog.apis[0];
        assert!(
            api.operations.len() >= 3,
            "listPets, createPets, showPetById"
        );
        let cache = Validators::with_resident_ops(&catalog, 2);
        let kept = |op: usize| cache.cell((0, op)).is_some_and(|c| c.load().is_some());
        let limit_refused = |cache: &Validators| {
            let list = cache.get(api, 0, 0).expect("listPets");
            matches!(
                list_with_limit_zero(api, &list),
                Err(MockError::Invalid { .. })
            )
        };

        assert!(limit_refused(&cache));
        cache.get(api, 0, 1).expect("createPets");
        assert_eq!(cache.resident(), 2);
        assert!(kept(0) && kept(1));
        // Both were called since they came in: the sweep gives each a second chance and then
        // takes the oldest, listPets.
        cache.get(api, 0, 2).expect("showPetById");
        assert_eq!(cache.resident(), 2);
        assert!(!kept(0) && kept(1) && kept(2));
        // createPets is called again, showPetById not: listPets coming back takes showPetById's.
        cache.get(api, 0, 1).expect("createPets");
        assert!(limit_refused(&cache), "compiled again, same answer");
        assert_eq!(cache.resident(), 2);
        assert!(kept(0) && kept(1) && !kept(2));

        // Validators handed out before an eviction stay usable.
        let held = cache.get(api, 0, 2).expect("showPetById");
        for op in [0, 1, 0, 1] {
            cache.get(api, 0, op).expect("op");
        }
        assert_eq!(held.example(0, "application/json"), Some(1));
        assert_eq!(
            Validators::with_resident_ops(&catalog, 0).max_resident,
            1,
            "at least one"
        );
    }
}
