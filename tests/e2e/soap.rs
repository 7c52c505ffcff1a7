//! End-to-end tests of the SOAP sandbox: `portal mock` on a free port, called over HTTP with SOAP
//! 1.1 and 1.2 envelopes, and checked by the Python `zeep` client (conformance).

use std::process::Command;

use crate::mock::Sandbox;
use crate::support::{corpus, in_ci, repo_root};

fn calculator() -> Sandbox {
    let wsdl = corpus().join("wsdl/wsdl-to-postman/calculator-soap11and12.wsdl");
    Sandbox::start(&[
        "--auth",
        "off",
        "--specs",
        wsdl.to_str().expect("utf-8 path"),
    ])
}

const ADD11: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body><Add xmlns="http://tempuri.org/"><intA>4</intA><intB>5</intB></Add></soap:Body>
</soap:Envelope>"#;

const ADD12: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">
  <env:Body><t:Add xmlns:t="http://tempuri.org/"><intA>4</intA><intB>5</intB></t:Add></env:Body>
</env:Envelope>"#;

fn text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).into_owned()
}

#[test]
fn calculator_over_soap_11_and_12() {
    let sandbox = calculator();
    let catalog = sandbox.call("GET", "/_sandbox/catalog", &[], b"").json();
    let entry = catalog["apis"]
        .as_array()
        .expect("apis")
        .iter()
        .find(|a| a["protocol"] == "soap")
        .expect("a SOAP API in the catalog")
        .clone();
    assert_eq!(entry["base_path"], "/calculator.asmx");
    assert_eq!(
        entry["spec_url"],
        format!("{}/calculator.asmx?wsdl", sandbox.base)
    );

    let r11 = sandbox.call(
        "POST",
        "/calculator.asmx",
        &[
            ("Content-Type", "text/xml; charset=utf-8"),
            ("SOAPAction", "\"http://tempuri.org/Add\""),
        ],
        ADD11.as_bytes(),
    );
    assert_eq!(r11.status, 200, "{}", text(&r11.body));
    assert_eq!(r11.header("content-type"), Some("text/xml; charset=utf-8"));
    let body = text(&r11.body);
    assert!(
        body.contains("http://schemas.xmlsoap.org/soap/envelope/"),
        "{body}"
    );
    assert!(
        body.contains("AddResponse") && body.contains("AddResult"),
        "{body}"
    );

    let r12 = sandbox.call(
        "POST",
        "/calculator.asmx",
        &[(
            "Content-Type",
            "application/soap+xml; charset=utf-8; action=\"http://tempuri.org/Add\"",
        )],
        ADD12.as_bytes(),
    );
    assert_eq!(r12.status, 200, "{}", text(&r12.body));
    assert!(
        r12.header("content-type")
            .is_some_and(|c| c.starts_with("application/soap+xml; charset=utf-8"))
    );
    let body12 = text(&r12.body);
    assert!(
        body12.contains("http://www.w3.org/2003/05/soap-envelope"),
        "{body12}"
    );
    assert!(body12.contains("AddResult"), "{body12}");

    // Deterministic: the same request (whatever its prefixes) gets the same bytes.
    let again = sandbox.call(
        "POST",
        "/calculator.asmx",
        &[
            ("Content-Type", "text/xml"),
            ("SOAPAction", "http://tempuri.org/Add"),
        ],
        ADD11.as_bytes(),
    );
    assert_eq!(again.body, r11.body);
}

#[test]
fn calculator_faults_and_wsdl() {
    let sandbox = calculator();
    let bad = ADD11.replace(">5<", ">five<");
    let r = sandbox.call(
        "POST",
        "/calculator.asmx",
        &[
            ("Content-Type", "text/xml"),
            ("SOAPAction", "http://tempuri.org/Add"),
        ],
        bad.as_bytes(),
    );
    assert_eq!(r.status, 500);
    let body = text(&r.body);
    assert!(
        body.contains("<faultcode>soap:Client</faultcode>"),
        "{body}"
    );
    assert!(body.contains("intB"), "{body}");

    let bad12 = ADD12.replace("<intB>5</intB>", "");
    let r = sandbox.call(
        "POST",
        "/calculator.asmx",
        &[("Content-Type", "application/soap+xml")],
        bad12.as_bytes(),
    );
    assert_eq!(r.status, 400);
    assert!(text(&r.body).contains("env:Sender"));

    let r = sandbox.call(
        "POST",
        "/calculator.asmx",
        &[("Content-Type", "text/xml")],
        b"<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>",
    );
    assert_eq!(r.status, 500);
    assert!(text(&r.body).contains("DTD"));

    let r = sandbox.call("GET", "/calculator.asmx?WSDL", &[], b"");
    assert_eq!(r.status, 200);
    let wsdl = text(&r.body);
    assert!(!wsdl.contains("dneonline.com"), "addresses rewritten");
    assert!(
        wsdl.contains(&format!("location=\"{}/calculator.asmx\"", sandbox.base)),
        "{wsdl}"
    );
}

fn zeep_available() -> bool {
    Command::new("python3")
        .args(["-c", "import zeep, xmlschema"])
        .status()
        .is_ok_and(|s| s.success())
}

