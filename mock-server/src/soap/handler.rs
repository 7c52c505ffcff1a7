//! One SOAP call, start to end: `?wsdl`, the version, the envelope, dispatch, `mustUnderstand`,
//! the access gate, WS-Security and client-ID headers, a fault asked for on purpose, validation,
//! and the response envelope (or 202 for a one-way operation).
//!
//! [`handle_call`] knows nothing of axum: it takes the request's parts and returns a
//! [`SoapReply`], so it is tested directly and wrapped by the router.

use api_model::example::Seed;
use api_model::{Api, SecuritySchemeKind, SoapVersion};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

use super::dispatch::{Target, dispatch};
use super::envelope::{self, Envelope, Limits, WSSE_NS};
use super::fault::{Fault, content_type};
use super::mounts::SoapMount;
use super::response;
use super::validate::validate_body;
use super::wsdl_serve::{
    SOAP_ENCODING_FILE, SOAP_ENCODING_XSD, ServeContext, WsdlRequest, rewrite, wsdl_request,
};
use crate::gate::{Gate, GateRequest};

/// The namespace of the sandbox's own detail elements.
pub const SANDBOX_NS: &str = "urn:portal:sandbox";

/// Reads one of an API's files by its path relative to the specs folder.
pub type ReadFile<'a> = dyn Fn(&str) -> Option<String> + Send + Sync + 'a;

/// What the handler needs to know about the sandbox and the API called.
pub struct SoapService<'a> {
    /// The API.
    pub api: &'a Api,
    /// Every mount of the API with the path it is finally served at (after the overlap rule).
    pub mounts: &'a [(SoapMount, String)],
    /// Which of `mounts` was called.
    pub mount: usize,
    /// The access gate.
    pub gate: &'a dyn Gate,
    /// The sandbox-wide seed (`--seed`).
    pub seed: u64,
    /// `--auth on`: check WS-Security and client-ID headers.
    pub auth: bool,
    /// `portal.toml` lists the API under `sandbox.soap_client_id`.
    pub client_id_required: bool,
    /// Envelope limits.
    pub limits: Limits,
    /// Reads the API's files for `?wsdl`.
    pub read_file: &'a ReadFile<'a>,
    /// The sandbox's public URL when configured (else each request's `Host` is used).
    pub public_url: Option<&'a str>,
    /// The memo of generated responses, with the API's index in the catalog.
    pub memo: Option<(&'a crate::bodies::Bodies, usize)>,
}

/// The parts of an HTTP request the handler reads.
#[derive(Debug, Clone, Copy)]
pub struct SoapRequest<'a> {
    /// Method.
    pub method: &'a Method,
    /// Raw query string.
    pub query: Option<&'a str>,
    /// Headers.
    pub headers: &'a HeaderMap,
    /// Body bytes.
    pub body: &'a [u8],
}

/// An HTTP response.
#[derive(Debug, Clone, PartialEq)]
pub struct SoapReply {
    /// Status.
    pub status: StatusCode,
    /// Headers (Content-Type included).
    pub headers: HeaderMap,
    /// Body.
    pub body: String,
    /// The operation called, for the request log.
    pub operation: Option<String>,
    /// The app, for the request log.
    pub client_id: Option<String>,
}

impl SoapReply {
    fn fault(fault: &Fault) -> SoapReply {
        SoapReply {
            status: fault.http_status(),
            headers: fault.response_headers(),
            body: fault.to_xml(),
            operation: None,
            client_id: None,
        }
    }

    fn text(status: StatusCode, content_type: &'static str, body: String) -> SoapReply {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        SoapReply {
            status,
            headers,
            body,
            operation: None,
            client_id: None,
        }
    }
}

