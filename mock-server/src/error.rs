//! The one error type of the sandbox, and its REST rendering as RFC 9457 `application/problem+json`.
//!
//! What the client reads (`title`, `detail`, `errors`) is kept apart from what the log gets
//! (`log_message`), so a 5xx never leaks internals.

use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Serialize;
use serde_json::{Value, json};

use crate::gate::GateDenied;

/// One problem with a request, located (`["body","amount"]`, `["query","limit"]`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldError {
    /// Where: the part of the request first (`path`, `query`, `header`, `cookie`, `body`), then
    /// the property names and array indexes inside it.
    pub location: Vec<Value>,
    /// What is wrong, for a person.
    pub message: String,
    /// A stable code (`required`, `type`, `maximum`, `malformed`...).
    pub code: String,
}

impl FieldError {
    /// A problem at a location given as plain names.
    pub fn new(location: &[&str], message: impl Into<String>, code: impl Into<String>) -> Self {
        FieldError {
            location: location.iter().map(|s| Value::from(*s)).collect(),
            message: message.into(),
            code: code.into(),
        }
    }
}

/// Everything the sandbox can answer other than a mocked response.
#[derive(Debug, thiserror::Error)]
pub enum MockError {
    /// No API serves this path.
    #[error("no operation at {path}")]
    NotFound {
        /// The request path.
        path: String,
    },
    /// The path exists, the method does not.
    #[error("method {method} not allowed")]
    MethodNotAllowed {
        /// The request method.
        method: String,
        /// Methods the path has (for `Allow`).
        allow: Vec<String>,
    },
    /// Nothing the operation returns matches `Accept`.
    #[error("not acceptable: {accept}")]
    NotAcceptable {
        /// The `Accept` header.
        accept: String,
        /// What the operation can return.
        available: Vec<String>,
    },
    /// The body's media type is not one the operation takes.
    #[error("unsupported media type {content_type}")]
    UnsupportedMediaType {
        /// The request's `Content-Type` (empty when missing).
        content_type: String,
        /// What the operation takes.
        expected: Vec<String>,
    },
    /// The body comes in a content coding the sandbox does not decode.
    #[error("unsupported content coding {coding}")]
    UnsupportedEncoding {
        /// The coding, as sent.
        coding: String,
    },
    /// The body is larger than the limit.
    #[error("body larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// Parameters or body do not match the spec: 400 (malformed) or 422 (well-formed but
    /// breaking the schema), or the spec's own 4xx.
    #[error("invalid request: {detail}")]
    Invalid {
        /// 400, 422 or the spec's own client-error status.
        status: StatusCode,
        /// Summary.
        detail: String,
        /// Each problem, located.
        errors: Vec<FieldError>,
    },
    /// `Prefer`/`__code`/`__example` asked for something the operation does not document.
    #[error("{detail}")]
    NoSuchResponse {
        /// What was asked and what exists.
        detail: String,
    },
    /// The access gate refused the call.
    #[error("{}: {}", .0.title, .0.detail)]
    Denied(Box<GateDenied>),
    /// The operation exists but this sandbox cannot answer it (e.g. SOAP before it lands).
    #[error("not implemented: {detail}")]
    NotImplemented {
        /// What is missing.
        detail: String,
    },
    /// A bug or an unusable spec: the client gets a generic message.
    #[error("internal error: {log}")]
    Internal {
        /// For the log only.
        log: String,
    },
}

