//! Example payloads for pages and the code samples that send them (curl, Python requests,
//! JavaScript fetch, Java `java.net.http`, C# `HttpClient`).

use api_model::example::{Direction, Seed};
use api_model::xml_example::element_xml;
use api_model::{Api, MediaType, Operation};
use serde::Serialize;
use serde_json::Value;

/// The seed of an example body: the same parts the sandbox uses, so the page shows what the
/// sandbox answers. `purpose` is `request` or the response status label (`200`, `default`).
pub fn example_seed(api: &Api, op: &Operation, purpose: &str, media_type: &str) -> Seed {
    Seed::from_parts(&[
        api.id.as_bytes(),
        op.id.as_bytes(),
        purpose.as_bytes(),
        media_type.as_bytes(),
    ])
}

/// The example of a media type entry: the spec's own (`example`, then the first named example,
/// then the schema's), else one generated from the schema (XML for XML media types). `None` when
/// there is nothing to show.
pub fn media_example(
    api: &Api,
    op: &Operation,
    purpose: &str,
    media_type: &str,
    media: &MediaType,
) -> Option<Value> {
    let seed = example_seed(api, op, purpose, media_type);
    let direction = if purpose == "request" {
        Direction::Request
    } else {
        Direction::Response
    };
    let given = media.example.is_some() || media.examples.values().any(|e| e.value.is_some());
    if !given && media_type.to_ascii_lowercase().contains("xml") {
        let schema = media.schema.as_ref()?;
        let name = schema
            .resolve(api)
            .and_then(|s| s.xml.as_ref())
            .and_then(|x| x.name.clone())
            .or_else(|| schema.name().map(str::to_string))
            .unwrap_or_else(|| "root".to_string());
        let xml = element_xml(api, schema, &name, seed);
        return (!xml.is_empty()).then(|| Value::String(pretty_xml(&xml)));
    }
    let value = api_model::example::media_example(api, media, seed, direction);
    (!value.is_null()).then_some(value)
}

/// Indent XML for reading (two spaces per level). Input that does not parse comes back as is.
pub fn pretty_xml(xml: &str) -> String {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    reader.config_mut().trim_text(true);
    let mut writer = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(event) => {
                if writer.write_event(event).is_err() {
                    return xml.to_string();
                }
            }
            Err(_) => return xml.to_string(),
        }
    }
    let mut out = String::from_utf8(writer.into_inner()).unwrap_or_else(|_| xml.to_string());
    out.push('\n');
    out
}

/// A body as text in its media type, with the highlighting language to show it in.
pub fn body_text(value: &Value, media_type: &str) -> (String, &'static str) {
    let mt = media_type.to_ascii_lowercase();
    if let Value::String(s) = value {
        if !mt.contains("json") {
            let lang = if mt.contains("xml") { "xml" } else { "" };
            return (s.clone(), lang);
        }
    }
    if mt.contains("x-www-form-urlencoded") {
        if let Value::Object(map) = value {
            let pairs: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(&scalar_text(v))))
                .collect();
            return (pairs.join("&"), "");
        }
    }
    (
        serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()),
        "json",
    )
}

/// A value as it goes in a URL or header: strings bare, the rest as JSON.
pub fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(scalar_text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

fn form_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Percent-encode a path segment or query value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// One HTTP request, the common ground of every sample.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpRequest {
    /// Method, upper case.
    pub method: String,
    /// Full URL (with query).
    pub url: String,
    /// Headers in order (Content-Type among them when there is a body).
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: Option<String>,
    /// The body as JSON, when it is JSON (samples then use native JSON helpers).
    pub json: Option<Value>,
}

/// A code sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sample {
    /// Stable id (`curl`, `python`...), used in element ids.
    pub id: &'static str,
    /// Tab label.
    pub label: &'static str,
    /// Highlighting language.
    pub lang: &'static str,
    /// The code.
    pub code: String,
}

