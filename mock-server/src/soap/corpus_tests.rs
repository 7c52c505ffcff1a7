//! The SOAP pieces against the real WSDLs of the corpus and the demo specs, as the loader reads
//! them: every API gets a mount, every `?wsdl` (and imported file) is rewritten to well-formed XML
//! that points at the sandbox only, and the calculator validates and dispatches like a client
//! expects.

use std::path::{Path, PathBuf};

use api_model::{Api, Protocol, SoapVersion};
use quick_xml::events::Event;
use quick_xml::reader::NsReader;

use super::envelope::{Limits, parse};
use super::mounts::{SoapMount, soap_mounts};
use super::wsdl_serve::{ServeContext, WsdlRequest, rewrite};

fn corpus() -> Option<PathBuf> {
    let mut dir: &Path = Path::new(env!("CARGO_MANIFEST_DIR"));
    loop {
        let candidate = dir.join("shared").join("corpus");
        if candidate.is_dir() {
            return Some(candidate);
        }
        dir = dir.parent()?;
    }
}

fn soap_apis(dir: &Path) -> Vec<Api> {
    api_model::load_dir(dir)
        .catalog
        .apis
        .into_iter()
        .filter(|a| a.protocol == Protocol::Soap)
        .collect()
}

fn final_mounts(api: &Api) -> Vec<(SoapMount, String)> {
    soap_mounts(api)
        .into_iter()
        .map(|m| {
            let p = m.path.clone();
            (m, p)
        })
        .collect()
}

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
    well_formed(&out).unwrap_or_else(|e| panic!("{}: rewritten WSDL is not well-formed: {e}", api.id));
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
            assert!(out.contains("<wsdl:service") || out.contains("service name="), "{}: no service added", api.id);
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
            let rel = percent_encoding::percent_decode_str(&rest[..end]).decode_utf8_lossy().into_owned();
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
        let target = super::dispatch::dispatch(api, &mounts[0], version, None, &env.body).expect("dispatched");
        assert_eq!(target.soap.name, "Add");
        assert_eq!(target.binding.version, version);
        let problems = super::validate::validate_body(api, target.soap, target.binding, &env.body);
        assert!(problems.is_empty(), "{problems:?}");
        let bad = xml.replace(">5<", ">five<");
        let env = parse(bad.as_bytes(), &Limits::default(), version).expect("valid");
        let problems = super::validate::validate_body(api, target.soap, target.binding, &env.body);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].to_string(), "Add/intB: \"five\" is not a valid int");
    }
}
