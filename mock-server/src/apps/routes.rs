//! The HTTP API of the app registry: `/_sandbox/apps...` (register, read, reset the secret,
//! subscribe, unsubscribe, usage), `/_sandbox/plans`, the admin API
//! (`/_sandbox/admin/subscriptions...`, bearer admin token, off without one) and the OAuth2
//! client-credentials token endpoint. Errors are `application/problem+json` (RFC 9457), except
//! the token endpoint's, which are RFC 6749 `{"error": ...}` objects as OAuth2 clients expect.
//!
//! App routes take the app's credentials as `X-IBM-Client-Id` + `X-IBM-Client-Secret` or HTTP
//! Basic `client_id:secret`. Unsubscribing is `DELETE /_sandbox/apps/<client_id>/subscriptions/<id>`.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::gate::{CLIENT_ID_HEADER, CLIENT_SECRET_HEADER, basic, bearer};
use super::limits::LimitSpec;
use super::store::{Added, TokenRecord};
use super::{
    AppRecord, Apps, AppsError, OperationUsage, Subscription, SubscriptionStatus, clock, secret,
};

/// An error answer: problem+json.
#[derive(Debug)]
struct Problem {
    status: StatusCode,
    title: &'static str,
    detail: String,
    headers: Vec<(header::HeaderName, HeaderValue)>,
}

impl Problem {
    fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            title,
            detail: detail.into(),
            headers: Vec::new(),
        }
    }

    fn unauthorized(detail: &str) -> Problem {
        let mut p = Problem::new(StatusCode::UNAUTHORIZED, "Unauthorized", detail);
        p.headers.push((
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"sandbox\""),
        ));
        p
    }
}

impl From<AppsError> for Problem {
    fn from(err: AppsError) -> Problem {
        // The log gets the cause; the client gets no internals.
        match err {
            AppsError::Redis { .. } => {
                tracing::error!(
                    "apps store unavailable: {err}; refusing the request (fail closed)"
                );
                let mut p = Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Sandbox store unavailable",
                    "The sandbox cannot reach its store right now; try again shortly.",
                );
                p.headers
                    .push((header::RETRY_AFTER, HeaderValue::from_static("1")));
                p
            }
            other => {
                tracing::error!("apps store error: {other}");
                Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Sandbox store error",
                    "The sandbox could not read or write its store.",
                )
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = json!({
            "type": "about:blank",
            "title": self.title,
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        let mut response = (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response();
        for (name, value) in self.headers {
            response.headers_mut().append(name, value);
        }
        response
    }
}

type Answer = Result<Response, Problem>;

/// The router of the app registry, with its state applied: merge it into the sandbox app.
/// Serves the OAuth2 token endpoint at every path of [`super::token_paths`] of the catalog the
/// registry was opened with (paths under `/_sandbox` or with `{`/`*` are skipped).
pub fn router(apps: Arc<Apps>) -> Router {
    let mut router = Router::new()
        .route("/_sandbox/apps", post(create_app))
        .route(
            "/_sandbox/apps/{client_id}",
            get(get_app).delete(delete_app),
        )
        .route("/_sandbox/apps/{client_id}/secret", post(reset_secret))
        .route(
            "/_sandbox/apps/{client_id}/subscriptions",
            post(subscribe).get(list_subscriptions),
        )
        .route(
            "/_sandbox/apps/{client_id}/subscriptions/{id}",
            axum::routing::delete(unsubscribe),
        )
        .route("/_sandbox/apps/{client_id}/usage", get(usage))
        .route("/_sandbox/plans", get(list_plans))
        .route("/_sandbox/admin/subscriptions", get(admin_list))
        .route(
            "/_sandbox/admin/subscriptions/{id}/approve",
            post(admin_approve),
        )
        .route(
            "/_sandbox/admin/subscriptions/{id}/reject",
            post(admin_reject),
        );
    for path in &apps.token_paths {
        if path.starts_with("/_sandbox") || path.contains(['{', '}', '*']) {
            continue;
        }
        router = router.route(path, post(token));
    }
    router.with_state(apps)
}

fn json_response(status: StatusCode, value: &impl Serialize) -> Response {
    let body = serde_json::to_string(value).unwrap_or_else(|_| "{}".into());
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn parse_json<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, Problem> {
    serde_json::from_slice(body).map_err(|e| {
        let status = if e.is_data() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::BAD_REQUEST
        };
        Problem::new(status, "Invalid request body", format!("{e}"))
    })
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The app named in the path, if the request carries its credentials.
async fn authenticate(
    apps: &Apps,
    headers: &HeaderMap,
    client_id: &str,
) -> Result<Arc<AppRecord>, Problem> {
    let (id, secret) = match basic(headers) {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (
            header_str(headers, CLIENT_ID_HEADER).map(str::to_string),
            header_str(headers, CLIENT_SECRET_HEADER).map(str::to_string),
        ),
    };
    let Some(secret) = secret else {
        return Err(Problem::unauthorized(
            "Send the app's X-IBM-Client-Id and X-IBM-Client-Secret headers (or HTTP Basic \
             client_id:secret).",
        ));
    };
    let invalid = || Problem::unauthorized("The client ID or client secret is not valid.");
    if id.as_deref().is_some_and(|id| id != client_id) {
        return Err(invalid());
    }
    let app = apps.store.get_app(client_id).await?.ok_or_else(invalid)?;
    if !secret::verify(&secret, &app.secret_hash) {
        return Err(invalid());
    }
    Ok(app)
}

#[derive(Deserialize)]
struct NewApp {
    name: String,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Serialize)]
struct CreatedApp<'a> {
    client_id: &'a str,
    client_secret: &'a str,
    name: &'a str,
    description: &'a str,
    created_at: &'a str,
}

async fn create_app(State(apps): State<Arc<Apps>>, body: Bytes) -> Answer {
    let new: NewApp = parse_json(&body)?;
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid app",
            "`name` must be 1 to 200 characters.",
        ));
    }
    let description = new.description.unwrap_or_default();
    if description.chars().count() > 2000 {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid app",
            "`description` must be at most 2000 characters.",
        ));
    }
    let client_secret = secret::new_secret();
    let record = AppRecord {
        client_id: secret::new_client_id(),
        name: name.to_string(),
        description,
        created_at: clock::rfc3339(clock::now_secs()),
        secret_hash: secret::hash(&client_secret),
        subscriptions: Vec::new(),
    };
    apps.store.create_app(record.clone()).await?;
    tracing::info!(client_id = %record.client_id, "app registered");
    let mut response = json_response(
        StatusCode::CREATED,
        &CreatedApp {
            client_id: &record.client_id,
            client_secret: &client_secret,
            name: &record.name,
            description: &record.description,
            created_at: &record.created_at,
        },
    );
    if let Ok(location) = HeaderValue::from_str(&format!("/_sandbox/apps/{}", record.client_id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

#[derive(Serialize)]
struct SubscriptionView<'a> {
    id: &'a str,
    plan: &'a str,
    status: SubscriptionStatus,
}

impl<'a> From<&'a Subscription> for SubscriptionView<'a> {
    fn from(s: &'a Subscription) -> Self {
        SubscriptionView {
            id: &s.id,
            plan: &s.plan,
            status: s.status,
        }
    }
}

