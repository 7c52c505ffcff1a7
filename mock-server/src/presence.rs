//! `--auth on` before apps and plans: a gate that checks that the credentials the spec's
//! security schemes ask for are present and well-formed (API key non-empty in its header, query
//! or cookie; `Basic` decodable to `user:password`; a `Bearer` token), honouring alternatives
//! (any requirement may be met) and conjunctions (every scheme of one requirement must be).

use api_model::{Api, ApiKeyLocation, HttpAuthScheme, SecurityRequirement, SecuritySchemeKind};
use base64::Engine;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use percent_encoding::percent_decode_str;

use crate::gate::{Gate, GateDenied, GateFuture, GateHeaders, GateOk, GateRequest};

/// Checks presence and shape of credentials only.
#[derive(Debug, Clone, Copy, Default)]
pub struct PresenceGate;

impl Gate for PresenceGate {
    fn check<'a>(&'a self, request: GateRequest<'a>) -> GateFuture<'a> {
        let result = decide(request);
        Box::pin(async move { result })
    }
}

fn client_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-ibm-client-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// The decision, as a pure function of the request.
#[allow(clippy::result_large_err)] // The gate contract's types.
pub fn decide(request: GateRequest<'_>) -> Result<GateOk, GateDenied> {
    let requirements = request.operation.effective_security(request.api);
    let client = client_id(request.headers);
    if requirements.is_empty() || requirements.iter().any(|r| satisfied(request, r).is_ok()) {
        return Ok(GateOk {
            headers: GateHeaders::default(),
            client_id: client,
        });
    }
    let first_failure = requirements
        .iter()
        .find_map(|r| satisfied(request, r).err())
        .unwrap_or_else(|| "credentials are missing".to_string());
    let mut headers = HeaderMap::new();
    for challenge in challenges(request.api, requirements) {
        if let Ok(v) = HeaderValue::from_str(&challenge) {
            headers.append(header::WWW_AUTHENTICATE, v);
        }
    }
    let alternatives = requirements
        .iter()
        .map(|r| describe(request.api, r))
        .collect::<Vec<_>>()
        .join("; or ");
    Err(GateDenied {
        status: StatusCode::UNAUTHORIZED,
        title: "Unauthorized".into(),
        detail: format!("{first_failure}. This operation accepts: {alternatives}."),
        headers,
        client_id: client,
    })
}

fn describe(api: &Api, req: &SecurityRequirement) -> String {
    if req.is_empty() {
        return "no credentials".into();
    }
    req.keys()
        .map(
            |name| match api.security_schemes.get(name).map(|s| &s.kind) {
                Some(SecuritySchemeKind::ApiKey {
                    name: key,
                    location,
                }) => {
                    let loc = match location {
                        ApiKeyLocation::Header => "header",
                        ApiKeyLocation::Query => "query parameter",
                        ApiKeyLocation::Cookie => "cookie",
                    };
                    format!("an API key in the {loc} `{key}`")
                }
                Some(SecuritySchemeKind::Http { scheme, .. }) => match scheme {
                    HttpAuthScheme::Basic => "HTTP Basic credentials".to_string(),
                    HttpAuthScheme::Bearer => "a Bearer token".to_string(),
                    HttpAuthScheme::Digest => "HTTP Digest credentials".to_string(),
                    HttpAuthScheme::Other(o) => format!("`Authorization: {o} ...`"),
                },
                Some(
                    SecuritySchemeKind::OAuth2 { .. } | SecuritySchemeKind::OpenIdConnect { .. },
                ) => "an OAuth 2.0 Bearer token".to_string(),
                _ => format!("`{name}`"),
            },
        )
        .collect::<Vec<_>>()
        .join(" and ")
}

