//! [`AppsGate`]: the [`Gate`] that admits a sandbox call only with a registered app's
//! credentials, a subscription to a plan that grants the operation, and room under the plan's
//! limits, and that counts the call.
//!
//! Decisions:
//! - An operation without security in its spec is open: no app needed, nothing counted. A SOAP
//!   API listed in `sandbox.soap_client_id` needs `X-IBM-Client-Id` (and its secret is checked
//!   when `X-IBM-Client-Secret` is sent).
//! - Credentials, per scheme of a security requirement (alternatives are tried in order):
//!   an apiKey scheme whose name mentions "secret" takes the client secret, any other apiKey
//!   takes the client ID, each from the spec's own header/query/cookie name or else from
//!   `X-IBM-Client-Id` / `X-IBM-Client-Secret`; HTTP Basic is `client_id:secret`; HTTP Bearer,
//!   OAuth2 and OpenID Connect take an access token from the token endpoint. Schemes the
//!   sandbox cannot verify (Digest, mutual TLS, WS-Security) are not checked.
//! - A secured operation that no plan includes may be called by any registered app, with no
//!   limits (it is still counted in the app's usage).
//! - When several subscribed plans grant an operation, the first in catalog order counts it.
//! - A store failure (Redis unreachable) refuses keyed calls with 503: fail closed.

use std::sync::Arc;

use api_model::{ApiKeyLocation, HttpAuthScheme, SecuritySchemeKind};
use base64::Engine;
use http::{HeaderMap, HeaderValue, StatusCode};
use percent_encoding::percent_decode_str;

use super::access::{Access, CLIENT_ID, Presented};
use super::limits;
use super::{AppRecord, Apps, AppsError, SubscriptionStatus, secret};
use crate::gate::{Gate, GateDenied, GateFuture, GateHeaders, GateOk, GateRequest};

/// The client-ID header of IBM API Connect.
pub const CLIENT_ID_HEADER: &str = "x-ibm-client-id";
/// The client-secret header of IBM API Connect.
pub const CLIENT_SECRET_HEADER: &str = "x-ibm-client-secret";

/// Checks credentials, subscriptions and limits of every sandbox call.
#[derive(Debug, Clone)]
pub struct AppsGate {
    apps: Arc<Apps>,
}

impl AppsGate {
    /// A gate over an app registry.
    pub fn new(apps: Arc<Apps>) -> AppsGate {
        AppsGate { apps }
    }
}

impl Gate for AppsGate {
    fn check<'a>(&'a self, request: GateRequest<'a>) -> GateFuture<'a> {
        Box::pin(decide(&self.apps, request))
    }
}

/// The `WWW-Authenticate` challenges of an operation's schemes. Pure.
fn challenges(request: &GateRequest<'_>, invalid_token: bool) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |c: String| {
        if !out.contains(&c) {
            out.push(c);
        }
    };
    for requirement in request.operation.effective_security(request.api) {
        for name in requirement.keys() {
            let Some(scheme) = request.api.security_schemes.get(name) else {
                continue;
            };
            match &scheme.kind {
                SecuritySchemeKind::ApiKey { name, location } => {
                    let place = match location {
                        ApiKeyLocation::Header => "header",
                        ApiKeyLocation::Query => "query",
                        ApiKeyLocation::Cookie => "cookie",
                    };
                    push(format!(
                        "ApiKey realm=\"sandbox\", in=\"{place}\", name=\"{}\"",
                        name.replace(['"', '\\'], "")
                    ));
                }
                SecuritySchemeKind::Http {
                    scheme: HttpAuthScheme::Basic,
                    ..
                } => push("Basic realm=\"sandbox\"".into()),
                SecuritySchemeKind::Http {
                    scheme: HttpAuthScheme::Bearer,
                    ..
                }
                | SecuritySchemeKind::OAuth2 { .. }
                | SecuritySchemeKind::OpenIdConnect { .. } => push(if invalid_token {
                    "Bearer realm=\"sandbox\", error=\"invalid_token\"".into()
                } else {
                    "Bearer realm=\"sandbox\"".into()
                }),
                _ => {}
            }
        }
    }
    if out.is_empty() {
        out.push("ApiKey realm=\"sandbox\", in=\"header\", name=\"X-IBM-Client-Id\"".into());
    }
    out
}

pub(crate) fn header<K: http::header::AsHeaderName>(headers: &HeaderMap, name: K) -> Option<&str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

pub(crate) fn query_param<'q>(
    query: Option<&'q str>,
    name: &str,
) -> Option<std::borrow::Cow<'q, str>> {
    query?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = percent_decode_str(k).decode_utf8_lossy();
        (k == name && !v.is_empty()).then(|| {
            let v = percent_decode_str(v).decode_utf8_lossy();
            if v.contains('+') {
                std::borrow::Cow::Owned(v.replace('+', " "))
            } else {
                v
            }
        })
    })
}

pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name && !v.is_empty()).then_some(v)
        })
}

