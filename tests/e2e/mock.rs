//! End-to-end tests of `portal mock`: the real binary on a free port, called over HTTP/1.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{corpus, portal_bin, repo_root};

/// A running `portal mock`, stopped when dropped.
pub struct Sandbox {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// What it printed before `listening on`.
    pub listing: String,
}

impl Sandbox {
    /// Start `portal mock --port 0 ARGS...` and wait until it listens.
    #[allow(clippy::zombie_processes)] // Waited for in `Drop`.
    pub fn start(args: &[&str]) -> Sandbox {
        let mut child = Command::new(portal_bin())
            .arg("mock")
            .args(["--host", "127.0.0.1", "--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start portal mock");
        let stdout = child.stdout.take().expect("stdout");
        let mut reader = BufReader::new(stdout);
        let mut listing = String::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let mut line = String::new();
            let n = reader.read_line(&mut line).expect("read stdout");
            if n == 0 {
                let _ = child.kill();
                let _ = child.wait();
                panic!("portal mock exited before listening:\n{listing}");
            }
            if let Some(url) = line.trim().strip_prefix("listening on ") {
                let base = url.to_string();
                // Keep draining stdout so the child never blocks on a full pipe.
                std::thread::spawn(move || {
                    let mut sink = Vec::new();
                    let _ = reader.read_to_end(&mut sink);
                });
                return Sandbox {
                    child,
                    base,
                    listing,
                };
            }
            listing.push_str(&line);
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!("portal mock did not start");
            }
        }
    }

    /// One request; returns status, lower-cased headers and body.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> HttpAnswer {
        http(&self.base, method, path, headers, body)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response read off the wire.
#[derive(Debug)]
pub struct HttpAnswer {
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    /// Body (de-chunked).
    pub body: Vec<u8>,
}

impl HttpAnswer {
    /// First value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
}

/// A minimal HTTP/1.1 client (`Connection: close`), enough for tests on 127.0.0.1.
pub fn http(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> HttpAnswer {
    let host = base.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(host).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("write head");
    stream.write_all(body).expect("write body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read response");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            Some((k.trim().to_ascii_lowercase(), v.trim().to_string()))
        })
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    HttpAnswer {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        data = &data[eol + 2..];
        if size == 0 || data.len() < size {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[(size + 2).min(data.len())..];
    }
    out
}

fn petstore() -> String {
    corpus()
        .join("openapi/oai/v3.0/petstore.yaml")
        .display()
        .to_string()
}

#[test]
fn empty_sandbox_answers_health_catalog_and_404() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("specs")).expect("specs dir");
    let root = dir.path().display().to_string();
    let sandbox = Sandbox::start(&["--root", &root, "--auth", "off"]);
    let health = sandbox.call("GET", "/_sandbox/health", &[], b"");
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    let catalog = sandbox.call("GET", "/_sandbox/catalog", &[], b"");
    assert_eq!(catalog.json()["apis"], serde_json::json!([]));
    let missing = sandbox.call("GET", "/nothing/here", &[], b"");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("application/problem+json")
    );
    assert!(
        missing
            .header("x-request-id")
            .is_some_and(|v| !v.is_empty())
    );
}

#[test]
fn petstore_is_listed_served_and_deterministic_across_restarts() {
    let spec = petstore();
    let first = Sandbox::start(&["--specs", &spec, "--auth", "off"]);
    assert!(first.listing.contains("/v1"), "listing: {}", first.listing);
    let a = first.call("GET", "/v1/pets?limit=3", &[], b"");
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    assert!(a.json().is_array());
    let one = first.call("GET", "/v1/pets/7", &[], b"");
    assert_eq!(one.status, 200);
    drop(first);

    let second = Sandbox::start(&["--specs", &spec, "--auth", "off"]);
    let b = second.call("GET", "/v1/pets?limit=3", &[], b"");
    assert_eq!(a.body, b.body, "same request, same bytes after a restart");
    let wrong = second.call("DELETE", "/v1/pets", &[], b"");
    assert_eq!(wrong.status, 405);
    assert!(wrong.header("allow").is_some_and(|a| a.contains("GET")));
    let bad = second.call("GET", "/v1/pets?limit=abc", &[], b"");
    assert!(bad.status == 400 || bad.status == 422, "{}", bad.status);
    drop(second);

    let reseeded = Sandbox::start(&["--specs", &spec, "--auth", "off", "--seed", "42"]);
    let c = reseeded.call("GET", "/v1/pets?limit=3", &[], b"");
    assert_eq!(c.status, 200);
    assert_ne!(a.body, c.body, "--seed changes the data");

    let doc = reseeded
        .call(
            "GET",
            "/_sandbox/apis/swagger-petstore/openapi.json",
            &[],
            b"",
        )
        .json();
    let server = doc["servers"][0]["url"].as_str().unwrap_or_default();
    assert_eq!(server, format!("{}/v1", reseeded.base));
}

