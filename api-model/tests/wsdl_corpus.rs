//! Every WSDL of `shared/corpus/wsdl` through the loader: operation counts, diagnostics, model
//! snapshots, generated message snapshots, and (with Python's `xmlschema`) validity of every
//! generated document/literal body against the WSDL's own schemas.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use api_model::example::Seed;
use api_model::xml_example::{Direction, envelope, headers_xml, message_xml};
use api_model::{
    Api, LoadOutcome, Operation, PartContent, SchemaRef, Severity, SoapStyle, SoapUse, SpecKind,
};
use serde::Serialize;

/// The corpus folder: walk up from the crate until a `shared/corpus` folder exists.
fn corpus() -> Option<PathBuf> {
    let mut dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    loop {
        let candidate = dir.join("shared/corpus");
        if candidate.is_dir() {
            return Some(candidate);
        }
        if !dir.pop() {
            return None;
        }
    }
}

fn wsdl_dir() -> Option<PathBuf> {
    match corpus() {
        Some(c) => Some(c.join("wsdl")),
        None if std::env::var_os("CI").is_some() => {
            panic!("shared/corpus not found above the crate")
        }
        None => {
            eprintln!("skipped: shared/corpus not found");
            None
        }
    }
}

fn load() -> Option<(PathBuf, LoadOutcome)> {
    let dir = wsdl_dir()?;
    let out = api_model::load_paths(std::slice::from_ref(&dir));
    Some((dir, out))
}

