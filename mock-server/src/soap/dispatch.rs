//! Which operation a request calls: among the bindings of the endpoint that was called and of
//! the SOAP version used, by action first, else by the qualified name of the Body's first child
//! (the input part's element for document style, the operation-named wrapper for rpc style).

use api_model::{
    Api, Operation, PartContent, QName, SoapBinding, SoapOperation, SoapStyle, SoapVersion,
};

use super::envelope::XmlElement;
use super::fault::Fault;
use super::mounts::SoapMount;

/// The operation and binding a request was dispatched to.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The operation.
    pub operation: &'a Operation,
    /// Its SOAP side.
    pub soap: &'a SoapOperation,
    /// The binding used (of the request's version, reachable at the mount).
    pub binding: &'a SoapBinding,
}

/// The body element a binding expects for an operation's input: `None` when the body is empty.
pub fn expected_body_element(soap: &SoapOperation, binding: &SoapBinding) -> Option<QName> {
    match binding.style {
        SoapStyle::Rpc => Some(QName {
            namespace: binding.namespace.clone().filter(|ns| !ns.is_empty()),
            local: soap.name.clone(),
        }),
        SoapStyle::Document => {
            let input = soap.input.as_ref()?;
            let part = body_parts(input, &binding.input_headers)
                .into_iter()
                .next()?;
            Some(match &part.content {
                PartContent::Element(q) => q.clone(),
                PartContent::Type(_) => QName {
                    namespace: None,
                    local: part.name.clone(),
                },
            })
        }
    }
}

/// The parts of a message that go in the Body (those not bound to header blocks).
pub fn body_parts<'a>(
    message: &'a api_model::SoapMessage,
    headers: &[api_model::SoapHeader],
) -> Vec<&'a api_model::SoapPart> {
    message
        .parts
        .iter()
        .filter(|p| {
            !headers
                .iter()
                .any(|h| h.part == p.name && h.message == message.name)
        })
        .collect()
}

/// The served path of another endpoint of `api` (one of `mounts`, each with the path it is
/// served at) with a port of `version`, if there is one.
fn endpoint_of_version<'m>(
    api: &Api,
    mount: &SoapMount,
    mounts: &'m [(SoapMount, String)],
    version: SoapVersion,
) -> Option<&'m str> {
    let serves = |m: &SoapMount| {
        api.operations
            .iter()
            .filter_map(Operation::soap)
            .flat_map(|soap| &soap.bindings)
            .any(|b| b.version == version && m.ports.iter().any(|p| p.binding == b.name))
    };
    mounts
        .iter()
        .find(|(m, _)| m.path != mount.path && serves(m))
        .map(|(_, served)| served.as_str())
}

