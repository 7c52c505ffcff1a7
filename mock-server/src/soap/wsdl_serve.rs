//! `GET <endpoint>?wsdl`: the API's WSDL as written, with every endpoint address pointing at this
//! sandbox and every import/include location pointing at `<endpoint>?xsd=<path>`, so that a
//! client fetches the whole tree from the sandbox and calls the sandbox, never the live service.
//! A WSDL without a service element gains one, with a port per binding.
//!
//! The rewriting streams the events of the original document and changes only the attributes
//! it must, so comments, documentation and formatting stay as the author wrote them.

use std::collections::HashMap;

use api_model::{Api, SoapVersion};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use quick_xml::writer::Writer;

use super::mounts::SoapMount;

const WSDL11: &str = "http://schemas.xmlsoap.org/wsdl/";
const WSDL20: &str = "http://www.w3.org/ns/wsdl";
const SOAP11_BINDING: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
const SOAP12_BINDING: &str = "http://schemas.xmlsoap.org/wsdl/soap12/";
const HTTP_BINDING: &str = "http://schemas.xmlsoap.org/wsdl/http/";
const XSD: &str = "http://www.w3.org/2001/XMLSchema";
const SOAP_ENC: &str = "http://schemas.xmlsoap.org/soap/encoding/";

/// The `?xsd=` name under which the SOAP 1.1 encoding schema is served: rpc/encoded WSDLs import
/// it by its namespace URL, which clients would otherwise fetch from the Internet.
pub const SOAP_ENCODING_FILE: &str = "/_sandbox/soap-encoding.xsd";
/// The SOAP 1.1 encoding schema (W3C, with its notice), served for [`SOAP_ENCODING_FILE`].
pub const SOAP_ENCODING_XSD: &str = include_str!("soap-encoding.xsd");

/// What a GET query asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WsdlRequest {
    /// `?wsdl` (any case, with or without `=`): the root WSDL.
    Root,
    /// `?wsdl=<path>` or `?xsd=<path>`: an imported file, by its path relative to the root
    /// WSDL's folder.
    File(String),
}

/// Whether a query string asks for the WSDL or one of its files.
pub fn wsdl_request(query: Option<&str>) -> Option<WsdlRequest> {
    let query = query?;
    for pair in query.split('&') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_encoding::percent_decode_str(value)
            .decode_utf8_lossy()
            .replace('+', " ");
        if key.eq_ignore_ascii_case("wsdl") || key.eq_ignore_ascii_case("singlewsdl") {
            return Some(if value.is_empty() {
                WsdlRequest::Root
            } else {
                WsdlRequest::File(value)
            });
        }
        if key.eq_ignore_ascii_case("xsd") && !value.is_empty() {
            return Some(WsdlRequest::File(value));
        }
    }
    None
}

/// Everything the rewriter needs to know about where things are served.
#[derive(Debug, Clone)]
pub struct ServeContext {
    /// `http://host:port` of the sandbox as the client sees it.
    pub base_url: String,
    /// The URL of the mount the WSDL is requested from (links to files go there).
    pub endpoint_url: String,
    /// Original address -> sandbox URL, for every port of every mount of the API.
    pub addresses: HashMap<String, String>,
    /// The API's files, relative to the specs folder (root first).
    pub files: Vec<String>,
    /// Ports to add in a new service element (a WSDL without a service): (port name, binding
    /// namespace, binding local name, version, URL).
    pub synthesized: Vec<(String, Option<String>, String, SoapVersion, String)>,
    /// The service name for synthesized ports.
    pub service_name: String,
}

