//! Fuzz the REST request path of the sandbox: arbitrary bytes become a method, a path under the
//! API, a query string, headers and a body (malformed JSON, huge numbers, deep nesting, invalid
//! UTF-8...). The sandbox must never panic and never answer a bad request with a 5xx.
#![no_main]

use std::path::Path;
use std::sync::{Arc, OnceLock};

use api_model::files::MemoryFiles;
use axum::body::Body;
use libfuzzer_sys::fuzz_target;
use mock_server::gate::OpenGate;
use mock_server::{AppState, MockOptions, app};
use tower::ServiceExt;

const SPEC: &str = r#"openapi: 3.0.3
info: {title: Payments, version: '1.0'}
servers: [{url: /v1}]
paths:
  /payments:
    get:
      parameters:
        - {name: limit, in: query, schema: {type: integer, format: int32, minimum: 1, maximum: 100}}
        - {name: status, in: query, style: form, explode: false, schema: {type: array, items: {type: string, enum: [a, b]}}}
        - {name: filter, in: query, style: deepObject, schema: {type: object, properties: {min: {type: number}}}}
        - {name: X-Trace, in: header, schema: {type: string, format: uuid}}
      responses: {'200': {description: ok, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Payment'}}}}}}
    post:
      requestBody:
        required: true
        content:
          application/json: {schema: {$ref: '#/components/schemas/Payment'}}
          application/x-www-form-urlencoded: {schema: {$ref: '#/components/schemas/Payment'}}
          multipart/form-data: {schema: {$ref: '#/components/schemas/Payment'}}
      responses: {'201': {description: created, content: {application/json: {schema: {$ref: '#/components/schemas/Payment'}}}}}
  /payments/{id}:
    get:
      parameters: [{name: id, in: path, required: true, style: label, schema: {type: integer, format: int64}}]
      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Payment'}}, application/xml: {schema: {$ref: '#/components/schemas/Payment'}}}}}
components:
  schemas:
    Payment:
      type: object
      required: [amount]
      properties:
        id: {type: integer, format: int64, readOnly: true}
        amount: {type: number, minimum: 0, exclusiveMaximum: 1000000}
        currency: {type: string, pattern: '^[A-Z]{3}$'}
        tags: {type: array, items: {type: string}, maxItems: 3}
        next: {$ref: '#/components/schemas/Payment'}
"#;

fn state() -> &'static AppState {
    static STATE: OnceLock<AppState> = OnceLock::new();
    STATE.get_or_init(|| {
        let mut files = MemoryFiles::new();
        files.insert("/specs/payments.yaml", SPEC);
        let loaded = api_model::openapi::load(Path::new("/specs/payments.yaml"), &files)
            .expect("the fuzz spec loads");
        let catalog = api_model::Catalog {
            apis: vec![loaded.api],
            products: vec![],
        };
        let options = MockOptions {
            max_body_bytes: 64 * 1024,
            ..MockOptions::default()
        };
        AppState::new(
            catalog,
            api_model::PortalConfig::default(),
            options,
            Arc::new(OpenGate),
        )
    })
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    // Split the rest into path suffix, query, header value and body at 0xff bytes.
    let mut parts = rest.splitn(4, |b| *b == 0xff);
    let suffix = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let query = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let header = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default().to_vec();
    let (method, base, content_type) = match selector % 6 {
        0 => ("GET", "/v1/payments", "application/json"),
        1 => ("POST", "/v1/payments", "application/json"),
        2 => ("POST", "/v1/payments", "application/x-www-form-urlencoded"),
        3 => ("POST", "/v1/payments", "multipart/form-data; boundary=xx"),
        4 => ("GET", "/v1/payments/", "application/json"),
        _ => ("DELETE", "/v1/payments", "text/plain"),
    };
    let encoded: String = suffix
        .chars()
        .flat_map(|c| {
            if c.is_ascii_alphanumeric() || ".-_~".contains(c) {
                vec![c.to_string()]
            } else {
                c.to_string().bytes().map(|b| format!("%{b:02X}")).collect()
            }
        })
        .collect();
    let query: String = query
        .chars()
        .filter(|c| c.is_ascii_graphic() && *c != '#')
        .collect();
    let uri = format!("{base}{encoded}?{query}");
    let Ok(parsed) = uri.parse::<http::Uri>() else {
        return;
    };
    let mut builder = http::Request::builder()
        .method(method)
        .uri(parsed)
        .header("content-type", content_type);
    if let Ok(v) = http::HeaderValue::from_bytes(header) {
        builder = builder.header("x-trace", v.clone()).header("accept", v);
    }
    let Ok(request) = builder.body(Body::from(body)) else {
        return;
    };
    let response = runtime()
        .block_on(app(state().clone()).oneshot(request))
        .expect("infallible");
    assert!(
        !response.status().is_server_error(),
        "{method} {uri} answered {}",
        response.status()
    );
});