/// `Authorization: Basic base64(id:secret)`.
pub(crate) fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = header(headers, "authorization")?;
    let (scheme, rest) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(rest.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// `Authorization: Bearer <token>`.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = header(headers, "authorization")?;
    let (scheme, rest) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| rest.trim())
        .filter(|t| !t.is_empty())
}

/// The outcome of checking one alternative.
enum Verified {
    App(Arc<AppRecord>),
    Invalid {
        token: bool,
    },
    /// A valid token without these scopes, which the operation asks for.
    Scope(Vec<String>),
}

async fn verify(apps: &Apps, p: &Presented<'_>) -> Result<Verified, AppsError> {
    if p.conflict {
        return Ok(Verified::Invalid { token: false });
    }
    let mut token_client = None;
    if let Some(token) = &p.bearer {
        match apps.store.token(&secret::hash(token)).await? {
            Some(record) => {
                let granted: Vec<&str> = record.scope.split_whitespace().collect();
                let lacking: Vec<String> = p
                    .scopes
                    .iter()
                    .filter(|s| !granted.contains(&s.as_str()))
                    .map(String::clone)
                    .collect();
                if !lacking.is_empty() {
                    return Ok(Verified::Scope(lacking));
                }
                token_client = Some(record.client_id);
            }
            None => return Ok(Verified::Invalid { token: true }),
        }
    }
    let client_id: &str = match (&p.client_id, &token_client) {
        (Some(a), Some(b)) if a != b => return Ok(Verified::Invalid { token: false }),
        (Some(a), _) => a,
        (None, Some(b)) => b,
        (None, None) => return Ok(Verified::Invalid { token: false }),
    };
    let Some(app) = apps.store.get_app(client_id).await? else {
        return Ok(Verified::Invalid {
            token: token_client.is_some(),
        });
    };
    if p.need_secret {
        let ok = p
            .secret
            .as_deref()
            .is_some_and(|s| secret::verify_remembered(s, &app.secret_hash));
        if !ok {
            return Ok(Verified::Invalid { token: false });
        }
    }
    Ok(Verified::App(app))
}

fn denied(
    status: StatusCode,
    title: &str,
    detail: String,
    headers: HeaderMap,
    client_id: Option<String>,
) -> GateDenied {
    GateDenied {
        status,
        title: title.to_string(),
        detail,
        headers,
        client_id,
    }
}

fn unavailable(apps: &Apps, err: &AppsError) -> GateDenied {
    tracing::error!(
        "apps store unavailable ({}): {err}; refusing keyed calls (fail closed)",
        apps.store.describe()
    );
    let mut headers = HeaderMap::new();
    headers.insert(http::header::RETRY_AFTER, HeaderValue::from_static("1"));
    denied(
        StatusCode::SERVICE_UNAVAILABLE,
        "Sandbox store unavailable",
        "The sandbox cannot check API keys right now; try again shortly.".into(),
        headers,
        None,
    )
}

/// RFC 6750 3.1: a valid token that lacks the operation's scopes gets 403 `insufficient_scope`.
fn insufficient_scope(lacking: &[String]) -> GateDenied {
    let mut headers = HeaderMap::new();
    let challenge = format!(
        "Bearer realm=\"sandbox\", error=\"insufficient_scope\", scope=\"{}\"",
        lacking.join(" ").replace(['"', '\\'], "")
    );
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        headers.insert(http::header::WWW_AUTHENTICATE, v);
    }
    denied(
        StatusCode::FORBIDDEN,
        "Insufficient scope",
        format!(
            "The access token does not grant the scope(s) this operation needs: {}. Ask the \
             token endpoint for them (scope=...).",
            lacking.join(" ")
        ),
        headers,
        None,
    )
}

fn unauthorized(request: &GateRequest<'_>, missing: bool, invalid_token: bool) -> GateDenied {
    let mut headers = HeaderMap::new();
    for c in challenges(request, invalid_token) {
        if let Ok(v) = HeaderValue::from_str(&c) {
            headers.append(http::header::WWW_AUTHENTICATE, v);
        }
    }
    if missing {
        denied(
            StatusCode::UNAUTHORIZED,
            "Missing credentials",
            "This operation needs a registered app: send its client ID (and secret where the \
             API asks for one) or an access token. Register an app with POST /_sandbox/apps."
                .into(),
            headers,
            None,
        )
    } else {
        denied(
            StatusCode::UNAUTHORIZED,
            "Invalid credentials",
            "The client ID, client secret or access token is not valid.".into(),
            headers,
            None,
        )
    }
}

