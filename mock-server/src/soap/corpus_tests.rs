//! The SOAP pieces against the real WSDLs of the corpus and the demo specs, as the loader reads
//! them: every API gets a mount, every `?wsdl` (and imported file) is rewritten to well-formed XML
//! that points at the sandbox only, and the calculator validates and dispatches like a client
//! expects.

use std::path::Path;

use api_model::{Api, Protocol, SoapVersion};
use quick_xml::events::Event;
use quick_xml::reader::NsReader;

use super::envelope::{Limits, parse};
use super::mounts::soap_mounts;
use super::wsdl_serve::{ServeContext, WsdlRequest, rewrite};
use crate::testing::corpus;

fn soap_apis(dir: &Path) -> Vec<Api> {
    api_model::load_dir(dir)
        .catalog
        .apis
        .into_iter()
        .filter(|a| a.protocol == Protocol::Soap)
        .collect()
}

use super::fixtures::served_mounts as final_mounts;

fn well_formed(text: &str) -> Result<(), String> {
    let mut r = NsReader::from_str(text);
    loop {
        match r.read_event() {
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
}

fn check_tree(dir: &Path, api: &Api) {
    let mounts = final_mounts(api);
    assert!(!mounts.is_empty(), "{}: no mount", api.id);
    let ctx = ServeContext::new(api, &mounts, "http://127.0.0.1:4010", &mounts[0].1);
    let root = ctx.file_for(&WsdlRequest::Root).expect("root file");
    let text = std::fs::read_to_string(dir.join(root)).expect("readable");
    let out = rewrite(&text, root, &ctx).unwrap_or_else(|e| panic!("{}: {e}", api.id));
    well_formed(&out)
        .unwrap_or_else(|e| panic!("{}: rewritten WSDL is not well-formed: {e}", api.id));
    for (mount, _) in &mounts {
        for port in &mount.ports {
            if !port.address.is_empty() && !port.address.starts_with("http://127.0.0.1:4010/") {
                assert!(
                    !out.contains(&format!("location=\"{}\"", port.address)),
                    "{}: address {} not rewritten",
                    api.id,
                    port.address
                );
            }
        }
        if mount.synthesized {
            assert!(
                out.contains("<wsdl:service") || out.contains("service name="),
                "{}: no service added",
                api.id
            );
        }
    }
    // Every file link in any served file names a file the sandbox serves.
    for file in &api.source.files {
        let text = std::fs::read_to_string(dir.join(file)).expect("readable");
        let out = rewrite(&text, file, &ctx).unwrap_or_else(|e| panic!("{}: {e}", api.id));
        well_formed(&out).unwrap_or_else(|e| panic!("{file}: {e}"));
        for (i, _) in out.match_indices("?xsd=") {
            let rest = &out[i + 5..];
            let end = rest.find('"').expect("quoted");
            let rel = percent_encoding::percent_decode_str(&rest[..end])
                .decode_utf8_lossy()
                .into_owned();
            assert!(
                rel == super::wsdl_serve::SOAP_ENCODING_FILE
                    || ctx.file_for(&WsdlRequest::File(rel.clone())).is_some(),
                "{}: {rel} not served",
                api.id
            );
        }
    }
}

#[test]
fn every_corpus_wsdl_is_mounted_and_served_rewritten() {
    let Some(corpus) = corpus() else { return };
    let dir = corpus.join("wsdl");
    let apis = soap_apis(&dir);
    assert!(apis.len() >= 20, "only {} SOAP APIs loaded", apis.len());
    for api in &apis {
        check_tree(&dir, api);
    }
}

#[test]
fn demo_specs_are_mounted_and_served_rewritten() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    for api in soap_apis(&dir) {
        check_tree(&dir, &api);
    }
}

#[test]
fn calculator_dispatch_and_validation_on_the_loaded_model() {
    let Some(corpus) = corpus() else { return };
    let dir = corpus.join("wsdl/wsdl-to-postman");
    let apis = soap_apis(&dir);
    let api = apis
        .iter()
        .find(|a| a.source.path.ends_with("calculator-soap11and12.wsdl"))
        .expect("calculator");
    let mounts = soap_mounts(api);
    assert_eq!(mounts.len(), 1);
    assert_eq!(mounts[0].path, "/calculator.asmx");
    for version in [SoapVersion::V11, SoapVersion::V12] {
        let xml = format!(
            r#"<s:Envelope xmlns:s="{}"><s:Body><Add xmlns="http://tempuri.org/"><intA xmlns="">4</intA><intB xmlns="">5</intB></Add></s:Body></s:Envelope>"#,
            version.envelope_ns()
        );
        let env = parse(xml.as_bytes(), &Limits::default(), version).expect("valid");
        let served = [(mounts[0].clone(), mounts[0].path.clone())];
        let target = super::dispatch::dispatch(api, &mounts[0], &served, version, None, &env.body)
            .expect("dispatched");
        assert_eq!(target.soap.name, "Add");
        assert_eq!(target.binding.version, version);
        let problems = super::validate::validate_body(api, target.soap, target.binding, &env.body);
        assert!(problems.is_empty(), "{problems:?}");
        let bad = xml.replace(">5<", ">five<");
        let env = parse(bad.as_bytes(), &Limits::default(), version).expect("valid");
        let problems = super::validate::validate_body(api, target.soap, target.binding, &env.body);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            problems[0].to_string(),
            "Add/intB: \"five\" is not a valid int"
        );
    }
}

