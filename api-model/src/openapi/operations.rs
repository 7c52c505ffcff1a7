//! Paths, webhooks and callbacks -> [`Operation`]s: parameters (path-level merged in), request
//! bodies (2.0 `body`/`formData` parameters converted), responses, links, security.

use std::collections::HashSet;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::source::Ptr;
use super::{Ctx, Version, schema, security, str_field, string_list};
use crate::model::{
    Binding, Callback, Example, Header, HttpMethod, MediaType, ObjectRules, Operation,
    ParamLocation, ParamStyle, Parameter, RequestBody, Response, ResponseLink, ResponseStatus,
    Schema, SchemaKind, SchemaRef, SecurityScheme,
};

/// How deep callbacks may nest (a callback's operation with its own callbacks...).
const MAX_CALLBACK_DEPTH: usize = 4;

/// Path item fields that are not operations.
const PATH_ITEM_FIELDS: [&str; 5] = ["$ref", "summary", "description", "servers", "parameters"];

/// Builds operations, keeping their ids unique.
pub(crate) struct OpBuilder<'s> {
    schemes: &'s IndexMap<String, SecurityScheme>,
    ids: HashSet<String>,
    webhook_ids: HashSet<String>,
    callback_ids: HashSet<String>,
    written_ids: HashSet<String>,
    /// Responses reached by a local `$ref` (shared error responses are referenced by most
    /// operations), converted once: (document, reference) -> response without its status.
    shared_responses: std::collections::HashMap<(usize, String), Response>,
}

/// Which id set an operation's id goes into.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Paths,
    Webhooks,
    Callbacks,
}

/// Body parameters of a Swagger 2.0 operation, before they become a request body.
#[derive(Default, Clone)]
struct V2Body {
    body: Option<(SchemaRef, Option<String>, bool)>,
    form: Vec<(String, SchemaRef, bool, bool)>,
}

