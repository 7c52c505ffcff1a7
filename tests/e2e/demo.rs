//! The demo portal against its own sandbox: with a registered app subscribed to the open plans,
//! every REST operation of the demo specs answers 2xx to the request its own examples describe,
//! within the plan's limits, with the rate-limit headers.

use std::time::Duration;

use serde_json::Value;

use crate::mock::Sandbox;
use crate::support::repo_root;

/// Follow a local `#/...` reference of the exported document.
fn deref<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    let mut v = v;
    for _ in 0..16 {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) if r.starts_with("#/") => {
                v = doc.pointer(&r[1..]).unwrap_or(&Value::Null);
            }
            _ => return v,
        }
    }
    v
}

/// The value a parameter's description offers: its example, else its schema's.
fn param_value(doc: &Value, p: &Value) -> Option<String> {
    let schema = deref(doc, p.get("schema").unwrap_or(&Value::Null));
    let v = p
        .get("example")
        .or_else(|| {
            p.get("examples")
                .and_then(|e| e.as_object()?.values().next()?.get("value"))
        })
        .or_else(|| schema.get("examples").and_then(|e| e.get(0)))
        .or_else(|| schema.get("example"))
        .or_else(|| schema.get("default"))
        .or_else(|| schema.get("enum").and_then(|e| e.get(0)))?;
    Some(match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    })
}

/// The request body its examples describe (JSON only; the demo's REST bodies are JSON).
fn body_example(doc: &Value, op: &Value) -> Option<Vec<u8>> {
    let body = deref(doc, op.get("requestBody")?);
    let media = body.get("content")?.get("application/json")?;
    let value = media
        .get("example")
        .or_else(|| {
            media
                .get("examples")
                .and_then(|e| e.as_object()?.values().next()?.get("value"))
        })
        .or_else(|| deref(doc, media.get("schema")?).get("examples")?.get(0))?;
    serde_json::to_vec(value).ok()
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn every_demo_rest_operation_answers_within_its_plan() {
    let data = tempfile::tempdir().expect("tempdir");
    let root = repo_root();
    let sandbox = Sandbox::start(&[
        "--root",
        root.to_str().expect("utf-8 path"),
        "--data",
        data.path().to_str().expect("utf-8 path"),
    ]);
    let app = sandbox.call(
        "POST",
        "/_sandbox/apps",
        &[("content-type", "application/json")],
        br#"{"name":"demo e2e","description":"every operation"}"#,
    );
    assert_eq!(app.status, 201, "{}", String::from_utf8_lossy(&app.body));
    let app = app.json();
    let id = app["client_id"].as_str().expect("client_id").to_string();
    let secret = app["client_secret"]
        .as_str()
        .expect("client_secret")
        .to_string();
    let keys = [
        ("X-IBM-Client-Id", id.as_str()),
        ("X-IBM-Client-Secret", secret.as_str()),
    ];
    for plan in ["cix-payments:sandbox", "cix-information:open"] {
        let mut headers = keys.to_vec();
        headers.push(("content-type", "application/json"));
        let sub = sandbox.call(
            "POST",
            &format!("/_sandbox/apps/{id}/subscriptions"),
            &headers,
            format!(r#"{{"plan":"{plan}"}}"#).as_bytes(),
        );
        assert_eq!(
            sub.status,
            201,
            "{plan}: {}",
            String::from_utf8_lossy(&sub.body)
        );
    }

    let catalog = sandbox.call("GET", "/_sandbox/catalog", &[], b"").json();
    let mut called = 0;
    let mut expected = 0;
    for api in catalog["apis"].as_array().expect("apis") {
        if api["protocol"] != "rest" {
            continue;
        }
        expected += api["operations"].as_u64().expect("operation count");
        let base_path = api["base_path"].as_str().expect("base_path");
        let id = api["id"].as_str().expect("id");
        let doc = sandbox
            .call(
                "GET",
                &format!("/_sandbox/apis/{id}/openapi.json"),
                &[],
                b"",
            )
            .json();
        for (template, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                    continue;
                }
                let params: Vec<&Value> = item
                    .get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .chain(
                        op.get("parameters")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten(),
                    )
                    .map(|p| deref(&doc, p))
                    .collect();
                let mut path = template.clone();
                let mut query = Vec::new();
                let mut headers: Vec<(String, String)> = keys
                    .iter()
                    .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                    .collect();
                for p in &params {
                    let name = p["name"].as_str().expect("name");
                    let required = p["required"].as_bool().unwrap_or(false);
                    let Some(value) = param_value(&doc, p) else {
                        assert!(
                            !required,
                            "{method} {template}: required `{name}` has no example"
                        );
                        continue;
                    };
                    match p["in"].as_str() {
                        Some("path") => {
                            path = path.replace(&format!("{{{name}}}"), &encode(&value))
                        }
                        Some("query") if required => {
                            query.push(format!("{name}={}", encode(&value)))
                        }
                        Some("header") if required => headers.push((name.to_string(), value)),
                        _ => {}
                    }
                }
                let body = body_example(&doc, op).unwrap_or_default();
                if !body.is_empty() {
                    headers.push(("content-type".into(), "application/json".into()));
                }
                let mut url = format!("{}{path}", base_path.trim_end_matches('/'));
                if !query.is_empty() {
                    url = format!("{url}?{}", query.join("&"));
                }
                let header_refs: Vec<(&str, &str)> = headers
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                let answer = sandbox.call(&method.to_ascii_uppercase(), &url, &header_refs, &body);
                assert!(
                    (200..300).contains(&answer.status),
                    "{method} {url} -> {}: {}",
                    answer.status,
                    String::from_utf8_lossy(&answer.body)
                );
                for h in [
                    "ratelimit",
                    "ratelimit-policy",
                    "x-ratelimit-limit",
                    "x-ratelimit-remaining",
                ] {
                    assert!(answer.header(h).is_some(), "{method} {url}: no {h} header");
                }
                called += 1;
                // The sandbox plan allows a burst of 10 per second: stay within it.
                std::thread::sleep(Duration::from_millis(150));
            }
        }
    }
    assert!(
        expected >= 14,
        "the demo has at least 14 REST operations, catalog says {expected}"
    );
    assert_eq!(
        called, expected,
        "every REST operation of the catalog was called"
    );
}
