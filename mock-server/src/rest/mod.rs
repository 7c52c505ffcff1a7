//! The REST handler: a routed call goes through the access gate, is validated, gets a documented
//! response chosen (Prism-style, with `Prefer`), negotiated against `Accept`, and a body that is
//! the spec's example or data generated from the schema with a seed made of the operation and
//! the request, so the same request always gets the same bytes (kept in [`crate::bodies`] for
//! when it comes again).

#[cfg(test)]
mod corpus_tests;
pub mod negotiate;
pub mod select;
pub mod validate;
pub mod xml;

use api_model::example::{Direction, Seed, json_example_for, json_example_variant};
use api_model::{Api, MediaType, Operation, Schema, SchemaRef};
use axum::body::Body;
use axum::response::Response;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, header};
use serde_json::Value;

use crate::LAYER_HEADERS;
use crate::bodies::{BodyKey, Rendered};
use crate::coding::DecodeError;
use crate::error::{ClientId, FieldError, MockError};
use crate::gate::GateRequest;
use crate::state::AppState;
use negotiate::MediaKind;
use select::Preferences;
use validate::RequestParts;

/// Read the body, refusing more than `limit` bytes.
pub async fn read_body(
    body: Body,
    headers: &HeaderMap,
    limit: usize,
) -> Result<bytes::Bytes, MockError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(MockError::PayloadTooLarge { limit });
    }
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| MockError::PayloadTooLarge { limit })?;
    crate::coding::decode_request(bytes, headers, limit).map_err(|e| match e {
        DecodeError::Unsupported(coding) => MockError::UnsupportedEncoding { coding },
        DecodeError::TooLarge => MockError::PayloadTooLarge { limit },
        DecodeError::Corrupt { coding, reason } => MockError::Invalid {
            status: StatusCode::BAD_REQUEST,
            detail: format!("The body is not valid {coding}, as its Content-Encoding says."),
            errors: vec![FieldError::new(
                &["body"],
                format!("the body is not valid {coding}: {reason}"),
                "malformed",
            )],
        },
    })
}