/// Find the operation among the ports of `mount` (one of `mounts`, the API's endpoints with the
/// paths they are served at). `Err` is a fault in the request's version.
pub fn dispatch<'a>(
    api: &'a Api,
    mount: &SoapMount,
    mounts: &[(SoapMount, String)],
    version: SoapVersion,
    action: Option<&str>,
    body: &[XmlElement],
) -> Result<Target<'a>, Fault> {
    let mut candidates = Vec::new();
    let mut other_version = false;
    for operation in &api.operations {
        let Some(soap) = operation.soap() else {
            continue;
        };
        for binding in &soap.bindings {
            if !mount.ports.iter().any(|p| p.binding == binding.name) {
                continue;
            }
            if binding.version == version {
                candidates.push(Target {
                    operation,
                    soap,
                    binding,
                });
            } else {
                other_version = true;
            }
        }
    }
    if candidates.is_empty() {
        if other_version {
            let (asked, other) = match version {
                SoapVersion::V11 => ("1.1", "1.2"),
                SoapVersion::V12 => ("1.2", "1.1"),
            };
            // A WSDL may give each version a port of its own; a client that posts to the other
            // one (PHP's SoapClient does, unless told the location) learns where to go.
            let reason = match endpoint_of_version(api, mount, mounts, version) {
                Some(path) => format!(
                    "this endpoint speaks SOAP {other} only; SOAP {asked} is served at {path}"
                ),
                None => format!("this endpoint speaks SOAP {other} only"),
            };
            return Err(Fault::version_mismatch(version, reason));
        }
        return Err(Fault::sender(
            version,
            "this endpoint has no SOAP operations",
        ));
    }
    let first = body.first().map(|e| &e.name);
    let by_body = |t: &Target<'_>| expected_body_element(t.soap, t.binding).as_ref() == first;
    if let Some(action) = action {
        let matching: Vec<Target<'a>> = candidates
            .iter()
            .copied()
            .filter(|t| t.binding.action.as_deref() == Some(action))
            .collect();
        match matching.len() {
            0 => {}
            1 => return Ok(matching[0]),
            _ => {
                // Several operations share the action (often ""): the body decides.
                return Ok(matching
                    .iter()
                    .copied()
                    .find(by_body)
                    .unwrap_or(matching[0]));
            }
        }
    }
    if let Some(found) = candidates.iter().copied().find(by_body) {
        return Ok(found);
    }
    // A client that gets the namespace wrong still reaches a uniquely named operation, and the
    // validator then says precisely what is wrong with the element.
    if let Some(first) = first {
        let by_local: Vec<Target<'a>> = candidates
            .iter()
            .copied()
            .filter(|t| {
                expected_body_element(t.soap, t.binding).is_some_and(|q| q.local == first.local)
            })
            .collect();
        if by_local.len() == 1 {
            return Ok(by_local[0]);
        }
    }
    let what = match (action, first) {
        (Some(a), Some(f)) => format!("action {a:?} and body element {f}"),
        (Some(a), None) => format!("action {a:?} and an empty Body"),
        (None, Some(f)) => format!("body element {f}"),
        (None, None) => "an empty Body and no action".to_string(),
    };
    let mut known: Vec<&str> = candidates.iter().map(|t| t.soap.name.as_str()).collect();
    known.dedup();
    Err(Fault::sender(
        version,
        format!(
            "no operation of this endpoint matches {what}; it has: {}",
            known.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::envelope::{Limits, parse};
    use crate::soap::fault::FaultCode;
    use crate::soap::fixtures;
    use crate::soap::fixtures::served_mounts as served;

    fn body(version: SoapVersion, inner: &str) -> Vec<XmlElement> {
        let xml = format!(
            r#"<s:Envelope xmlns:s="{}"><s:Body>{inner}</s:Body></s:Envelope>"#,
            version.envelope_ns()
        );
        parse(xml.as_bytes(), &Limits::default(), version)
            .expect("valid")
            .body
    }

    fn run(
        api: &Api,
        version: SoapVersion,
        action: Option<&str>,
        inner: &str,
    ) -> Result<(String, String), Fault> {
        let mounts = served(api);
        let b = body(version, inner);
        dispatch(api, &mounts[0].0, &mounts, version, action, &b)
            .map(|t| (t.soap.name.clone(), t.binding.name.local.clone()))
    }

    #[test]
    fn by_action_and_version() {
        let api = fixtures::calculator();
        let got = run(
            &api,
            SoapVersion::V11,
            Some("http://tempuri.org/Subtract"),
            "",
        )
        .expect("found");
        assert_eq!(got, ("Subtract".into(), "CalculatorSoap".into()));
        let got = run(&api, SoapVersion::V12, Some("http://tempuri.org/Add"), "").expect("found");
        assert_eq!(got, ("Add".into(), "CalculatorSoap12".into()));
    }

    #[test]
    fn by_body_element_when_action_is_absent_or_unknown() {
        let api = fixtures::calculator();
        let add = r#"<Add xmlns="http://tempuri.org/"><intA>1</intA><intB>2</intB></Add>"#;
        let sub = r#"<Subtract xmlns="http://tempuri.org/"/>"#;
        assert_eq!(
            run(&api, SoapVersion::V11, None, sub).expect("found").0,
            "Subtract"
        );
        assert_eq!(
            run(&api, SoapVersion::V11, Some("urn:nope"), add)
                .expect("found")
                .0,
            "Add"
        );
        // Wrong namespace, unique local name: still dispatched (validation will complain).
        assert_eq!(
            run(&api, SoapVersion::V11, None, "<Add/>")
                .expect("found")
                .0,
            "Add"
        );
        let f = run(
            &api,
            SoapVersion::V11,
            None,
            r#"<Divide xmlns="http://tempuri.org/"/>"#,
        )
        .expect_err("unknown");
        assert_eq!(f.code, FaultCode::Sender);
        assert!(
            f.reason.contains("{http://tempuri.org/}Divide"),
            "{}",
            f.reason
        );
        assert!(f.reason.contains("Add, Subtract"), "{}", f.reason);
    }

    #[test]
    fn rpc_by_wrapper_in_binding_namespace() {
        for body_use in [api_model::SoapUse::Literal, api_model::SoapUse::Encoded] {
            let api = fixtures::quotes(body_use);
            let got = run(
                &api,
                SoapVersion::V11,
                None,
                r#"<q:GetQuote xmlns:q="urn:quotes"><symbol>X</symbol></q:GetQuote>"#,
            )
            .expect("found");
            assert_eq!(got.0, "GetQuote");
            let got = run(&api, SoapVersion::V11, Some("urn:quotes#Notify"), "").expect("found");
            assert_eq!(got.0, "Notify");
        }
    }

    #[test]
    fn document_bare_by_first_part_element() {
        let api = fixtures::bare();
        let got = run(
            &api,
            SoapVersion::V12,
            None,
            r#"<Account xmlns="urn:bare">1</Account><Currency xmlns="urn:bare">EUR</Currency>"#,
        )
        .expect("found");
        assert_eq!(got.0, "GetBalance");
    }

    #[test]
    fn wrong_version_for_endpoint_is_version_mismatch() {
        let api = fixtures::bare();
        let f = run(&api, SoapVersion::V11, None, "<x/>").expect_err("1.2 only");
        assert_eq!(f.code, FaultCode::VersionMismatch);
        assert!(f.reason.contains("1.2 only"));
        assert!(!f.reason.contains("served at"), "{}", f.reason);
    }

    /// A WSDL with a port per version at addresses of their own: a request of the wrong
    /// version is told where its version is served.
    #[test]
    fn wrong_version_names_the_endpoint_of_that_version() {
        let mut api = fixtures::bare();
        let soap11 = fixtures::binding(
            "BankSoap11",
            SoapVersion::V11,
            "",
            SoapStyle::Document,
            api_model::SoapUse::Literal,
            None,
            "http://example.com/bank/soap11",
        );
        let api_model::Binding::Soap(op) = &mut api.operations[0].binding else {
            panic!("a SOAP operation");
        };
        op.bindings.push(soap11);
        let mut mounts = served(&api);
        // Served under the API's id, as when its paths overlap another API's.
        for (_, path) in &mut mounts {
            path.insert_str(0, "/bank");
        }
        let soap12 = &mounts
            .iter()
            .find(|(m, _)| m.path == "/bank")
            .expect("1.2")
            .0;
        let b = body(SoapVersion::V11, "<x/>");
        let f = dispatch(&api, soap12, &mounts, SoapVersion::V11, None, &b).expect_err("1.2 only");
        assert_eq!(f.code, FaultCode::VersionMismatch);
        assert!(
            f.reason
                .contains("speaks SOAP 1.2 only; SOAP 1.1 is served at /bank/bank/soap11"),
            "{}",
            f.reason
        );
    }
}
