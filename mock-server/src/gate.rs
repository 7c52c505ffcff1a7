//! The access gate every sandbox call passes before it is answered: credentials, subscriptions
//! and rate limits. The REST and SOAP handlers call it; what it decides is independent of the
//! protocol, and each handler renders a denial its own way (problem+json or a SOAP Fault).

use std::future::Future;
use std::pin::Pin;

use api_model::{Api, Operation};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

/// What the gate sees of a call.
#[derive(Debug, Clone, Copy)]
pub struct GateRequest<'a> {
    /// The API called.
    pub api: &'a Api,
    /// The operation called.
    pub operation: &'a Operation,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// Raw query string, if any.
    pub query: Option<&'a str>,
}

/// Headers the gate adds to an answer (the rate-limit state): a short list, put straight into
/// the response's own map rather than into a map of their own first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GateHeaders(Vec<(HeaderName, HeaderValue)>);

impl GateHeaders {
    /// No headers, with room for `n`.
    pub fn with_capacity(n: usize) -> GateHeaders {
        GateHeaders(Vec::with_capacity(n))
    }

    /// Add a header whose name is not in the list yet (the gate writes each name once).
    pub fn push(&mut self, name: HeaderName, value: HeaderValue) {
        debug_assert!(self.0.iter().all(|(n, _)| *n != name));
        self.0.push((name, value));
    }

    /// No headers.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many headers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether a header of this name is in the list.
    pub fn contains(&self, name: &HeaderName) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    /// Put every header into `map`, replacing what `map` has under the same names (a spec's
    /// documented example `RateLimit` gives way to the real one).
    pub fn apply_to(self, map: &mut HeaderMap) {
        for (name, value) in self.0 {
            map.insert(name, value);
        }
    }

    /// The headers as a map of their own.
    pub fn into_map(self) -> HeaderMap {
        let mut map = HeaderMap::with_capacity(self.0.len());
        self.apply_to(&mut map);
        map
    }
}

/// The call may go on.
#[derive(Debug, Clone, Default)]
pub struct GateOk {
    /// Headers to add to the response (rate-limit state).
    pub headers: GateHeaders,
    /// The app the call was made with, for logs, when the call did not send it as
    /// `X-IBM-Client-Id` (it came from a token, Basic or the spec's own key name): a log line
    /// falls back to that header, so the common case copies nothing.
    pub client_id: Option<String>,
}

/// The call is refused.
#[derive(Debug, Clone)]
pub struct GateDenied {
    /// 401, 403, 429 or 503.
    pub status: StatusCode,
    /// Short title (problem+json `title`, SOAP faultstring prefix).
    pub title: String,
    /// What to do about it, for the client.
    pub detail: String,
    /// Headers to send (`WWW-Authenticate`, `Retry-After`, rate-limit headers).
    pub headers: HeaderMap,
    /// The app, if one was identified.
    pub client_id: Option<String>,
}

/// A boxed future, so gates can be trait objects.
pub type GateFuture<'a> = Pin<Box<dyn Future<Output = Result<GateOk, GateDenied>> + Send + 'a>>;

/// Decides whether a call may go on.
pub trait Gate: Send + Sync + 'static {
    /// Check (and, for rate limits, count) one call, atomically.
    fn check<'a>(&'a self, request: GateRequest<'a>) -> GateFuture<'a>;
}

/// `--auth off`: every call goes on.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenGate;

impl Gate for OpenGate {
    fn check<'a>(&'a self, _request: GateRequest<'a>) -> GateFuture<'a> {
        Box::pin(async { Ok(GateOk::default()) })
    }
}