/// Run `tests/conformance/<script>` against the sandbox; it must succeed (`what` names the
/// check in the failure). Returns its standard output and error.
fn run_conformance_script(sandbox: &Sandbox, script: &str, what: &str) -> (String, String) {
    let path = repo_root().join("tests/conformance").join(script);
    let out = Command::new("python3")
        .arg(path)
        .args(["--base", &sandbox.base])
        .output()
        .unwrap_or_else(|e| panic!("run {script}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    println!("{stdout}");
    assert!(out.status.success(), "{what} failed:\n{stdout}\n{stderr}");
    (stdout, stderr)
}

fn run_zeep(sandbox: &Sandbox) {
    let (stdout, _) = run_conformance_script(sandbox, "zeep_check.py", "zeep conformance");
    assert!(stdout.contains("\"passed\""), "{stdout}");
}

#[test]
fn zeep_conformance_corpus() {
    if !zeep_available() {
        assert!(!in_ci(), "python zeep and xmlschema are needed in CI");
        eprintln!("skipped: python zeep/xmlschema not installed");
        return;
    }
    let dir = corpus().join("wsdl");
    let sandbox = Sandbox::start(&["--auth", "off", "--specs", dir.to_str().expect("utf-8")]);
    run_zeep(&sandbox);
}

/// The real WSDLs of `tests/fixtures/wsdl` (see `tests/fixtures/SOURCES.md`): an rpc part that
/// names an element, a WSDL that imports another for its messages and port type, and requests
/// with list types (Bing Ads).
#[test]
fn zeep_conformance_fixtures() {
    if !zeep_available() {
        assert!(!in_ci(), "python zeep and xmlschema are needed in CI");
        eprintln!("skipped: python zeep/xmlschema not installed");
        return;
    }
    let dir = repo_root().join("tests/fixtures/wsdl");
    let sandbox = Sandbox::start(&["--auth", "off", "--specs", dir.to_str().expect("utf-8")]);
    // The imported WSDL is part of its importer, not an API of its own.
    let catalog = sandbox.call("GET", "/_sandbox/catalog", &[], b"").json();
    let ids: Vec<&str> = catalog["apis"]
        .as_array()
        .expect("apis")
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        ["customermanagementservice", "import2", "sampleservice"],
        "{catalog}"
    );
    run_zeep(&sandbox);
}

#[test]
fn zeep_conformance_demo_specs() {
    if !zeep_available() {
        assert!(!in_ci(), "python zeep and xmlschema are needed in CI");
        eprintln!("skipped: python zeep/xmlschema not installed");
        return;
    }
    let root = repo_root();
    let sandbox = Sandbox::start(&["--auth", "off", "--root", root.to_str().expect("utf-8")]);
    run_zeep(&sandbox);
}

/// suds (Python) and PHP's SoapClient: two more real SOAP clients, beside zeep.
fn soap_clients_available() -> bool {
    let python = Command::new("python3")
        .args(["-c", "import zeep, xmlschema, suds"])
        .status()
        .is_ok_and(|s| s.success());
    let php = Command::new("php")
        .args(["-r", "exit(class_exists('SoapClient') ? 0 : 1);"])
        .status()
        .is_ok_and(|s| s.success());
    python && php
}

/// Replay zeep's requests through suds and PHP's SoapClient (`soap_clients_check.py`): every
/// reply must parse in both, and each client must have made calls.
fn run_soap_clients(sandbox: &Sandbox) {
    let (stdout, stderr) = run_conformance_script(
        sandbox,
        "soap_clients_check.py",
        "suds / PHP SoapClient interoperability",
    );
    let summary: serde_json::Value = stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("no summary line:\n{stdout}\n{stderr}"));
    for key in ["calls", "suds_passed", "php_passed"] {
        assert!(
            summary[key].as_u64().is_some_and(|n| n > 0),
            "{key}: {summary}"
        );
    }
}

macro_rules! skip_without_soap_clients {
    () => {
        if !soap_clients_available() {
            assert!(
                !in_ci(),
                "python zeep, xmlschema, suds and PHP with ext-soap are needed in CI"
            );
            eprintln!("skipped: suds or PHP's SoapClient not installed");
            return;
        }
    };
}

#[test]
fn soap_clients_corpus() {
    skip_without_soap_clients!();
    let dir = corpus().join("wsdl");
    let sandbox = Sandbox::start(&["--auth", "off", "--specs", dir.to_str().expect("utf-8")]);
    run_soap_clients(&sandbox);
}

#[test]
fn soap_clients_fixtures() {
    skip_without_soap_clients!();
    let dir = repo_root().join("tests/fixtures/wsdl");
    let sandbox = Sandbox::start(&["--auth", "off", "--specs", dir.to_str().expect("utf-8")]);
    run_soap_clients(&sandbox);
}

#[test]
fn soap_clients_demo_specs() {
    skip_without_soap_clients!();
    let root = repo_root();
    let sandbox = Sandbox::start(&["--auth", "off", "--root", root.to_str().expect("utf-8")]);
    run_soap_clients(&sandbox);
}

/// The demo's WSDL gives SOAP 1.1 and 1.2 a port each, at addresses of their own. A SOAP 1.2
/// request posted to the 1.1 port (what PHP's SoapClient does with `soap_version` 1.2 and no
/// `location`) gets a VersionMismatch fault that says where SOAP 1.2 is served.
#[test]
fn wrong_soap_version_is_told_the_endpoint_of_its_version() {
    let root = repo_root();
    let sandbox = Sandbox::start(&["--auth", "off", "--root", root.to_str().expect("utf-8")]);
    let envelope = r#"<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><x/></env:Body></env:Envelope>"#;
    let answer = sandbox.call(
        "POST",
        "/soap/account-statement/soap11",
        &[("content-type", "application/soap+xml; charset=utf-8")],
        envelope.as_bytes(),
    );
    let body = String::from_utf8_lossy(&answer.body);
    assert_eq!(answer.status, 500, "{body}");
    assert!(body.contains("env:VersionMismatch"), "{body}");
    assert!(
        body.contains(
            "this endpoint speaks SOAP 1.1 only; SOAP 1.2 is served at /soap/account-statement/soap12"
        ),
        "{body}"
    );
}