/// Every sample of a request, in tab order.
pub fn samples(req: &HttpRequest) -> Vec<Sample> {
    vec![
        Sample {
            id: "curl",
            label: "curl",
            lang: "bash",
            code: curl(req),
        },
        Sample {
            id: "python",
            label: "Python",
            lang: "python",
            code: python(req),
        },
        Sample {
            id: "javascript",
            label: "JavaScript",
            lang: "js",
            code: javascript(req),
        },
        Sample {
            id: "java",
            label: "Java",
            lang: "java",
            code: java(req),
        },
        Sample {
            id: "csharp",
            label: "C#",
            lang: "csharp",
            code: csharp(req),
        },
    ]
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// A double-quoted string literal valid in Python, JavaScript, Java and C# (JSON escaping).
fn dq(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// curl.
pub fn curl(req: &HttpRequest) -> String {
    let mut s = format!("curl -X {} {}", req.method, shell_quote(&req.url));
    for (k, v) in &req.headers {
        s.push_str(&format!(" \\\n  -H {}", shell_quote(&format!("{k}: {v}"))));
    }
    if let Some(body) = &req.body {
        s.push_str(&format!(" \\\n  --data-raw {}", shell_quote(body)));
    }
    s.push('\n');
    s
}

/// A JSON value as a Python literal.
fn python_literal(v: &Value, indent: usize, out: &mut String) {
    let pad = "    ".repeat(indent + 1);
    let end = "    ".repeat(indent);
    match v {
        Value::Null => out.push_str("None"),
        Value::Bool(true) => out.push_str("True"),
        Value::Bool(false) => out.push_str("False"),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => out.push_str(&dq(s)),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push_str("[\n");
            for item in items {
                out.push_str(&pad);
                python_literal(item, indent + 1, out);
                out.push_str(",\n");
            }
            out.push_str(&end);
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            out.push_str("{\n");
            for (k, item) in map {
                out.push_str(&pad);
                out.push_str(&dq(k));
                out.push_str(": ");
                python_literal(item, indent + 1, out);
                out.push_str(",\n");
            }
            out.push_str(&end);
            out.push('}');
        }
    }
}

/// Python requests.
pub fn python(req: &HttpRequest) -> String {
    let mut s = String::from("import requests\n\n");
    s.push_str(&format!("url = {}\n", dq(&req.url)));
    let headers: Vec<&(String, String)> = req
        .headers
        .iter()
        .filter(|(k, _)| !(req.json.is_some() && k.eq_ignore_ascii_case("content-type")))
        .collect();
    if !headers.is_empty() {
        s.push_str("headers = {\n");
        for (k, v) in &headers {
            s.push_str(&format!("    {}: {},\n", dq(k), dq(v)));
        }
        s.push_str("}\n");
    }
    let mut args = String::from("url");
    if !headers.is_empty() {
        args.push_str(", headers=headers");
    }
    if let Some(json) = &req.json {
        let mut lit = String::new();
        python_literal(json, 0, &mut lit);
        s.push_str(&format!("payload = {lit}\n"));
        args.push_str(", json=payload");
    } else if let Some(body) = &req.body {
        s.push_str(&format!("payload = {}\n", py_text(body)));
        args.push_str(", data=payload.encode(\"utf-8\")");
    }
    s.push_str(&format!(
        "\nresponse = requests.request({}, {args})\nprint(response.status_code, response.text)\n",
        dq(&req.method)
    ));
    s
}

fn py_text(body: &str) -> String {
    if body.contains('\n')
        && !body.contains("\"\"\"")
        && !body.contains('\\')
        && !body.ends_with('"')
    {
        format!("\"\"\"{body}\"\"\"")
    } else {
        dq(body)
    }
}

/// JavaScript fetch.
pub fn javascript(req: &HttpRequest) -> String {
    let mut s = format!(
        "const response = await fetch({}, {{\n  method: {},\n",
        dq(&req.url),
        dq(&req.method)
    );
    if !req.headers.is_empty() {
        s.push_str("  headers: {\n");
        for (k, v) in &req.headers {
            s.push_str(&format!("    {}: {},\n", dq(k), dq(v)));
        }
        s.push_str("  },\n");
    }
    if let Some(json) = &req.json {
        let pretty = serde_json::to_string_pretty(json).unwrap_or_default();
        s.push_str(&format!(
            "  body: JSON.stringify({}),\n",
            indent_after_first(&pretty, "  ")
        ));
    } else if let Some(body) = &req.body {
        let lit = if !body.contains('`') && !body.contains("${") && !body.contains('\\') {
            format!("`{body}`")
        } else {
            dq(body)
        };
        s.push_str(&format!("  body: {lit},\n"));
    }
    s.push_str("});\nconsole.log(response.status, await response.text());\n");
    s
}

fn indent_after_first(text: &str, pad: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(pad);
        }
        out.push_str(line);
    }
    out
}

fn body_text_of(req: &HttpRequest) -> Option<String> {
    match (&req.json, &req.body) {
        (Some(json), _) => Some(serde_json::to_string_pretty(json).unwrap_or_default()),
        (None, Some(body)) => Some(body.clone()),
        (None, None) => None,
    }
}