/// The sandbox URL as the client sees it, from `Host` (and `X-Forwarded-Proto`).
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes().all(|b| b.is_ascii_graphic())
                && !h.contains(['/', '"', '<', '>'])
        })
        .unwrap_or("127.0.0.1");
    let scheme = match headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
    {
        Some(p) if p.eq_ignore_ascii_case("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

/// Answer one request made to a SOAP mount.
pub async fn handle_call(svc: &SoapService<'_>, req: SoapRequest<'_>) -> SoapReply {
    if *req.method == Method::GET || *req.method == Method::HEAD {
        return get(svc, req);
    }
    if *req.method != Method::POST {
        let mut reply = SoapReply::text(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            "a SOAP endpoint: POST an envelope, or GET ?wsdl\n".into(),
        );
        reply
            .headers
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, POST"));
        return reply;
    }
    match post(svc, req).await {
        Ok(reply) => reply,
        Err((fault, operation, client_id)) => {
            let mut reply = SoapReply::fault(&fault);
            reply.operation = operation;
            reply.client_id = client_id;
            reply
        }
    }
}

fn get(svc: &SoapService<'_>, req: SoapRequest<'_>) -> SoapReply {
    let Some(what) = wsdl_request(req.query) else {
        let mut reply = SoapReply::text(
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain; charset=utf-8",
            "a SOAP endpoint: POST an envelope, or GET ?wsdl\n".into(),
        );
        reply
            .headers
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD, POST"));
        return reply;
    };
    let path = svc.mounts.get(svc.mount).map_or("", |(_, p)| p.as_str());
    let base = svc.public_url.map_or_else(
        || base_url(req.headers),
        |u| u.trim_end_matches('/').to_string(),
    );
    let ctx = ServeContext::new(svc.api, svc.mounts, &base, path);
    let not_found = || {
        SoapReply::text(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "no such file in this API's WSDL\n".into(),
        )
    };
    if what == WsdlRequest::File(SOAP_ENCODING_FILE.to_string()) {
        return SoapReply::text(
            StatusCode::OK,
            "text/xml; charset=utf-8",
            SOAP_ENCODING_XSD.to_string(),
        );
    }
    let Some(file) = ctx.file_for(&what) else {
        return not_found();
    };
    let Some(text) = (svc.read_file)(file) else {
        return not_found();
    };
    match rewrite(&text, file, &ctx) {
        Ok(body) => SoapReply::text(StatusCode::OK, "text/xml; charset=utf-8", body),
        Err(message) => {
            tracing::error!(file, %message, "cannot serve WSDL");
            SoapReply::text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "text/plain; charset=utf-8",
                "the WSDL could not be served\n".into(),
            )
        }
    }
}

type Refusal = (Fault, Option<String>, Option<String>);

async fn post(svc: &SoapService<'_>, req: SoapRequest<'_>) -> Result<SoapReply, Refusal> {
    let header = |name: &str| req.headers.get(name).and_then(|v| v.to_str().ok());
    let transport = envelope::transport(header("content-type"), header("soapaction"))
        .map_err(|f| (f, None, None))?;
    let env =
        envelope::parse(req.body, &svc.limits, transport.version).map_err(|f| (f, None, None))?;
    if env.version != transport.version {
        let fault = Fault::version_mismatch(
            env.version,
            format!(
                "a SOAP {} envelope was sent as {}: SOAP 1.1 goes with text/xml, SOAP 1.2 with application/soap+xml",
                version_name(env.version),
                transport.version.content_type()
            ),
        );
        return Err((fault, None, None));
    }
    let version = env.version;
    let (mount, _) = svc.mounts.get(svc.mount).ok_or_else(|| {
        (
            Fault::receiver(version, "this endpoint is not configured"),
            None,
            None,
        )
    })?;
    let target = dispatch(
        svc.api,
        mount,
        svc.mounts,
        version,
        transport.action.as_deref(),
        &env.body,
    )
    .map_err(|f| (f, None, None))?;
    let op_id = Some(target.operation.id.clone());
    if let Some(block) = not_understood(&env, &target) {
        let fault = Fault::new(
            version,
            super::fault::FaultCode::MustUnderstand,
            format!(
                "the header block {} is marked mustUnderstand and is not understood here",
                block
            ),
        );
        return Err((fault, op_id, None));
    }
    let client_id = header("x-ibm-client-id").map(str::to_string);
    if svc.auth {
        check_credentials(svc, &env, &target, req.headers)
            .map_err(|f| (f, op_id.clone(), client_id.clone()))?;
    }
    let gate = svc
        .gate
        .check(GateRequest {
            api: svc.api,
            operation: target.operation,
            headers: req.headers,
            query: req.query,
        })
        .await;
    let gate_ok = match gate {
        Ok(ok) => ok,
        Err(denied) => {
            let subcode = match denied.status.as_u16() {
                401 => "FailedAuthentication",
                403 => "NotSubscribed",
                429 => "RateLimitExceeded",
                _ => "Unavailable",
            };
            let code = if denied.status.is_server_error() {
                super::fault::FaultCode::Receiver
            } else {
                super::fault::FaultCode::Sender
            };
            let mut fault = Fault::new(
                version,
                code,
                format!("{}: {}", denied.title, denied.detail),
            )
            .with_subcode(SANDBOX_NS, subcode)
            .with_status(denied.status);
            fault.headers = Box::new(denied.headers);
            return Err((fault, op_id, denied.client_id.or(client_id)));
        }
    };
    let client_id = gate_ok.client_id.clone().or(client_id);
    let seed = request_seed(svc, &target, &env);
    if let Some(name) = requested_fault(req.headers, req.query) {
        let fault = declared_fault(svc.api, &target, version, &name, seed);
        let mut fault = fault;
        gate_ok.headers.apply_to(&mut fault.headers);
        return Err((fault, op_id, client_id));
    }
    let problems = validate_body(svc.api, target.soap, target.binding, &env.body);
    if let Some(first) = problems.first() {
        let mut detail = format!(r#"<sbx:ValidationErrors xmlns:sbx="{SANDBOX_NS}">"#);
        for p in &problems {
            detail.push_str(&format!(
                r#"<sbx:Error path="{}">{}</sbx:Error>"#,
                quick_xml::escape::escape(p.path.as_str()),
                quick_xml::escape::escape(p.message.as_str())
            ));
        }
        detail.push_str("</sbx:ValidationErrors>");
        let more = match problems.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        let fault = Fault::sender(
            version,
            format!(
                "the request does not match the input of {}: {first}{more}",
                target.soap.name
            ),
        )
        .with_detail(detail);
        return Err((fault, op_id, client_id));
    }
    let mut headers = gate_ok.headers.into_map();
    if target.soap.output.is_none() {
        return Ok(SoapReply {
            status: StatusCode::ACCEPTED,
            headers,
            body: String::new(),
            operation: op_id,
            client_id,
        });
    }
    let body = remembered_envelope(svc, &target, version, seed);
    let ct = match (version, target.binding.action.as_deref()) {
        (SoapVersion::V12, Some(action)) if !action.contains('"') => {
            format!(r#"{}; action="{action}Response""#, content_type(version))
        }
        _ => content_type(version).to_string(),
    };
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&ct).unwrap_or(HeaderValue::from_static("text/xml; charset=utf-8")),
    );
    Ok(SoapReply {
        status: StatusCode::OK,
        headers,
        body,
        operation: op_id,
        client_id,
    })
}

/// The response envelope, from the memo when this call was answered before (the envelope is a
/// pure function of the API, operation, port, version and seed).
fn remembered_envelope(
    svc: &SoapService<'_>,
    target: &Target<'_>,
    version: SoapVersion,
    seed: Seed,
) -> String {
    let op = svc
        .api
        .operations
        .iter()
        .position(|o| std::ptr::eq(o, target.operation));
    let (Some((memo, api)), Some(op)) = (svc.memo, op) else {
        return response::response_envelope(svc.api, target, version, seed);
    };
    let key = crate::bodies::BodyKey {
        api,
        op,
        response: svc.mount,
        media: Some(content_type(version).into()),
        content_type: None,
        example: None,
        dynamic: false,
        seed,
    };
    let rendered = memo.get_or_render(key, || {
        Ok::<_, std::convert::Infallible>(crate::bodies::Rendered {
            body: response::response_envelope(svc.api, target, version, seed).into(),
            headers: HeaderMap::new(),
        })
    });
    match rendered {
        Ok(r) => String::from_utf8_lossy(&r.body).into_owned(),
        Err(never) => match never {},
    }
}

fn version_name(v: SoapVersion) -> &'static str {
    match v {
        SoapVersion::V11 => "1.1",
        SoapVersion::V12 => "1.2",
    }
}