/// Answer one call of operation `op_index` of API `api_index`.
pub async fn handle(
    state: AppState,
    api_index: usize,
    op_index: usize,
    path_params: Vec<(String, String)>,
    request: Request<Body>,
) -> Result<Response, MockError> {
    let (parts, body) = request.into_parts();
    let body = read_body(body, &parts.headers, state.options.max_body_bytes).await?;
    let api = state
        .catalog
        .apis
        .get(api_index)
        .ok_or_else(|| MockError::Internal {
            log: format!("route to missing API {api_index}"),
        })?;
    let op = api
        .operations
        .get(op_index)
        .ok_or_else(|| MockError::Internal {
            log: format!("route to missing operation {op_index} of {}", api.id),
        })?;

    let granted = state
        .gate
        .check(GateRequest {
            api,
            operation: op,
            headers: &parts.headers,
            query: parts.uri.query(),
        })
        .await
        .map_err(|d| MockError::Denied(Box::new(d)))?;

    let query = validate::parse_query(parts.uri.query());
    let prefs = select::preferences(&parts.headers, &query);
    let validators = state.validators.get(api, api_index, op_index);
    if let Some(v) = &validators {
        validate::validate(
            api,
            op,
            v,
            RequestParts {
                path_params: &path_params,
                query: &query,
                headers: &parts.headers,
                body: &body,
            },
        )?;
    }

    let selected = select::select(op, &prefs)?;
    let seed = request_seed(
        state.options.seed,
        api,
        op,
        selected.status,
        &parts.method,
        parts.uri.path(),
        &query,
        &body,
    );
    let accept = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());

    let mut rendered_headers = None;
    let mut content = bytes::Bytes::new();
    if let Some(documented) = selected.response {
        let response_index = op
            .responses
            .iter()
            .position(|r| std::ptr::eq(r, documented))
            .ok_or_else(|| MockError::Internal {
                log: format!("response chosen outside operation {}", op.id),
            })?;
        let chosen = if documented.content.is_empty() {
            None
        } else {
            let available: Vec<&str> = documented.content.keys().map(String::as_str).collect();
            let Some(chosen) = negotiate::choose(&available, accept) else {
                return Err(MockError::NotAcceptable {
                    accept: accept.unwrap_or_default().to_string(),
                    available: available.iter().map(|s| (*s).to_string()).collect(),
                });
            };
            Some(chosen)
        };
        let content_type = chosen.map(|c| negotiate::concrete(c, accept));
        let key = BodyKey {
            api: api_index,
            op: op_index,
            response: response_index,
            media: chosen.map(Box::from),
            content_type: content_type.as_deref().map(Box::from),
            example: prefs.example.as_deref().map(Box::from),
            dynamic: prefs.dynamic,
            seed,
        };
        let rendered = state.bodies.get_or_render(key, || {
            let mut headers = HeaderMap::new();
            let mut body = Vec::new();
            if let (Some(chosen), Some(content_type)) = (chosen, &content_type) {
                let media = &documented.content[chosen];
                // Which spec example holds (worked out once per response and media type);
                // only needed when no example is named and generated data is not asked for.
                let example = || match &validators {
                    Some(v) => v.example(response_index, chosen),
                    None => validate::example_candidates(media).next().map(|_| 0),
                };
                let holds = |value: &Value| {
                    validators
                        .as_ref()
                        .and_then(|v| v.response(response_index, chosen))
                        .is_none_or(|v| v.is_valid(value))
                };
                let value = body_value(api, media, &prefs, seed, example, holds)?;
                body = serialize(api, media.schema.as_ref(), &value, content_type);
                if let Ok(v) = HeaderValue::from_str(content_type) {
                    headers.insert(header::CONTENT_TYPE, v);
                }
            }
            documented_headers(api, documented, seed, &mut headers);
            Ok::<_, MockError>(Rendered {
                body: body.into(),
                headers,
            })
        })?;
        content = rendered.body.clone();
        rendered_headers = Some(rendered);
    }

    let documented = rendered_headers.as_ref().map(|r| &r.headers);
    // Sized for every header the response will carry, the layers' included: a map that grows
    // on the way allocates and rehashes again (a keyed call adds five rate-limit headers).
    let mut out = HeaderMap::with_capacity(
        documented.map_or(0, HeaderMap::len) + granted.headers.len() + LAYER_HEADERS + 1,
    );
    let body = if parts.method == Method::HEAD {
        out.insert(header::CONTENT_LENGTH, HeaderValue::from(content.len()));
        Body::empty()
    } else {
        Body::from(content)
    };
    if let Some(documented) = documented {
        // As `extend` would, but without copying the cached map first, and without the
        // documented headers that the gate's real ones (rate limits) replace.
        let mut previous: Option<&HeaderName> = None;
        for (name, value) in documented {
            if granted.headers.contains(name) {
                continue;
            }
            if previous == Some(name) {
                out.append(name.clone(), value.clone());
            } else {
                out.insert(name.clone(), value.clone());
            }
            previous = Some(name);
        }
    }
    granted.headers.apply_to(&mut out);
    let mut response = Response::new(body);
    *response.status_mut() = selected.status;
    *response.headers_mut() = out;
    if let Some(id) = granted.client_id {
        // Only an id the call did not send as `X-IBM-Client-Id` (the log line's fallback).
        response.extensions_mut().insert(ClientId(id));
    }
    Ok(response)
}

/// The headers `documented` declares (but the framing ones), each its example or generated data.
fn documented_headers(
    api: &Api,
    documented: &api_model::Response,
    seed: Seed,
    out: &mut HeaderMap,
) {
    for (name, h) in &documented.headers {
        let lower = name.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "content-type" | "content-length" | "transfer-encoding"
        ) {
            continue;
        }
        let Ok(header_name) = HeaderName::from_bytes(lower.as_bytes()) else {
            continue;
        };
        let value = match &h.example {
            Some(v) => v.clone(),
            None => {
                let schema = h.schema.clone().unwrap_or_else(|| {
                    SchemaRef::Inline(Box::new(Schema {
                        kind: api_model::SchemaKind::String(Default::default()),
                        ..Schema::default()
                    }))
                });
                json_example_for(
                    api,
                    &schema,
                    Seed::from_parts(&[&seed.0.to_le_bytes(), lower.as_bytes()]),
                    Direction::Response,
                )
            }
        };
        if let Ok(v) = HeaderValue::from_str(&header_text(&value)) {
            out.insert(header_name, v);
        }
    }
}