/// Java 11+ `java.net.http`.
pub fn java(req: &HttpRequest) -> String {
    let mut s = String::from(
        "import java.net.URI;\nimport java.net.http.HttpClient;\nimport java.net.http.HttpRequest;\nimport java.net.http.HttpResponse;\n\n",
    );
    s.push_str("HttpClient client = HttpClient.newHttpClient();\n");
    s.push_str(&format!(
        "HttpRequest request = HttpRequest.newBuilder()\n    .uri(URI.create({}))\n",
        dq(&req.url)
    ));
    for (k, v) in &req.headers {
        s.push_str(&format!("    .header({}, {})\n", dq(k), dq(v)));
    }
    let publisher = match body_text_of(req) {
        Some(body) => {
            let lit = if !body.contains("\"\"\"") && !body.contains('\\') {
                let mut block = String::from("\"\"\"\n");
                for line in body.lines() {
                    block.push_str("        ");
                    block.push_str(line);
                    block.push('\n');
                }
                block.push_str("        \"\"\"");
                block
            } else {
                dq(&body)
            };
            format!("HttpRequest.BodyPublishers.ofString({lit})")
        }
        None => "HttpRequest.BodyPublishers.noBody()".to_string(),
    };
    s.push_str(&format!(
        "    .method({}, {publisher})\n    .build();\n",
        dq(&req.method)
    ));
    s.push_str("HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());\nSystem.out.println(response.statusCode() + \" \" + response.body());\n");
    s
}

/// C# `HttpClient`.
pub fn csharp(req: &HttpRequest) -> String {
    let mut s = String::from(
        "using System.Net.Http;\nusing System.Net.Http.Headers;\n\nusing var client = new HttpClient();\n",
    );
    s.push_str(&format!(
        "using var request = new HttpRequestMessage(new HttpMethod({}), {});\n",
        dq(&req.method),
        dq(&req.url)
    ));
    let mut content_type = None;
    for (k, v) in &req.headers {
        if k.eq_ignore_ascii_case("content-type") {
            content_type = Some(v.clone());
            continue;
        }
        s.push_str(&format!(
            "request.Headers.TryAddWithoutValidation({}, {});\n",
            dq(k),
            dq(v)
        ));
    }
    if let Some(body) = body_text_of(req) {
        s.push_str(&format!(
            "request.Content = new StringContent(@\"{}\");\n",
            body.replace('"', "\"\"")
        ));
        if let Some(ct) = content_type {
            s.push_str(&format!(
                "request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse({});\n",
                dq(&ct)
            ));
        }
    }
    s.push_str("using var response = await client.SendAsync(request);\nConsole.WriteLine($\"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\");\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post() -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            url: "https://api.example.test/v1/pets?dry-run=true".into(),
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("X-API-Key".into(), "YOUR_API_KEY".into()),
            ],
            body: Some("{\n  \"name\": \"Rex's\"\n}".into()),
            json: Some(serde_json::json!({"name": "Rex's", "ok": true, "tag": null})),
        }
    }

    #[test]
    fn curl_quotes_single_quotes() {
        let s = curl(&post());
        assert!(
            s.starts_with("curl -X POST 'https://api.example.test/v1/pets?dry-run=true'"),
            "{s}"
        );
        assert!(s.contains("-H 'X-API-Key: YOUR_API_KEY'"), "{s}");
        assert!(s.contains("Rex'\\''s"), "{s}");
    }

    #[test]
    fn python_uses_native_literals() {
        let s = python(&post());
        assert!(s.contains("\"ok\": True"), "{s}");
        assert!(s.contains("\"tag\": None"), "{s}");
        assert!(s.contains("json=payload"), "{s}");
        assert!(
            !s.contains("\"Content-Type\""),
            "requests sets it for json=: {s}"
        );
    }

    #[test]
    fn every_language_has_method_url_and_header() {
        for sample in samples(&post()) {
            assert!(
                sample.code.contains("POST"),
                "{}: {}",
                sample.id,
                sample.code
            );
            assert!(
                sample.code.contains("api.example.test/v1/pets"),
                "{}",
                sample.id
            );
            assert!(sample.code.contains("X-API-Key"), "{}", sample.id);
        }
    }

    #[test]
    fn csharp_sets_content_type_on_content() {
        let mut req = post();
        req.json = None;
        req.body = Some("<a x=\"1\"/>".into());
        let s = csharp(&req);
        assert!(s.contains("@\"<a x=\"\"1\"\"/>\""), "{s}");
        assert!(
            s.contains("MediaTypeHeaderValue.Parse(\"application/json\")"),
            "{s}"
        );
    }

    #[test]
    fn xml_is_indented() {
        assert_eq!(
            pretty_xml("<?xml version=\"1.0\"?><a><b x=\"1\">t</b><c/></a>"),
            "<?xml version=\"1.0\"?>\n<a>\n  <b x=\"1\">t</b>\n  <c/>\n</a>\n"
        );
        assert_eq!(pretty_xml("<a><b></a>"), "<a><b></a>");
    }

    #[test]
    fn form_bodies() {
        let (text, _) = body_text(
            &serde_json::json!({"a b": "c&d", "n": 1}),
            "application/x-www-form-urlencoded",
        );
        assert_eq!(text, "a+b=c%26d&n=1");
    }
}
