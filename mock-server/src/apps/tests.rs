//! Tests of the app registry through its HTTP API and its gate: every endpoint and error,
//! 401 vs 403 vs 429, exactness under concurrency (in memory and across two gates sharing a
//! real `redis-server`), durability across `kill -9`, and no secret in clear on disk.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use api_model::{
    Api, ApiInfo, ApiKeyLocation, Binding, Catalog, HttpAuthScheme, HttpMethod, LimitKind,
    OAuthFlow, OAuthFlows, Operation, Plan, PlanOperation, Product, Protocol, RateLimit,
    SecurityRequirement, SecurityScheme, SecuritySchemeKind, SpecKind, SpecSource,
};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use indexmap::IndexMap;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::*;
use crate::gate::{Gate, GateRequest};
use crate::testing::header_map as headers;

// ---------------------------------------------------------------- fixture

fn scheme(kind: SecuritySchemeKind) -> SecurityScheme {
    SecurityScheme {
        description: None,
        kind,
    }
}

fn req(names: &[&str]) -> SecurityRequirement {
    names.iter().map(|n| (n.to_string(), Vec::new())).collect()
}

fn op(id: &str, path: &str, security: Option<Vec<SecurityRequirement>>) -> Operation {
    Operation {
        id: id.into(),
        operation_id: Some(id.into()),
        summary: None,
        description: None,
        tags: Vec::new(),
        deprecated: false,
        binding: Binding::Http {
            method: HttpMethod::Get,
            path: path.into(),
        },
        parameters: Vec::new(),
        request_body: None,
        responses: Vec::new(),
        security,
        callbacks: Vec::new(),
        servers: Vec::new(),
    }
}

fn rate(name: &str, max: u64, window: u64, hard: bool) -> RateLimit {
    RateLimit {
        name: name.into(),
        kind: LimitKind::Rate,
        max,
        window_seconds: window,
        hard,
    }
}

fn grant(operation: &str) -> PlanOperation {
    PlanOperation {
        api: "pets".into(),
        operation: operation.into(),
        limits: Vec::new(),
    }
}

fn plan(name: &str, approval: bool, limits: Vec<RateLimit>, ops: &[&str]) -> Plan {
    Plan {
        name: name.into(),
        title: name.to_uppercase(),
        description: None,
        approval,
        limits,
        operations: ops.iter().map(|o| grant(o)).collect(),
    }
}

/// One API with every kind of scheme, and a product with four plans.
fn fixture() -> Catalog {
    let mut schemes = IndexMap::new();
    schemes.insert(
        "clientId".to_string(),
        scheme(SecuritySchemeKind::ApiKey {
            name: "X-IBM-Client-Id".into(),
            location: ApiKeyLocation::Header,
        }),
    );
    schemes.insert(
        "clientSecret".to_string(),
        scheme(SecuritySchemeKind::ApiKey {
            name: "X-IBM-Client-Secret".into(),
            location: ApiKeyLocation::Header,
        }),
    );
    schemes.insert(
        "basic".to_string(),
        scheme(SecuritySchemeKind::Http {
            scheme: HttpAuthScheme::Basic,
            bearer_format: None,
        }),
    );
    schemes.insert(
        "oauth".to_string(),
        scheme(SecuritySchemeKind::OAuth2 {
            flows: OAuthFlows {
                client_credentials: Some(OAuthFlow {
                    token_url: Some("/oauth/token".into()),
                    ..OAuthFlow::default()
                }),
                ..OAuthFlows::default()
            },
        }),
    );
    schemes.insert(
        "queryKey".to_string(),
        scheme(SecuritySchemeKind::ApiKey {
            name: "api_key".into(),
            location: ApiKeyLocation::Query,
        }),
    );
    let api = Api {
        id: "pets".into(),
        title: "Pets".into(),
        version: "1".into(),
        description: None,
        protocol: Protocol::Rest,
        source: SpecSource {
            kind: SpecKind::Openapi,
            version: "3.0.3".into(),
            path: "pets.yaml".into(),
            files: vec!["pets.yaml".into()],
        },
        servers: Vec::new(),
        security_schemes: schemes,
        security: vec![req(&["clientId", "clientSecret"])],
        tags: Vec::new(),
        operations: vec![
            op("listPets", "/pets", None),
            op("getPet", "/pets/{id}", Some(vec![req(&["clientId"])])),
            op("health", "/health", Some(Vec::new())),
            op("basicOp", "/basic", Some(vec![req(&["basic"])])),
            op("oauthOp", "/oauth", Some(vec![req(&["oauth"])])),
            op("queryOp", "/query", Some(vec![req(&["queryKey"])])),
            op("unplanned", "/unplanned", Some(vec![req(&["clientId"])])),
            op("premiumOp", "/premium", None),
            op("softOp", "/soft", None),
        ],
        webhooks: Vec::new(),
        schemas: IndexMap::new(),
        info: ApiInfo::default(),
    };
    let mut default = plan(
        "default",
        false,
        vec![rate("default", 50, 60, true)],
        &["listPets", "getPet", "basicOp", "oauthOp", "queryOp"],
    );
    default.operations[1].limits = vec![RateLimit {
        name: "burst".into(),
        kind: LimitKind::Burst,
        max: 3,
        window_seconds: 3600,
        hard: true,
    }];
    let product = Product {
        name: "pets-product".into(),
        title: "Pets".into(),
        version: "1.0.0".into(),
        description: None,
        path: "product.yaml".into(),
        apis: vec!["pets".into()],
        plans: vec![
            default,
            plan(
                "gold",
                true,
                vec![rate("hourly", 1000, 3600, true)],
                &["premiumOp", "listPets"],
            ),
            plan("soft", false, vec![rate("soft", 1, 60, false)], &["softOp"]),
        ],
    };
    Catalog {
        apis: vec![api],
        products: vec![product],
    }
}

// ---------------------------------------------------------------- helpers

