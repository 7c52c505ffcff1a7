//! The response envelope of a call and the detail of a declared fault, generated from the output
//! (or fault) message's schemas, deterministically from the request's seed.

use api_model::example::Seed;
use api_model::{Api, PartContent, SoapMessage, SoapStyle, SoapVersion};

use super::dispatch::{Target, body_parts};

/// The whole response envelope for the operation's output message.
pub fn response_envelope(api: &Api, target: &Target<'_>, version: SoapVersion, seed: Seed) -> String {
    let body = match &target.soap.output {
        Some(message) => message_body(api, target, message, seed),
        None => String::new(),
    };
    envelope(version, &body)
}

/// The detail content of a declared fault.
pub fn fault_detail(api: &Api, target: &Target<'_>, message: &SoapMessage, seed: Seed) -> String {
    let _ = (api, seed);
    message
        .parts
        .iter()
        .map(|p| element(&p.content, &p.name, target))
        .collect()
}

fn message_body(api: &Api, target: &Target<'_>, message: &SoapMessage, seed: Seed) -> String {
    let _ = (api, seed);
    let parts = body_parts(message, &target.binding.output_headers);
    match target.binding.style {
        SoapStyle::Rpc => {
            let ns = target.binding.namespace.as_deref().unwrap_or("");
            let inner: String = parts.iter().map(|p| format!("<{0}></{0}>", p.name)).collect();
            format!(
                r#"<rpc:{op}Response xmlns:rpc="{ns}">{inner}</rpc:{op}Response>"#,
                op = target.soap.name
            )
        }
        SoapStyle::Document => parts.iter().map(|p| element(&p.content, &p.name, target)).collect(),
    }
}

fn element(content: &PartContent, part: &str, _target: &Target<'_>) -> String {
    match content {
        PartContent::Element(q) => match &q.namespace {
            Some(ns) => format!(r#"<m:{0} xmlns:m="{ns}"/>"#, q.local),
            None => format!("<{}/>", q.local),
        },
        PartContent::Type(_) => format!("<{part}/>"),
    }
}

/// Wrap body content in an envelope of the version.
pub fn envelope(version: SoapVersion, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{}"><soap:Body>{body}</soap:Body></soap:Envelope>"#,
        version.envelope_ns()
    )
}
