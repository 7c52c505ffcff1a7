//! SOAP endpoints. The router sends every request whose path is a SOAP API's mount here; the
//! SOAP sandbox (issue 6) replaces this placeholder.

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::Request;

use crate::error::MockError;
use crate::state::AppState;

/// Answer a request to the SOAP API at index `api` of the catalog (its mount path, any method,
/// `?wsdl` included).
pub async fn handle(state: AppState, api: usize, request: Request<Body>) -> Response {
    let title = state
        .catalog
        .apis
        .get(api)
        .map_or_else(String::new, |a| a.title.clone());
    drop(request);
    MockError::NotImplemented {
        detail: format!("The SOAP sandbox for `{title}` is not built yet."),
    }
    .into_response()
}