async fn decide(apps: &Apps, request: GateRequest<'_>) -> Result<GateOk, GateDenied> {
    let index = apps.plans();
    let api_id = &request.api.id;
    let op_id = &request.operation.id;
    // An operation the index does not know (a catalog swapped in between): its rules, no plan.
    let compiled;
    let access = match index.access(api_id, op_id) {
        Some(access) => access,
        None => {
            let soap_client_id = apps.options.soap_client_id.contains(api_id);
            compiled = Access::new(request.api, request.operation, soap_client_id, Vec::new());
            &compiled
        }
    };
    if access.is_open() {
        return Ok(GateOk::default());
    }
    let mut app = None;
    let mut any_invalid = false;
    let mut invalid_token = false;
    let mut insufficient: Option<Vec<String>> = None;
    for requirement in &access.requirements {
        let p = requirement.presented(request.headers, request.query);
        if p.missing {
            continue;
        }
        match verify(apps, &p).await {
            Ok(Verified::App(a)) => {
                app = Some(a);
                break;
            }
            Ok(Verified::Invalid { token }) => {
                any_invalid = true;
                invalid_token |= token;
            }
            Ok(Verified::Scope(lacking)) => {
                if insufficient.is_none() {
                    insufficient = Some(lacking);
                }
            }
            Err(err) => return Err(unavailable(apps, &err)),
        }
    }
    let Some(app) = app else {
        if let Some(lacking) = insufficient {
            return Err(insufficient_scope(&lacking));
        }
        return Err(unauthorized(&request, !any_invalid, invalid_token));
    };
    let client_id = app.client_id.as_str();
    // Who called, for the log line: only an id the call did not send as `X-IBM-Client-Id`.
    let log_id = || {
        let claimed = request.headers.get(&CLIENT_ID);
        claimed
            .is_none_or(|c| c.as_bytes() != client_id.as_bytes())
            .then(|| client_id.to_string())
    };
    let grants = &access.grants;
    if grants.is_empty() {
        if let Err(err) = apps.store.record_usage(client_id, &access.key).await {
            return Err(unavailable(apps, &err));
        }
        return Ok(GateOk {
            headers: GateHeaders::default(),
            client_id: log_id(),
        });
    }
    let plans = index.plans();
    let active = |plan_id: &str| {
        app.subscriptions
            .iter()
            .any(|s| s.plan == plan_id && s.status == SubscriptionStatus::Active)
    };
    let Some(grant) = grants.iter().find(|g| active(&plans[g.plan].id)) else {
        let names: Vec<&str> = grants.iter().map(|g| plans[g.plan].id.as_str()).collect();
        let pending: Vec<&str> = names
            .iter()
            .copied()
            .filter(|id| {
                app.subscriptions
                    .iter()
                    .any(|s| s.plan == *id && s.status == SubscriptionStatus::Pending)
            })
            .collect();
        let mut detail = format!(
            "The app is not subscribed to a plan that includes this operation. Plans that \
             grant it: {}.",
            names.join(", ")
        );
        if !pending.is_empty() {
            detail.push_str(&format!(
                " The subscription to {} is pending approval.",
                pending.join(", ")
            ));
        }
        return Err(denied(
            StatusCode::FORBIDDEN,
            "Not subscribed",
            detail,
            HeaderMap::new(),
            Some(client_id.to_string()),
        ));
    };
    if grant.limits.is_empty() {
        if let Err(err) = apps.store.record_usage(client_id, &access.key).await {
            return Err(unavailable(apps, &err));
        }
        return Ok(GateOk {
            headers: GateHeaders::default(),
            client_id: log_id(),
        });
    }
    let decision = match apps
        .store
        .check_and_count(client_id, &grant.limits, &access.key)
        .await
    {
        Ok(d) => d,
        Err(err) => return Err(unavailable(apps, &err)),
    };
    let mut headers = GateHeaders::with_capacity(5);
    limits::write_headers(
        &grant.limits,
        &decision.states,
        &grant.policy,
        decision.admitted,
        &mut headers,
    );
    if !decision.admitted {
        let retry = decision.retry_after(&grant.limits);
        let mut headers = headers.into_map();
        headers.insert(http::header::RETRY_AFTER, HeaderValue::from(retry));
        let over: Vec<String> = grant
            .limits
            .iter()
            .zip(&decision.states)
            .filter(|(_, s)| s.exceeded)
            .map(|(l, _)| format!("{} ({} per {} s)", l.name, l.max, l.window_seconds))
            .collect();
        return Err(denied(
            StatusCode::TOO_MANY_REQUESTS,
            "Rate limit exceeded",
            format!(
                "The plan {} allows no more calls now: {}. Retry in {retry} s.",
                plans[grant.plan].id,
                over.join(", ")
            ),
            headers,
            Some(client_id.to_string()),
        ));
    }
    for (limit, state) in grant.limits.iter().zip(&decision.states) {
        if state.exceeded && !limit.hard {
            tracing::warn!(
                client_id = %client_id,
                "soft limit {} of plan {} exceeded ({} of {} per {} s); call let through",
                limit.name,
                plans[grant.plan].id,
                state.used,
                limit.max,
                limit.window_seconds
            );
        }
    }
    Ok(GateOk {
        headers,
        client_id: log_id(),
    })
}