#[test]
fn overlapping_apis_are_moved_and_listed() {
    let yaml = petstore();
    let json = corpus().join("openapi/oai/v3.0/petstore.json");
    let sandbox = Sandbox::start(&[
        "--specs",
        &yaml,
        "--specs",
        &json.display().to_string(),
        "--auth",
        "off",
    ]);
    assert!(
        sandbox.listing.contains("moved"),
        "listing: {}",
        sandbox.listing
    );
    let catalog = sandbox.call("GET", "/_sandbox/catalog", &[], b"").json();
    let paths: Vec<&str> = catalog["apis"]
        .as_array()
        .expect("apis")
        .iter()
        .filter_map(|a| a["base_path"].as_str())
        .collect();
    assert!(paths.contains(&"/v1"), "{paths:?}");
    let moved = paths.iter().find(|p| **p != "/v1").expect("a moved API");
    let answer = sandbox.call("GET", &format!("{moved}/pets"), &[], b"");
    assert_eq!(answer.status, 200);
    assert!(Path::new(&yaml).exists());
}

/// schemathesis, when installed (PATH or `SCHEMATHESIS`).
fn schemathesis() -> Option<String> {
    if let Ok(exe) = std::env::var("SCHEMATHESIS") {
        return Some(exe);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("schemathesis"))
        .find(|p| p.is_file())
        .map(|p| p.display().to_string())
}

/// The REST conformance run (tests/conformance/schemathesis.sh) over the corpus and the demo
/// specs: zero failures in both passes.
#[test]
fn schemathesis_conformance() {
    let Some(exe) = schemathesis() else {
        assert!(
            !crate::support::in_ci(),
            "schemathesis is required in CI (pip install -r tests/requirements.txt)"
        );
        eprintln!("skipped: schemathesis not installed");
        return;
    };
    let script = crate::support::repo_root().join("tests/conformance/schemathesis.sh");
    let log_dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new("sh")
        .arg(&script)
        .env("SCHEMATHESIS", exe)
        .env("PORTAL_BIN", portal_bin())
        .env("PORTAL_CORPUS", corpus())
        .env("ST_LOG", log_dir.path())
        .output()
        .expect("run the conformance script");
    let report = String::from_utf8_lossy(&out.stdout);
    let log =
        std::fs::read_to_string(log_dir.path().join("portal-schemathesis.log")).unwrap_or_default();
    assert!(
        out.status.success(),
        "{report}\n{}\n--- failing output ---\n{}",
        String::from_utf8_lossy(&out.stderr),
        failing_sections(&log)
    );
    assert!(report.contains("PASS"), "nothing was tested:\n{report}");
}