/// The seed of a response: sandbox seed, API, operation, binding version and the request body
/// in canonical form (so the same request gets the same bytes, whatever its prefixes).
fn request_seed(svc: &SoapService<'_>, target: &Target<'_>, env: &Envelope) -> Seed {
    let mut canonical = Vec::with_capacity(256);
    for el in &env.body {
        el.canonical(&mut canonical);
    }
    Seed::from_parts(&[
        &svc.seed.to_le_bytes(),
        svc.api.id.as_bytes(),
        target.operation.id.as_bytes(),
        &canonical,
    ])
}

/// The first `mustUnderstand` header block that is neither WS-Security nor a header the binding
/// declares.
fn not_understood(env: &Envelope, target: &Target<'_>) -> Option<String> {
    env.must_understand()
        .find(|block| {
            let security = block.name.local == "Security"
                && block
                    .name
                    .namespace
                    .as_deref()
                    .is_some_and(|n| n == WSSE_NS || n.contains("secext"));
            let declared = target.binding.input_headers.iter().any(|h| {
                h.element
                    .as_ref()
                    .is_some_and(|q| q.local == block.name.local)
                    || h.part == block.name.local
            });
            !security && !declared
        })
        .map(|b| b.name.to_string())
}

fn check_credentials(
    svc: &SoapService<'_>,
    env: &Envelope,
    target: &Target<'_>,
    headers: &HeaderMap,
) -> Result<(), Fault> {
    let version = env.version;
    if svc.client_id_required
        && headers
            .get("x-ibm-client-id")
            .and_then(|v| v.to_str().ok())
            .is_none_or(|v| v.trim().is_empty())
    {
        let mut fault = Fault::sender(
            version,
            "this API needs the X-IBM-Client-Id header (the client ID of a registered app)",
        )
        .with_subcode(SANDBOX_NS, "FailedAuthentication")
        .with_status(StatusCode::UNAUTHORIZED);
        fault.headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("X-IBM-Client-Id"),
        );
        return Err(fault);
    }
    let requirements = target.operation.effective_security(svc.api);
    let needs_token = !requirements.is_empty()
        && requirements.iter().all(|req| {
            req.keys().any(|name| {
                svc.api
                    .security_schemes
                    .get(name)
                    .is_some_and(|s| matches!(s.kind, SecuritySchemeKind::WsSecurityUsernameToken))
            })
        });
    if !needs_token {
        return Ok(());
    }
    match env.username_token() {
        None => Err(Fault::sender(
            version,
            "this operation needs a WS-Security UsernameToken (wsse:Security/wsse:UsernameToken) in the SOAP header",
        )
        .with_subcode(WSSE_NS, "InvalidSecurity")),
        Some(token) if token.username.is_empty() || token.password.as_deref().is_none_or(str::is_empty) => {
            Err(Fault::sender(
                version,
                "the UsernameToken needs a non-empty wsse:Username and wsse:Password",
            )
            .with_subcode(WSSE_NS, "FailedAuthentication"))
        }
        Some(_) => Ok(()),
    }
}