fn rel(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Expected operation counts, read off each WSDL: operations of each bound port type
/// (interface), once per name per port type.
const COUNTS: &[(&str, usize)] = &[
    ("gowsdl/mnb-exchange.wsdl", 6),
    ("python-zeep/integration/hello_world_recursive.wsdl", 6),
    (
        "python-zeep/integration/hello_world_recursive_import.wsdl",
        6,
    ),
    ("python-zeep/integration/recursive_schema_main.wsdl", 0),
    ("python-zeep/integration/test_http_post.wsdl", 1),
    ("python-zeep/wsdl_files/claim.wsdl", 1),
    ("python-zeep/wsdl_files/http.wsdl", 1),
    ("python-zeep/wsdl_files/soap.wsdl", 2),
    ("python-zeep/wsdl_files/soap_header.wsdl", 1),
    ("python-zeep/wsdl_files/soap_import_2.wsdl", 0),
    ("python-zeep/wsdl_files/soap_import_main.wsdl", 1),
    ("python-zeep/wsdl_files/soap_transport_err.wsdl", 1),
    ("savon/blz_service.wsdl", 1),
    ("savon/jira.wsdl", 113),
    ("savon/vies.wsdl", 2),
    ("savon/xignite.wsdl", 60),
    ("soap-go/GlobalWeather.wsdl", 6),
    ("wasabi/soap12.wsdl", 0),
    ("wsdl-to-postman/amazonQueue.wsdl", 11),
    ("wsdl-to-postman/calculator-soap11and12.wsdl", 4),
    ("wsdl-to-postman/countryInformation.wsdl", 21),
    ("wsdl-to-postman/nestedFolders/wsdl/Services.wsdl", 1),
    ("wsdl-to-postman/numberConvertion.wsdl", 2),
    ("wsdl-to-postman/temperatureConverter.wsdl", 4),
    ("wsdl-to-postman/wsdl20/Axis2WSD20.wsdl", 1),
    ("wsdl-to-postman/wsdl20/W3Example_wsdl_20.wsdl", 1),
    ("wsdl-to-postman/xsdimportsxsd/spec.wsdl", 4),
];

#[test]
fn every_wsdl_loads_with_its_operation_count() {
    let Some((dir, out)) = load() else { return };
    let mut seen = 0;
    for report in &out.files {
        let path = rel(&report.path, &dir);
        if report.kind != SpecKind::Wsdl {
            assert_eq!(report.kind, SpecKind::Xsd, "{path}");
            continue;
        }
        let expected = COUNTS
            .iter()
            .find(|(p, _)| *p == path)
            .unwrap_or_else(|| panic!("no expected count for {path}"))
            .1;
        assert_eq!(report.operations, expected, "{path}");
        let errors: Vec<_> = report.errors().collect();
        assert!(errors.is_empty(), "{path}: {errors:?}");
        seen += 1;
    }
    assert_eq!(seen, COUNTS.len());
    // Every XSD is either used by a WSDL or checks clean on its own.
    for report in out.files.iter().filter(|r| r.kind == SpecKind::Xsd) {
        assert!(report.errors().next().is_none(), "{:?}", report.diagnostics);
    }
}

fn diagnostics_of(out: &LoadOutcome, dir: &Path, file: &str) -> Vec<String> {
    let report = out
        .files
        .iter()
        .find(|r| rel(&r.path, dir) == file)
        .expect("file reported");
    report
        .diagnostics
        .iter()
        .map(|d| {
            let mut d = d.clone();
            d.path = PathBuf::from(rel(&d.path, dir));
            d.to_string()
        })
        .collect()
}

#[test]
fn odd_files_get_located_warnings() {
    let Some((dir, out)) = load() else { return };
    let soap12 = diagnostics_of(&out, &dir, "wasabi/soap12.wsdl");
    assert!(
        soap12.iter().any(
            |d| d.starts_with("wasabi/soap12.wsdl:4:1: warning: the WSDL declares no portType")
        ),
        "{soap12:?}"
    );
    assert!(
        soap12
            .iter()
            .any(|d| d.contains(":6:9: warning: port `BlogSoap12` names no binding"))
    );
    let transport = diagnostics_of(&out, &dir, "python-zeep/wsdl_files/soap_transport_err.wsdl");
    assert!(
        transport
            .iter()
            .any(|d| d.contains(":111:3: warning: binding `StockQuoteBinding` is declared twice")),
        "{transport:?}"
    );
    let http = diagnostics_of(&out, &dir, "python-zeep/wsdl_files/http.wsdl");
    assert!(
        http.iter()
            .any(|d| d.contains(":48:3: warning:") && d.contains("HTTP (non-SOAP) binding")),
        "{http:?}"
    );
    insta::assert_yaml_snapshot!(
        "odd_file_diagnostics",
        BTreeMap::from([
            ("wasabi/soap12.wsdl", soap12),
            ("python-zeep/wsdl_files/soap_transport_err.wsdl", transport),
            ("python-zeep/wsdl_files/http.wsdl", http),
            (
                "python-zeep/integration/recursive_schema_main.wsdl",
                diagnostics_of(
                    &out,
                    &dir,
                    "python-zeep/integration/recursive_schema_main.wsdl"
                ),
            ),
        ])
    );
}

#[derive(Serialize)]
struct Summary {
    title: String,
    id: String,
    wsdl_version: String,
    files: Vec<String>,
    description: Option<String>,
    servers: Vec<String>,
    security: Vec<String>,
    operations: Vec<OpSummary>,
    schema_count: usize,
    /// All schemas for small APIs, only the keys for big ones.
    schemas: serde_yaml_like::Schemas,
    diagnostics: Vec<String>,
}

mod serde_yaml_like {
    use indexmap::IndexMap;
    use serde::Serialize;

    #[derive(Serialize)]
    #[serde(untagged)]
    pub enum Schemas {
        Full(IndexMap<String, api_model::Schema>),
        Keys(Vec<String>),
    }
}

#[derive(Serialize)]
struct OpSummary {
    id: String,
    port_type: String,
    description: Option<String>,
    input: Option<String>,
    output: Option<String>,
    faults: Vec<String>,
    bindings: Vec<String>,
    responses: Vec<String>,
}

fn message_summary(m: &api_model::SoapMessage) -> String {
    let parts: Vec<String> = m
        .parts
        .iter()
        .map(|p| {
            let what = match &p.content {
                PartContent::Element(q) => format!("element {q}"),
                PartContent::Type(q) => format!("type {q}"),
            };
            let resolved = if p.schema.is_some() {
                ""
            } else {
                " (unresolved)"
            };
            format!("{}: {what}{resolved}", p.name)
        })
        .collect();
    format!("{} [{}]", m.name.local, parts.join(", "))
}

fn op_summary(op: &Operation) -> OpSummary {
    let soap = op.soap().expect("SOAP operation");
    OpSummary {
        id: op.id.clone(),
        port_type: soap.port_type.local.clone(),
        description: op.description.clone(),
        input: soap.input.as_ref().map(message_summary),
        output: soap.output.as_ref().map(message_summary),
        faults: soap
            .faults
            .iter()
            .map(|f| match &f.message {
                Some(m) => format!("{}: {}", f.name, message_summary(m)),
                None => f.name.clone(),
            })
            .collect(),
        bindings: soap
            .bindings
            .iter()
            .map(|b| {
                let style = match b.style {
                    SoapStyle::Document => "document",
                    SoapStyle::Rpc => "rpc",
                };
                let body_use = match b.body_use {
                    SoapUse::Literal => "literal",
                    SoapUse::Encoded => "encoded",
                };
                let headers: Vec<String> = b
                    .input_headers
                    .iter()
                    .map(|h| format!("in:{}", h.part))
                    .chain(b.output_headers.iter().map(|h| format!("out:{}", h.part)))
                    .collect();
                let eps: Vec<String> = b.endpoints.iter().map(|e| format!("{}/{}", e.service, e.port)).collect();
                format!(
                    "{} soap{} {style}/{body_use} action={:?} ns={:?} headers={headers:?} endpoints={eps:?}",
                    b.name.local,
                    match b.version {
                        api_model::SoapVersion::V11 => "1.1",
                        api_model::SoapVersion::V12 => "1.2",
                    },
                    b.action.as_deref().unwrap_or(""),
                    b.namespace.as_deref().unwrap_or(""),
                )
            })
            .collect(),
        responses: op
            .responses
            .iter()
            .map(|r| {
                let types: Vec<&String> = r.content.keys().collect();
                format!("{} {types:?}", r.status.label())
            })
            .collect(),
    }
}

fn summary(api: &Api, diagnostics: Vec<String>) -> Summary {
    Summary {
        title: api.title.clone(),
        id: api.id.clone(),
        wsdl_version: api.source.version.clone(),
        files: api.source.files.clone(),
        description: api.description.clone(),
        servers: api.servers.iter().map(|s| s.url.clone()).collect(),
        security: api.security_schemes.keys().cloned().collect(),
        operations: api.operations.iter().map(op_summary).collect(),
        schema_count: api.schemas.len(),
        schemas: if api.schemas.len() <= 30 {
            serde_yaml_like::Schemas::Full(api.schemas.clone())
        } else {
            serde_yaml_like::Schemas::Keys(api.schemas.keys().cloned().collect())
        },
        diagnostics,
    }
}

#[test]
fn model_snapshots() {
    let Some((dir, out)) = load() else { return };
    for report in out.files.iter().filter(|r| r.kind == SpecKind::Wsdl) {
        let path = rel(&report.path, &dir);
        let Some(id) = report.api_id.as_deref() else {
            // A WSDL another imports, with no operation of its own, is a part of that API.
            let title = report.title.as_deref().unwrap_or_default();
            assert!(title.starts_with("used by "), "{path}: not loaded: {title}");
            continue;
        };
        let api = out
            .catalog
            .apis
            .iter()
            .find(|a| a.id == id)
            .expect("api in catalog");
        let name = path.trim_end_matches(".wsdl").replace(['/', '.'], "_");
        let diags = diagnostics_of(&out, &dir, &path);
        insta::assert_yaml_snapshot!(format!("model__{name}"), summary(api, diags));
    }
}

fn api<'a>(out: &'a LoadOutcome, dir: &Path, file: &str) -> &'a Api {
    let report = out
        .files
        .iter()
        .find(|r| rel(&r.path, dir) == file)
        .expect("file reported");
    let id = report.api_id.as_deref().expect("loaded");
    out.catalog.apis.iter().find(|a| a.id == id).expect("api")
}