impl ServeContext {
    /// Build the context for an API whose mounts are served at `mount_paths` (the final paths,
    /// after the router's overlap rule, in the order of `mounts`).
    pub fn new(
        api: &Api,
        mounts: &[(SoapMount, String)],
        base_url: &str,
        requested_mount: &str,
    ) -> ServeContext {
        let base = base_url.trim_end_matches('/');
        let mut addresses = HashMap::new();
        let mut synthesized = Vec::new();
        for (mount, path) in mounts {
            let url = format!("{base}{path}");
            for port in &mount.ports {
                if mount.synthesized {
                    synthesized.push((
                        port.port.clone(),
                        port.binding.namespace.clone(),
                        port.binding.local.clone(),
                        port.version,
                        url.clone(),
                    ));
                } else {
                    addresses
                        .entry(port.address.clone())
                        .or_insert_with(|| url.clone());
                }
            }
            for server in &api.servers {
                if super::mounts::address_path(&server.url).as_deref() == Some(mount.path.as_str())
                {
                    addresses
                        .entry(server.url.clone())
                        .or_insert_with(|| url.clone());
                }
            }
        }
        ServeContext {
            base_url: base.to_string(),
            endpoint_url: format!("{base}{requested_mount}"),
            addresses,
            files: api.source.files.clone(),
            synthesized,
            service_name: format!("{}Service", api.id),
        }
    }

    fn root(&self) -> &str {
        self.files.first().map_or("", String::as_str)
    }

    /// The file (relative to the specs folder) a request names, if it is one of the API's.
    pub fn file_for(&self, request: &WsdlRequest) -> Option<&str> {
        match request {
            WsdlRequest::Root => self.files.first().map(String::as_str),
            WsdlRequest::File(rel) => {
                let wanted = normalize(&format!("{}/{rel}", parent(self.root())))?;
                self.files
                    .iter()
                    .find(|f| **f == wanted)
                    .map(String::as_str)
            }
        }
    }

    /// The sandbox URL of a file (relative to the specs folder).
    fn file_url(&self, file: &str) -> String {
        let rel = relative(parent(self.root()), file);
        let encoded = percent_encoding::utf8_percent_encode(&rel, QUERY_VALUE).to_string();
        format!("{}?xsd={encoded}", self.endpoint_url)
    }
}

const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'.')
    .remove(b'-')
    .remove(b'_');

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Join and normalize a relative path (`a/./b/../c` -> `a/c`); `None` if it climbs out.
fn normalize(path: &str) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            s => out.push(s),
        }
    }
    Some(out.join("/"))
}

/// `file` relative to the folder `dir` (both relative to the same root).
fn relative(dir: &str, file: &str) -> String {
    let d: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let f: Vec<&str> = file.split('/').filter(|s| !s.is_empty()).collect();
    let common = d.iter().zip(&f).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; d.len() - common];
    parts.extend(&f[common..]);
    parts.join("/")
}

/// Rewrite one of the API's files (`file`, relative to the specs folder) for serving.
pub fn rewrite(text: &str, file: &str, ctx: &ServeContext) -> Result<String, String> {
    let is_root = file == ctx.root();
    let mut reader = NsReader::from_str(text);
    let mut writer = Writer::new(Vec::with_capacity(text.len() + 512));
    let mut depth = 0usize;
    let mut has_service = false;
    let mut root_ns: Option<String> = None;
    let mut root_prefix = String::new();
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok((ResolveResult::Bound(ns), event)) => (
                Some(String::from_utf8_lossy(ns.as_ref()).into_owned()),
                event,
            ),
            Ok((_, event)) => (None, event),
            Err(e) => {
                let pos = usize::try_from(reader.buffer_position()).unwrap_or(0);
                let (line, col) = super::envelope::line_col(text, pos);
                return Err(format!("{file}:{line}:{col}: {e}"));
            }
        };
        match event {
            Event::Start(start) => {
                depth += 1;
                if depth == 1 {
                    root_ns = ns.clone();
                    root_prefix = prefix_of(&start);
                }
                if depth == 2 && start.local_name().as_ref() == b"service" {
                    has_service = true;
                }
                let start = rewrite_start(&start, ns.as_deref(), file, ctx);
                write(&mut writer, Event::Start(start))?;
            }
            Event::Empty(start) => {
                if depth == 1 && start.local_name().as_ref() == b"service" {
                    has_service = true;
                }
                let start = rewrite_start(&start, ns.as_deref(), file, ctx);
                write(&mut writer, Event::Empty(start))?;
            }
            Event::End(end) => {
                if depth == 1
                    && is_root
                    && !has_service
                    && root_ns.as_deref() == Some(WSDL11)
                    && !ctx.synthesized.is_empty()
                {
                    let service = service_element(ctx, &root_prefix);
                    write(
                        &mut writer,
                        Event::Text(quick_xml::events::BytesText::from_escaped(service)),
                    )?;
                }
                depth = depth.saturating_sub(1);
                write(&mut writer, Event::End(end))?;
            }
            Event::Eof => break,
            other => write(&mut writer, other)?,
        }
    }
    String::from_utf8(writer.into_inner()).map_err(|e| e.to_string())
}