fn challenges(api: &Api, requirements: &[SecurityRequirement]) -> Vec<String> {
    let realm = api.title.replace('"', "'");
    let mut out: Vec<String> = Vec::new();
    for req in requirements {
        for name in req.keys() {
            let c = match api.security_schemes.get(name).map(|s| &s.kind) {
                Some(SecuritySchemeKind::Http { scheme, .. }) => match scheme {
                    HttpAuthScheme::Basic => format!("Basic realm=\"{realm}\""),
                    HttpAuthScheme::Bearer => format!("Bearer realm=\"{realm}\""),
                    HttpAuthScheme::Digest => format!("Digest realm=\"{realm}\""),
                    HttpAuthScheme::Other(o) => format!("{o} realm=\"{realm}\""),
                },
                Some(
                    SecuritySchemeKind::OAuth2 { .. } | SecuritySchemeKind::OpenIdConnect { .. },
                ) => {
                    format!("Bearer realm=\"{realm}\"")
                }
                Some(SecuritySchemeKind::ApiKey {
                    name: key,
                    location,
                }) => {
                    let loc = match location {
                        ApiKeyLocation::Header => "header",
                        ApiKeyLocation::Query => "query",
                        ApiKeyLocation::Cookie => "cookie",
                    };
                    format!("ApiKey realm=\"{realm}\", {loc}=\"{key}\"")
                }
                _ => continue,
            };
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

fn authorization<'a>(headers: &'a HeaderMap, scheme: &str) -> Option<&'a str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (s, rest) = value.split_once(' ')?;
    s.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

/// `Ok` when every scheme of the requirement is met, else why not.
fn satisfied(request: GateRequest<'_>, req: &SecurityRequirement) -> Result<(), String> {
    for name in req.keys() {
        let Some(scheme) = request.api.security_schemes.get(name) else {
            // A requirement naming no declared scheme cannot be checked: let it through.
            continue;
        };
        match &scheme.kind {
            SecuritySchemeKind::ApiKey {
                name: key,
                location,
            } => {
                let present = match location {
                    ApiKeyLocation::Header => request
                        .headers
                        .get(key.as_str())
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|v| !v.trim().is_empty()),
                    ApiKeyLocation::Query => request.query.is_some_and(|q| {
                        q.split('&').any(|pair| {
                            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                            percent_decode_str(k).decode_utf8_lossy() == key.as_str()
                                && !v.is_empty()
                        })
                    }),
                    ApiKeyLocation::Cookie => request
                        .headers
                        .get_all(header::COOKIE)
                        .iter()
                        .filter_map(|v| v.to_str().ok())
                        .flat_map(|v| v.split(';'))
                        .any(|c| {
                            c.trim()
                                .split_once('=')
                                .is_some_and(|(k, v)| k == key && !v.is_empty())
                        }),
                };
                if !present {
                    return Err(format!("The API key `{key}` is missing or empty"));
                }
            }
            SecuritySchemeKind::Http { scheme, .. } => {
                match scheme {
                    HttpAuthScheme::Basic => {
                        let ok = authorization(request.headers, "basic")
                            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
                            .and_then(|d| String::from_utf8(d).ok())
                            .is_some_and(|s| s.split_once(':').is_some_and(|(u, _)| !u.is_empty()));
                        if !ok {
                            return Err("HTTP Basic credentials are missing or not `user:password` in base64".into());
                        }
                    }
                    HttpAuthScheme::Bearer => {
                        if authorization(request.headers, "bearer").is_none_or(str::is_empty) {
                            return Err("A Bearer token is missing".into());
                        }
                    }
                    HttpAuthScheme::Digest => {
                        if authorization(request.headers, "digest").is_none_or(str::is_empty) {
                            return Err("HTTP Digest credentials are missing".into());
                        }
                    }
                    HttpAuthScheme::Other(o) => {
                        if authorization(request.headers, o).is_none_or(str::is_empty) {
                            return Err(format!("`Authorization: {o}` credentials are missing"));
                        }
                    }
                }
            }
            SecuritySchemeKind::OAuth2 { .. } | SecuritySchemeKind::OpenIdConnect { .. } => {
                if authorization(request.headers, "bearer").is_none_or(str::is_empty) {
                    return Err("An OAuth 2.0 Bearer token is missing".into());
                }
            }
            // Cannot be seen at this layer (TLS) or checked by the SOAP handler.
            SecuritySchemeKind::MutualTls | SecuritySchemeKind::WsSecurityUsernameToken => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::pet_api;

    #[allow(clippy::result_large_err)]
    fn check(headers: &[(&str, &str)]) -> Result<GateOk, GateDenied> {
        let api = pet_api();
        let op = api
            .operations
            .iter()
            .find(|o| o.id == "secret")
            .expect("op");
        let map = crate::testing::header_map(headers);
        decide(GateRequest {
            api: &api,
            operation: op,
            headers: &map,
            query: None,
        })
    }

    #[test]
    fn either_alternative_is_enough() {
        assert!(check(&[("x-api-key", "k")]).is_ok());
        assert!(check(&[("authorization", "Basic dXNlcjpwYXNz")]).is_ok());
    }

    #[test]
    fn missing_or_malformed_credentials_get_401_with_challenges() {
        let denied = check(&[]).expect_err("denied");
        assert_eq!(denied.status, StatusCode::UNAUTHORIZED);
        let challenges: Vec<_> = denied
            .headers
            .get_all(header::WWW_AUTHENTICATE)
            .iter()
            .collect();
        assert_eq!(challenges.len(), 2);
        assert!(check(&[("x-api-key", " ")]).is_err());
        assert!(check(&[("authorization", "Basic !!!")]).is_err());
        assert!(check(&[("authorization", "Bearer abc")]).is_err());
    }

    #[test]
    fn operations_without_security_pass() {
        let api = pet_api();
        let op = &api.operations[0];
        let map = HeaderMap::new();
        assert!(
            decide(GateRequest {
                api: &api,
                operation: op,
                headers: &map,
                query: None
            })
            .is_ok()
        );
    }
}