#[derive(Serialize)]
struct LimitView {
    name: String,
    max: u64,
    window_seconds: u64,
    hard: bool,
}

#[derive(Serialize)]
struct LimitUsage {
    plan: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    operation: Option<String>,
    limit: LimitView,
    used: u64,
    remaining: u64,
    reset_seconds: u64,
}

#[derive(Serialize)]
struct UsageView {
    client_id: String,
    limits: Vec<LimitUsage>,
    operations: Vec<OperationUsage>,
}

async fn usage_view(apps: &Apps, app: &AppRecord) -> Result<UsageView, AppsError> {
    let mut limits = Vec::new();
    let index = apps.plans();
    for sub in &app.subscriptions {
        if sub.status != SubscriptionStatus::Active {
            continue;
        }
        let Some(plan) = index.plan(&sub.plan) else {
            continue;
        };
        let specs: Vec<LimitSpec> = index.plan_limits(plan);
        let states = apps.store.peek_limits(&app.client_id, &specs).await?;
        for (spec, state) in specs.into_iter().zip(states) {
            limits.push(LimitUsage {
                plan: plan.id.clone(),
                operation: spec.operation,
                limit: LimitView {
                    name: spec.name,
                    max: spec.max,
                    window_seconds: spec.window_seconds,
                    hard: spec.hard,
                },
                used: state.used,
                remaining: state.remaining,
                reset_seconds: state.reset_seconds(),
            });
        }
    }
    Ok(UsageView {
        client_id: app.client_id.clone(),
        limits,
        operations: apps.store.usage(&app.client_id).await?,
    })
}

async fn get_app(
    State(apps): State<Arc<Apps>>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let app = authenticate(&apps, &headers, &client_id).await?;
    let usage = usage_view(&apps, &app).await?;
    let subscriptions: Vec<SubscriptionView> = app.subscriptions.iter().map(Into::into).collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "client_id": app.client_id,
            "name": app.name,
            "description": app.description,
            "created_at": app.created_at,
            "subscriptions": subscriptions,
            "usage": usage,
        }),
    ))
}