/// Every operation of every SOAP binding in the corpus and the demo specs: a request generated
/// from the input schema is accepted (200, or 202 one-way), and the response is an envelope of
/// the binding's version whose body the validator accepts against the output message.
#[tokio::test]
async fn every_operation_answers_a_generated_request_with_a_valid_response() {
    use api_model::example::Seed;
    use api_model::xml_example::{Direction, envelope, headers_xml, message_xml};
    use http::{HeaderMap, HeaderValue, Method, StatusCode};

    use super::handler::{SoapRequest, SoapService, handle_call};
    use crate::gate::OpenGate;

    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs")];
    if let Some(corpus) = corpus() {
        dirs.push(corpus.join("wsdl"));
    }
    let mut calls = 0;
    let mut failures = Vec::new();
    for dir in dirs {
        for api in soap_apis(&dir) {
            let mounts = final_mounts(&api);
            let no_files = |_: &str| None;
            for (index, (mount, _)) in mounts.iter().enumerate() {
                let svc = SoapService {
                    api: &api,
                    mounts: &mounts,
                    mount: index,
                    gate: &OpenGate,
                    seed: 7,
                    auth: false,
                    client_id_required: false,
                    limits: Limits::default(),
                    read_file: &no_files,
                    public_url: None,
                    memo: None,
                };
                for op in &api.operations {
                    let Some(soap) = op.soap() else { continue };
                    for binding in &soap.bindings {
                        if !mount.ports.iter().any(|p| p.binding == binding.name) {
                            continue;
                        }
                        let Some(input) = &soap.input else { continue };
                        let seed = Seed::from_parts(&[op.id.as_bytes()]);
                        let body =
                            message_xml(&api, input, binding, &soap.name, Direction::Request, seed);
                        let heads = headers_xml(&api, binding, Direction::Request, seed);
                        let request = envelope(binding.version, &heads, &body);
                        let mut headers = HeaderMap::new();
                        let action = binding.action.clone().unwrap_or_default();
                        match binding.version {
                            SoapVersion::V11 => {
                                headers.insert(
                                    "content-type",
                                    HeaderValue::from_static("text/xml; charset=utf-8"),
                                );
                                headers.insert(
                                    "soapaction",
                                    HeaderValue::from_str(&format!("\"{action}\"")).expect("ascii"),
                                );
                            }
                            SoapVersion::V12 => {
                                let ct = format!(
                                    "application/soap+xml; charset=utf-8; action=\"{action}\""
                                );
                                headers.insert(
                                    "content-type",
                                    HeaderValue::from_str(&ct).expect("ascii"),
                                );
                            }
                        }
                        // Two operations with the same action and input element cannot be told
                        // apart (WS-I BP R2710); the first one answers.
                        let expected = super::dispatch::expected_body_element(soap, binding);
                        let ambiguous = api
                            .operations
                            .iter()
                            .filter_map(|o| o.soap())
                            .filter(|o| {
                                o.bindings.iter().any(|b| {
                                    b.name == binding.name
                                        && b.action == binding.action
                                        && super::dispatch::expected_body_element(o, b) == expected
                                })
                            })
                            .count()
                            > 1;
                        if ambiguous {
                            continue;
                        }
                        calls += 1;
                        let label = format!("{} {} {}", api.id, soap.name, binding.name.local);
                        let reply = handle_call(
                            &svc,
                            SoapRequest {
                                method: &Method::POST,
                                query: None,
                                headers: &headers,
                                body: request.as_bytes(),
                            },
                        )
                        .await;
                        if soap.output.is_none() {
                            if reply.status != StatusCode::ACCEPTED {
                                failures.push(format!(
                                    "{label}: one-way got {}: {}",
                                    reply.status, reply.body
                                ));
                            }
                            continue;
                        }
                        if reply.status != StatusCode::OK {
                            failures.push(format!(
                                "{label}: {} {}\nrequest: {request}",
                                reply.status, reply.body
                            ));
                            continue;
                        }
                        if reply.operation.as_deref() != Some(op.id.as_str()) {
                            failures.push(format!("{label}: dispatched to {:?}", reply.operation));
                        }
                        let env =
                            match parse(reply.body.as_bytes(), &Limits::default(), binding.version)
                            {
                                Ok(env) => env,
                                Err(f) => {
                                    failures.push(format!(
                                        "{label}: response does not parse: {}",
                                        f.reason
                                    ));
                                    continue;
                                }
                            };
                        if env.version != binding.version {
                            failures.push(format!("{label}: response in the wrong version"));
                        }
                        let output = soap.output.as_ref().expect("checked");
                        let wrapper = (binding.style == api_model::SoapStyle::Rpc).then(|| {
                            api_model::QName {
                                namespace: binding.namespace.clone().filter(|n| !n.is_empty()),
                                local: format!("{}Response", soap.name),
                            }
                        });
                        let problems = super::validate::validate_message(
                            &api,
                            output,
                            binding,
                            &binding.output_headers,
                            wrapper,
                            &env.body,
                        );
                        if !problems.is_empty() {
                            failures.push(format!(
                                "{label}: response invalid: {problems:?}\n{}",
                                reply.body
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(calls > 100, "only {calls} calls");
    assert!(
        failures.is_empty(),
        "{} of {calls} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