/// A fault asked for on purpose: `Prefer: fault=<name>` or `?__fault=<name>`.
fn requested_fault(headers: &HeaderMap, query: Option<&str>) -> Option<String> {
    for value in headers.get_all("prefer") {
        let Ok(value) = value.to_str() else { continue };
        for pref in value.split([',', ';']) {
            if let Some((k, v)) = pref.split_once('=')
                && k.trim().eq_ignore_ascii_case("fault")
            {
                return Some(v.trim().trim_matches('"').to_string());
            }
        }
    }
    query?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == "__fault").then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

fn declared_fault(
    api: &Api,
    target: &Target<'_>,
    version: SoapVersion,
    name: &str,
    seed: Seed,
) -> Fault {
    let Some(fault) = target.soap.faults.iter().find(|f| f.name == name) else {
        let known: Vec<&str> = target.soap.faults.iter().map(|f| f.name.as_str()).collect();
        let known = if known.is_empty() {
            "it declares none".to_string()
        } else {
            format!("it declares: {}", known.join(", "))
        };
        return Fault::sender(
            version,
            format!(
                "the operation {} has no fault named {name:?}; {known}",
                target.soap.name
            ),
        );
    };
    let detail = fault
        .message
        .as_ref()
        .map(|m| response::fault_detail(api, target, m, seed))
        .unwrap_or_default();
    let mut out = Fault::receiver(
        version,
        format!(
            "{} (a declared fault, asked for by the request)",
            fault.name
        ),
    );
    if !detail.is_empty() {
        out = out.with_detail(detail);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::{GateDenied, GateFuture, OpenGate};
    use crate::soap::fixtures;

    use crate::soap::fixtures::served_mounts as mounts;

    fn no_files(_: &str) -> Option<String> {
        None
    }

    async fn call(
        api: &Api,
        gate: &dyn Gate,
        auth: bool,
        headers: &[(&str, &str)],
        query: Option<&str>,
        body: &str,
    ) -> SoapReply {
        let mounts = mounts(api);
        let svc = SoapService {
            api,
            mounts: &mounts,
            mount: 0,
            gate,
            seed: 0,
            auth,
            client_id_required: false,
            limits: Limits::default(),
            read_file: &no_files,
            public_url: None,
            memo: None,
        };
        let map = crate::testing::header_map(headers);
        handle_call(
            &svc,
            SoapRequest {
                method: &Method::POST,
                query,
                headers: &map,
                body: body.as_bytes(),
            },
        )
        .await
    }

    fn env11(inner: &str) -> String {
        format!(
            r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>{inner}</soap:Body></soap:Envelope>"#
        )
    }

    fn env12(inner: &str) -> String {
        format!(
            r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>{inner}</env:Body></env:Envelope>"#
        )
    }

    const ADD: &str = r#"<Add xmlns="http://tempuri.org/"><intA>1</intA><intB>2</intB></Add>"#;

    /// With the memo, a repeated call is answered with the envelope generation gives; SOAP 1.1
    /// and 1.2 and different arguments are different entries.
    #[tokio::test]
    async fn remembered_envelopes_are_the_generated_ones() {
        let api = fixtures::calculator();
        let mounts = mounts(&api);
        let memo = crate::bodies::Bodies::default();
        let service = |memo| SoapService {
            api: &api,
            mounts: &mounts,
            mount: 0,
            gate: &OpenGate,
            seed: 0,
            auth: false,
            client_id_required: false,
            limits: Limits::default(),
            read_file: &no_files,
            public_url: None,
            memo,
        };
        let calls = [
            ("text/xml; charset=utf-8", env11(ADD)),
            (
                "text/xml; charset=utf-8",
                env11(&ADD.replace("<intA>1<", "<intA>9<")),
            ),
            (
                r#"application/soap+xml; charset=utf-8; action="http://tempuri.org/Add""#,
                env12(ADD),
            ),
        ];
        let mut seen = Vec::new();
        for round in 0..2 {
            for (i, (content_type, body)) in calls.iter().enumerate() {
                let mut headers = HeaderMap::new();
                headers.insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_str(content_type).expect("value"),
                );
                headers.insert(
                    "soapaction",
                    HeaderValue::from_static("\"http://tempuri.org/Add\""),
                );
                let request = SoapRequest {
                    method: &Method::POST,
                    query: None,
                    headers: &headers,
                    body: body.as_bytes(),
                };
                let with = handle_call(&service(Some((&memo, 0))), request).await;
                let without = handle_call(&service(None), request).await;
                assert_eq!(with.status, StatusCode::OK, "{}", with.body);
                assert_eq!(with.body, without.body);
                if round == 0 {
                    seen.push(with.body);
                } else {
                    assert_eq!(with.body, seen[i]);
                }
            }
            assert_eq!(memo.len(), calls.len());
        }
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), calls.len());
    }

    #[tokio::test]
    async fn soap11_and_12_calls_get_envelopes_of_their_version() {
        let api = fixtures::calculator();
        let r = call(
            &api,
            &OpenGate,
            true,
            &[
                ("content-type", "text/xml; charset=utf-8"),
                ("soapaction", "\"http://tempuri.org/Add\""),
            ],
            None,
            &env11(ADD),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.headers[header::CONTENT_TYPE], "text/xml; charset=utf-8");
        assert!(
            r.body.contains("http://schemas.xmlsoap.org/soap/envelope/"),
            "{}",
            r.body
        );
        assert!(r.body.contains("AddResponse"), "{}", r.body);
        assert_eq!(r.operation.as_deref(), Some("Add"));
        let r = call(
            &api,
            &OpenGate,
            true,
            &[(
                "content-type",
                r#"application/soap+xml; charset=utf-8; action="http://tempuri.org/Add""#,
            )],
            None,
            &env12(ADD),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.headers[header::CONTENT_TYPE]
                .to_str()
                .expect("ascii")
                .starts_with("application/soap+xml; charset=utf-8; action=")
        );
        assert!(
            r.body.contains("http://www.w3.org/2003/05/soap-envelope"),
            "{}",
            r.body
        );
        // Same request, same bytes.
        let again = call(
            &api,
            &OpenGate,
            true,
            &[(
                "content-type",
                r#"application/soap+xml; action="http://tempuri.org/Add""#,
            )],
            None,
            &env12(ADD),
        )
        .await;
        assert_eq!(r.body, again.body);
    }

    #[tokio::test]
    async fn version_and_media_type_faults() {
        let api = fixtures::calculator();
        let r = call(
            &api,
            &OpenGate,
            true,
            &[("content-type", "application/soap+xml")],
            None,
            &env11(ADD),
        )
        .await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(r.body.contains("soap:VersionMismatch"), "{}", r.body);
        let r = call(
            &api,
            &OpenGate,
            true,
            &[("content-type", "application/json")],
            None,
            "{}",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let r = call(
            &api,
            &OpenGate,
            true,
            &[("content-type", "text/xml")],
            None,
            "<soap:Envelope",
        )
        .await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            r.body.contains("soap:Client") && r.body.contains("malformed"),
            "{}",
            r.body
        );
    }

    #[tokio::test]
    async fn invalid_input_is_a_client_fault_with_details() {
        let api = fixtures::calculator();
        let body = env12(r#"<Add xmlns="http://tempuri.org/"><intA>one</intA></Add>"#);
        let r = call(
            &api,
            &OpenGate,
            true,
            &[("content-type", "application/soap+xml")],
            None,
            &body,
        )
        .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
        assert!(r.body.contains("env:Sender"), "{}", r.body);
        assert!(
            r.body
                .contains(r#"Add/intA: &quot;one&quot; is not a valid int (and 1 more)"#),
            "{}",
            r.body
        );
        assert!(
            r.body
                .contains(r#"<sbx:Error path="Add">missing the required element intB</sbx:Error>"#),
            "{}",
            r.body
        );
    }

    #[tokio::test]
    async fn one_way_is_202_and_declared_faults_on_request() {
        let api = fixtures::quotes(api_model::SoapUse::Literal);
        let notify = env11(r#"<q:Notify xmlns:q="urn:quotes"><message>hi</message></q:Notify>"#);
        let r = call(
            &api,
            &OpenGate,
            true,
            &[
                ("content-type", "text/xml"),
                ("soapaction", "urn:quotes#Notify"),
            ],
            None,
            &notify,
        )
        .await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
        assert!(r.body.is_empty());
        let get = env11(
            r#"<q:GetQuote xmlns:q="urn:quotes"><symbol>IBM</symbol><count>1</count></q:GetQuote>"#,
        );
        let r = call(
            &api,
            &OpenGate,
            true,
            &[("content-type", "text/xml"), ("prefer", "fault=QuoteFault")],
            None,
            &get,
        )
        .await;
        assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            r.body.contains("soap:Server")
                && r.body.contains("<detail>")
                && r.body.contains("QuoteFault"),
            "{}",
            r.body
        );
        let r = call(
            &api,
            &OpenGate,
            true,
            &[("content-type", "text/xml")],
            Some("__fault=Nope"),
            &get,
        )
        .await;
        assert!(
            r.body.contains("no fault named") && r.body.contains("QuoteFault"),
            "{}",
            r.body
        );
    }

    struct Deny;
    impl Gate for Deny {
        fn check<'a>(&'a self, _request: GateRequest<'a>) -> GateFuture<'a> {
            Box::pin(async {
                let mut headers = HeaderMap::new();
                headers.insert("retry-after", HeaderValue::from_static("7"));
                Err(GateDenied {
                    status: StatusCode::TOO_MANY_REQUESTS,
                    title: "Too many requests".into(),
                    detail: "plan limit".into(),
                    headers,
                    client_id: Some("app1".into()),
                })
            })
        }
    }

    #[tokio::test]
    async fn gate_denial_is_a_fault_with_its_status_and_headers() {
        let api = fixtures::calculator();
        let r = call(
            &api,
            &Deny,
            true,
            &[("content-type", "text/xml")],
            None,
            &env11(ADD),
        )
        .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers["retry-after"], "7");
        assert!(
            r.body.contains("RateLimitExceeded") && r.body.contains("plan limit"),
            "{}",
            r.body
        );
        assert_eq!(r.client_id.as_deref(), Some("app1"));
    }

    #[tokio::test]
    async fn ws_security_username_token() {
        let mut api = fixtures::calculator();
        api.security_schemes.insert(
            "UsernameToken".into(),
            api_model::SecurityScheme {
                description: None,
                kind: SecuritySchemeKind::WsSecurityUsernameToken,
            },
        );
        api.security.push(
            [("UsernameToken".to_string(), Vec::new())]
                .into_iter()
                .collect(),
        );
        let h = [("content-type", "text/xml")];
        let r = call(&api, &OpenGate, true, &h, None, &env11(ADD)).await;
        assert!(r.body.contains("InvalidSecurity"), "{}", r.body);
        let r = call(&api, &OpenGate, false, &h, None, &env11(ADD)).await;
        assert_eq!(r.status, StatusCode::OK, "--auth off skips it");
        let with = format!(
            r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header><wsse:Security xmlns:wsse="{WSSE_NS}" soap:mustUnderstand="1"><wsse:UsernameToken><wsse:Username>u</wsse:Username><wsse:Password>p</wsse:Password></wsse:UsernameToken></wsse:Security></soap:Header><soap:Body>{ADD}</soap:Body></soap:Envelope>"#
        );
        let r = call(&api, &OpenGate, true, &h, None, &with).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let unknown = with.replace(
            "<soap:Header>",
            r#"<soap:Header><x:T xmlns:x="urn:x" soap:mustUnderstand="1"/>"#,
        );
        let r = call(&api, &OpenGate, true, &h, None, &unknown).await;
        assert!(r.body.contains("soap:MustUnderstand"), "{}", r.body);
    }

    #[tokio::test]
    async fn get_wsdl_and_files() {
        let api = fixtures::calculator();
        let mounts = mounts(&api);
        let wsdl = format!(
            r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"><service name="S"><port name="P" binding="b"><soap:address location="{}"/></port></service></definitions>"#,
            fixtures::CALC_ADDRESS
        );
        let read = move |f: &str| (f == "calculator.wsdl").then(|| wsdl.clone());
        let svc = SoapService {
            api: &api,
            mounts: &mounts,
            mount: 0,
            gate: &OpenGate,
            seed: 0,
            auth: true,
            client_id_required: false,
            limits: Limits::default(),
            read_file: &read,
            public_url: None,
            memo: None,
        };
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:9999"));
        let get = |query: Option<&'static str>| {
            let headers = headers.clone();
            let svc = &svc;
            async move {
                handle_call(
                    svc,
                    SoapRequest {
                        method: &Method::GET,
                        query,
                        headers: &headers,
                        body: b"",
                    },
                )
                .await
            }
        };
        let r = get(Some("WSDL")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body
                .contains(r#"location="http://127.0.0.1:9999/calculator.asmx""#),
            "{}",
            r.body
        );
        let r = get(Some("xsd=/_sandbox/soap-encoding.xsd")).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("http://schemas.xmlsoap.org/soap/encoding/"));
        assert_eq!(
            get(Some("xsd=../../etc/passwd")).await.status,
            StatusCode::NOT_FOUND
        );
        let r = get(None).await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(r.headers[header::ALLOW], "GET, HEAD, POST");
    }

    #[test]
    fn base_url_from_host() {
        let mut h = HeaderMap::new();
        assert_eq!(base_url(&h), "http://127.0.0.1");
        h.insert(header::HOST, HeaderValue::from_static("localhost:4010"));
        assert_eq!(base_url(&h), "http://localhost:4010");
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert_eq!(base_url(&h), "https://localhost:4010");
        h.insert(header::HOST, HeaderValue::from_static("a\"b"));
        assert_eq!(base_url(&h), "https://127.0.0.1");
    }
}