fn body(api: &Api, op_id: &str, binding: usize, direction: Direction) -> String {
    let op = api
        .operations
        .iter()
        .find(|o| o.id == op_id)
        .expect("operation");
    let soap = op.soap().expect("soap");
    let b = &soap.bindings[binding];
    let message = match direction {
        Direction::Request => soap.input.as_ref(),
        Direction::Response => soap.output.as_ref(),
    }
    .expect("message");
    let seed = Seed::from_parts(&[op_id.as_bytes(), &[direction as u8]]);
    let headers = headers_xml(api, b, direction, seed);
    envelope(
        b.version,
        &headers,
        &message_xml(api, message, b, &soap.name, direction, seed),
    )
}

#[test]
fn message_snapshots() {
    let Some((dir, out)) = load() else { return };
    let calc = api(&out, &dir, "wsdl-to-postman/calculator-soap11and12.wsdl");
    let add = body(calc, "Add", 0, Direction::Request);
    assert!(
        add.contains("<ns1:Add xmlns:ns1=\"http://tempuri.org/\"><intA>"),
        "{add}"
    );
    insta::assert_snapshot!("calculator_add_request", add);
    insta::assert_snapshot!(
        "calculator_add_response_soap12",
        body(calc, "Add", 1, Direction::Response)
    );
    let claim = api(&out, &dir, "python-zeep/wsdl_files/claim.wsdl");
    let req = body(claim, "GetClaimDetails", 0, Direction::Request);
    assert!(
        req.contains(r#"<ClaimID xmlns:ns2="http://risky-stuff.com/soap/GetClaimDetails/" xsi:type="ns2:ClaimID">"#),
        "{req}"
    );
    insta::assert_snapshot!("claim_rpc_encoded_request", req);
    let jira = api(&out, &dir, "savon/jira.wsdl");
    insta::assert_snapshot!(
        "jira_get_components_response",
        body(jira, "getComponents", 0, Direction::Response)
    );
    let header = api(&out, &dir, "python-zeep/wsdl_files/soap_header.wsdl");
    insta::assert_snapshot!(
        "soap_header_request",
        body(header, "GetLastTradePrice", 0, Direction::Request)
    );
    let same = body(calc, "Add", 0, Direction::Request);
    assert_eq!(add, same, "deterministic");
}

/// Generated document/literal bodies validate against the WSDL's schemas (Python `xmlschema`).
#[test]
fn generated_bodies_validate_with_xmlschema() {
    let Some((dir, out)) = load() else { return };
    let has_python = Command::new("python3")
        .args(["-c", "import xmlschema, lxml"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_python {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs python3 with xmlschema and lxml"
        );
        eprintln!("skipped: python3 with xmlschema and lxml not found");
        return;
    }
    let mut cases = Vec::new();
    for a in &out.catalog.apis {
        // Only APIs whose schemas are all inline or local (no remote imports).
        let root = dir.join(&a.source.path);
        for op in &a.operations {
            let soap = op.soap().expect("soap");
            for (i, b) in soap.bindings.iter().enumerate() {
                if b.style != SoapStyle::Document || b.body_use != SoapUse::Literal {
                    continue;
                }
                for (direction, message) in [
                    (Direction::Request, soap.input.as_ref()),
                    (Direction::Response, soap.output.as_ref()),
                ] {
                    let Some(message) = message else { continue };
                    if message.parts.iter().any(|p| {
                        !matches!(p.content, PartContent::Element(_)) || p.schema.is_none()
                    }) {
                        continue;
                    }
                    let seed = Seed::from_parts(&[op.id.as_bytes(), &[i as u8, direction as u8]]);
                    // Header blocks are elements of the same schemas: validate them too.
                    // (A header part given by type has no global element to validate against.)
                    let headers = match direction {
                        Direction::Request => &b.input_headers,
                        Direction::Response => &b.output_headers,
                    };
                    let by_element = headers
                        .iter()
                        .all(|h| h.element.as_ref().is_some_and(|e| e.namespace.is_some()));
                    let header_xml = if by_element {
                        headers_xml(a, b, direction, seed)
                    } else {
                        String::new()
                    };
                    let xml = header_xml + &message_xml(a, message, b, &soap.name, direction, seed);
                    cases.push(serde_json::json!({
                        "files": a.source.files.iter().map(|f| dir.join(f)).collect::<Vec<_>>(),
                        "root": root,
                        "label": format!("{} {} {:?}", a.source.path, op.id, direction),
                        "xml": format!("<body>{xml}</body>"),
                    }));
                }
            }
        }
    }
    assert!(cases.len() > 100, "only {} cases", cases.len());
    // The validator must be able to fail: a body with a wrong value is reported.
    let calc = api(&out, &dir, "wsdl-to-postman/calculator-soap11and12.wsdl");
    cases.push(serde_json::json!({
        "files": calc.source.files.iter().map(|f| dir.join(f)).collect::<Vec<_>>(),
        "root": dir.join(&calc.source.path),
        "label": "sanity: broken Add",
        "xml": "<body><ns1:Add xmlns:ns1=\"http://tempuri.org/\"><intA>x</intA><intB>1</intB></ns1:Add></body>",
        "expect_invalid": true,
    }));
    let stdout = run_validator("corpus", &cases);
    assert!(stdout.contains("validated"), "{stdout}");
    eprintln!("{stdout}");
}

fn python_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import xmlschema, lxml"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs python3 with xmlschema and lxml"
        );
        eprintln!("skipped: python3 with xmlschema and lxml not found");
    }
    ok
}