async fn delete_app(
    State(apps): State<Arc<Apps>>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    authenticate(&apps, &headers, &client_id).await?;
    apps.store.delete_app(&client_id).await?;
    tracing::info!(client_id = %client_id, "app deleted");
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn reset_secret(
    State(apps): State<Arc<Apps>>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    authenticate(&apps, &headers, &client_id).await?;
    let client_secret = secret::new_secret();
    if !apps
        .store
        .set_secret(&client_id, secret::hash(&client_secret))
        .await?
    {
        return Err(Problem::unauthorized("The app no longer exists."));
    }
    tracing::info!(client_id = %client_id, "client secret reset");
    Ok(json_response(
        StatusCode::OK,
        &json!({ "client_secret": client_secret }),
    ))
}

#[derive(Deserialize)]
struct NewSubscription {
    plan: String,
}

async fn subscribe(
    State(apps): State<Arc<Apps>>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    authenticate(&apps, &headers, &client_id).await?;
    let new: NewSubscription = parse_json(&body)?;
    let index = apps.plans();
    let Some(plan) = index.plan(&new.plan) else {
        let known: Vec<&str> = index.plans().iter().map(|p| p.id.as_str()).collect();
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Unknown plan",
            format!(
                "No plan {:?}; plans are named <product>:<plan>: {}.",
                new.plan,
                if known.is_empty() {
                    "this sandbox has none".to_string()
                } else {
                    known.join(", ")
                }
            ),
        ));
    };
    let status = if plan.approval {
        SubscriptionStatus::Pending
    } else {
        SubscriptionStatus::Active
    };
    let sub = Subscription {
        id: secret::new_subscription_id(),
        client_id: client_id.clone(),
        plan: plan.id.clone(),
        status,
    };
    match apps.store.add_subscription(sub).await? {
        Added::New(sub) => {
            tracing::info!(client_id = %client_id, plan = %sub.plan, status = sub.status.as_str(), "subscribed");
            let code = match sub.status {
                SubscriptionStatus::Active => StatusCode::CREATED,
                _ => StatusCode::ACCEPTED,
            };
            let mut response = json_response(code, &SubscriptionView::from(&sub));
            if let Ok(location) = HeaderValue::from_str(&format!(
                "/_sandbox/apps/{client_id}/subscriptions/{}",
                sub.id
            )) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            Ok(response)
        }
        Added::Exists(existing) => Err(Problem::new(
            StatusCode::CONFLICT,
            "Already subscribed",
            format!(
                "The app already has subscription {} to {} ({}); delete it to subscribe again.",
                existing.id,
                existing.plan,
                existing.status.as_str()
            ),
        )),
        Added::NoApp => Err(Problem::unauthorized("The app no longer exists.")),
    }
}

async fn list_subscriptions(
    State(apps): State<Arc<Apps>>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let app = authenticate(&apps, &headers, &client_id).await?;
    let subs: Vec<SubscriptionView> = app.subscriptions.iter().map(Into::into).collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({ "subscriptions": subs }),
    ))
}

async fn unsubscribe(
    State(apps): State<Arc<Apps>>,
    Path((client_id, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Answer {
    authenticate(&apps, &headers, &client_id).await?;
    if !apps.store.delete_subscription(&client_id, &id).await? {
        return Err(Problem::new(
            StatusCode::NOT_FOUND,
            "No such subscription",
            format!("The app has no subscription {id:?}."),
        ));
    }
    tracing::info!(client_id = %client_id, subscription = %id, "unsubscribed");
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn usage(
    State(apps): State<Arc<Apps>>,
    Path(client_id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    let app = authenticate(&apps, &headers, &client_id).await?;
    Ok(json_response(
        StatusCode::OK,
        &usage_view(&apps, &app).await?,
    ))
}

async fn list_plans(State(apps): State<Arc<Apps>>) -> Answer {
    let plans: Vec<_> = apps
        .plans()
        .plans()
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "product": p.product,
                "plan": p.plan,
                "title": p.title,
                "approval": p.approval,
                "limits": p.limits,
                "operations": p.operations.iter().map(|o| json!({
                    "api": o.api, "operation": o.operation, "limits": o.limits,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(json_response(StatusCode::OK, &json!({ "plans": plans })))
}

fn admin(apps: &Apps, headers: &HeaderMap) -> Result<(), Problem> {
    let Some(expected) = &apps.options.admin_token else {
        return Err(Problem::new(
            StatusCode::NOT_FOUND,
            "Admin API is off",
            "Start the sandbox with --admin-token (or PORTAL_ADMIN_TOKEN) to use the admin API.",
        ));
    };
    match bearer(headers) {
        Some(token) if secret::same(token, expected) => Ok(()),
        _ => {
            let mut p = Problem::new(
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                "Send Authorization: Bearer <admin token>.",
            );
            p.headers.push((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"sandbox-admin\""),
            ));
            Err(p)
        }
    }
}

#[derive(Deserialize)]
struct StatusFilter {
    status: Option<String>,
}

async fn admin_list(
    State(apps): State<Arc<Apps>>,
    headers: HeaderMap,
    Query(filter): Query<StatusFilter>,
) -> Answer {
    admin(&apps, &headers)?;
    let wanted = match filter.status.as_deref() {
        None => None,
        Some(s) => Some(SubscriptionStatus::parse(s).ok_or_else(|| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "Invalid status",
                "status is one of active, pending, rejected.",
            )
        })?),
    };
    let subs: Vec<Subscription> = apps
        .store
        .list_subscriptions()
        .await?
        .into_iter()
        .filter(|s| wanted.is_none_or(|w| s.status == w))
        .collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({ "subscriptions": subs }),
    ))
}

async fn set_status(
    apps: &Apps,
    headers: &HeaderMap,
    id: &str,
    status: SubscriptionStatus,
) -> Answer {
    admin(apps, headers)?;
    match apps.store.set_subscription_status(id, status).await? {
        Some(sub) => {
            tracing::info!(subscription = %id, status = status.as_str(), "subscription {}", status.as_str());
            Ok(json_response(StatusCode::OK, &sub))
        }
        None => Err(Problem::new(
            StatusCode::NOT_FOUND,
            "No such subscription",
            format!("There is no subscription {id:?}."),
        )),
    }
}

async fn admin_approve(
    State(apps): State<Arc<Apps>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    set_status(&apps, &headers, &id, SubscriptionStatus::Active).await
}

async fn admin_reject(
    State(apps): State<Arc<Apps>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Answer {
    set_status(&apps, &headers, &id, SubscriptionStatus::Rejected).await
}

/// `application/x-www-form-urlencoded` pairs. Pure.
fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(body);
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(k), decode(v))
        })
        .collect()
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut response = (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        json!({ "error": error, "error_description": description }).to_string(),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"sandbox\""),
        );
    }
    response
}

