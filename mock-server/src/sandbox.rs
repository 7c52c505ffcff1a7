//! The sandbox's own endpoints under `/_sandbox`: the catalog of mounted APIs, each REST API's
//! description as one OpenAPI 3.1 document pointing at this sandbox, and a health check.
//! (The apps helper adds `/_sandbox/apps...` beside these.)

use api_model::Protocol;
use api_model::export::openapi_document;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderMap, HeaderValue, header};
use serde_json::json;

use crate::error::MockError;
use crate::state::AppState;

/// The `/_sandbox` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/_sandbox/catalog", get(catalog))
        .route("/_sandbox/apis/{id}/openapi.json", get(openapi))
        .route("/_sandbox/health", get(health))
}

/// The URL clients reach this sandbox at: the configured public URL, else `http://<Host>`.
pub fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.options.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_graphic()))
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

async fn catalog(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let base = base_url(&state, &headers);
    let apis: Vec<_> = state
        .routes
        .mounts
        .iter()
        .filter_map(|m| {
            let api = state.catalog.apis.get(m.api)?;
            let spec_url = match api.protocol {
                Protocol::Rest => format!("{base}/_sandbox/apis/{}/openapi.json", api.id),
                Protocol::Soap => format!("{base}{}?wsdl", m.base_path),
            };
            Some(json!({
                "id": api.id,
                "title": api.title,
                "protocol": api.protocol,
                "base_path": if m.base_path.is_empty() { "/" } else { m.base_path.as_str() },
                "url": format!("{base}{}", m.base_path),
                "spec_url": spec_url,
                "operations": api.operations.len(),
            }))
        })
        .collect();
    axum::Json(json!({ "apis": apis })).into_response()
}

async fn openapi(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, MockError> {
    let not_found = || MockError::NotFound {
        path: format!("/_sandbox/apis/{id}/openapi.json"),
    };
    let mount = state.routes.mount(&id).ok_or_else(not_found)?;
    let api = state.catalog.apis.get(mount.api).ok_or_else(not_found)?;
    if api.protocol != Protocol::Rest {
        return Err(not_found());
    }
    let server = format!("{}{}", base_url(&state, &headers), mount.base_path);
    let mut doc = openapi_document(api, &server);
    if !state.options.auth {
        strip_security(&mut doc);
    }
    let mut response = axum::Json(doc).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok(response)
}

/// `--auth off`: the sandbox asks for no credentials, so its description says so.
fn strip_security(doc: &mut serde_json::Value) {
    if let Some(map) = doc.as_object_mut() {
        map.remove("security");
    }
    if let Some(components) = doc.get_mut("components").and_then(|c| c.as_object_mut()) {
        components.remove("securitySchemes");
    }
    if let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for item in paths.values_mut() {
            if let Some(item) = item.as_object_mut() {
                for op in item.values_mut() {
                    if let Some(op) = op.as_object_mut() {
                        op.remove("security");
                    }
                }
            }
        }
    }
}

async fn health(State(state): State<AppState>) -> Response {
    axum::Json(json!({ "status": "ok", "apis": state.catalog.apis.len() })).into_response()
}