/// Run `validate_bodies.py` on the cases; panics with its report when anything is invalid.
fn run_validator(name: &str, cases: &[serde_json::Value]) -> String {
    let tmp = std::env::temp_dir().join(format!("wsdl_{name}_{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let manifest = tmp.join("cases.json");
    std::fs::write(&manifest, serde_json::to_string(cases).expect("json")).expect("write");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/validate_bodies.py");
    let run = Command::new("python3")
        .arg(&script)
        .arg(&manifest)
        .output()
        .expect("python3 runs");
    let _ = std::fs::remove_dir_all(&tmp);
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stdout}\n{stderr}");
    stdout
}

/// Every XSD feature of the fixture, over many seeds: the generated XML stays valid.
#[test]
fn feature_fixture_messages_validate_over_many_seeds() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wsdl/features.wsdl");
    let out = api_model::load_paths(std::slice::from_ref(&fixture));
    let errors = out.errors();
    assert!(errors.is_empty(), "{errors:?}");
    let warnings = out.warnings();
    assert!(warnings.is_empty(), "{warnings:?}");
    let a = &out.catalog.apis[0];
    let op = &a.operations[0];
    let soap = op.soap().expect("soap");
    let b = &soap.bindings[0];
    let mut cases = Vec::new();
    let mut distinct = std::collections::BTreeSet::new();
    for seed in 0..40u64 {
        for (direction, message) in [
            (Direction::Request, soap.input.as_ref().expect("input")),
            (Direction::Response, soap.output.as_ref().expect("output")),
        ] {
            let xml = message_xml(a, message, b, &soap.name, direction, Seed(seed));
            distinct.insert(xml.clone());
            cases.push(serde_json::json!({
                "files": [fixture.clone()],
                "root": fixture.clone(),
                "label": format!("features seed {seed} {direction:?}"),
                "xml": format!("<body>{xml}</body>"),
            }));
        }
    }
    assert!(distinct.len() > 40, "seeds vary the output");
    let first = message_xml(
        a,
        soap.input.as_ref().expect("input"),
        b,
        &soap.name,
        Direction::Request,
        Seed(0),
    );
    for needle in [
        "<ns1:fixed>v1</ns1:fixed>",
        "version=\"2\"",
        "ns2:lang=",
        "\"><tag>",
    ] {
        assert!(first.contains(needle), "{needle} in {first}");
    }
    insta::assert_snapshot!("features_request_seed0", first);
    if !python_available() {
        return;
    }
    let stdout = run_validator("features", &cases);
    assert!(stdout.contains("validated 80 elements"), "{stdout}");
}

