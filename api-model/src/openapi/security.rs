//! Servers (3.x `servers`, 2.0 `host` + `basePath` + `schemes`), security schemes (3.x
//! `components.securitySchemes`, 2.0 `securityDefinitions`) and security requirements.

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::source::Ptr;
use super::{Ctx, Deref, Version, str_field};
use crate::model::{
    ApiKeyLocation, HttpAuthScheme, OAuthFlow, OAuthFlows, SecurityRequirement, SecurityScheme,
    SecuritySchemeKind, Server, ServerVariable,
};

/// The API's servers.
pub(crate) fn servers(ctx: &mut Ctx, obj: &Map<String, Value>) -> Vec<Server> {
    if ctx.version == Version::V2 {
        let host = obj.get("host").and_then(Value::as_str);
        let base = obj.get("basePath").and_then(Value::as_str).unwrap_or("");
        let Some(host) = host else {
            if base.is_empty() {
                return Vec::new();
            }
            return vec![Server {
                url: base.to_string(),
                ..Server::default()
            }];
        };
        let mut schemes = super::string_list(obj.get("schemes"));
        if schemes.is_empty() {
            schemes.push("https".into());
        }
        return schemes
            .iter()
            .map(|scheme| Server {
                url: format!("{scheme}://{host}{base}"),
                ..Server::default()
            })
            .collect();
    }
    let root = Ptr::root();
    list(ctx, 0, &root.key("servers"), obj.get("servers"))
}

/// A `servers` list at `at`.
pub(crate) fn list(ctx: &mut Ctx, doc: usize, at: &Ptr, v: Option<&Value>) -> Vec<Server> {
    let Some(v) = v else { return Vec::new() };
    let Some(items) = v.as_array() else {
        ctx.warn(doc, at, "`servers` must be a list; ignored");
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, s) in items.iter().enumerate() {
        let p = at.index(i);
        let Some(url) = s.get("url").and_then(Value::as_str) else {
            ctx.warn(doc, &p, "a server needs a `url`; skipped");
            continue;
        };
        let mut variables = IndexMap::new();
        if let Some(vars) = s.get("variables").and_then(Value::as_object) {
            for (name, var) in vars {
                variables.insert(
                    name.clone(),
                    ServerVariable {
                        default: var
                            .get("default")
                            .map(super::scalar_text)
                            .unwrap_or_default(),
                        enum_values: var
                            .get("enum")
                            .and_then(Value::as_array)
                            .map(|a| a.iter().map(super::scalar_text).collect())
                            .unwrap_or_default(),
                        description: str_field(var, "description"),
                    },
                );
            }
        }
        out.push(Server {
            url: url.to_string(),
            description: str_field(s, "description"),
            variables,
        });
    }
    out
}

/// The security schemes, by name, in document order.
pub(crate) fn schemes(ctx: &mut Ctx, obj: &Map<String, Value>) -> IndexMap<String, SecurityScheme> {
    let mut out = IndexMap::new();
    let root = Ptr::root();
    let (defs, base) = if ctx.version == Version::V2 {
        (
            obj.get("securityDefinitions"),
            root.key("securityDefinitions"),
        )
    } else {
        (
            obj.get("components").and_then(|c| c.get("securitySchemes")),
            root.key("components"),
        )
    };
    let Some(defs) = defs.and_then(Value::as_object) else {
        return out;
    };
    let holder = if ctx.version == Version::V2 {
        base
    } else {
        base.key("securitySchemes")
    };
    for (name, v) in defs {
        let at = holder.key(name);
        let (doc, pointer, node) = match ctx.deref(0, &at, v) {
            Deref::Inline => (0, at.render(), v.clone()),
            Deref::Target(t) => {
                let value = ctx.doc_value(t.doc);
                match super::lookup(&value, &t.pointer) {
                    Some(n) => (t.doc, t.pointer.clone(), n.clone()),
                    None => continue,
                }
            }
            Deref::Broken => continue,
        };
        let p = Ptr::base(&pointer);
        if let Some(s) = scheme(ctx, doc, &p, &node) {
            out.insert(name.clone(), s);
        }
    }
    out
}