/// OAuth2 client credentials grant (RFC 6749 section 4.4).
async fn token(State(apps): State<Arc<Apps>>, headers: HeaderMap, body: Bytes) -> Response {
    let form = form_pairs(&body);
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    };
    match field("grant_type") {
        None => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is required (client_credentials).",
            );
        }
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "The sandbox issues tokens for the client_credentials grant only.",
            );
        }
    }
    let (client_id, client_secret) = match basic(&headers) {
        Some((id, secret)) => (Some(id), Some(secret)),
        None => (
            field("client_id").map(str::to_string),
            field("client_secret").map(str::to_string),
        ),
    };
    let (Some(client_id), Some(client_secret)) = (client_id, client_secret) else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Send the app's client ID and secret (HTTP Basic or client_id/client_secret).",
        );
    };
    let app = match apps.store.get_app(&client_id).await {
        Ok(app) => app,
        Err(err) => return Problem::from(err).into_response(),
    };
    let Some(app) = app.filter(|a| secret::verify(&client_secret, &a.secret_hash)) else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "The client ID or client secret is not valid.",
        );
    };
    // RFC 6749 3.3: the scopes asked for must be ones the APIs declare; none asked for means
    // every declared scope (the sandbox's default grant).
    let known = apps.plans().scopes().clone();
    let scope = match field("scope").map(str::trim).filter(|s| !s.is_empty()) {
        None => known.iter().cloned().collect::<Vec<_>>().join(" "),
        Some(asked) => {
            let unknown: Vec<&str> = asked
                .split_whitespace()
                .filter(|s| !known.is_empty() && !known.contains(*s))
                .collect();
            if !unknown.is_empty() {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    &format!(
                        "Unknown scope(s): {}. The APIs declare: {}.",
                        unknown.join(" "),
                        known.iter().cloned().collect::<Vec<_>>().join(" ")
                    ),
                );
            }
            asked.split_whitespace().collect::<Vec<_>>().join(" ")
        }
    };
    let access_token = secret::new_secret();
    let ttl = apps.options.token_ttl.as_secs().max(1);
    let record = TokenRecord {
        client_id: app.client_id.clone(),
        scope: scope.clone(),
        expires_at: clock::now_secs() + ttl,
    };
    if let Err(err) = apps
        .store
        .put_token(secret::hash(&access_token), record, ttl)
        .await
    {
        return Problem::from(err).into_response();
    }
    let mut response = json_response(
        StatusCode::OK,
        &json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": ttl,
            "scope": scope,
        }),
    );
    response
        .headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_forms() {
        assert_eq!(
            form_pairs(b"grant_type=client_credentials&scope=read+write&x=%41"),
            vec![
                ("grant_type".to_string(), "client_credentials".to_string()),
                ("scope".to_string(), "read write".to_string()),
                ("x".to_string(), "A".to_string()),
            ]
        );
    }
}
