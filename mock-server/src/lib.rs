//! The sandbox: serves every operation of every API in a catalog (REST and SOAP) with
//! deterministic data, and enforces credentials, plans and rate limits through a [`gate::Gate`].
//!
//! [`app`] builds the whole axum application from an [`AppState`]; [`server::serve`] binds and
//! runs it. Tests call `app(state).oneshot(request)`.

pub mod apps;
pub mod error;
pub mod gate;
pub mod live;
pub mod presence;
pub mod rest;
pub mod router;
pub mod sandbox;
pub mod server;
pub mod soap;
pub mod state;

#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use api_model::{HttpMethod, ParamLocation, SecuritySchemeKind};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderName, HeaderValue, Method, StatusCode, header};
use tower::ServiceExt;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};

pub use error::MockError;
pub use state::{AppState, MockOptions};

use error::ClientId;
use router::RouteMatch;

/// The request-id header set on every response.
pub const REQUEST_ID: &str = "x-request-id";

/// The whole sandbox as an axum application.
pub fn app(state: AppState) -> Router {
    let cors = cors_layer(&state);
    let request_id = HeaderName::from_static(REQUEST_ID);
    let extra = state.extra.clone();
    let mut inner: Router = Router::new()
        .merge(sandbox::routes())
        .fallback(dispatch)
        .with_state(state);
    if let Some(extra) = extra {
        inner = extra.merge(inner);
    }
    let with_cors = inner.clone().layer(cors);
    // tower-http answers every OPTIONS as a preflight; a plain OPTIONS (no
    // `Access-Control-Request-Method`) goes to the API instead, which lists `Allow`.
    let choose = tower::service_fn(move |request: Request| {
        let preflight = request.method() != Method::OPTIONS
            || request
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        let service = if preflight {
            with_cors.clone()
        } else {
            inner.clone()
        };
        service.oneshot(request)
    });
    Router::new()
        .fallback_service(choose)
        .layer(axum::middleware::from_fn(log_request))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, RandomRequestId))
}

/// Request IDs: random version-4 UUIDs from the thread's generator (seeded once from the OS),
/// not one `getrandom` system call per request.
#[derive(Debug, Clone, Copy, Default)]
struct RandomRequestId;

impl MakeRequestId for RandomRequestId {
    fn make_request_id<B>(&mut self, _request: &http::Request<B>) -> Option<RequestId> {
        let mut bytes: [u8; 16] = rand::random();
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        HeaderValue::from_str(&uuid_text(&bytes))
            .ok()
            .map(RequestId::new)
    }
}

/// `8-4-4-4-12` lower-case hex.
fn uuid_text(b: &[u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

/// Route one API call to its REST operation or SOAP endpoint.
async fn dispatch(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    let Some(method) = HttpMethod::parse(request.method().as_str()) else {
        return MockError::NotFound { path }.into_response();
    };
    let query = rest::validate::parse_query(request.uri().query());
    match state.routes.find_with_query(method, &path, &query) {
        RouteMatch::Soap { api } => soap::handle(state, api, request).await,
        RouteMatch::Rest { api, op, params } => {
            match rest::handle(state, api, op, params, request).await {
                Ok(r) => r,
                Err(e) => e.into_response(),
            }
        }
        RouteMatch::MethodNotAllowed { allow } => {
            let allow: Vec<String> = allow.iter().map(|m| m.as_str().to_string()).collect();
            if method == HttpMethod::Options {
                let mut r = StatusCode::NO_CONTENT.into_response();
                if let Ok(v) = HeaderValue::from_str(&allow.join(", ")) {
                    r.headers_mut().insert(header::ALLOW, v);
                }
                r
            } else {
                MockError::MethodNotAllowed {
                    method: method.as_str().to_string(),
                    allow,
                }
                .into_response()
            }
        }
        RouteMatch::NotFound => MockError::NotFound { path }.into_response(),
    }
}

/// One log line per request: method, path, status, milliseconds, client id, request id.
async fn log_request(request: Request<Body>, next: Next) -> Response {
    let start = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let claimed = request
        .headers()
        .get("x-ibm-client-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let response = next.run(request).await;
    // The gate's word on who called, else the id the caller claimed.
    let client = response
        .extensions()
        .get::<ClientId>()
        .map(|c| c.0.as_str())
        .or(claimed.as_deref())
        .unwrap_or("-");
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        target: "portal::mock",
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        ms = format_args!("{ms:.2}"),
        client = %client,
        request_id = %request_id,
        "{method} {path} {} {ms:.2}ms",
        response.status().as_u16()
    );
    response
}

/// Headers every sandbox client may send.
const ALLOWED_HEADERS: &[&str] = &[
    "accept",
    "authorization",
    "content-type",
    "prefer",
    "soapaction",
    "x-ibm-client-id",
    "x-ibm-client-secret",
    "x-request-id",
];

/// Headers a browser may read from sandbox responses.
const EXPOSED_HEADERS: &[&str] = &[
    "ratelimit",
    "ratelimit-policy",
    "x-ratelimit-limit",
    "x-ratelimit-plan",
    "x-ratelimit-remaining",
    "retry-after",
    "x-request-id",
    "www-authenticate",
    "location",
    "allow",
];

fn cors_layer(state: &AppState) -> CorsLayer {
    let mut names: Vec<String> = ALLOWED_HEADERS.iter().map(|s| (*s).to_string()).collect();
    for api in &state.catalog.apis {
        for op in &api.operations {
            for p in &op.parameters {
                if p.location == ParamLocation::Header {
                    names.push(p.name.to_ascii_lowercase());
                }
            }
        }
        for scheme in api.security_schemes.values() {
            if let SecuritySchemeKind::ApiKey {
                name,
                location: api_model::ApiKeyLocation::Header,
            } = &scheme.kind
            {
                names.push(name.to_ascii_lowercase());
            }
        }
    }
    names.sort();
    names.dedup();
    let allowed: Vec<HeaderName> = names
        .iter()
        .filter_map(|n| HeaderName::from_bytes(n.as_bytes()).ok())
        .collect();
    let mut exposed: Vec<HeaderName> = EXPOSED_HEADERS
        .iter()
        .map(|n| HeaderName::from_static(n))
        .collect();
    for api in &state.catalog.apis {
        for op in &api.operations {
            for r in &op.responses {
                for h in r.headers.keys() {
                    if let Ok(n) = HeaderName::from_bytes(h.to_ascii_lowercase().as_bytes()) {
                        if !exposed.contains(&n) {
                            exposed.push(n);
                        }
                    }
                }
            }
        }
    }
    let origins = if state.options.cors_origins.is_empty() {
        &state.config.sandbox.cors_origins
    } else {
        &state.options.cors_origins
    };
    let allow_origin = if origins.is_empty() || origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([
            Method::GET,
            Method::PUT,
            Method::POST,
            Method::DELETE,
            Method::OPTIONS,
            Method::HEAD,
            Method::PATCH,
        ])
        .allow_headers(allowed)
        .expose_headers(exposed)
        .max_age(Duration::from_secs(600))
}