fn scheme(ctx: &mut Ctx, doc: usize, at: &Ptr, v: &Value) -> Option<SecurityScheme> {
    let description = str_field(v, "description");
    let Some(ty) = v.get("type").and_then(Value::as_str) else {
        ctx.error(doc, at, "a security scheme needs a `type`");
        return None;
    };
    let kind = match ty {
        "apiKey" => {
            let name = str_field(v, "name").unwrap_or_else(|| {
                ctx.error(doc, at, "an apiKey security scheme needs a `name`");
                String::new()
            });
            let location = match v.get("in").and_then(Value::as_str) {
                Some("header") => ApiKeyLocation::Header,
                Some("query") => ApiKeyLocation::Query,
                Some("cookie") => ApiKeyLocation::Cookie,
                other => {
                    ctx.error(
                        doc,
                        &at.key("in"),
                        format!("apiKey `in` must be header, query or cookie, not {other:?}"),
                    );
                    ApiKeyLocation::Header
                }
            };
            SecuritySchemeKind::ApiKey { name, location }
        }
        "basic" => SecuritySchemeKind::Http {
            scheme: HttpAuthScheme::Basic,
            bearer_format: None,
        },
        "http" => {
            let scheme = v
                .get("scheme")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_ascii_lowercase();
            SecuritySchemeKind::Http {
                scheme: match scheme.as_str() {
                    "basic" => HttpAuthScheme::Basic,
                    "bearer" => HttpAuthScheme::Bearer,
                    "digest" => HttpAuthScheme::Digest,
                    _ => HttpAuthScheme::Other(scheme),
                },
                bearer_format: str_field(v, "bearerFormat"),
            }
        }
        "oauth2" => {
            let mut flows = OAuthFlows::default();
            if ctx.version == Version::V2 {
                let flow = OAuthFlow {
                    authorization_url: str_field(v, "authorizationUrl"),
                    token_url: str_field(v, "tokenUrl"),
                    refresh_url: None,
                    scopes: scopes(v.get("scopes")),
                };
                match v.get("flow").and_then(Value::as_str) {
                    Some("implicit") => flows.implicit = Some(flow),
                    Some("password") => flows.password = Some(flow),
                    Some("application") => flows.client_credentials = Some(flow),
                    Some("accessCode") => flows.authorization_code = Some(flow),
                    other => ctx.error(
                        doc,
                        &at.key("flow"),
                        format!("unknown OAuth2 flow {other:?} (implicit, password, application or accessCode)"),
                    ),
                }
            } else if let Some(f) = v.get("flows").and_then(Value::as_object) {
                let get = |k: &str| {
                    f.get(k).map(|flow| OAuthFlow {
                        authorization_url: str_field(flow, "authorizationUrl"),
                        token_url: str_field(flow, "tokenUrl"),
                        refresh_url: str_field(flow, "refreshUrl"),
                        scopes: scopes(flow.get("scopes")),
                    })
                };
                flows.implicit = get("implicit");
                flows.password = get("password");
                flows.client_credentials = get("clientCredentials");
                flows.authorization_code = get("authorizationCode");
            } else {
                ctx.error(doc, at, "an oauth2 security scheme needs `flows`");
            }
            SecuritySchemeKind::OAuth2 { flows }
        }
        "openIdConnect" => SecuritySchemeKind::OpenIdConnect {
            url: str_field(v, "openIdConnectUrl").unwrap_or_default(),
        },
        "mutualTLS" => SecuritySchemeKind::MutualTls,
        other => {
            ctx.warn(
                doc,
                &at.key("type"),
                format!("unknown security scheme type `{other}`; skipped"),
            );
            return None;
        }
    };
    Some(SecurityScheme { description, kind })
}

fn scopes(v: Option<&Value>) -> IndexMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// A `security` list (alternatives, each a map of scheme name -> scopes).
pub(crate) fn requirements(
    ctx: &mut Ctx,
    doc: usize,
    at: &Ptr,
    v: &Value,
    known: &IndexMap<String, SecurityScheme>,
) -> Vec<SecurityRequirement> {
    let Some(items) = v.as_array() else {
        ctx.warn(doc, at, "`security` must be a list; ignored");
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = at.index(i);
        let Some(map) = item.as_object() else {
            ctx.warn(doc, &p, "a security requirement must be a mapping; skipped");
            continue;
        };
        let mut req = SecurityRequirement::new();
        for (name, scopes) in map {
            if !known.contains_key(name) {
                let q = p.key(name);
                ctx.warn(doc, &q, format!("security scheme `{name}` is not declared"));
            }
            req.insert(name.clone(), super::string_list(Some(scopes)));
        }
        out.push(req);
    }
    out
}