fn write(writer: &mut Writer<Vec<u8>>, event: Event<'_>) -> Result<(), String> {
    writer.write_event(event).map_err(|e| e.to_string())
}

fn prefix_of(start: &BytesStart<'_>) -> String {
    start
        .name()
        .prefix()
        .map(|p| String::from_utf8_lossy(p.as_ref()).into_owned())
        .unwrap_or_default()
}

fn service_element(ctx: &ServeContext, prefix: &str) -> String {
    let p = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}:")
    };
    let mut out = format!(
        "\n  <{p}service name=\"{}\">",
        escape_attr(&ctx.service_name)
    );
    for (port, ns, local, version, url) in &ctx.synthesized {
        let soap_ns = match version {
            SoapVersion::V11 => SOAP11_BINDING,
            SoapVersion::V12 => SOAP12_BINDING,
        };
        let (decl, binding) = match ns {
            Some(ns) => (
                format!(" xmlns:sbxb=\"{}\"", escape_attr(ns)),
                format!("sbxb:{local}"),
            ),
            None => (String::new(), local.clone()),
        };
        out.push_str(&format!(
            "\n    <{p}port name=\"{}\" binding=\"{}\"{decl}><sbxs:address xmlns:sbxs=\"{soap_ns}\" location=\"{}\"/></{p}port>",
            escape_attr(port),
            escape_attr(&binding),
            escape_attr(url)
        ));
    }
    out.push_str(&format!("\n  </{p}service>\n"));
    out
}

