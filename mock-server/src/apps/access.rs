//! What an operation asks of a call, worked out once per catalog: for each alternative security
//! requirement, the credentials to read (header names parsed, where each key is, which keys are
//! secrets, which scopes a token needs), and the plans that grant the operation. The gate reads a
//! call against it without looking a scheme up by name or parsing a header name per call.

use std::borrow::Cow;
use std::sync::{LazyLock, Mutex};

use foldhash::HashMap;

use api_model::{
    Api, ApiKeyLocation, HttpAuthScheme, Operation, Protocol, SecurityRequirement,
    SecuritySchemeKind,
};
use http::{HeaderMap, HeaderName};

use super::gate::{
    CLIENT_ID_HEADER, CLIENT_SECRET_HEADER, basic, bearer, cookie, header, query_param,
};
use super::plans::Grant;

/// `X-IBM-Client-Id`, parsed once (the gate reads it, and the log line falls back to it).
pub(crate) static CLIENT_ID: HeaderName = HeaderName::from_static(CLIENT_ID_HEADER);
static CLIENT_SECRET: HeaderName = HeaderName::from_static(CLIENT_SECRET_HEADER);

/// Where an API key is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
enum KeyAt {
    /// A header; `None` when the spec's name cannot be a header name (never sent then).
    Header(Option<HeaderName>),
    /// A query parameter.
    Query(String),
    /// A cookie.
    Cookie(String),
}

/// One credential a requirement asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Credential {
    /// An API key: the client secret when the scheme's name mentions "secret", else the client
    /// ID; IBM's `X-IBM-Client-Secret` / `X-IBM-Client-Id` stand in when the spec's own place
    /// is empty.
    ApiKey { at: KeyAt, secret: bool },
    /// HTTP Basic: `client_id:secret`.
    Basic,
    /// An access token (HTTP Bearer, OAuth2, OpenID Connect).
    Bearer,
    /// A SOAP API listed in `sandbox.soap_client_id`: `X-IBM-Client-Id`, and its secret when
    /// `X-IBM-Client-Secret` is sent.
    SoapClientId,
}

/// One security requirement: every credential must be presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Requirement {
    credentials: Vec<Credential>,
    /// The OAuth2 / OpenID Connect scopes the requirement asks the access token for.
    scopes: Vec<String>,
}

/// Credentials a call presents for one requirement, borrowed from the request where they can be.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Presented<'a> {
    pub client_id: Option<Cow<'a, str>>,
    pub secret: Option<Cow<'a, str>>,
    pub need_secret: bool,
    pub bearer: Option<&'a str>,
    /// OAuth2 scopes the requirement asks the access token for.
    pub scopes: &'a [String],
    /// A credential the requirement asks for is absent.
    pub missing: bool,
    /// Two client IDs that disagree.
    pub conflict: bool,
}

impl<'a> Presented<'a> {
    fn set_client_id(&mut self, id: Cow<'a, str>) {
        match &self.client_id {
            Some(existing) if *existing != id => self.conflict = true,
            _ => self.client_id = Some(id),
        }
    }
}

impl Requirement {
    /// What a call presents for this requirement. Pure.
    pub(crate) fn presented<'a>(
        &'a self,
        headers: &'a HeaderMap,
        query: Option<&'a str>,
    ) -> Presented<'a> {
        let mut p = Presented {
            scopes: &self.scopes,
            ..Presented::default()
        };
        for credential in &self.credentials {
            match credential {
                Credential::ApiKey { at, secret } => {
                    let fallback = if *secret { &CLIENT_SECRET } else { &CLIENT_ID };
                    let value = match at {
                        KeyAt::Header(Some(name)) => header(headers, name).map(Cow::Borrowed),
                        KeyAt::Header(None) => None,
                        KeyAt::Query(name) => query_param(query, name),
                        KeyAt::Cookie(name) => cookie(headers, name).map(Cow::Borrowed),
                    }
                    .or_else(|| header(headers, fallback).map(Cow::Borrowed));
                    match (value, secret) {
                        (None, _) => p.missing = true,
                        (Some(v), true) => {
                            p.need_secret = true;
                            p.secret = Some(v);
                        }
                        (Some(v), false) => p.set_client_id(v),
                    }
                }
                Credential::Basic => {
                    p.need_secret = true;
                    match basic(headers) {
                        Some((id, secret)) => {
                            p.set_client_id(Cow::Owned(id));
                            p.secret = Some(Cow::Owned(secret));
                        }
                        None => p.missing = true,
                    }
                }
                Credential::Bearer => match bearer(headers) {
                    Some(token) => p.bearer = Some(token),
                    None => p.missing = true,
                },
                Credential::SoapClientId => {
                    match header(headers, &CLIENT_ID) {
                        Some(id) => p.set_client_id(Cow::Borrowed(id)),
                        None => p.missing = true,
                    }
                    if let Some(secret) = header(headers, &CLIENT_SECRET) {
                        p.secret = Some(Cow::Borrowed(secret));
                        p.need_secret = true;
                    }
                }
            }
        }
        p
    }
}