/// The seed of one call: the sandbox seed, the operation, the chosen status, and the request.
#[allow(clippy::too_many_arguments)]
pub fn request_seed(
    global: u64,
    api: &Api,
    op: &Operation,
    status: StatusCode,
    method: &Method,
    path: &str,
    query: &[(String, String)],
    body: &[u8],
) -> Seed {
    let mut pairs: Vec<&(String, String)> =
        query.iter().filter(|(k, _)| !k.starts_with("__")).collect();
    pairs.sort();
    let canonical: String = pairs.iter().map(|(k, v)| format!("{k}={v}&")).collect();
    Seed::from_parts(&[
        &global.to_le_bytes(),
        api.id.as_bytes(),
        op.id.as_bytes(),
        status.as_str().as_bytes(),
        method.as_str().as_bytes(),
        path.as_bytes(),
        canonical.as_bytes(),
        body,
    ])
}

/// The spec's example (named, or else the first that holds against the schema, as `example`
/// finds it), unless `dynamic`; else generated data.
/// Variants of generated data tried until one holds against the response schema (see
/// [`json_example_variant`]).
const VARIANTS: usize = 4;

fn body_value(
    api: &Api,
    media: &MediaType,
    prefs: &Preferences,
    seed: Seed,
    example: impl FnOnce() -> Option<usize>,
    holds: impl Fn(&Value) -> bool,
) -> Result<Value, MockError> {
    if let Some(name) = &prefs.example {
        return match media.examples.get(name).and_then(|e| e.value.clone()) {
            Some(v) => Ok(v),
            None => Err(MockError::NoSuchResponse {
                detail: if media.examples.is_empty() {
                    format!("The chosen response has no named examples, so none called `{name}`.")
                } else {
                    format!(
                        "The chosen response has no example `{name}`; it has {}.",
                        media
                            .examples
                            .keys()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
            }),
        };
    }
    if !prefs.dynamic {
        if let Some(v) = example().and_then(|i| validate::example_candidates(media).nth(i)) {
            return Ok(v.clone());
        }
    }
    let any = SchemaRef::Inline(Box::default());
    let schema = media.schema.as_ref().unwrap_or(&any);
    // The first member of each `oneOf` gives a value that may fit another member too (members
    // that overlap): the next variants take other members, and the first that holds is served.
    // Without a `oneOf`/`anyOf` to choose in, there is nothing to check or try.
    let (first, chose) = json_example_variant(api, schema, seed, Direction::Response, 0);
    if !chose || holds(&first) {
        return Ok(first);
    }
    Ok((1..VARIANTS)
        .map(|variant| json_example_variant(api, schema, seed, Direction::Response, variant).0)
        .find(|v| holds(v))
        .unwrap_or(first))
}

/// A value as a header's text (simple style).
fn header_text(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(items) => items.iter().map(header_text).collect::<Vec<_>>().join(","),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k},{}", header_text(v)))
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    };
    text.chars()
        .filter(|c| (' '..='~').contains(c))
        .collect::<String>()
        .trim()
        .to_string()
}

/// The body bytes of a value in a media type.
fn serialize(api: &Api, schema: Option<&SchemaRef>, value: &Value, content_type: &str) -> Vec<u8> {
    match negotiate::kind(content_type) {
        MediaKind::Xml => xml::to_xml(api, schema, value).into_bytes(),
        MediaKind::Text | MediaKind::Binary => match value {
            Value::String(s) => s.clone().into_bytes(),
            Value::Null => Vec::new(),
            other => other.to_string().into_bytes(),
        },
        MediaKind::Form => match value {
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| {
                    let text = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    format!(
                        "{}={}",
                        percent_encoding::utf8_percent_encode(
                            k,
                            percent_encoding::NON_ALPHANUMERIC
                        ),
                        percent_encoding::utf8_percent_encode(
                            &text,
                            percent_encoding::NON_ALPHANUMERIC
                        )
                    )
                })
                .collect::<Vec<_>>()
                .join("&")
                .into_bytes(),
            other => other.to_string().into_bytes(),
        },
        // JSON text is YAML (1.2) too, and keeps what the value says exactly.
        MediaKind::Json | MediaKind::Yaml | MediaKind::Multipart => {
            serde_json::to_vec(value).unwrap_or_default()
        }
    }
}