fn escape_attr(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// The attribute to rewrite on this element, if any.
fn target_attribute(ns: Option<&str>, local: &[u8]) -> Option<(&'static [u8], Kind)> {
    match (ns?, local) {
        (SOAP11_BINDING | SOAP12_BINDING, b"address") => Some((b"location", Kind::Address)),
        (HTTP_BINDING, b"address") => Some((b"location", Kind::HttpAddress)),
        (WSDL20, b"endpoint") => Some((b"address", Kind::Address)),
        (WSDL11 | WSDL20, b"import" | b"include") => Some((b"location", Kind::File)),
        (XSD, b"import" | b"include" | b"redefine" | b"override") => {
            Some((b"schemaLocation", Kind::File))
        }
        _ => None,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Address,
    HttpAddress,
    File,
}

fn rewrite_start<'a>(
    start: &BytesStart<'a>,
    ns: Option<&str>,
    file: &str,
    ctx: &ServeContext,
) -> BytesStart<'a> {
    let Some((attr_name, kind)) = target_attribute(ns, start.local_name().as_ref()) else {
        return start.clone();
    };
    let mut out = BytesStart::new(String::from_utf8_lossy(start.name().as_ref()).into_owned());
    let soap_enc_import = kind == Kind::File
        && ns == Some(XSD)
        && start.local_name().as_ref() == b"import"
        && start.attributes().with_checks(false).flatten().any(|a| {
            a.key.as_ref() == b"namespace"
                && a.value
                    .as_ref()
                    .trim_ascii_end()
                    .starts_with(SOAP_ENC.trim_end_matches('/').as_bytes())
        });
    if soap_enc_import {
        let url = format!(
            "{}?xsd={}",
            ctx.endpoint_url,
            percent_encoding::utf8_percent_encode(SOAP_ENCODING_FILE, QUERY_VALUE)
        );
        for attr in start.attributes().with_checks(false).flatten() {
            if attr.key.as_ref() != attr_name {
                out.push_attribute(attr);
            }
        }
        out.push_attribute(("schemaLocation", url.as_str()));
        return out.into_owned();
    }
    for attr in start.attributes().with_checks(false).flatten() {
        if attr.key.as_ref() != attr_name {
            out.push_attribute(attr);
            continue;
        }
        let value = attr
            .unescape_value()
            .map(|v| v.into_owned())
            .unwrap_or_default();
        let new = match kind {
            Kind::Address => Some(
                ctx.addresses
                    .get(value.trim())
                    .cloned()
                    .unwrap_or_else(|| ctx.endpoint_url.clone()),
            ),
            Kind::HttpAddress => ctx.addresses.get(value.trim()).cloned(),
            Kind::File => {
                if value.contains("://") || value.is_empty() {
                    None
                } else {
                    normalize(&format!("{}/{value}", parent(file)))
                        .filter(|target| ctx.files.contains(target))
                        .map(|target| ctx.file_url(&target))
                }
            }
        };
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        out.push_attribute((key.as_str(), new.as_deref().unwrap_or(&value)));
    }
    out.into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::fixtures;
    use crate::soap::mounts::soap_mounts;

    #[test]
    fn query_forms() {
        assert_eq!(wsdl_request(Some("wsdl")), Some(WsdlRequest::Root));
        assert_eq!(wsdl_request(Some("WSDL")), Some(WsdlRequest::Root));
        assert_eq!(wsdl_request(Some("wsdl=")), Some(WsdlRequest::Root));
        assert_eq!(wsdl_request(Some("a=1&Wsdl")), Some(WsdlRequest::Root));
        assert_eq!(
            wsdl_request(Some("xsd=schemas%2Fxsd0.xsd")),
            Some(WsdlRequest::File("schemas/xsd0.xsd".into()))
        );
        assert_eq!(wsdl_request(Some("x=1")), None);
        assert_eq!(wsdl_request(None), None);
    }

    fn ctx_for(api: &Api) -> ServeContext {
        let mounts: Vec<(SoapMount, String)> = soap_mounts(api)
            .into_iter()
            .map(|m| {
                let p = m.path.clone();
                (m, p)
            })
            .collect();
        let path = mounts[0].1.clone();
        ServeContext::new(api, &mounts, "http://127.0.0.1:4010", &path)
    }

    #[test]
    fn rewrites_addresses_and_imports() {
        let mut api = fixtures::calculator();
        api.source.files = vec![
            "svc/wsdl/main.wsdl".into(),
            "svc/wsdl/types.xsd".into(),
            "svc/schemas/more.xsd".into(),
        ];
        let ctx = ctx_for(&api);
        let wsdl = r#"<?xml version="1.0"?>
<!-- kept -->
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:s="http://www.w3.org/2001/XMLSchema">
  <wsdl:types><s:schema><s:import namespace="urn:t" schemaLocation="./types.xsd"/><s:include schemaLocation="../schemas/more.xsd"/><s:import namespace="http://schemas.xmlsoap.org/soap/encoding/"/></s:schema></wsdl:types>
  <wsdl:service name="Calculator">
    <wsdl:port name="CalculatorSoap" binding="tns:CalculatorSoap"><soap:address location="http://www.dneonline.com/calculator.asmx" /></wsdl:port>
    <wsdl:port name="CalculatorSoap12" binding="tns:CalculatorSoap12"><soap12:address location="http://www.dneonline.com/calculator.asmx"/></wsdl:port>
  </wsdl:service>
</wsdl:definitions>"#;
        let out = rewrite(wsdl, "svc/wsdl/main.wsdl", &ctx).expect("rewritten");
        assert!(!out.contains("dneonline"), "{out}");
        assert_eq!(
            out.matches(r#"location="http://127.0.0.1:4010/calculator.asmx""#)
                .count(),
            2,
            "{out}"
        );
        assert!(
            out.contains(r#"schemaLocation="http://127.0.0.1:4010/calculator.asmx?xsd=types.xsd""#),
            "{out}"
        );
        assert!(
            out.contains(
                r#"schemaLocation="http://127.0.0.1:4010/calculator.asmx?xsd=../schemas/more.xsd""#
            ),
            "{out}"
        );
        assert!(out.contains(r#"schemaLocation="http://127.0.0.1:4010/calculator.asmx?xsd=/_sandbox/soap-encoding.xsd""#), "{out}");
        assert!(out.contains(r#"<s:import namespace="urn:t" schemaLocation="http://127.0.0.1:4010/calculator.asmx?xsd=types.xsd"/>"#), "{out}");
        assert!(out.contains("<!-- kept -->"));
        assert!(
            !out.contains("sbxs:address"),
            "a WSDL with a service gets no new one"
        );
        // The files the links name are served, and nothing else.
        assert_eq!(
            ctx.file_for(&WsdlRequest::File("../schemas/more.xsd".into())),
            Some("svc/schemas/more.xsd")
        );
        assert_eq!(
            ctx.file_for(&WsdlRequest::File("./types.xsd".into())),
            Some("svc/wsdl/types.xsd")
        );
        assert_eq!(
            ctx.file_for(&WsdlRequest::File("../../../etc/passwd".into())),
            None
        );
        assert_eq!(ctx.file_for(&WsdlRequest::File("other.xsd".into())), None);
        assert_eq!(ctx.file_for(&WsdlRequest::Root), Some("svc/wsdl/main.wsdl"));
    }

    #[test]
    fn wsdl20_endpoint_address() {
        let api = fixtures::calculator();
        let ctx = ctx_for(&api);
        let wsdl = r#"<description xmlns="http://www.w3.org/ns/wsdl"><service name="s" interface="i"><endpoint name="e" binding="b" address="http://greath.example.com/2004/reservation"/></service></description>"#;
        let out = rewrite(wsdl, "calculator.wsdl", &ctx).expect("ok");
        assert!(
            out.contains(r#"address="http://127.0.0.1:4010/calculator.asmx""#),
            "{out}"
        );
    }

    #[test]
    fn serviceless_wsdl_gains_a_service() {
        let mut api = fixtures::calculator();
        for op in &mut api.operations {
            if let api_model::Binding::Soap(soap) = &mut op.binding {
                for b in &mut soap.bindings {
                    b.endpoints.clear();
                }
            }
        }
        let ctx = ctx_for(&api);
        let wsdl = r#"<w:definitions xmlns:w="http://schemas.xmlsoap.org/wsdl/" targetNamespace="http://tempuri.org/"><w:binding name="CalculatorSoap"/></w:definitions>"#;
        let out = rewrite(wsdl, "calculator.wsdl", &ctx).expect("ok");
        assert!(
            out.contains(r#"<w:service name="calculatorService">"#),
            "{out}"
        );
        assert!(out.contains(r#"<w:port name="CalculatorSoap" binding="sbxb:CalculatorSoap" xmlns:sbxb="http://tempuri.org/"><sbxs:address xmlns:sbxs="http://schemas.xmlsoap.org/wsdl/soap/" location="http://127.0.0.1:4010/calculator"/></w:port>"#), "{out}");
        assert!(
            out.contains("http://schemas.xmlsoap.org/wsdl/soap12/"),
            "{out}"
        );
        // Still well-formed.
        let mut r = NsReader::from_str(&out);
        loop {
            match r.read_event() {
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{e}: {out}"),
            }
        }
    }

    #[test]
    fn relative_paths() {
        assert_eq!(relative("a/b", "a/c/d.xsd"), "../c/d.xsd");
        assert_eq!(relative("", "x.xsd"), "x.xsd");
        assert_eq!(normalize("a/./b/../c").as_deref(), Some("a/c"));
        assert_eq!(normalize("../x"), None);
    }
}