impl<'s> OpBuilder<'s> {
    /// A builder checking security requirements against `schemes`.
    pub fn new(schemes: &'s IndexMap<String, SecurityScheme>) -> OpBuilder<'s> {
        OpBuilder {
            schemes,
            ids: HashSet::new(),
            webhook_ids: HashSet::new(),
            callback_ids: HashSet::new(),
            written_ids: HashSet::new(),
            shared_responses: std::collections::HashMap::new(),
        }
    }

    /// The operations of `paths`.
    pub fn paths(&mut self, ctx: &mut Ctx, obj: &Map<String, Value>) -> Vec<Operation> {
        let root = Ptr::root();
        let pp = root.key("paths");
        let Some(paths) = obj.get("paths") else {
            return Vec::new();
        };
        let Some(map) = paths.as_object() else {
            if !paths.is_null() {
                ctx.error(0, &pp, "`paths` must be a mapping");
            }
            return Vec::new();
        };
        let mut out = Vec::new();
        for (path, item) in map {
            if path.starts_with("x-") {
                continue;
            }
            let at = pp.key(path);
            if !path.starts_with('/') {
                ctx.warn(0, &at, format!("path `{path}` should start with `/`"));
            }
            out.extend(self.path_item(ctx, 0, &at, item, path, Scope::Paths, 0));
        }
        out
    }

    /// The operations of 3.1 `webhooks` (the key is used as the path).
    pub fn webhooks(&mut self, ctx: &mut Ctx, obj: &Map<String, Value>) -> Vec<Operation> {
        let Some(map) = obj.get("webhooks").and_then(Value::as_object) else {
            return Vec::new();
        };
        let root = Ptr::root();
        let wp = root.key("webhooks");
        if ctx.version < Version::V31 {
            ctx.warn(0, &wp, "`webhooks` need OpenAPI 3.1; read anyway");
        }
        let mut out = Vec::new();
        for (name, item) in map {
            let at = wp.key(name);
            out.extend(self.path_item(ctx, 0, &at, item, name, Scope::Webhooks, 0));
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn path_item(
        &mut self,
        ctx: &mut Ctx,
        doc: usize,
        at: &Ptr,
        item: &Value,
        path: &str,
        scope: Scope,
        depth: usize,
    ) -> Vec<Operation> {
        if item.is_null() {
            return Vec::new();
        }
        if !item.is_object() {
            ctx.error(doc, at, "a path item must be a mapping");
            return Vec::new();
        }
        ctx.with_node(doc, at, item, |ctx, doc, at, item| {
            let Some(map) = item.as_object() else {
                ctx.error(doc, at, "a path item must be a mapping");
                return Vec::new();
            };
            let shared_params = match map.get("parameters") {
                Some(v) => self.parameters(ctx, doc, &at.key("parameters"), v),
                None => (Vec::new(), V2Body::default()),
            };
            let servers = if ctx.version == Version::V2 {
                Vec::new()
            } else {
                security::list(ctx, doc, &at.key("servers"), map.get("servers"))
            };
            let summary = str_field(item, "summary");
            let description = str_field(item, "description");
            let mut out = Vec::new();
            for (key, op) in map {
                if PATH_ITEM_FIELDS.contains(&key.as_str()) || key.starts_with("x-") {
                    continue;
                }
                let op_at = at.key(key);
                let method = match HttpMethod::parse(key) {
                    Some(m) if m.key() == key => m,
                    Some(m) => {
                        ctx.warn(
                            doc,
                            &op_at,
                            format!("method `{key}` must be lower case (`{}`); skipped", m.key()),
                        );
                        continue;
                    }
                    None => {
                        if key == "query" || key == "additionalOperations" {
                            ctx.warn(
                                doc,
                                &op_at,
                                format!("`{key}` (OpenAPI 3.2) is not supported yet; skipped"),
                            );
                        } else {
                            ctx.warn(
                                doc,
                                &op_at,
                                format!("unknown path item field `{key}`; ignored"),
                            );
                        }
                        continue;
                    }
                };
                if op.is_null() {
                    continue;
                }
                let Some(op_obj) = op.as_object() else {
                    ctx.error(doc, &op_at, "an operation must be a mapping");
                    continue;
                };
                let mut o = self.operation(
                    ctx,
                    doc,
                    &op_at,
                    op_obj,
                    method,
                    path,
                    &shared_params,
                    scope,
                    depth,
                );
                if o.servers.is_empty() {
                    o.servers = servers.clone();
                }
                if o.summary.is_none() {
                    o.summary = summary.clone();
                }
                if o.description.is_none() {
                    o.description = description.clone();
                }
                out.push(o);
            }
            out
        })
        .unwrap_or_default()
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        ctx: &mut Ctx,
        doc: usize,
        at: &Ptr,
        op: &Map<String, Value>,
        method: HttpMethod,
        path: &str,
        shared: &(Vec<Parameter>, V2Body),
        scope: Scope,
        depth: usize,
    ) -> Operation {
        let operation_id = op
            .get("operationId")
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(written) = &operation_id {
            if scope == Scope::Paths && !self.written_ids.insert(written.clone()) {
                ctx.warn(
                    doc,
                    &at.key("operationId"),
                    format!("operationId `{written}` is used by another operation"),
                );
            }
        }
        let id = self.make_id(scope, operation_id.as_deref(), method, path);

        // Parameters: path-level first, operation-level replacing same name + location.
        let (own, own_body) = match op.get("parameters") {
            Some(p) => self.parameters(ctx, doc, &at.key("parameters"), p),
            None => (Vec::new(), V2Body::default()),
        };
        let mut parameters = shared.0.clone();
        for p in own {
            if let Some(existing) = parameters
                .iter_mut()
                .find(|e| e.name == p.name && e.location == p.location)
            {
                *existing = p;
            } else {
                parameters.push(p);
            }
        }

        if scope == Scope::Paths {
            check_path_params(ctx, doc, at, path, &mut parameters);
        }

        let request_body = if ctx.version == Version::V2 {
            let mut body = shared.1.clone();
            if own_body.body.is_some() {
                body.body = own_body.body;
            }
            for f in own_body.form {
                body.form.retain(|x| x.0 != f.0);
                body.form.push(f);
            }
            v2_request_body(ctx, op, body)
        } else {
            match op.get("requestBody") {
                Some(rb) => {
                    let rp = at.key("requestBody");
                    if method == HttpMethod::Get || method == HttpMethod::Head {
                        ctx.warn(
                            doc,
                            &rp,
                            format!(
                                "a request body on {} has no defined meaning",
                                method.as_str()
                            ),
                        );
                    }
                    ctx.with_node(doc, &rp, rb, |ctx, doc, at, rb| RequestBody {
                        description: str_field(rb, "description"),
                        required: rb.get("required").and_then(Value::as_bool).unwrap_or(false),
                        content: media_types(ctx, doc, &at.key("content"), rb.get("content")),
                    })
                }
                None => None,
            }
        };

        let responses = match op.get("responses") {
            Some(r) => self.responses(ctx, doc, &at.key("responses"), r, op),
            None => {
                // Required before 3.1, but nothing else depends on it: the operation is
                // documented (and mocked) as one that documents no response, as 3.1 allows.
                if ctx.version < Version::V31 {
                    ctx.warn(
                        doc,
                        at,
                        "an operation needs `responses`; documented as one that documents none",
                    );
                }
                Vec::new()
            }
        };

        let security = op
            .get("security")
            .map(|s| security::requirements(ctx, doc, &at.key("security"), s, self.schemes));

        let mut callbacks = Vec::new();
        if let Some(cbs) = op.get("callbacks").and_then(Value::as_object) {
            let cp = at.key("callbacks");
            if depth >= MAX_CALLBACK_DEPTH {
                ctx.warn(doc, &cp, "callbacks nested too deeply; skipped");
            } else {
                ctx.documentation_only += 1;
                for (name, cb) in cbs {
                    let np = cp.key(name);
                    let list = ctx
                        .with_node(doc, &np, cb, |ctx, doc, at, cb| {
                            let mut list = Vec::new();
                            if let Some(map) = cb.as_object() {
                                for (expression, item) in map {
                                    if expression.starts_with("x-") {
                                        continue;
                                    }
                                    let ep = at.key(expression);
                                    let operations = self.path_item(
                                        ctx,
                                        doc,
                                        &ep,
                                        item,
                                        expression,
                                        Scope::Callbacks,
                                        depth + 1,
                                    );
                                    list.push(Callback {
                                        name: name.clone(),
                                        expression: expression.clone(),
                                        operations,
                                    });
                                }
                            }
                            list
                        })
                        .unwrap_or_default();
                    callbacks.extend(list);
                }
                ctx.documentation_only -= 1;
            }
        }

        let servers = if ctx.version == Version::V2 {
            Vec::new()
        } else {
            security::list(ctx, doc, &at.key("servers"), op.get("servers"))
        };

        Operation {
            id,
            operation_id,
            summary: op
                .get("summary")
                .and_then(Value::as_str)
                .map(str::to_string),
            description: op
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string),
            tags: string_list(op.get("tags")),
            deprecated: op
                .get("deprecated")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            binding: Binding::Http {
                method,
                path: path.to_string(),
            },
            parameters,
            request_body,
            responses,
            security,
            callbacks,
            servers,
        }
    }

    fn make_id(
        &mut self,
        scope: Scope,
        written: Option<&str>,
        method: HttpMethod,
        path: &str,
    ) -> String {
        let base = match written {
            Some(id) if url_safe(id) => id.to_string(),
            Some(id) if !crate::load::slug(id).is_empty() => crate::load::slug(id),
            _ => {
                let s = crate::load::slug(&format!("{} {path}", method.key()));
                if s.is_empty() {
                    "operation".to_string()
                } else {
                    s
                }
            }
        };
        let set = match scope {
            Scope::Paths => &mut self.ids,
            Scope::Webhooks => &mut self.webhook_ids,
            Scope::Callbacks => &mut self.callback_ids,
        };
        let mut id = base.clone();
        let mut n = 2;
        while set.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        set.insert(id.clone());
        id
    }

    /// A `parameters` list: plain parameters, and (2.0) body / formData parameters apart.
    fn parameters(
        &mut self,
        ctx: &mut Ctx,
        doc: usize,
        at: &Ptr,
        v: &Value,
    ) -> (Vec<Parameter>, V2Body) {
        let mut params: Vec<Parameter> = Vec::new();
        let mut body = V2Body::default();
        let Some(items) = v.as_array() else {
            if !v.is_null() {
                ctx.warn(doc, at, "`parameters` must be a list; ignored");
            }
            return (params, body);
        };
        for (i, item) in items.iter().enumerate() {
            let p = at.index(i);
            ctx.with_node(doc, &p, item, |ctx, doc, at, item| {
                parameter(ctx, doc, at, item, &mut params, &mut body);
            });
        }
        (params, body)
    }

    fn responses(
        &mut self,
        ctx: &mut Ctx,
        doc: usize,
        at: &Ptr,
        v: &Value,
        op: &Map<String, Value>,
    ) -> Vec<Response> {
        let Some(map) = v.as_object() else {
            ctx.error(doc, at, "`responses` must be a mapping of status codes");
            return Vec::new();
        };
        let produces = if ctx.version == Version::V2 {
            let own = string_list(op.get("produces"));
            if !own.is_empty() {
                own
            } else if !ctx.produces.is_empty() {
                ctx.produces.clone()
            } else {
                vec!["application/json".to_string()]
            }
        } else {
            Vec::new()
        };
        let mut out = Vec::new();
        for (key, r) in map {
            if key.starts_with("x-") {
                continue;
            }
            let rp = at.key(key);
            let Some(status) = ResponseStatus::parse(key) else {
                ctx.warn(
                    doc,
                    &rp,
                    format!(
                        "`{key}` is not a status code, a range like 2XX, or `default`; skipped"
                    ),
                );
                continue;
            };
            let shared = r
                .get("$ref")
                .and_then(Value::as_str)
                .filter(|s| s.starts_with('#'))
                .map(|s| (doc, s.to_string()));
            if let Some(cached) = shared.as_ref().and_then(|k| self.shared_responses.get(k)) {
                let mut resp = cached.clone();
                resp.status = status;
                out.push(resp);
                continue;
            }
            let resp = ctx.with_node(doc, &rp, r, |ctx, doc, at, r| {
                response(ctx, doc, at, r, status, &produces)
            });
            if let Some(resp) = resp {
                if let Some(key) = shared {
                    self.shared_responses.insert(key, resp.clone());
                }
                out.push(resp);
            }
        }
        out
    }
}

fn url_safe(id: &str) -> bool {
    !id.is_empty()
        && id != "."
        && id != ".."
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
}

fn parse_location(s: &str) -> Option<ParamLocation> {
    match s {
        "path" => Some(ParamLocation::Path),
        "query" => Some(ParamLocation::Query),
        "header" => Some(ParamLocation::Header),
        "cookie" => Some(ParamLocation::Cookie),
        _ => None,
    }
}

fn parse_style(s: &str) -> Option<ParamStyle> {
    match s {
        "simple" => Some(ParamStyle::Simple),
        "form" => Some(ParamStyle::Form),
        "matrix" => Some(ParamStyle::Matrix),
        "label" => Some(ParamStyle::Label),
        "spaceDelimited" => Some(ParamStyle::SpaceDelimited),
        "pipeDelimited" => Some(ParamStyle::PipeDelimited),
        "deepObject" => Some(ParamStyle::DeepObject),
        _ => None,
    }
}

fn default_style(loc: ParamLocation) -> ParamStyle {
    match loc {
        ParamLocation::Query | ParamLocation::Cookie => ParamStyle::Form,
        ParamLocation::Path | ParamLocation::Header => ParamStyle::Simple,
    }
}

fn parameter(
    ctx: &mut Ctx,
    doc: usize,
    at: &Ptr,
    v: &Value,
    params: &mut Vec<Parameter>,
    body: &mut V2Body,
) {
    let Some(name) = v.get("name").and_then(Value::as_str) else {
        ctx.error(doc, at, "a parameter needs a `name`");
        return;
    };
    let Some(location) = v.get("in").and_then(Value::as_str) else {
        ctx.error(
            doc,
            at,
            format!("parameter `{name}` needs `in` (path, query, header or cookie)"),
        );
        return;
    };
    let description = str_field(v, "description");
    let required = v.get("required").and_then(Value::as_bool).unwrap_or(false);
    if ctx.version == Version::V2 {
        match location {
            "body" => {
                let sp = at.key("schema");
                let schema = match v.get("schema") {
                    Some(s) => schema::convert(ctx, doc, &sp, s, 0),
                    None => {
                        ctx.error(doc, at, format!("body parameter `{name}` needs a `schema`"));
                        SchemaRef::Inline(Box::default())
                    }
                };
                body.body = Some((schema, description, required));
                return;
            }
            "formData" => {
                let is_file = v.get("type").and_then(Value::as_str) == Some("file");
                let mut schema = schema::convert(ctx, doc, at, v, 0);
                if let SchemaRef::Inline(s) = &mut schema {
                    s.description = description;
                    s.default = v.get("default").cloned();
                }
                body.form.retain(|f| f.0 != name);
                body.form
                    .push((name.to_string(), schema, required, is_file));
                return;
            }
            _ => {}
        }
    }
    let Some(loc) = parse_location(location) else {
        ctx.error(
            doc,
            &at.key("in"),
            format!(
                "parameter `{name}`: `in` must be path, query, header or cookie, not `{location}`"
            ),
        );
        return;
    };
    let mut content_type = None;
    let schema = if ctx.version == Version::V2 {
        let mut s = schema::convert(ctx, doc, at, v, 0);
        if let SchemaRef::Inline(inner) = &mut s {
            inner.description = None;
        }
        Some(s)
    } else if let Some(s) = v.get("schema") {
        let sp = at.key("schema");
        Some(schema::convert(ctx, doc, &sp, s, 0))
    } else if let Some(content) = v.get("content").and_then(Value::as_object) {
        let cp = at.key("content");
        content.iter().next().map(|(mt, m)| {
            content_type = Some(mt.clone());
            let mp = cp.key(mt);
            match m.get("schema") {
                Some(s) => {
                    let sp = mp.key("schema");
                    schema::convert(ctx, doc, &sp, s, 0)
                }
                None => SchemaRef::Inline(Box::default()),
            }
        })
    } else {
        ctx.warn(
            doc,
            at,
            format!("parameter `{name}` has neither `schema` nor `content`"),
        );
        None
    };
    let (style, explode) = if ctx.version == Version::V2 {
        match v.get("collectionFormat").and_then(Value::as_str) {
            Some("multi") => (ParamStyle::Form, true),
            Some("ssv") => (ParamStyle::SpaceDelimited, false),
            Some("tsv") => (ParamStyle::TabDelimited, false),
            Some("pipes") => (ParamStyle::PipeDelimited, false),
            _ => (default_style(loc), false),
        }
    } else {
        let style = match v.get("style").and_then(Value::as_str) {
            Some(s) => parse_style(s).unwrap_or_else(|| {
                ctx.warn(
                    doc,
                    &at.key("style"),
                    format!("unknown style `{s}`; using the default"),
                );
                default_style(loc)
            }),
            None => default_style(loc),
        };
        let explode = v
            .get("explode")
            .and_then(Value::as_bool)
            .unwrap_or(style == ParamStyle::Form);
        (style, explode)
    };
    if loc == ParamLocation::Path && !required {
        ctx.warn(
            doc,
            at,
            format!("path parameter `{name}` must be `required: true`; read as required"),
        );
    }
    let example = v.get("example").cloned().or_else(|| {
        v.get("examples")
            .and_then(Value::as_object)
            .and_then(|m| m.values().next())
            .and_then(|e| e.get("value").cloned())
    });
    let param = Parameter {
        name: name.to_string(),
        location: loc,
        description,
        required: required || loc == ParamLocation::Path,
        deprecated: v
            .get("deprecated")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        schema,
        style,
        explode,
        allow_empty_value: v
            .get("allowEmptyValue")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        example,
        content_type,
    };
    if let Some(existing) = params
        .iter_mut()
        .find(|p| p.name == param.name && p.location == param.location)
    {
        ctx.warn(
            doc,
            at,
            format!("parameter `{name}` in {location} is declared twice; the last one wins"),
        );
        *existing = param;
    } else {
        params.push(param);
    }
}

fn v2_request_body(ctx: &Ctx, op: &Map<String, Value>, body: V2Body) -> Option<RequestBody> {
    let own = string_list(op.get("consumes"));
    let consumes = if !own.is_empty() {
        own
    } else if !ctx.consumes.is_empty() {
        ctx.consumes.clone()
    } else {
        Vec::new()
    };
    if let Some((schema, description, required)) = body.body {
        let types = if consumes.is_empty() {
            vec!["application/json".to_string()]
        } else {
            consumes
        };
        let content = types
            .into_iter()
            .map(|t| {
                (
                    t,
                    MediaType {
                        schema: Some(schema.clone()),
                        ..MediaType::default()
                    },
                )
            })
            .collect();
        return Some(RequestBody {
            description,
            required,
            content,
        });
    }
    if body.form.is_empty() {
        return None;
    }
    let has_file = body.form.iter().any(|f| f.3);
    let media = if has_file {
        "multipart/form-data".to_string()
    } else {
        consumes
            .iter()
            .find(|c| {
                c.starts_with("multipart/form-data")
                    || c.starts_with("application/x-www-form-urlencoded")
            })
            .cloned()
            .unwrap_or_else(|| "application/x-www-form-urlencoded".to_string())
    };
    let mut rules = ObjectRules::default();
    let mut required_any = false;
    for (name, schema, required, _) in body.form {
        if required {
            rules.required.push(name.clone());
            required_any = true;
        }
        rules.properties.insert(name, schema);
    }
    let mut content = IndexMap::new();
    content.insert(
        media,
        MediaType {
            schema: Some(SchemaRef::Inline(Box::new(Schema {
                kind: SchemaKind::Object(rules),
                ..Schema::default()
            }))),
            ..MediaType::default()
        },
    );
    Some(RequestBody {
        description: None,
        required: required_any,
        content,
    })
}

/// A `content` map of media types.
fn media_types(
    ctx: &mut Ctx,
    doc: usize,
    at: &Ptr,
    v: Option<&Value>,
) -> IndexMap<String, MediaType> {
    let mut out = IndexMap::new();
    let Some(v) = v else { return out };
    let Some(map) = v.as_object() else {
        ctx.warn(
            doc,
            at,
            "`content` must be a mapping of media types; ignored",
        );
        return out;
    };
    for (mt, m) in map {
        let mp = at.key(mt);
        let schema = m.get("schema").map(|s| {
            let sp = mp.key("schema");
            schema::convert(ctx, doc, &sp, s, 0)
        });
        let mut examples = IndexMap::new();
        if let Some(exs) = m.get("examples").and_then(Value::as_object) {
            let ep = mp.key("examples");
            for (name, e) in exs {
                let p = ep.key(name);
                if let Some(ex) = ctx.with_node(doc, &p, e, |_, _, _, e| Example {
                    summary: str_field(e, "summary"),
                    description: str_field(e, "description"),
                    value: e
                        .get("value")
                        .cloned()
                        .or_else(|| e.get("dataValue").cloned()),
                    external_value: str_field(e, "externalValue"),
                }) {
                    examples.insert(name.clone(), ex);
                }
            }
        }
        let encoding = m
            .get("encoding")
            .and_then(Value::as_object)
            .map(|enc| {
                enc.iter()
                    .filter_map(|(k, e)| {
                        e.get("contentType")
                            .and_then(Value::as_str)
                            .map(|c| (k.clone(), c.to_string()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        out.insert(
            mt.clone(),
            MediaType {
                schema,
                example: m.get("example").cloned(),
                examples,
                encoding,
            },
        );
    }
    out
}

fn response(
    ctx: &mut Ctx,
    doc: usize,
    at: &Ptr,
    r: &Value,
    status: ResponseStatus,
    produces: &[String],
) -> Response {
    let description = match r.get("description").and_then(Value::as_str) {
        Some(d) => d.to_string(),
        None => {
            if ctx.version < Version::V31 {
                ctx.warn(doc, at, "a response needs a `description`");
            }
            String::new()
        }
    };
    let mut headers = IndexMap::new();
    if let Some(hs) = r.get("headers").and_then(Value::as_object) {
        let hp = at.key("headers");
        for (name, h) in hs {
            let p = hp.key(name);
            let header = ctx.with_node(doc, &p, h, |ctx, doc, at, h| {
                let schema = if ctx.version == Version::V2 {
                    let mut s = schema::convert(ctx, doc, at, h, 0);
                    if let SchemaRef::Inline(inner) = &mut s {
                        inner.description = None;
                    }
                    Some(s)
                } else {
                    h.get("schema").map(|s| {
                        let sp = at.key("schema");
                        schema::convert(ctx, doc, &sp, s, 0)
                    })
                };
                Header {
                    description: str_field(h, "description"),
                    required: h.get("required").and_then(Value::as_bool).unwrap_or(false),
                    deprecated: h
                        .get("deprecated")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                    schema,
                    example: h.get("example").cloned(),
                }
            });
            if let Some(header) = header {
                headers.insert(name.clone(), header);
            }
        }
    }
    let content = if ctx.version == Version::V2 {
        let mut content = IndexMap::new();
        if let Some(s) = r.get("schema") {
            let sp = at.key("schema");
            let schema = schema::convert(ctx, doc, &sp, s, 0);
            for t in produces {
                content.insert(
                    t.clone(),
                    MediaType {
                        schema: Some(schema.clone()),
                        ..MediaType::default()
                    },
                );
            }
        }
        if let Some(exs) = r.get("examples").and_then(Value::as_object) {
            for (mt, ex) in exs {
                let entry = content.entry(mt.clone()).or_insert_with(MediaType::default);
                entry.example = Some(ex.clone());
            }
        }
        content
    } else {
        media_types(ctx, doc, &at.key("content"), r.get("content"))
    };
    let mut links = IndexMap::new();
    if let Some(ls) = r.get("links").and_then(Value::as_object) {
        ctx.documentation_only += 1;
        let lp = at.key("links");
        for (name, l) in ls {
            let p = lp.key(name);
            if let Some(link) = ctx.with_node(doc, &p, l, |_, _, _, l| ResponseLink {
                operation_id: str_field(l, "operationId"),
                operation_ref: str_field(l, "operationRef"),
                parameters: l
                    .get("parameters")
                    .and_then(Value::as_object)
                    .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default(),
                description: str_field(l, "description"),
            }) {
                links.insert(name.clone(), link);
            }
        }
        ctx.documentation_only -= 1;
    }
    Response {
        status,
        description,
        headers,
        content,
        links,
    }
}

/// The `{names}` of a path template.
fn template_names(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        out.push(&rest[start + 1..start + len]);
        rest = &rest[start + len + 1..];
    }
    out
}

/// Every `{name}` of the path needs a path parameter: a missing one is added (as a string) with
/// a warning, so consumers can rely on the list; a declared one not in the path is reported.
fn check_path_params(ctx: &mut Ctx, doc: usize, at: &Ptr, path: &str, params: &mut Vec<Parameter>) {
    let names = template_names(path);
    for name in &names {
        if !params
            .iter()
            .any(|p| p.location == ParamLocation::Path && p.name == *name)
        {
            ctx.warn(
                doc,
                at,
                format!("path parameter `{name}` is not declared; read as a string"),
            );
            params.push(Parameter {
                name: (*name).to_string(),
                location: ParamLocation::Path,
                description: None,
                required: true,
                deprecated: false,
                schema: Some(SchemaRef::Inline(Box::new(Schema {
                    kind: SchemaKind::String(crate::model::StringRules::default()),
                    ..Schema::default()
                }))),
                style: ParamStyle::Simple,
                explode: false,
                allow_empty_value: false,
                example: None,
                content_type: None,
            });
        }
    }
    for p in params.iter() {
        if p.location == ParamLocation::Path && !names.contains(&p.name.as_str()) {
            ctx.warn(
                doc,
                at,
                format!(
                    "path parameter `{}` does not appear in the path `{path}`",
                    p.name
                ),
            );
        }
    }
}
