//! The bridge between the router and the SOAP handler: per-API data prepared at start-up (mounts
//! with their final paths, the WSDL files' text for `?wsdl`) and the axum-facing [`handle`].

use std::collections::HashMap;
use std::path::PathBuf;

use api_model::{Catalog, Protocol};
use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Request, StatusCode, header};

use super::envelope::Limits;
use super::fault::Fault;
use super::handler::{SoapRequest, SoapService, handle_call};
use super::mounts::{SoapMount, soap_mounts};
use crate::coding::DecodeError;
use crate::error::ClientId;
use crate::router::Routes;
use crate::state::AppState;

/// What the SOAP sandbox knows of one API.
#[derive(Debug, Clone, Default)]
pub struct SoapApi {
    /// Every mount with the path it is served at (after the overlap rule).
    pub mounts: Vec<(SoapMount, String)>,
    /// The API's files by path relative to the specs folder (for `?wsdl`).
    pub files: HashMap<String, String>,
}

/// The SOAP side of the sandbox's state.
#[derive(Debug, Clone, Default)]
pub struct SoapSandbox {
    /// By API index in the catalog.
    pub apis: HashMap<usize, SoapApi>,
}

impl SoapSandbox {
    /// Mounts of every SOAP API, with the final paths the router chose. No files yet.
    pub fn new(catalog: &Catalog, routes: &Routes) -> SoapSandbox {
        let mut apis = HashMap::new();
        for mount in &routes.mounts {
            let Some(api) = catalog.apis.get(mount.api) else {
                continue;
            };
            if api.protocol != Protocol::Soap {
                continue;
            }
            let mounts = soap_mounts(api)
                .into_iter()
                .enumerate()
                .map(|(i, m)| {
                    let path = mount
                        .endpoints
                        .get(i)
                        .cloned()
                        .unwrap_or_else(|| mount.base_path.clone());
                    (m, path)
                })
                .collect();
            apis.insert(
                mount.api,
                SoapApi {
                    mounts,
                    files: HashMap::new(),
                },
            );
        }
        SoapSandbox { apis }
    }

    /// Read every SOAP API's files from the folders (or files) the catalog was loaded from, so
    /// that `?wsdl` serves them. Unreadable files are left out (and answer 404).
    pub fn read_files(&mut self, catalog: &Catalog, spec_paths: &[PathBuf]) {
        let roots: Vec<PathBuf> = spec_paths
            .iter()
            .map(|p| api_model::load::spec_root(p))
            .collect();
        for (index, soap) in &mut self.apis {
            let Some(api) = catalog.apis.get(*index) else {
                continue;
            };
            let Some(root) = roots.iter().find(|r| r.join(&api.source.path).is_file()) else {
                tracing::warn!(api = %api.id, "the WSDL's folder was not found; ?wsdl will answer 404");
                continue;
            };
            for file in &api.source.files {
                match std::fs::read_to_string(root.join(file)) {
                    Ok(text) => {
                        let text = text
                            .strip_prefix('\u{feff}')
                            .map(str::to_string)
                            .unwrap_or(text);
                        soap.files.insert(file.clone(), text);
                    }
                    Err(e) => tracing::warn!(api = %api.id, file, error = %e, "cannot read"),
                }
            }
        }
    }
}

/// Answer a request to the SOAP API at index `api` of the catalog (any of its mount paths, any
/// method, `?wsdl` included).
pub async fn handle(state: AppState, api: usize, request: Request<Body>) -> Response {
    let (Some(model), Some(soap)) = (state.catalog.apis.get(api), state.soap.apis.get(&api)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let path = request.uri().path().trim_end_matches('/');
    let mount = soap
        .mounts
        .iter()
        .position(|(_, p)| p.trim_end_matches('/') == path)
        .unwrap_or(0);
    let (parts, body) = request.into_parts();
    let max = state.options.max_body_bytes;
    let version = || {
        super::envelope::transport(
            parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            None,
        )
        .map_or(api_model::SoapVersion::V11, |t| t.version)
    };
    let too_large = || {
        Fault::sender(
            version(),
            format!("the request is over the limit of {max} bytes"),
        )
        .with_status(StatusCode::PAYLOAD_TOO_LARGE)
    };
    let refused = |fault: Fault, extra: Option<(header::HeaderName, &'static str)>| {
        let mut headers = fault.response_headers();
        if let Some((name, value)) = extra {
            headers.insert(name, http::HeaderValue::from_static(value));
        }
        reply_to_response(fault.http_status(), headers, fault.to_xml(), None)
    };
    let Ok(bytes) = axum::body::to_bytes(body, max).await else {
        return refused(too_large(), None);
    };
    let bytes = match crate::coding::decode_request(bytes, &parts.headers, max) {
        Ok(bytes) => bytes,
        Err(DecodeError::TooLarge) => return refused(too_large(), None),
        Err(DecodeError::Unsupported(coding)) => {
            let fault = Fault::sender(
                version(),
                format!(
                    "the request is sent with Content-Encoding {coding}; the sandbox decodes {}",
                    crate::coding::ACCEPTED
                ),
            )
            .with_status(StatusCode::UNSUPPORTED_MEDIA_TYPE);
            return refused(
                fault,
                Some((header::ACCEPT_ENCODING, crate::coding::ACCEPTED)),
            );
        }
        Err(DecodeError::Corrupt { coding, reason }) => {
            let fault = Fault::sender(
                version(),
                format!(
                    "the request is not valid {coding}, as its Content-Encoding says: {reason}"
                ),
            );
            return refused(fault, None);
        }
    };
    let read = |file: &str| soap.files.get(file).cloned();
    let service = SoapService {
        api: model,
        mounts: &soap.mounts,
        mount,
        gate: state.gate.as_ref(),
        seed: state.options.seed,
        auth: state.options.auth,
        client_id_required: state.config.sandbox.soap_client_id.contains(&model.id),
        limits: Limits {
            max_bytes: max,
            ..Limits::default()
        },
        read_file: &read,
        public_url: state.options.public_url.as_deref(),
        memo: Some((state.bodies.as_ref(), api)),
    };
    let request = SoapRequest {
        method: &parts.method,
        query: parts.uri.query(),
        headers: &parts.headers,
        body: &bytes,
    };
    let reply = handle_call(&service, request).await;
    let head = parts.method == http::Method::HEAD;
    reply_to_response(
        reply.status,
        reply.headers,
        if head { String::new() } else { reply.body },
        reply.client_id,
    )
}

fn reply_to_response(
    status: StatusCode,
    headers: http::HeaderMap,
    body: String,
    client_id: Option<String>,
) -> Response {
    let mut response = (status, body).into_response();
    let out = response.headers_mut();
    out.remove(header::CONTENT_TYPE);
    for (name, value) in &headers {
        out.append(name, value.clone());
    }
    if !out.contains_key(header::CONTENT_TYPE) && status != StatusCode::ACCEPTED {
        out.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/xml; charset=utf-8"),
        );
    }
    if let Some(id) = client_id {
        response.extensions_mut().insert(ClientId(id));
    }
    response
}