/// An operation as usage totals count it: its ids, and a number that stands for them for the
/// life of the process, so that counting a call hashes no string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationKey {
    /// API id.
    pub api: String,
    /// Operation id.
    pub operation: String,
    /// The number of (`api`, `operation`).
    pub slot: u32,
}

/// Every (api, operation) numbered so far, both ways. Bounded by the operations the catalogs
/// of the process (and the usage rows of its database) ever name.
#[derive(Default)]
struct Operations {
    slots: HashMap<(String, String), u32>,
    names: Vec<(String, String)>,
}

static OPERATIONS: LazyLock<Mutex<Operations>> = LazyLock::new(Mutex::default);

fn operations() -> std::sync::MutexGuard<'static, Operations> {
    OPERATIONS.lock().unwrap_or_else(|p| p.into_inner())
}

impl OperationKey {
    /// The key of an operation, numbered on first sight.
    pub fn new(api: &str, operation: &str) -> OperationKey {
        let mut ops = operations();
        let ids = (api.to_string(), operation.to_string());
        let slot = match ops.slots.get(&ids) {
            Some(slot) => *slot,
            None => {
                let slot = u32::try_from(ops.names.len()).unwrap_or(u32::MAX);
                ops.names.push(ids.clone());
                ops.slots.insert(ids.clone(), slot);
                slot
            }
        };
        OperationKey {
            api: ids.0,
            operation: ids.1,
            slot,
        }
    }

    /// The (api, operation) ids of numbered operations, one per slot asked, in that order (a
    /// number never handed out, which cannot happen, names nothing: empty ids).
    pub fn names(slots: impl IntoIterator<Item = u32>) -> Vec<(String, String)> {
        let ops = operations();
        slots
            .into_iter()
            .map(|slot| {
                usize::try_from(slot)
                    .ok()
                    .and_then(|slot| ops.names.get(slot).cloned())
                    .unwrap_or_default()
            })
            .collect()
    }
}

/// What the gate needs to know about one operation.
#[derive(Debug, Clone)]
pub struct Access {
    /// The operation, for usage totals.
    pub key: OperationKey,
    /// Alternative requirements, any of which admits a call. Empty: the operation is open (no
    /// security, or a requirement the sandbox cannot check, which it lets through).
    pub(crate) requirements: Vec<Requirement>,
    /// The plans that grant the operation, in catalog order.
    pub grants: Vec<Grant>,
}

impl Access {
    /// The access rules of an operation of `api`. `soap_client_id`: the API is listed in
    /// `sandbox.soap_client_id`. Pure.
    pub fn new(
        api: &Api,
        operation: &Operation,
        soap_client_id: bool,
        grants: Vec<Grant>,
    ) -> Access {
        let security = operation.effective_security(api);
        let requirements = if security.is_empty() {
            if soap_client_id && api.protocol == Protocol::Soap {
                vec![Requirement {
                    credentials: vec![Credential::SoapClientId],
                    scopes: Vec::new(),
                }]
            } else {
                Vec::new()
            }
        } else {
            let compiled: Vec<Requirement> = security
                .iter()
                .map(|requirement| compile(api, requirement))
                .collect();
            // A requirement with nothing the sandbox can check is met by any call.
            if compiled.iter().any(|r| r.credentials.is_empty()) {
                Vec::new()
            } else {
                compiled
            }
        };
        Access {
            key: OperationKey::new(&api.id, &operation.id),
            requirements,
            grants,
        }
    }

    /// No credential is checked.
    pub fn is_open(&self) -> bool {
        self.requirements.is_empty()
    }
}

