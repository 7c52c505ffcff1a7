//! The sandbox: serves every operation of every API in a catalog (REST and SOAP) with
//! deterministic data, and enforces credentials, plans and rate limits through a [`gate::Gate`].
//!
//! [`app`] builds the whole sandbox, one tower service ([`Sandbox`]), from an [`AppState`];
//! [`server::serve`] binds and runs it. Tests call `app(state).oneshot(request)`.

pub mod apps;
pub mod bodies;
pub mod coding;
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
use axum::response::{IntoResponse, Response};
use http::{HeaderName, HeaderValue, Method, StatusCode, header};
use tower::Layer;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub use error::MockError;
pub use rest::validate::DEFAULT_VALIDATOR_CACHE_OPS;
pub use state::{AppState, MockOptions};

use error::ClientId;
use router::RouteMatch;

/// The request-id header set on every response.
pub const REQUEST_ID: &str = "x-request-id";

/// The headers the service's layers add to every API response after its handler: the request
/// id, and CORS's `Vary`, `Access-Control-Allow-Origin`, `-Allow-Credentials` and
/// `-Expose-Headers`. A handler that sizes its map for them spares the map a second allocation.
pub(crate) const LAYER_HEADERS: usize = 5;

/// The whole sandbox as one service: the `/_sandbox` routes and any extra routes in an axum
/// router whose fallback dispatches API calls, wrapped by [`Sandbox`] (request id, CORS,
/// one log line) in a single layer.
pub fn app(state: AppState) -> Sandbox {
    let cors = cors_layer(&state);
    let extra = state.extra.clone();
    let mut inner: Router = Router::new()
        .merge(sandbox::routes())
        .fallback(dispatch)
        .with_state(state);
    if let Some(extra) = extra {
        inner = extra.merge(inner);
    }
    Sandbox {
        with_cors: cors.layer(inner.clone()),
        inner,
    }
}

/// The sandbox application (see [`app`]): sets a request id on the request and the response
/// (keeping the caller's own), answers CORS preflights and adds the CORS headers (tower-http's
/// policy), and logs one line per request. One layer instead of a stack of them: this is the
/// per-request path of every sandbox call.
#[derive(Clone)]
pub struct Sandbox {
    inner: Router,
    with_cors: tower_http::cors::Cors<Router>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox").finish_non_exhaustive()
    }
}

impl<B> tower::Service<http::Request<B>> for Sandbox
where
    B: axum::body::HttpBody<Data = bytes::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = std::convert::Infallible;
    type Future = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Response, std::convert::Infallible>> + Send>,
    >;

    fn poll_ready(
        &mut self,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let mut request = request.map(Body::new);
        let start = Instant::now();
        let request_id = match request.headers().get(REQUEST_ID) {
            Some(v) => v.clone(),
            None => {
                let v = random_request_id();
                request
                    .headers_mut()
                    .insert(HeaderName::from_static(REQUEST_ID), v.clone());
                v
            }
        };
        // What the log line needs, kept only when it will be written.
        let logged = tracing::enabled!(target: "portal::mock", tracing::Level::INFO).then(|| {
            (
                request.method().clone(),
                request.uri().path().to_string(),
                request.headers().get(&apps::access::CLIENT_ID).cloned(),
            )
        });
        let method = request.method();
        // tower-http answers every OPTIONS as a preflight; a plain OPTIONS (no
        // `Access-Control-Request-Method`) goes to the API instead, which lists `Allow`.
        let plain_options = method == Method::OPTIONS
            && !request
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        // Both routers are always ready (axum's `Router::poll_ready` is), so `call` needs no
        // `poll_ready` first.
        let pending = if plain_options {
            Pending::Plain(self.inner.call(request))
        } else {
            Pending::Cors(self.with_cors.call(request))
        };
        Box::pin(async move {
            let result = match pending {
                Pending::Plain(future) => future.await,
                Pending::Cors(future) => future.await,
            };
            let mut response = match result {
                Ok(r) => r,
                Err(never) => match never {},
            };
            response
                .headers_mut()
                .insert(HeaderName::from_static(REQUEST_ID), request_id.clone());
            if let Some((method, path, claimed)) = logged {
                log_request(
                    &method,
                    &path,
                    &response,
                    claimed.as_ref(),
                    &request_id,
                    start,
                );
            }
            Ok(response)
        })
    }
}

/// The answer [`Sandbox`] waits for: the router's, or the router's through the CORS policy.
enum Pending {
    Plain(axum::routing::future::RouteFuture<std::convert::Infallible>),
    Cors(
        tower_http::cors::ResponseFuture<
            axum::routing::future::RouteFuture<std::convert::Infallible>,
        >,
    ),
}

/// A request id: a random version-4 UUID from the thread's generator (seeded once from the
/// OS), not one `getrandom` system call per request.
fn random_request_id() -> HeaderValue {
    let mut bytes: [u8; 16] = rand::random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    HeaderValue::from_str(&uuid_text(&bytes)).unwrap_or(HeaderValue::from_static("-"))
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
fn log_request(
    method: &Method,
    path: &str,
    response: &Response,
    claimed: Option<&HeaderValue>,
    request_id: &HeaderValue,
    start: Instant,
) {
    // The gate's word on who called, else the id the caller claimed.
    let client = response
        .extensions()
        .get::<ClientId>()
        .map(|c| c.0.as_str())
        .or(claimed.and_then(|v| v.to_str().ok()))
        .unwrap_or("-");
    let request_id = request_id.to_str().unwrap_or("-");
    let ms = Millis(start.elapsed());
    tracing::info!(
        target: "portal::mock",
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        ms = %ms,
        client = %client,
        request_id = %request_id,
        "{method} {path} {} {ms}ms",
        response.status().as_u16()
    );
}

/// A duration in milliseconds with two decimals (`0.05`), from whole microseconds: float
/// formatting with a fixed precision can fall back to its exact (bignum) algorithm, which cost
/// a busy sandbox more than the rest of its log line.
struct Millis(Duration);

impl std::fmt::Display for Millis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Hundredths of a millisecond, rounded half up.
        let hundredths = (self.0.as_micros() + 5) / 10;
        write!(f, "{}.{:02}", hundredths / 100, hundredths % 100)
    }
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
