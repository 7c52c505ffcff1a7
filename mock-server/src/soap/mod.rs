//! The SOAP sandbox: serves each WSDL's operations at its endpoint addresses, from the WSDL alone.
//!
//! A request goes: [`envelope`] (safe parse, version) -> [`dispatch`] (which operation) ->
//! the access gate -> [`validate`] (the input message's XSD) -> [`handler`] (the response envelope
//! or a [`fault`]). [`wsdl_serve`] answers `?wsdl` with the addresses rewritten to the sandbox,
//! and [`mounts`] says at which paths an API is served.

pub mod dispatch;
pub mod envelope;
pub mod fault;
pub mod handler;
pub mod mounts;
pub mod response;
pub mod validate;
pub mod wsdl_serve;

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
pub(crate) mod fixtures;
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