/// The FAILURES sections of the schemathesis log, for the assertion message.
fn failing_sections(log: &str) -> String {
    let mut out = String::new();
    let mut keep = false;
    for line in log.lines() {
        if line.contains("FAILURES") || line.contains("ERRORS") {
            keep = true;
        } else if line.contains("SUMMARY") {
            keep = false;
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// One log line per request (`--log-format json`): method, path, status, milliseconds, the
/// client id and the request id the response carries; a client secret never reaches the log.
#[test]
fn every_request_is_logged_once_with_its_request_id_and_never_a_secret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log_path = dir.path().join("mock.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let spec = petstore();
    let mut child = Command::new(portal_bin())
        .args([
            "mock",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--auth",
            "off",
        ])
        .args(["--log-format", "json", "--specs", &spec])
        .env_remove("PORTAL_LOG")
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("start portal mock");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let base = loop {
        let mut line = String::new();
        if reader.read_line(&mut line).expect("read stdout") == 0 {
            let _ = child.kill();
            let _ = child.wait();
            panic!("portal mock exited before listening");
        }
        if let Some(url) = line.trim().strip_prefix("listening on ") {
            break url.to_string();
        }
    };
    const SECRET: &str = "never-log-this-secret-4f1c";
    let calls = [
        ("/v1/pets/3", 200),
        ("/v1/pets?limit=abc", 400),
        ("/v1/nothing", 404),
    ];
    let mut ids = Vec::new();
    for (path, status) in calls {
        let answer = http(
            &base,
            "GET",
            path,
            &[
                ("X-IBM-Client-Id", "log-test-client"),
                ("X-IBM-Client-Secret", SECRET),
            ],
            b"",
        );
        assert_eq!(answer.status, status, "{path}");
        ids.push(
            answer
                .header("x-request-id")
                .expect("request id")
                .to_string(),
        );
    }
    // The log is written by a background thread: wait for the three lines.
    let deadline = Instant::now() + Duration::from_secs(10);
    let lines: Vec<serde_json::Value> = loop {
        let text = std::fs::read_to_string(&log_path).expect("read log");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .filter(|v: &serde_json::Value| v.get("request_id").is_some())
            .collect();
        if lines.len() >= calls.len() || Instant::now() > deadline {
            assert!(!text.contains(SECRET), "a secret reached the log:\n{text}");
            break lines;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(lines.len(), calls.len(), "one line per request: {lines:?}");
    for ((line, (path, status)), id) in lines.iter().zip(calls).zip(&ids) {
        assert_eq!(line["method"], "GET", "{line}");
        assert_eq!(
            line["path"],
            path.split('?').next().unwrap_or(path),
            "{line}"
        );
        assert_eq!(line["status"], status, "{line}");
        assert_eq!(line["client"], "log-test-client", "{line}");
        assert_eq!(line["request_id"], id.as_str(), "{line}");
        let ms: f64 = line["ms"]
            .as_str()
            .and_then(|m| m.parse().ok())
            .or_else(|| line["ms"].as_f64())
            .unwrap_or_else(|| panic!("ms in {line}"));
        assert!(ms >= 0.0, "{line}");
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

/// Request bodies with `Content-Encoding: gzip` (or `deflate`) are decoded before they are read;
/// another coding gets 415 with `Accept-Encoding`, a body that is not what its coding says gets
/// 400, and a JSON body that starts with a byte order mark is read as JSON (RFC 8259 8.1). The
/// SOAP endpoints decode the same way.
#[test]
fn compressed_and_bom_request_bodies() {
    let root = repo_root();
    let sandbox = Sandbox::start(&["--auth", "off", "--root", root.to_str().expect("utf-8")]);
    let spec = sandbox
        .call(
            "GET",
            "/_sandbox/apis/funds-transfer/openapi.json",
            &[],
            b"",
        )
        .json();
    let example = &spec["paths"]["/transfers"]["post"]["requestBody"]["content"]["application/json"]
        ["examples"]["ibanToIban"]["value"];
    assert!(example.is_object(), "{example}");
    let body = serde_json::to_vec(example).expect("json");
    let post = |extra: &[(&str, &str)], bytes: &[u8]| {
        let mut headers = vec![
            ("content-type", "application/json"),
            ("idempotency-key", "0b0c6a8e-4b1e-4a0e-9d7e-1c2d3e4f5a6b"),
        ];
        headers.extend_from_slice(extra);
        sandbox.call("POST", "/funds-transfer/v1/transfers", &headers, bytes)
    };
    let plain = post(&[], &body);
    assert_eq!(
        plain.status,
        201,
        "{}",
        String::from_utf8_lossy(&plain.body)
    );
    let zipped = post(&[("content-encoding", "gzip")], &gzip(&body));
    assert_eq!(
        zipped.status,
        201,
        "{}",
        String::from_utf8_lossy(&zipped.body)
    );
    // The same request, whatever its coding: the same answer.
    assert_eq!(zipped.body, plain.body);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(&body);
    let with_bom = post(&[], &bom);
    assert_eq!(
        with_bom.status,
        201,
        "{}",
        String::from_utf8_lossy(&with_bom.body)
    );

    let brotli = post(&[("content-encoding", "br")], &body);
    assert_eq!(
        brotli.status,
        415,
        "{}",
        String::from_utf8_lossy(&brotli.body)
    );
    assert_eq!(brotli.header("accept-encoding"), Some("gzip, deflate"));
    assert_eq!(
        brotli.json()["type"],
        "https://portal.invalid/problems/unsupported-content-encoding"
    );
    let corrupt = post(&[("content-encoding", "gzip")], &body);
    assert_eq!(
        corrupt.status,
        400,
        "{}",
        String::from_utf8_lossy(&corrupt.body)
    );
    assert_eq!(corrupt.json()["errors"][0]["code"], "malformed");

    let envelope = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><x/></s:Body></s:Envelope>"#;
    let soap = |extra: &[(&str, &str)], bytes: &[u8]| {
        let mut headers = vec![("content-type", "text/xml; charset=utf-8")];
        headers.extend_from_slice(extra);
        sandbox.call("POST", "/soap/account-statement/soap11", &headers, bytes)
    };
    let plain = soap(&[], envelope);
    let zipped = soap(&[("content-encoding", "gzip")], &gzip(envelope));
    assert_eq!(zipped.status, plain.status);
    assert_eq!(zipped.body, plain.body);
    let brotli = soap(&[("content-encoding", "br")], envelope);
    let text = String::from_utf8_lossy(&brotli.body);
    assert_eq!(brotli.status, 415, "{text}");
    assert_eq!(brotli.header("accept-encoding"), Some("gzip, deflate"));
    assert!(
        text.contains("<faultcode>soap:Client</faultcode>"),
        "{text}"
    );
}