impl MockError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            MockError::NotFound { .. } => StatusCode::NOT_FOUND,
            MockError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            MockError::NotAcceptable { .. } => StatusCode::NOT_ACCEPTABLE,
            MockError::UnsupportedMediaType { .. } | MockError::UnsupportedEncoding { .. } => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            MockError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            MockError::Invalid { status, .. } => *status,
            MockError::NoSuchResponse { .. } => StatusCode::BAD_REQUEST,
            MockError::Denied(d) => d.status,
            MockError::NotImplemented { .. } => StatusCode::NOT_IMPLEMENTED,
            MockError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable slug naming the kind of problem (the last part of `type`).
    pub fn slug(&self) -> &'static str {
        match self {
            MockError::NotFound { .. } => "not-found",
            MockError::MethodNotAllowed { .. } => "method-not-allowed",
            MockError::NotAcceptable { .. } => "not-acceptable",
            MockError::UnsupportedMediaType { .. } => "unsupported-media-type",
            MockError::UnsupportedEncoding { .. } => "unsupported-content-encoding",
            MockError::PayloadTooLarge { .. } => "payload-too-large",
            MockError::Invalid { .. } => "invalid-request",
            MockError::NoSuchResponse { .. } => "no-such-response",
            MockError::Denied(d) => match d.status.as_u16() {
                401 => "unauthorized",
                403 => "forbidden",
                429 => "rate-limited",
                _ => "denied",
            },
            MockError::NotImplemented { .. } => "not-implemented",
            MockError::Internal { .. } => "internal",
        }
    }

    /// The message for the log (may hold internals).
    pub fn log_message(&self) -> String {
        self.to_string()
    }

    /// The problem+json document the client gets.
    pub fn problem(&self) -> Value {
        let status = self.status();
        let title = match self {
            MockError::Denied(d) => d.title.clone(),
            MockError::Invalid { .. } => "Invalid request".to_string(),
            MockError::NoSuchResponse { .. } => "No such response".to_string(),
            _ => status.canonical_reason().unwrap_or("Error").to_string(),
        };
        let detail = match self {
            MockError::NotFound { path } => {
                format!(
                    "No API of this sandbox has an operation at `{path}`; see /_sandbox/catalog."
                )
            }
            MockError::MethodNotAllowed { method, allow } => {
                format!(
                    "{method} is not allowed here; allowed: {}.",
                    allow.join(", ")
                )
            }
            MockError::NotAcceptable { accept, available } => format!(
                "Nothing matches `Accept: {accept}`; the operation returns {}.",
                available.join(", ")
            ),
            MockError::UnsupportedMediaType {
                content_type,
                expected,
            } => {
                let got = if content_type.is_empty() {
                    "no Content-Type".to_string()
                } else {
                    format!("`{content_type}`")
                };
                format!(
                    "The body has {got}; the operation takes {}.",
                    expected.join(", ")
                )
            }
            MockError::UnsupportedEncoding { coding } => format!(
                "The body is sent with Content-Encoding `{coding}`; the sandbox decodes {} \
                 (or a body sent as it is).",
                crate::coding::ACCEPTED
            ),
            MockError::PayloadTooLarge { limit } => {
                format!("The body is larger than the sandbox's limit of {limit} bytes.")
            }
            MockError::Invalid { detail, .. } | MockError::NoSuchResponse { detail } => {
                detail.clone()
            }
            MockError::Denied(d) => d.detail.clone(),
            MockError::NotImplemented { detail } => detail.clone(),
            MockError::Internal { .. } => {
                "The sandbox could not answer this request; the server log says why.".to_string()
            }
        };
        let mut doc = json!({
            "type": format!("https://portal.invalid/problems/{}", self.slug()),
            "title": title,
            "status": status.as_u16(),
            "detail": detail,
        });
        if let MockError::Invalid { errors, .. } = self {
            doc["errors"] = json!(errors);
        }
        doc
    }

    /// Extra headers (`Allow`, the gate's `WWW-Authenticate`, `Retry-After`...).
    pub fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        match self {
            MockError::MethodNotAllowed { allow, .. } => {
                if let Ok(v) = HeaderValue::from_str(&allow.join(", ")) {
                    headers.insert(header::ALLOW, v);
                }
            }
            MockError::Denied(d) => headers.extend(d.headers.clone()),
            MockError::UnsupportedEncoding { .. } => {
                headers.insert(
                    header::ACCEPT_ENCODING,
                    HeaderValue::from_static(crate::coding::ACCEPTED),
                );
            }
            _ => {}
        }
        headers
    }
}

/// The client id for logs, carried in response extensions.
#[derive(Debug, Clone)]
pub struct ClientId(pub String);

impl IntoResponse for MockError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %self.log_message(), "request failed");
        }
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response.headers_mut().extend(self.headers());
        if let MockError::Denied(d) = &self {
            if let Some(id) = &d.client_id {
                response.extensions_mut().insert(ClientId(id.clone()));
            }
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_renders_errors_with_locations() {
        let e = MockError::Invalid {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: "The body breaks the schema.".into(),
            errors: vec![FieldError::new(
                &["body", "amount"],
                "is not a number",
                "type",
            )],
        };
        let doc = e.problem();
        assert_eq!(doc["status"], 422);
        assert_eq!(doc["errors"][0]["location"], json!(["body", "amount"]));
        assert_eq!(doc["errors"][0]["code"], "type");
        assert!(
            doc["type"]
                .as_str()
                .is_some_and(|t| t.ends_with("invalid-request"))
        );
    }

    #[test]
    fn internal_error_does_not_leak() {
        let e = MockError::Internal {
            log: "secret path /etc/x".into(),
        };
        let doc = e.problem();
        assert!(!doc.to_string().contains("/etc/x"));
        assert_eq!(doc["status"], 500);
    }

    #[test]
    fn method_not_allowed_sets_allow() {
        let e = MockError::MethodNotAllowed {
            method: "DELETE".into(),
            allow: vec!["GET".into(), "HEAD".into()],
        };
        assert_eq!(e.headers()[header::ALLOW], "GET, HEAD");
    }
}