async fn open_sqlite(dir: &Path, admin: Option<&str>) -> Arc<Apps> {
    let options = AppsOptions::new(StoreConfig::Sqlite {
        data_dir: dir.to_path_buf(),
    })
    .admin_token(admin.map(str::to_string));
    Apps::open(&fixture(), options)
        .await
        .expect("open sqlite store")
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

async fn send(
    router: &Router,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Answer {
    let mut builder = Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let body = match body {
        Some(v) => {
            builder = builder.header("content-type", "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let response = router
        .clone()
        .oneshot(builder.body(body).expect("request"))
        .await
        .expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    Answer {
        status,
        headers,
        body,
    }
}

async fn register(router: &Router) -> (String, String) {
    let a = send(
        router,
        Method::POST,
        "/_sandbox/apps",
        &[],
        Some(json!({"name": "My app", "description": "testing"})),
    )
    .await;
    assert_eq!(a.status, StatusCode::CREATED, "{:?}", a.body);
    (
        a.body["client_id"].as_str().expect("client_id").to_string(),
        a.body["client_secret"]
            .as_str()
            .expect("secret")
            .to_string(),
    )
}

async fn subscribe(router: &Router, id: &str, secret: &str, plan: &str) -> Answer {
    send(
        router,
        Method::POST,
        &format!("/_sandbox/apps/{id}/subscriptions"),
        &[("x-ibm-client-id", id), ("x-ibm-client-secret", secret)],
        Some(json!({ "plan": plan })),
    )
    .await
}

async fn check(
    gate: &dyn Gate,
    catalog: &Catalog,
    op_id: &str,
    hdrs: &HeaderMap,
    query: Option<&str>,
) -> Result<GateOkView, crate::gate::GateDenied> {
    let api = &catalog.apis[0];
    let operation = api
        .operations
        .iter()
        .find(|o| o.id == op_id)
        .expect("operation");
    gate.check(GateRequest {
        api,
        operation,
        headers: hdrs,
        query,
    })
    .await
    .map(|ok| GateOkView {
        headers: ok.headers.into_map(),
        client_id: ok.client_id,
    })
}

#[derive(Debug)]
struct GateOkView {
    headers: HeaderMap,
    client_id: Option<String>,
}

fn key_headers(id: &str, secret: &str) -> HeaderMap {
    headers(&[("x-ibm-client-id", id), ("x-ibm-client-secret", secret)])
}

// ---------------------------------------------------------------- HTTP API

#[tokio::test]
async fn registration_secret_reset_and_app_view() {
    let dir = tempfile::tempdir().expect("tempdir");
    let apps = open_sqlite(dir.path(), None).await;
    let router = router(apps.clone());

    let created = send(
        &router,
        Method::POST,
        "/_sandbox/apps",
        &[],
        Some(json!({"name": "Shop", "description": "my shop"})),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.body["client_id"].as_str().expect("id").to_string();
    let secret = created.body["client_secret"]
        .as_str()
        .expect("secret")
        .to_string();
    assert_eq!(secret.len(), 64);
    assert_eq!(created.body["name"], "Shop");
    assert_eq!(created.body["description"], "my shop");
    assert!(
        created.body["created_at"]
            .as_str()
            .expect("time")
            .ends_with('Z')
    );
    assert_eq!(created.headers["location"], format!("/_sandbox/apps/{id}"));

    // Reading the app never shows the secret again.
    let read = send(
        &router,
        Method::GET,
        &format!("/_sandbox/apps/{id}"),
        &[("x-ibm-client-id", &id), ("x-ibm-client-secret", &secret)],
        None,
    )
    .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["name"], "Shop");
    assert!(read.body.get("client_secret").is_none());
    assert!(!read.body.to_string().contains(&secret));
    assert_eq!(read.body["subscriptions"], json!([]));

    // Basic auth works too; no or wrong credentials are 401 with a challenge.
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    let read = send(
        &router,
        Method::GET,
        &format!("/_sandbox/apps/{id}"),
        &[("authorization", &format!("Basic {basic}"))],
        None,
    )
    .await;
    assert_eq!(read.status, StatusCode::OK);
    for creds in [
        vec![],
        vec![
            ("x-ibm-client-id", id.as_str()),
            ("x-ibm-client-secret", "nope"),
        ],
    ] {
        let denied = send(
            &router,
            Method::GET,
            &format!("/_sandbox/apps/{id}"),
            &creds,
            None,
        )
        .await;
        assert_eq!(denied.status, StatusCode::UNAUTHORIZED);
        assert!(denied.headers.contains_key("www-authenticate"));
        assert_eq!(denied.headers["content-type"], "application/problem+json");
        assert_eq!(denied.body["status"], 401);
    }

    // Reset: the new secret works, the old one stops at once.
    let reset = send(
        &router,
        Method::POST,
        &format!("/_sandbox/apps/{id}/secret"),
        &[("x-ibm-client-id", &id), ("x-ibm-client-secret", &secret)],
        None,
    )
    .await;
    assert_eq!(reset.status, StatusCode::OK);
    let new_secret = reset.body["client_secret"]
        .as_str()
        .expect("new")
        .to_string();
    assert_ne!(new_secret, secret);
    let old = send(
        &router,
        Method::GET,
        &format!("/_sandbox/apps/{id}"),
        &[("x-ibm-client-id", &id), ("x-ibm-client-secret", &secret)],
        None,
    )
    .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = send(
        &router,
        Method::GET,
        &format!("/_sandbox/apps/{id}"),
        &[
            ("x-ibm-client-id", &id),
            ("x-ibm-client-secret", &new_secret),
        ],
        None,
    )
    .await;
    assert_eq!(new.status, StatusCode::OK);

    // Bad bodies.
    let bad = send(&router, Method::POST, "/_sandbox/apps", &[], None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let bad = send(
        &router,
        Method::POST,
        "/_sandbox/apps",
        &[],
        Some(json!({"name": ""})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = send(
        &router,
        Method::POST,
        "/_sandbox/apps",
        &[],
        Some(json!({"nom": "x"})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Delete.
    let deleted = send(
        &router,
        Method::DELETE,
        &format!("/_sandbox/apps/{id}"),
        &[
            ("x-ibm-client-id", &id),
            ("x-ibm-client-secret", &new_secret),
        ],
        None,
    )
    .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = send(
        &router,
        Method::GET,
        &format!("/_sandbox/apps/{id}"),
        &[
            ("x-ibm-client-id", &id),
            ("x-ibm-client-secret", &new_secret),
        ],
        None,
    )
    .await;
    assert_eq!(gone.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn subscriptions_approval_and_admin_api() {
    let dir = tempfile::tempdir().expect("tempdir");
    let apps = open_sqlite(dir.path(), Some("admin-s3cret")).await;
    let router = router(apps.clone());
    let (id, secret) = register(&router).await;

    let active = subscribe(&router, &id, &secret, "pets-product:default").await;
    assert_eq!(active.status, StatusCode::CREATED);
    assert_eq!(active.body["status"], "active");
    let pending = subscribe(&router, &id, &secret, "pets-product:gold").await;
    assert_eq!(pending.status, StatusCode::ACCEPTED);
    assert_eq!(pending.body["status"], "pending");
    let pending_id = pending.body["id"].as_str().expect("id").to_string();

    let again = subscribe(&router, &id, &secret, "pets-product:default").await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let unknown = subscribe(&router, &id, &secret, "pets-product:platinum").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.body["detail"]
            .as_str()
            .expect("detail")
            .contains("pets-product:gold")
    );
    let unauth = subscribe(&router, &id, "wrong", "pets-product:soft").await;
    assert_eq!(unauth.status, StatusCode::UNAUTHORIZED);

    // The gate refuses the premium operation while the subscription is pending.
    let gate = apps.gate();
    let catalog = fixture();
    let denied = check(
        &gate,
        &catalog,
        "premiumOp",
        &key_headers(&id, &secret),
        None,
    )
    .await
    .expect_err("pending is refused");
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert!(
        denied.detail.contains("pets-product:gold"),
        "{}",
        denied.detail
    );
    assert!(denied.detail.contains("pending"), "{}", denied.detail);

    // Admin API: wrong token 401, right token approves.
    let uri = format!("/_sandbox/admin/subscriptions/{pending_id}/approve");
    let wrong = send(
        &router,
        Method::POST,
        &uri,
        &[("authorization", "Bearer nope")],
        None,
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.headers.contains_key("www-authenticate"));
    let listed = send(
        &router,
        Method::GET,
        "/_sandbox/admin/subscriptions?status=pending",
        &[("authorization", "Bearer admin-s3cret")],
        None,
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.body["subscriptions"][0]["id"], pending_id.as_str());
    assert_eq!(
        listed.body["subscriptions"].as_array().expect("list").len(),
        1
    );
    let ok = send(
        &router,
        Method::POST,
        &uri,
        &[("authorization", "Bearer admin-s3cret")],
        None,
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(ok.body["status"], "active");
    let missing = send(
        &router,
        Method::POST,
        "/_sandbox/admin/subscriptions/sub_nothing/reject",
        &[("authorization", "Bearer admin-s3cret")],
        None,
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let admitted = check(
        &gate,
        &catalog,
        "premiumOp",
        &key_headers(&id, &secret),
        None,
    )
    .await;
    assert!(admitted.is_ok(), "approved subscription admits the call");

    // Reject takes it away again.
    let reject = format!("/_sandbox/admin/subscriptions/{pending_id}/reject");
    let rejected = send(
        &router,
        Method::POST,
        &reject,
        &[("authorization", "Bearer admin-s3cret")],
        None,
    )
    .await;
    assert_eq!(rejected.body["status"], "rejected");
    let denied = check(
        &gate,
        &catalog,
        "premiumOp",
        &key_headers(&id, &secret),
        None,
    )
    .await;
    assert_eq!(denied.expect_err("rejected").status, StatusCode::FORBIDDEN);

    // Unsubscribe.
    let app = send(
        &router,
        Method::GET,
        &format!("/_sandbox/apps/{id}/subscriptions"),
        &[("x-ibm-client-id", &id), ("x-ibm-client-secret", &secret)],
        None,
    )
    .await;
    assert_eq!(app.body["subscriptions"].as_array().expect("subs").len(), 2);
    let sub_uri = format!("/_sandbox/apps/{id}/subscriptions/{pending_id}");
    let creds = [
        ("x-ibm-client-id", id.as_str()),
        ("x-ibm-client-secret", secret.as_str()),
    ];
    let del = send(&router, Method::DELETE, &sub_uri, &creds, None).await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    let del = send(&router, Method::DELETE, &sub_uri, &creds, None).await;
    assert_eq!(del.status, StatusCode::NOT_FOUND);

    // Plans are listed for the portal's Apps page.
    let plans = send(&router, Method::GET, "/_sandbox/plans", &[], None).await;
    assert_eq!(plans.body["plans"][1]["id"], "pets-product:gold");
    assert_eq!(plans.body["plans"][1]["approval"], true);
}

#[tokio::test]
async fn admin_api_is_off_without_a_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let router = router(open_sqlite(dir.path(), None).await);
    let off = send(
        &router,
        Method::POST,
        "/_sandbox/admin/subscriptions/sub_x/approve",
        &[("authorization", "Bearer anything")],
        None,
    )
    .await;
    assert_eq!(off.status, StatusCode::NOT_FOUND);
    assert!(
        off.body["detail"]
            .as_str()
            .expect("detail")
            .contains("--admin-token")
    );
}

#[tokio::test]
async fn usage_reports_limits_and_operation_counts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let apps = open_sqlite(dir.path(), None).await;
    let router = router(apps.clone());
    let (id, secret) = register(&router).await;
    subscribe(&router, &id, &secret, "pets-product:default").await;
    let gate = apps.gate();
    let catalog = fixture();
    for _ in 0..2 {
        check(
            &gate,
            &catalog,
            "listPets",
            &key_headers(&id, &secret),
            None,
        )
        .await
        .expect("admitted");
    }
    check(
        &gate,
        &catalog,
        "getPet",
        &headers(&[("x-ibm-client-id", &id)]),
        None,
    )
    .await
    .expect("admitted");
    let usage = send(
        &router,
        Method::GET,
        &format!("/_sandbox/apps/{id}/usage"),
        &[("x-ibm-client-id", &id), ("x-ibm-client-secret", &secret)],
        None,
    )
    .await;
    assert_eq!(usage.status, StatusCode::OK);
    let limits = usage.body["limits"].as_array().expect("limits");
    assert_eq!(limits.len(), 2, "{}", usage.body);
    assert_eq!(limits[0]["plan"], "pets-product:default");
    assert_eq!(
        limits[0]["limit"],
        json!({"name": "default", "max": 50, "window_seconds": 60, "hard": true})
    );
    assert_eq!(limits[0]["used"], 3);
    assert_eq!(limits[0]["remaining"], 47);
    let reset = limits[0]["reset_seconds"].as_u64().expect("reset");
    assert!((1..=60).contains(&reset));
    assert_eq!(limits[1]["operation"], "pets/getPet");
    assert_eq!(limits[1]["used"], 1);
    assert_eq!(
        usage.body["operations"],
        json!([
            {"api": "pets", "operation": "getPet", "calls": 1},
            {"api": "pets", "operation": "listPets", "calls": 2},
        ])
    );
}

// ---------------------------------------------------------------- gate

#[tokio::test]
async fn gate_401_vs_403_vs_429_and_open_operations() {
    let dir = tempfile::tempdir().expect("tempdir");
    let apps = open_sqlite(dir.path(), None).await;
    let router = router(apps.clone());
    let gate = apps.gate();
    let catalog = fixture();
    let (id, secret) = register(&router).await;

    // Open operation: no app needed, no headers.
    let open = check(&gate, &catalog, "health", &HeaderMap::new(), None).await;
    let open = open.expect("open operation");
    assert!(open.client_id.is_none() && open.headers.is_empty());

    // Missing credentials: 401 with challenges for both headers.
    let missing = check(&gate, &catalog, "listPets", &HeaderMap::new(), None)
        .await
        .expect_err("401");
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.title, "Missing credentials");
    let challenges: Vec<_> = missing.headers.get_all("www-authenticate").iter().collect();
    assert_eq!(challenges.len(), 2);
    // Secret missing where the scheme asks for it is also "missing".
    let no_secret = check(
        &gate,
        &catalog,
        "listPets",
        &headers(&[("x-ibm-client-id", &id)]),
        None,
    )
    .await
    .expect_err("401");
    assert_eq!(no_secret.title, "Missing credentials");
    // Wrong secret or unknown id: 401 invalid.
    for hdrs in [key_headers(&id, "bad"), key_headers("unknown", &secret)] {
        let invalid = check(&gate, &catalog, "listPets", &hdrs, None)
            .await
            .expect_err("401");
        assert_eq!(invalid.status, StatusCode::UNAUTHORIZED);
        assert_eq!(invalid.title, "Invalid credentials");
    }

    // A registered app without a subscription: 403 naming the plans.
    let forbidden = check(
        &gate,
        &catalog,
        "listPets",
        &key_headers(&id, &secret),
        None,
    )
    .await
    .expect_err("403");
    assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
    assert!(forbidden.detail.contains("pets-product:default"));
    assert!(forbidden.detail.contains("pets-product:gold"));
    assert_eq!(forbidden.client_id.as_deref(), Some(id.as_str()));

    // An operation no plan includes: any registered app, no limits.
    let unplanned = check(
        &gate,
        &catalog,
        "unplanned",
        &headers(&[("x-ibm-client-id", &id)]),
        None,
    )
    .await
    .expect("any app");
    // Sent as `X-IBM-Client-Id`: the log line has it from there, nothing is copied.
    assert_eq!(unplanned.client_id.as_deref(), None);
    assert!(unplanned.headers.is_empty());

    // Subscribed: admitted with limit headers; the operation's own burst limit of 3 gives 429.
    subscribe(&router, &id, &secret, "pets-product:default").await;
    let id_only = headers(&[("x-ibm-client-id", &id)]);
    for n in 1..=3u64 {
        let ok = check(&gate, &catalog, "getPet", &id_only, None)
            .await
            .expect("admitted");
        assert_eq!(
            ok.headers["x-ratelimit-remaining"],
            format!("name=default,{};name=getPet.burst,{};", 50 - n, 3 - n).as_str()
        );
        assert!(ok.headers.contains_key("ratelimit-policy"));
        assert!(ok.headers.contains_key("ratelimit"));
    }
    let limited = check(&gate, &catalog, "getPet", &id_only, None)
        .await
        .expect_err("429");
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = limited.headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((3590..=3600).contains(&retry), "{retry}");
    assert_eq!(
        limited.headers["x-ratelimit-remaining"],
        "name=default,47;name=getPet.burst,0;"
    );
    assert!(limited.detail.contains("getPet.burst"));
    // The refused call did not count against the plan's common limit.
    let other = check(
        &gate,
        &catalog,
        "listPets",
        &key_headers(&id, &secret),
        None,
    )
    .await
    .expect("admitted");
    assert_eq!(other.headers["x-ratelimit-remaining"], "name=default,46;");
}

#[tokio::test]
async fn basic_query_and_soft_limits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let apps = open_sqlite(dir.path(), None).await;
    let router = router(apps.clone());
    let gate = apps.gate();
    let catalog = fixture();
    let (id, secret) = register(&router).await;
    subscribe(&router, &id, &secret, "pets-product:default").await;
    subscribe(&router, &id, &secret, "pets-product:soft").await;

    let good = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    let bad = base64::engine::general_purpose::STANDARD.encode(format!("{id}:nope"));
    let ok = check(
        &gate,
        &catalog,
        "basicOp",
        &headers(&[("authorization", &format!("Basic {good}"))]),
        None,
    )
    .await;
    assert!(ok.is_ok());
    let denied = check(
        &gate,
        &catalog,
        "basicOp",
        &headers(&[("authorization", &format!("Basic {bad}"))]),
        None,
    )
    .await
    .expect_err("401");
    assert_eq!(denied.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        denied.headers["www-authenticate"],
        "Basic realm=\"sandbox\""
    );

    let query = format!("api_key={id}&x=1");
    assert!(
        check(&gate, &catalog, "queryOp", &HeaderMap::new(), Some(&query))
            .await
            .is_ok()
    );
    let denied = check(
        &gate,
        &catalog,
        "queryOp",
        &HeaderMap::new(),
        Some("api_key=zzz"),
    )
    .await
    .expect_err("401");
    assert_eq!(denied.title, "Invalid credentials");

    // Soft limit of 1: the second call passes, reported as over.
    let k = key_headers(&id, &secret);
    assert!(check(&gate, &catalog, "softOp", &k, None).await.is_ok());
    let over = check(&gate, &catalog, "softOp", &k, None)
        .await
        .expect("soft passes");
    assert_eq!(over.headers["x-ratelimit-remaining"], "name=soft,0;");
}

#[tokio::test]
async fn oauth2_client_credentials_tokens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let apps = open_sqlite(dir.path(), None).await;
    let router = router(apps.clone());
    let gate = apps.gate();
    let catalog = fixture();
    let (id, secret) = register(&router).await;
    subscribe(&router, &id, &secret, "pets-product:default").await;
    assert_eq!(apps.token_paths, ["/oauth/token", "/oauth2/token"]);

    let form = |body: String, auth: Option<String>| {
        let mut b = Request::builder()
            .method(Method::POST)
            .uri("/oauth/token")
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(a) = auth {
            b = b.header("authorization", a);
        }
        b.body(Body::from(body)).expect("request")
    };
    let json_of = |r: Response| async move {
        let status = r.status();
        let h = r.headers().clone();
        let bytes = r.into_body().collect().await.expect("body").to_bytes();
        (
            status,
            h,
            serde_json::from_slice::<Value>(&bytes).expect("json"),
        )
    };

    let (status, _, body) = json_of(
        router
            .clone()
            .oneshot(form(
                format!(
                    "grant_type=client_credentials&client_id={id}&client_secret={secret}&scope=read"
                ),
                None,
            ))
            .await
            .expect("infallible"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "read");
    let token = body["access_token"].as_str().expect("token").to_string();

    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
    let (status, _, body2) = json_of(
        router
            .clone()
            .oneshot(form(
                "grant_type=client_credentials".into(),
                Some(format!("Basic {basic}")),
            ))
            .await
            .expect("infallible"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(body2["access_token"], body["access_token"]);

    let (status, headers_, body) = json_of(
        router
            .clone()
            .oneshot(form(
                format!("grant_type=client_credentials&client_id={id}&client_secret=x"),
                None,
            ))
            .await
            .expect("infallible"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");
    assert!(headers_.contains_key("www-authenticate"));
    let (status, _, body) = json_of(
        router
            .clone()
            .oneshot(form("grant_type=password".into(), None))
            .await
            .expect("infallible"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "unsupported_grant_type");

    // The token opens the OAuth2-secured operation; a made-up one does not.
    let ok = check(
        &gate,
        &catalog,
        "oauthOp",
        &headers(&[("authorization", &format!("Bearer {token}"))]),
        None,
    )
    .await
    .expect("token admitted");
    assert_eq!(ok.client_id.as_deref(), Some(id.as_str()));
    let bad = check(
        &gate,
        &catalog,
        "oauthOp",
        &headers(&[("authorization", "Bearer 1234")]),
        None,
    )
    .await
    .expect_err("401");
    assert_eq!(
        bad.headers["www-authenticate"],
        "Bearer realm=\"sandbox\", error=\"invalid_token\""
    );

    // Resetting the secret revokes the app's tokens.
    send(
        &router,
        Method::POST,
        &format!("/_sandbox/apps/{id}/secret"),
        &[("x-ibm-client-id", &id), ("x-ibm-client-secret", &secret)],
        None,
    )
    .await;
    let revoked = check(
        &gate,
        &catalog,
        "oauthOp",
        &headers(&[("authorization", &format!("Bearer {token}"))]),
        None,
    )
    .await;
    assert_eq!(
        revoked.expect_err("revoked").status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn oauth2_scopes_are_granted_as_asked_and_checked_per_operation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let apps = open_sqlite(dir.path(), None).await;
    // The same catalog, with scopes declared and `oauthOp` asking for `write` (swapped in as
    // `portal serve` does after a spec edit).
    let mut catalog = fixture();
    let api = &mut catalog.apis[0];
    if let Some(SecuritySchemeKind::OAuth2 { flows }) =
        api.security_schemes.get_mut("oauth").map(|s| &mut s.kind)
    {
        if let Some(flow) = flows.client_credentials.as_mut() {
            flow.scopes.insert("read".into(), "Read".into());
            flow.scopes.insert("write".into(), "Write".into());
        }
    }
    let op = api
        .operations
        .iter_mut()
        .find(|o| o.id == "oauthOp")
        .expect("oauthOp");
    let mut write = SecurityRequirement::new();
    write.insert("oauth".into(), vec!["write".into()]);
    op.security = Some(vec![write]);
    apps.reload(&catalog);
    let router = router(apps.clone());
    let gate = apps.gate();
    let (id, secret) = register(&router).await;
    subscribe(&router, &id, &secret, "pets-product:default").await;

    let token = |scope: Option<&'static str>| {
        let router = router.clone();
        let (id, secret) = (id.clone(), secret.clone());
        async move {
            let mut body =
                format!("grant_type=client_credentials&client_id={id}&client_secret={secret}");
            if let Some(s) = scope {
                body.push_str(&format!("&scope={s}"));
            }
            let r = router
                .oneshot(
                    Request::builder()
                        .method(Method::POST)
                        .uri("/oauth/token")
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(Body::from(body))
                        .expect("request"),
                )
                .await
                .expect("infallible");
            let status = r.status();
            let bytes = r.into_body().collect().await.expect("body").to_bytes();
            (
                status,
                serde_json::from_slice::<Value>(&bytes).expect("json"),
            )
        }
    };
    let bearer = |t: &Value| {
        headers(&[(
            "authorization",
            &format!("Bearer {}", t["access_token"].as_str().expect("token")),
        )])
    };

    // Asked for `read` only: the operation needs `write` -> 403 insufficient_scope.
    let (status, read) = token(Some("read")).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["scope"], "read");
    let denied = check(&gate, &catalog, "oauthOp", &bearer(&read), None)
        .await
        .expect_err("403");
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert_eq!(
        denied.headers["www-authenticate"],
        "Bearer realm=\"sandbox\", error=\"insufficient_scope\", scope=\"write\""
    );
    // No scope asked for: every declared scope is granted.
    let (status, all) = token(None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(all["scope"], "read write");
    assert!(
        check(&gate, &catalog, "oauthOp", &bearer(&all), None)
            .await
            .is_ok()
    );
    let (status, write) = token(Some("write")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        check(&gate, &catalog, "oauthOp", &bearer(&write), None)
            .await
            .is_ok()
    );
    // A scope no API declares.
    let (status, body) = token(Some("admin")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "invalid_scope");
}

// ---------------------------------------------------------------- exactness

/// 200 concurrent calls of one app through a gate → (admitted, refused); every refusal is a
/// 429 with the headers.
async fn hammer(gates: &[Arc<dyn Gate>], id: &str, secret: &str) -> (usize, usize) {
    let catalog = Arc::new(fixture());
    let mut tasks = Vec::new();
    for i in 0..200 {
        let gate = gates[i % gates.len()].clone();
        let catalog = catalog.clone();
        let hdrs = key_headers(id, secret);
        tasks.push(tokio::spawn(async move {
            check(gate.as_ref(), &catalog, "listPets", &hdrs, None).await
        }));
    }
    let (mut admitted, mut refused) = (0, 0);
    for task in tasks {
        match task.await.expect("task") {
            Ok(ok) => {
                assert!(ok.headers.contains_key("ratelimit"));
                admitted += 1;
            }
            Err(denied) => {
                assert_eq!(
                    denied.status,
                    StatusCode::TOO_MANY_REQUESTS,
                    "{}",
                    denied.detail
                );
                for h in [
                    "retry-after",
                    "ratelimit",
                    "ratelimit-policy",
                    "x-ratelimit-limit",
                    "x-ratelimit-remaining",
                ] {
                    assert!(denied.headers.contains_key(h), "{h} missing");
                }
                assert_eq!(denied.headers["x-ratelimit-remaining"], "name=default,0;");
                refused += 1;
            }
        }
    }
    (admitted, refused)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exactly_50_of_200_concurrent_calls_in_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let apps = open_sqlite(dir.path(), None).await;
    let router = router(apps.clone());
    let (id, secret) = register(&router).await;
    subscribe(&router, &id, &secret, "pets-product:default").await;
    let gate: Arc<dyn Gate> = Arc::new(apps.gate());
    assert_eq!(hammer(&[gate], &id, &secret).await, (50, 150));
}

#[derive(Clone)]
struct DummyState {
    gate: Arc<dyn Gate>,
    catalog: Arc<Catalog>,
}

/// A stand-in for the sandbox handler: gate, then answer 200 with the gate's headers.
async fn dummy(State(state): State<DummyState>, request: Request<Body>) -> Response {
    let api = &state.catalog.apis[0];
    let operation = &api.operations[0];
    let decision = state
        .gate
        .check(GateRequest {
            api,
            operation,
            headers: request.headers(),
            query: request.uri().query(),
        })
        .await;
    match decision {
        Ok(ok) => (StatusCode::OK, ok.headers.into_map(), "[]").into_response(),
        Err(denied) => (denied.status, denied.headers, denied.detail).into_response(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn exactly_50_of_200_concurrent_calls_through_axum() {
    let dir = tempfile::tempdir().expect("tempdir");
    let apps = open_sqlite(dir.path(), None).await;
    let sandbox = router(apps.clone()).merge(
        Router::new()
            .route("/pets", axum::routing::get(dummy))
            .with_state(DummyState {
                gate: Arc::new(apps.gate()),
                catalog: Arc::new(fixture()),
            }),
    );
    let (id, secret) = register(&sandbox).await;
    subscribe(&sandbox, &id, &secret, "pets-product:default").await;
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let sandbox = sandbox.clone();
        let (id, secret) = (id.clone(), secret.clone());
        tasks.push(tokio::spawn(async move {
            send(
                &sandbox,
                Method::GET,
                "/pets",
                &[("x-ibm-client-id", &id), ("x-ibm-client-secret", &secret)],
                None,
            )
            .await
        }));
    }
    let mut codes = std::collections::BTreeMap::new();
    for t in tasks {
        let a = t.await.expect("task");
        assert!(a.headers.contains_key("x-ratelimit-limit"));
        if a.status == StatusCode::TOO_MANY_REQUESTS {
            assert!(a.headers.contains_key("retry-after"));
        }
        *codes.entry(a.status.as_u16()).or_insert(0) += 1;
    }
    assert_eq!(codes, [(200, 50), (429, 150)].into_iter().collect());
}

// ---------------------------------------------------------------- redis

/// A `redis-server` on a free loopback port, killed on drop.
struct RedisServer {
    child: Child,
    url: String,
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn redis_server() -> Option<RedisServer> {
    let found = Command::new("redis-server")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok();
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "redis-server is required in CI (apt-get install redis-server)"
        );
        eprintln!("skipping: redis-server not installed");
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start redis-server");
    let server = RedisServer {
        child,
        url: format!("redis://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "redis-server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(server)
}

async fn open_redis(url: &str) -> Arc<Apps> {
    let options = AppsOptions::new(StoreConfig::from_args(Path::new("."), Some(url)).expect("url"))
        .admin_token(Some("adm".into()));
    Apps::open(&fixture(), options)
        .await
        .expect("open redis store")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_two_replicas_enforce_one_exact_limit() {
    let Some(server) = redis_server() else {
        return;
    };
    let one = open_redis(&server.url).await;
    let two = open_redis(&server.url).await;
    let (r1, r2) = (router(one.clone()), router(two.clone()));
    // Register on one replica, subscribe on the other: they share the store.
    let (id, secret) = register(&r1).await;
    let sub = subscribe(&r2, &id, &secret, "pets-product:default").await;
    assert_eq!(sub.status, StatusCode::CREATED);
    let gates: Vec<Arc<dyn Gate>> = vec![Arc::new(one.gate()), Arc::new(two.gate())];
    assert_eq!(hammer(&gates, &id, &secret).await, (50, 150));
    let usage = send(
        &r1,
        Method::GET,
        &format!("/_sandbox/apps/{id}/usage"),
        &[("x-ibm-client-id", &id), ("x-ibm-client-secret", &secret)],
        None,
    )
    .await;
    assert_eq!(usage.body["limits"][0]["used"], 50);
    assert_eq!(usage.body["operations"][0]["calls"], 50);
}

#[tokio::test]
async fn redis_store_covers_the_whole_api() {
    let Some(server) = redis_server() else {
        return;
    };
    let apps = open_redis(&server.url).await;
    let router = router(apps.clone());
    let gate = apps.gate();
    let catalog = fixture();
    let (id, secret) = register(&router).await;
    let pending = subscribe(&router, &id, &secret, "pets-product:gold").await;
    assert_eq!(pending.status, StatusCode::ACCEPTED);
    assert_eq!(
        subscribe(&router, &id, &secret, "pets-product:gold")
            .await
            .status,
        StatusCode::CONFLICT
    );
    let sub_id = pending.body["id"].as_str().expect("id").to_string();
    let k = key_headers(&id, &secret);
    let denied = check(&gate, &catalog, "premiumOp", &k, None)
        .await
        .expect_err("pending");
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let ok = send(
        &router,
        Method::POST,
        &format!("/_sandbox/admin/subscriptions/{sub_id}/approve"),
        &[("authorization", "Bearer adm")],
        None,
    )
    .await;
    assert_eq!(ok.body["status"], "active");
    assert!(check(&gate, &catalog, "premiumOp", &k, None).await.is_ok());

    // Reset, token, delete.
    let reset = send(
        &router,
        Method::POST,
        &format!("/_sandbox/apps/{id}/secret"),
        &[("x-ibm-client-id", &id), ("x-ibm-client-secret", &secret)],
        None,
    )
    .await;
    let new_secret = reset.body["client_secret"]
        .as_str()
        .expect("secret")
        .to_string();
    assert_eq!(
        check(&gate, &catalog, "premiumOp", &k, None)
            .await
            .expect_err("old")
            .status,
        StatusCode::UNAUTHORIZED
    );
    let k = key_headers(&id, &new_secret);
    assert!(check(&gate, &catalog, "premiumOp", &k, None).await.is_ok());
    let app = send(
        &router,
        Method::GET,
        &format!("/_sandbox/apps/{id}"),
        &[
            ("x-ibm-client-id", &id),
            ("x-ibm-client-secret", &new_secret),
        ],
        None,
    )
    .await;
    assert_eq!(app.body["subscriptions"][0]["status"], "active");
    assert_eq!(app.body["usage"]["operations"][0]["calls"], 2);
    let unsub = send(
        &router,
        Method::DELETE,
        &format!("/_sandbox/apps/{id}/subscriptions/{sub_id}"),
        &[
            ("x-ibm-client-id", &id),
            ("x-ibm-client-secret", &new_secret),
        ],
        None,
    )
    .await;
    assert_eq!(unsub.status, StatusCode::NO_CONTENT);
    assert_eq!(
        check(&gate, &catalog, "premiumOp", &k, None)
            .await
            .expect_err("gone")
            .status,
        StatusCode::FORBIDDEN
    );
    assert!(apps.store.delete_app(&id).await.expect("delete"));
    assert!(apps.store.get_app(&id).await.expect("get").is_none());
    assert!(apps.store.list_apps().await.expect("list").is_empty());

    // Redis gone: keyed calls fail closed with 503, open ones still pass.
    drop(server);
    let (id2, _) = ("x".to_string(), ());
    let down = check(
        &gate,
        &catalog,
        "getPet",
        &headers(&[("x-ibm-client-id", &id2)]),
        None,
    )
    .await
    .expect_err("503");
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        check(&gate, &catalog, "health", &HeaderMap::new(), None)
            .await
            .is_ok()
    );
    let down = send(
        &router,
        Method::POST,
        "/_sandbox/apps",
        &[],
        Some(json!({"name": "x"})),
    )
    .await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
}

// ---------------------------------------------------------------- durability

const CHILD_DIR: &str = "PORTAL_APPS_DURABILITY_DIR";

/// Child side of the durability test: registers apps until killed, printing each acknowledged
/// one. Does nothing unless run by `acknowledged_apps_survive_kill_9`.
#[tokio::test]
#[ignore = "child process of acknowledged_apps_survive_kill_9"]
async fn durability_child_registers_apps() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return;
    };
    let apps = open_sqlite(Path::new(&dir), None).await;
    let router = router(apps);
    for _ in 0..100_000 {
        let (id, secret) = register(&router).await;
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "ACK {id} {secret}");
        let _ = out.flush();
    }
}

fn files_contain(dir: &Path, needle: &str) -> bool {
    std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .filter(|e| e.path().is_file())
        .any(|e| {
            let bytes = std::fs::read(e.path()).unwrap_or_default();
            bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
        })
}

#[tokio::test]
async fn acknowledged_apps_survive_kill_9() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "--ignored",
            "apps::tests::durability_child_registers_apps",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("stdout");
    let mut acked = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("line");
        if let Some(rest) = line.strip_prefix("ACK ") {
            let (id, secret) = rest.split_once(' ').expect("id secret");
            acked.push((id.to_string(), secret.to_string()));
            if acked.len() == 40 {
                break;
            }
        }
    }
    child.kill().expect("SIGKILL"); // std sends SIGKILL on Unix
    let _ = child.wait();
    assert_eq!(acked.len(), 40, "the child registered apps");

    let apps = open_sqlite(dir.path(), None).await;
    let router = router(apps);
    for (id, secret) in &acked {
        let a = send(
            &router,
            Method::GET,
            &format!("/_sandbox/apps/{id}"),
            &[("x-ibm-client-id", id), ("x-ibm-client-secret", secret)],
            None,
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "app {id} lost after kill -9");
    }
    for (id, secret) in &acked {
        assert!(files_contain(dir.path(), id), "client IDs are stored");
        assert!(
            !files_contain(dir.path(), secret),
            "a secret is in clear on disk"
        );
    }
}

#[tokio::test]
async fn no_secret_or_token_in_clear_on_disk() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut secrets = HashSet::new();
    {
        let apps = open_sqlite(dir.path(), None).await;
        let router = router(apps.clone());
        let (id, secret) = register(&router).await;
        secrets.insert(secret.clone());
        let reset = send(
            &router,
            Method::POST,
            &format!("/_sandbox/apps/{id}/secret"),
            &[("x-ibm-client-id", &id), ("x-ibm-client-secret", &secret)],
            None,
        )
        .await;
        let new_secret = reset.body["client_secret"]
            .as_str()
            .expect("secret")
            .to_string();
        secrets.insert(new_secret.clone());
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{new_secret}"));
        let token = router
            .clone()
            .oneshot(
                Request::post("/oauth2/token")
                    .header("authorization", format!("Basic {basic}"))
                    .body(Body::from("grant_type=client_credentials"))
                    .expect("request"),
            )
            .await
            .expect("infallible");
        let bytes = token.into_body().collect().await.expect("body").to_bytes();
        let token: Value = serde_json::from_slice(&bytes).expect("json");
        secrets.insert(token["access_token"].as_str().expect("token").to_string());
        apps.flush().await.expect("flush");
        // Reopening reads what was written, without a clean shutdown of the first handle.
        let again = open_sqlite(dir.path(), None).await;
        assert!(again.store.get_app(&id).await.expect("read").is_some());
    }
    assert!(dir.path().join("sandbox.db").is_file());
    for s in &secrets {
        assert!(
            !files_contain(dir.path(), s),
            "secret or token in clear on disk"
        );
    }
}

#[tokio::test]
async fn a_running_sandbox_sees_another_process_approve() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sandbox = open_sqlite(dir.path(), None).await;
    let router = router(sandbox.clone());
    let (id, secret) = register(&router).await;
    let pending = subscribe(&router, &id, &secret, "pets-product:gold").await;
    let sub_id = pending.body["id"].as_str().expect("id").to_string();
    // `portal apps approve` opens its own connection to the same file.
    let cli = Store::open(&StoreConfig::Sqlite {
        data_dir: dir.path().to_path_buf(),
    })
    .await
    .expect("second connection");
    cli.set_subscription_status(&sub_id, SubscriptionStatus::Active)
        .await
        .expect("approve")
        .expect("found");
    let gate = sandbox.gate();
    let catalog = fixture();
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        match check(
            &gate,
            &catalog,
            "premiumOp",
            &key_headers(&id, &secret),
            None,
        )
        .await
        {
            Ok(_) => break,
            Err(d) => {
                assert_eq!(d.status, StatusCode::FORBIDDEN);
                assert!(
                    Instant::now() < deadline,
                    "approval not seen by the sandbox"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

#[tokio::test]
async fn soap_apis_listed_in_soap_client_id_need_the_client_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut catalog = fixture();
    let mut soap = catalog.apis[0].clone();
    soap.id = "accounts-soap".into();
    soap.protocol = Protocol::Soap;
    soap.security = Vec::new();
    soap.security_schemes.clear();
    for op in &mut soap.operations {
        op.security = None;
    }
    catalog.apis = vec![soap];
    let options = AppsOptions::new(StoreConfig::Sqlite {
        data_dir: dir.path().to_path_buf(),
    })
    .soap_client_id(vec!["accounts-soap".into()]);
    let apps = Apps::open(&catalog, options).await.expect("open");
    let router = router(apps.clone());
    let gate = apps.gate();
    let (id, secret) = register(&router).await;
    let missing = check(&gate, &catalog, "listPets", &HeaderMap::new(), None)
        .await
        .expect_err("401");
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert!(missing.headers.contains_key("www-authenticate"));
    let ok = check(
        &gate,
        &catalog,
        "listPets",
        &headers(&[("x-ibm-client-id", &id)]),
        None,
    )
    .await
    .expect("client id is enough");
    // Sent as `X-IBM-Client-Id`: the log line has it from there, nothing is copied.
    assert_eq!(ok.client_id.as_deref(), None);
    assert!(
        check(
            &gate,
            &catalog,
            "listPets",
            &key_headers(&id, &secret),
            None
        )
        .await
        .is_ok()
    );
    let wrong = check(&gate, &catalog, "listPets", &key_headers(&id, "nope"), None)
        .await
        .expect_err("a wrong secret is refused");
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);

    // Without the option, the same SOAP API is open.
    let open = Apps::open(
        &catalog,
        AppsOptions::new(StoreConfig::Sqlite {
            data_dir: dir.path().join("other"),
        }),
    )
    .await
    .expect("open");
    assert!(
        check(&open.gate(), &catalog, "listPets", &HeaderMap::new(), None)
            .await
            .is_ok()
    );
}

/// Calls per second of one gate on `listPets` (one app, 8 concurrent tasks, or
/// `PORTAL_BENCH_TASKS`).
async fn gate_rate(
    gate: Arc<dyn Gate>,
    catalog: Arc<Catalog>,
    hdrs: HeaderMap,
    calls: usize,
) -> f64 {
    let start = Instant::now();
    let cpu_start = process_cpu_seconds();
    let mut tasks = Vec::new();
    let n: usize = std::env::var("PORTAL_BENCH_TASKS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    for _ in 0..n {
        let (gate, catalog, hdrs) = (gate.clone(), catalog.clone(), hdrs.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..calls / n {
                check(gate.as_ref(), &catalog, "listPets", &hdrs, None)
                    .await
                    .expect("admitted");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let cpu = process_cpu_seconds() - cpu_start;
    println!(
        "  {calls} calls: {:.2} s wall, {cpu:.2} s CPU, {:.2} µs CPU per call",
        start.elapsed().as_secs_f64(),
        cpu * 1e6 / calls as f64
    );
    calls as f64 / start.elapsed().as_secs_f64()
}

/// CPU time of this process (user + system), from `/proc/self/stat` (0 elsewhere).
fn process_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i).and_then(|v| v.parse::<f64>().ok()))
        .sum();
    ticks / 100.0
}

/// Cost of keys and limits per call: `cargo test -p mock-server --release --lib -- --ignored
/// --nocapture bench_gate`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark"]
async fn bench_gate() {
    let mut catalog = fixture();
    catalog.products[0].plans[0].limits[0].max = u64::MAX / 2;
    let catalog = Arc::new(catalog);
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = Apps::open(
        &catalog,
        AppsOptions::new(StoreConfig::Sqlite {
            data_dir: dir.path().to_path_buf(),
        }),
    )
    .await
    .expect("open");
    let r = router(sqlite.clone());
    let (id, secret) = register(&r).await;
    subscribe(&r, &id, &secret, "pets-product:default").await;
    let hdrs = key_headers(&id, &secret);
    let calls = 400_000;
    let open = gate_rate(
        Arc::new(crate::gate::OpenGate),
        catalog.clone(),
        hdrs.clone(),
        calls,
    )
    .await;
    let keyed = gate_rate(
        Arc::new(sqlite.gate()),
        catalog.clone(),
        hdrs.clone(),
        calls,
    )
    .await;
    println!(
        "gate calls/s: open {open:.0}, sqlite keyed+limited {keyed:.0} ({:.2} µs per call)",
        1e6 / keyed
    );
    if let Some(server) = redis_server() {
        let redis = Apps::open(
            &catalog,
            AppsOptions::new(
                StoreConfig::from_args(Path::new("."), Some(&server.url)).expect("url"),
            ),
        )
        .await
        .expect("open redis");
        let r = router(redis.clone());
        let (id, secret) = register(&r).await;
        subscribe(&r, &id, &secret, "pets-product:default").await;
        let rate = gate_rate(
            Arc::new(redis.gate()),
            catalog.clone(),
            key_headers(&id, &secret),
            40_000,
        )
        .await;
        println!(
            "gate calls/s: redis keyed+limited {rate:.0} ({:.1} µs per call)",
            1e6 / rate
        );
    }
}

// ---------------------------------------------------------------- thread copies of apps

/// Each app has one set of counters, whichever thread counts its calls: the threads' handles on
/// them are dropped with every change to the apps, the counts are not.
#[tokio::test(flavor = "current_thread")]
async fn one_set_of_counters_per_app_whichever_thread_counts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = sqlite::SqliteStore::open(dir.path()).expect("open");
    let app = |id: char| AppRecord {
        client_id: id.to_string().repeat(32),
        name: "app".into(),
        description: String::new(),
        created_at: "2026-01-01T00:00:00Z".into(),
        secret_hash: [1; 32],
        subscriptions: Vec::new(),
    };
    store.create_app(app('a')).await.expect("create");
    let id = "a".repeat(32);
    let limits = [limits::LimitSpec::new(
        "p|*|rate|default|60".into(),
        "default".into(),
        None,
        3,
        60,
        true,
    )];
    let op = super::access::OperationKey::new("counters-test", "op");
    assert!(store.check_and_count(&id, &limits, &op).admitted);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| assert!(store.check_and_count(&id, &limits, &op).admitted));
        }
    });
    // A change to the apps drops this thread's handle; the count goes on where it was.
    store.create_app(app('b')).await.expect("create another");
    let refused = store.check_and_count(&id, &limits, &op);
    assert!(
        !refused.admitted,
        "a fourth call in the window: {refused:?}"
    );
    assert_eq!(store.peek_limits(&id, &limits)[0].used, 3);
    let usage = store.usage(&id);
    assert_eq!(
        (
            usage[0].api.as_str(),
            usage[0].operation.as_str(),
            usage[0].calls
        ),
        ("counters-test", "op", 3)
    );
    // Another app counts on its own.
    assert!(
        store
            .check_and_count(&"b".repeat(32), &limits, &op)
            .admitted
    );
}

/// Usage totals count every call of every operation, however the calls alternate, and are
/// written to the database whole.
#[tokio::test(flavor = "current_thread")]
async fn usage_totals_count_alternating_operations_and_persist() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = "c".repeat(32);
    {
        let store = sqlite::SqliteStore::open(dir.path()).expect("open");
        store
            .create_app(AppRecord {
                client_id: id.clone(),
                name: "app".into(),
                description: String::new(),
                created_at: "2026-01-01T00:00:00Z".into(),
                secret_hash: [1; 32],
                subscriptions: Vec::new(),
            })
            .await
            .expect("create");
        let a = super::access::OperationKey::new("usage-test", "a");
        let b = super::access::OperationKey::new("usage-test", "b");
        for op in [&a, &a, &b, &a, &b, &b, &b] {
            store.record_usage(&id, op);
        }
        let calls = |store: &sqlite::SqliteStore| {
            store
                .usage(&id)
                .iter()
                .map(|u| (u.operation.clone(), u.calls))
                .collect::<Vec<_>>()
        };
        assert_eq!(calls(&store), [("a".to_string(), 3), ("b".to_string(), 4)]);
        // Reading the totals does not count twice.
        store.record_usage(&id, &b);
        assert_eq!(calls(&store), [("a".to_string(), 3), ("b".to_string(), 5)]);
        store.flush().await.expect("flush");
    }
    let reopened = sqlite::SqliteStore::open(dir.path()).expect("reopen");
    let usage = reopened.usage(&id);
    assert_eq!(
        usage.iter().map(|u| u.calls).collect::<Vec<_>>(),
        [3, 5],
        "{usage:?}"
    );
}

/// The worker threads keep their own copies of apps; every change must reach them at once,
/// whether this store made it or another process did (seen by the background reload).
#[tokio::test(flavor = "current_thread")]
async fn thread_copies_of_apps_follow_every_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = sqlite::SqliteStore::open(dir.path()).expect("open");
    let app = AppRecord {
        client_id: "c".repeat(32),
        name: "app".into(),
        description: String::new(),
        created_at: "2026-01-01T00:00:00Z".into(),
        secret_hash: [1; 32],
        subscriptions: Vec::new(),
    };
    let id = app.client_id.clone();
    store.create_app(app).await.expect("create");
    assert_eq!(store.get_app(&id).expect("app").secret_hash, [1; 32]);
    // Taken again from this thread's copy.
    assert_eq!(store.get_app(&id).expect("app").secret_hash, [1; 32]);

    assert!(store.set_secret(id.clone(), [2; 32]).await.expect("reset"));
    assert_eq!(store.get_app(&id).expect("app").secret_hash, [2; 32]);

    let sub = Subscription {
        id: "sub_0000000000000001".into(),
        client_id: id.clone(),
        plan: "p:gold".into(),
        status: SubscriptionStatus::Pending,
    };
    store.add_subscription(sub).await.expect("subscribe");
    assert_eq!(
        store.get_app(&id).expect("app").subscriptions[0].status,
        SubscriptionStatus::Pending
    );

    // Another process (a second store on the same file) approves: the background reload
    // brings it in, and this thread's copy must not hide it.
    let other = sqlite::SqliteStore::open(dir.path()).expect("open again");
    other
        .set_subscription_status("sub_0000000000000001".into(), SubscriptionStatus::Active)
        .await
        .expect("approve");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let status = store.get_app(&id).expect("app").subscriptions[0].status;
        if status == SubscriptionStatus::Active {
            break;
        }
        assert!(Instant::now() < deadline, "approval never seen: {status:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // A second store in the same thread has copies of its own.
    assert!(other.get_app(&id).is_some());
    assert!(store.delete_app(id.clone()).await.expect("delete"));
    assert!(store.get_app(&id).is_none());
}