#[test]
fn diagnostics_are_errors_only_for_broken_files() {
    let Some((_, out)) = load() else { return };
    let errors: Vec<_> = out
        .files
        .iter()
        .flat_map(|f| f.diagnostics.iter())
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let parts_unresolved: Vec<String> = out
        .catalog
        .apis
        .iter()
        .flat_map(|a| a.operations.iter().map(move |o| (a, o)))
        .filter_map(|(a, o)| {
            let soap = o.soap()?;
            let missing = soap
                .input
                .iter()
                .chain(soap.output.iter())
                .flat_map(|m| m.parts.iter())
                .any(|p| p.schema.is_none());
            missing.then(|| format!("{} {}", a.title, o.id))
        })
        .collect();
    assert!(parts_unresolved.is_empty(), "{parts_unresolved:?}");
    // Element parts point at schemas that exist.
    for a in &out.catalog.apis {
        for o in &a.operations {
            let soap = o.soap().expect("soap");
            for p in soap
                .input
                .iter()
                .chain(soap.output.iter())
                .flat_map(|m| m.parts.iter())
            {
                if let Some(SchemaRef::Named(key)) = &p.schema {
                    assert!(a.schemas.contains_key(key), "{key}");
                }
            }
        }
    }
}

/// Truncated and corrupted corpus files give diagnostics, never a panic (a cheap, deterministic
/// complement to the `wsdl_load` fuzz target that runs on stable).
#[test]
fn mutated_corpus_files_never_panic() {
    use api_model::files::MemoryFiles;
    let Some(dir) = wsdl_dir() else { return };
    let mut files = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read corpus").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "wsdl") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut loaded = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).expect("utf-8");
        if text.len() > 100_000 {
            continue;
        }
        let cuts = 24;
        for k in 1..cuts {
            let mut at = text.len() * k / cuts;
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            for variant in [
                text[..at].to_string(),
                format!("{}\"<{}", &text[..at], &text[at..]),
                format!(
                    "{}{}",
                    &text[..at],
                    &text[at..].replacen("name=\"", "name=\"x:", 1)
                ),
                text.replacen("tns:", "zz:", k),
            ] {
                let mut fs = MemoryFiles::new();
                fs.insert("/m/a.wsdl", variant);
                if let Ok(l) = api_model::wsdl::load(Path::new("/m/a.wsdl"), &fs) {
                    loaded += 1;
                    for op in &l.api.operations {
                        let soap = op.soap().expect("soap");
                        for b in &soap.bindings {
                            if let Some(m) = &soap.input {
                                let _ = message_xml(
                                    &l.api,
                                    m,
                                    b,
                                    &soap.name,
                                    Direction::Request,
                                    Seed(1),
                                );
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(loaded > 100, "some variants still load: {loaded}");
}