/// The credentials of one requirement, in the order of its schemes. Schemes the spec does not
/// declare, and schemes the sandbox cannot verify (Digest and other HTTP schemes, mutual TLS,
/// WS-Security), add none.
fn compile(api: &Api, requirement: &SecurityRequirement) -> Requirement {
    let mut credentials = Vec::new();
    let mut all_scopes = Vec::new();
    for (name, scopes) in requirement {
        let Some(scheme) = api.security_schemes.get(name) else {
            continue;
        };
        match &scheme.kind {
            SecuritySchemeKind::ApiKey { name, location } => {
                let secret = name
                    .as_bytes()
                    .windows(6)
                    .any(|w| w.eq_ignore_ascii_case(b"secret"));
                let at = match location {
                    ApiKeyLocation::Header => {
                        KeyAt::Header(HeaderName::from_bytes(name.as_bytes()).ok())
                    }
                    ApiKeyLocation::Query => KeyAt::Query(name.clone()),
                    ApiKeyLocation::Cookie => KeyAt::Cookie(name.clone()),
                };
                credentials.push(Credential::ApiKey { at, secret });
            }
            SecuritySchemeKind::Http {
                scheme: HttpAuthScheme::Basic,
                ..
            } => credentials.push(Credential::Basic),
            SecuritySchemeKind::Http {
                scheme: HttpAuthScheme::Bearer,
                ..
            } => credentials.push(Credential::Bearer),
            SecuritySchemeKind::OAuth2 { .. } | SecuritySchemeKind::OpenIdConnect { .. } => {
                credentials.push(Credential::Bearer);
                all_scopes.extend(scopes.iter().cloned());
            }
            SecuritySchemeKind::Http { .. }
            | SecuritySchemeKind::MutualTls
            | SecuritySchemeKind::WsSecurityUsernameToken => {}
        }
    }
    Requirement {
        credentials,
        scopes: all_scopes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{header_map as headers, pet_api};

    #[test]
    fn alternatives_and_credentials_are_read_from_the_spec() {
        let api = pet_api();
        let op = api
            .operations
            .iter()
            .find(|o| o.id == "secret")
            .expect("op");
        let access = Access::new(&api, op, false, Vec::new());
        assert!(!access.is_open());
        assert_eq!(access.requirements.len(), 2);
        let h = headers(&[("x-api-key", "k")]);
        let first = access.requirements[0].presented(&h, None);
        assert!(!first.missing);
        assert_eq!(first.client_id.as_deref(), Some("k"));
        let second = access.requirements[1].presented(&h, None);
        assert!(second.missing, "Basic was not sent");
        // IBM's header stands in for the spec's own.
        let h = headers(&[("x-ibm-client-id", "id")]);
        let first = access.requirements[0].presented(&h, None);
        assert_eq!(first.client_id.as_deref(), Some("id"));
    }

    #[test]
    fn operation_keys_are_numbered_once_and_named_back() {
        let a = OperationKey::new("access-test-api", "one");
        let b = OperationKey::new("access-test-api", "two");
        assert_ne!(a.slot, b.slot);
        assert_eq!(OperationKey::new("access-test-api", "one"), a);
        assert_eq!(
            OperationKey::names([b.slot, a.slot]),
            [
                ("access-test-api".to_string(), "two".to_string()),
                ("access-test-api".to_string(), "one".to_string())
            ]
        );
    }

    #[test]
    fn operations_without_security_are_open_unless_soap_needs_the_client_id() {
        let api = pet_api();
        let op = &api.operations[0];
        assert!(Access::new(&api, op, false, Vec::new()).is_open());
        // Only SOAP APIs take the client-ID rule.
        assert!(Access::new(&api, op, true, Vec::new()).is_open());
        let mut soap = pet_api();
        soap.protocol = Protocol::Soap;
        let access = Access::new(&soap, &soap.operations[0], true, Vec::new());
        assert!(!access.is_open());
        let h = headers(&[("x-ibm-client-id", "id"), ("x-ibm-client-secret", "s")]);
        let p = access.requirements[0].presented(&h, None);
        assert_eq!(p.client_id.as_deref(), Some("id"));
        assert!(p.need_secret);
        assert!(
            access.requirements[0]
                .presented(&HeaderMap::new(), None)
                .missing
        );
    }
}
