//! A safe reader of incoming SOAP envelopes: the transport (media type, action), the envelope
//! version, the header blocks and the body's elements as small namespace-resolved trees.
//!
//! Hostile input is refused early and cheaply: no DTD at all (so no entity can be declared, and
//! only the five predefined entities and character references are expanded), a size limit
//! checked before parsing, and limits on depth, element count and attribute count checked while
//! parsing, so a 10,000-deep body stops at the depth limit having built almost nothing.

use api_model::{QName, SoapVersion};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use super::fault::Fault;

/// The namespace of `xsi:` attributes.
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
/// The WS-Security 1.0 (OASIS 2004) namespace.
pub const WSSE_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";

/// Limits on what a request may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest body in bytes.
    pub max_bytes: usize,
    /// Deepest element nesting (the Envelope is depth 1).
    pub max_depth: usize,
    /// Most elements in the whole envelope.
    pub max_elements: usize,
    /// Most attributes on one element.
    pub max_attributes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_bytes: 1024 * 1024,
            max_depth: 128,
            max_elements: 100_000,
            max_attributes: 256,
        }
    }
}

/// What the HTTP layer says about the message: the version its media type implies and the action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transport {
    /// `text/xml` means SOAP 1.1, `application/soap+xml` SOAP 1.2.
    pub version: SoapVersion,
    /// The action (`SOAPAction` header for 1.1, `action` media-type parameter for 1.2), quotes
    /// stripped; `None` when absent or empty.
    pub action: Option<String>,
}

/// An attribute with its resolved name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlAttribute {
    /// Resolved name (unprefixed attributes have no namespace).
    pub name: QName,
    /// Unescaped value.
    pub value: String,
}

/// An element of the message, with resolved names.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct XmlElement {
    /// Resolved name.
    pub name: QName,
    /// Attributes other than namespace declarations, in document order.
    pub attributes: Vec<XmlAttribute>,
    /// Namespace declarations made on this element (prefix, `""` for the default; URI).
    pub declarations: Vec<(String, String)>,
    /// Child elements in order.
    pub children: Vec<XmlElement>,
    /// The element's own text (text and CDATA between its children), unescaped.
    pub text: String,
    /// The type an `xsi:type` attribute names, its prefix resolved where it was written
    /// (a derived type sent in place of the declared one).
    pub xsi_type: Option<QName>,
}

impl XmlElement {
    /// The value of an attribute by namespace and local name.
    pub fn attribute(&self, namespace: Option<&str>, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.name.local == local && a.name.namespace.as_deref() == namespace)
            .map(|a| a.value.as_str())
    }

    /// The first child with this namespace and local name.
    pub fn child(&self, namespace: &str, local: &str) -> Option<&XmlElement> {
        self.children
            .iter()
            .find(|c| c.name.local == local && c.name.namespace.as_deref() == Some(namespace))
    }

    /// Whether `xsi:nil` is true.
    pub fn is_nil(&self) -> bool {
        matches!(self.attribute(Some(XSI_NS), "nil"), Some("true" | "1"))
    }

    /// A canonical form (names resolved, prefixes and insignificant whitespace dropped), so that
    /// two requests meaning the same thing hash the same.
    pub fn canonical(&self, out: &mut Vec<u8>) {
        out.push(b'<');
        out.extend_from_slice(self.name.to_string().as_bytes());
        let mut attrs: Vec<&XmlAttribute> = self.attributes.iter().collect();
        attrs.sort_by(|a, b| a.name.cmp(&b.name));
        for a in attrs {
            out.push(b' ');
            out.extend_from_slice(a.name.to_string().as_bytes());
            out.push(b'=');
            // `xsi:type="ns0:Circle"` and `xsi:type="c:Circle"` mean the same type.
            match &self.xsi_type {
                Some(t)
                    if a.name.local == "type" && a.name.namespace.as_deref() == Some(XSI_NS) =>
                {
                    out.extend_from_slice(t.to_string().as_bytes());
                }
                _ => out.extend_from_slice(a.value.as_bytes()),
            }
        }
        out.push(b'>');
        out.extend_from_slice(self.text.trim().as_bytes());
        for c in &self.children {
            c.canonical(out);
        }
        out.push(b'/');
    }
}

/// A WS-Security UsernameToken found in the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsernameToken {
    /// `wsse:Username`.
    pub username: String,
    /// `wsse:Password` text (clear text or digest), if any.
    pub password: Option<String>,
    /// The password `Type` attribute (`...#PasswordText` / `...#PasswordDigest`).
    pub password_type: Option<String>,
}

/// A parsed envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// Version, from the envelope namespace.
    pub version: SoapVersion,
    /// Header blocks in order.
    pub headers: Vec<XmlElement>,
    /// The Body's child elements in order.
    pub body: Vec<XmlElement>,
}

impl Envelope {
    /// The qualified name of the Body's first child.
    pub fn first_body_name(&self) -> Option<&QName> {
        self.body.first().map(|e| &e.name)
    }

    /// The WS-Security UsernameToken, if the header carries one.
    pub fn username_token(&self) -> Option<UsernameToken> {
        let security = self
            .headers
            .iter()
            .find(|h| h.name.local == "Security" && is_wsse(h.name.namespace.as_deref()))?;
        let token = security
            .children
            .iter()
            .find(|c| c.name.local == "UsernameToken" && is_wsse(c.name.namespace.as_deref()))?;
        let field = |local: &str| {
            token
                .children
                .iter()
                .find(|c| c.name.local == local && is_wsse(c.name.namespace.as_deref()))
        };
        let username = field("Username")?.text.trim().to_string();
        let password = field("Password");
        Some(UsernameToken {
            username,
            password: password.map(|p| p.text.trim().to_string()),
            password_type: password.and_then(|p| p.attribute(None, "Type").map(str::to_string)),
        })
    }

    /// Header blocks marked `mustUnderstand` (`1` or `true`).
    pub fn must_understand(&self) -> impl Iterator<Item = &XmlElement> {
        let ns = self.version.envelope_ns();
        self.headers
            .iter()
            .filter(move |h| matches!(h.attribute(Some(ns), "mustUnderstand"), Some("1" | "true")))
    }
}

fn is_wsse(ns: Option<&str>) -> bool {
    // Old drafts (2002/07, 2003/06) are still sent by some stacks.
    ns.is_some_and(|ns| ns == WSSE_NS || ns.contains("secext"))
}

/// Read the version and action from the HTTP headers. `Err` is a fault to send as is (415 for a
/// media type that is not SOAP).
pub fn transport(
    content_type: Option<&str>,
    soap_action: Option<&str>,
) -> Result<Transport, Fault> {
    let content_type = content_type.unwrap_or("text/xml");
    let mut params = content_type.split(';');
    let essence = params.next().unwrap_or("").trim().to_ascii_lowercase();
    let mut action_param = None;
    for p in params {
        if let Some((k, v)) = p.split_once('=')
            && k.trim().eq_ignore_ascii_case("action")
        {
            action_param = Some(v.trim().to_string());
        }
    }
    let version = match essence.as_str() {
        "text/xml" | "application/xml" => SoapVersion::V11,
        "application/soap+xml" => SoapVersion::V12,
        other => {
            return Err(Fault::unsupported_media_type(other));
        }
    };
    let action = match version {
        // Some 1.2 clients also send SOAPAction; the media-type parameter wins.
        SoapVersion::V12 => action_param.or_else(|| soap_action.map(str::to_string)),
        SoapVersion::V11 => soap_action.map(str::to_string),
    };
    let action = action
        .map(|a| a.trim().trim_matches('"').trim().to_string())
        .filter(|a| !a.is_empty());
    Ok(Transport { version, action })
}

/// Parse an envelope. `Err` is the fault to answer with, in `fallback` version when the envelope
/// itself could not tell.
pub fn parse(body: &[u8], limits: &Limits, fallback: SoapVersion) -> Result<Envelope, Fault> {
    if body.len() > limits.max_bytes {
        return Err(Fault::sender(
            fallback,
            format!(
                "the request is {} bytes, over the limit of {}",
                body.len(),
                limits.max_bytes
            ),
        )
        .with_status(http::StatusCode::PAYLOAD_TOO_LARGE));
    }
    let text = std::str::from_utf8(body).map_err(|e| {
        Fault::sender(
            fallback,
            format!("the request is not UTF-8 (byte {})", e.valid_up_to()),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Parser {
        reader: NsReader::from_str(text),
        text,
        limits,
        fallback,
        version: None,
        elements: 0,
    }
    .run()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Header,
    Body,
    Other,
}

struct Parser<'a> {
    reader: NsReader<&'a [u8]>,
    text: &'a str,
    limits: &'a Limits,
    fallback: SoapVersion,
    version: Option<SoapVersion>,
    elements: usize,
}

impl<'a> Parser<'a> {
    fn version(&self) -> SoapVersion {
        self.version.unwrap_or(self.fallback)
    }

    fn malformed(&self, message: impl std::fmt::Display) -> Fault {
        let pos = usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX);
        let (line, col) = line_col(self.text, pos);
        Fault::sender(
            self.version(),
            format!("malformed XML at line {line}, column {col}: {message}"),
        )
    }

    fn run(mut self) -> Result<Envelope, Fault> {
        let mut depth = 0usize;
        let mut section = Section::Other;
        let mut seen_body = false;
        let mut seen_envelope = false;
        let mut stack: Vec<XmlElement> = Vec::new();
        let mut headers = Vec::new();
        let mut body = Vec::new();
        loop {
            let (element_ns, event) = match self.reader.read_resolved_event() {
                Ok((ResolveResult::Unknown(prefix), _)) => {
                    let prefix = String::from_utf8_lossy(&prefix).into_owned();
                    return Err(self.malformed(format!("the prefix {prefix:?} is not declared")));
                }
                Ok((resolved, event)) => (namespace_of(&resolved), event),
                Err(e) => return Err(self.malformed(e)),
            };
            let (start, empty) = match event {
                Event::Start(e) => (Some(e), false),
                Event::Empty(e) => (Some(e), true),
                Event::End(_) => {
                    self.close(
                        &mut depth,
                        &mut section,
                        &mut stack,
                        &mut headers,
                        &mut body,
                    );
                    continue;
                }
                Event::Text(t) => {
                    if let Some(top) = stack.last_mut() {
                        let s = t.unescape().map_err(|e| self.malformed(e))?;
                        top.text.push_str(&s);
                    }
                    continue;
                }
                Event::CData(c) => {
                    if let Some(top) = stack.last_mut() {
                        let s = std::str::from_utf8(&c).map_err(|e| self.malformed(e))?;
                        top.text.push_str(s);
                    }
                    continue;
                }
                Event::DocType(_) => {
                    return Err(
                        self.malformed("a DTD (<!DOCTYPE>) is not allowed in SOAP messages")
                    );
                }
                Event::Eof => break,
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) => continue,
            };
            let start = start.expect("matched Start or Empty above");
            depth += 1;
            self.elements += 1;
            if depth > self.limits.max_depth {
                return Err(Fault::sender(
                    self.version(),
                    format!(
                        "the XML is nested deeper than {} levels",
                        self.limits.max_depth
                    ),
                ));
            }
            if self.elements > self.limits.max_elements {
                return Err(Fault::sender(
                    self.version(),
                    format!(
                        "the XML has more than {} elements",
                        self.limits.max_elements
                    ),
                ));
            }
            let name = QName {
                namespace: element_ns,
                local: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
            };
            match depth {
                1 => {
                    if seen_envelope {
                        return Err(self.malformed("more than one root element"));
                    }
                    seen_envelope = true;
                    self.version = Some(envelope_version(&name, self.fallback)?);
                }
                2 => {
                    let ns = self.version().envelope_ns();
                    section = if name.namespace.as_deref() == Some(ns) && name.local == "Header" {
                        if seen_body {
                            return Err(self.malformed("the Header must come before the Body"));
                        }
                        Section::Header
                    } else if name.namespace.as_deref() == Some(ns) && name.local == "Body" {
                        if seen_body {
                            return Err(self.malformed("more than one Body"));
                        }
                        seen_body = true;
                        Section::Body
                    } else {
                        Section::Other
                    };
                }
                _ => {
                    if section != Section::Other {
                        let element = self.element(name, &start)?;
                        stack.push(element);
                    }
                }
            }
            if empty {
                self.close(
                    &mut depth,
                    &mut section,
                    &mut stack,
                    &mut headers,
                    &mut body,
                );
            }
        }
        if depth != 0 {
            return Err(self.malformed("the document ends inside an element"));
        }
        if !seen_envelope {
            return Err(self.malformed("no root element"));
        }
        if !seen_body {
            return Err(Fault::sender(self.version(), "the Envelope has no Body"));
        }
        Ok(Envelope {
            version: self.version(),
            headers,
            body,
        })
    }

    fn close(
        &self,
        depth: &mut usize,
        section: &mut Section,
        stack: &mut Vec<XmlElement>,
        headers: &mut Vec<XmlElement>,
        body: &mut Vec<XmlElement>,
    ) {
        if *depth >= 3
            && *section != Section::Other
            && let Some(done) = stack.pop()
        {
            match stack.last_mut() {
                Some(parent) => parent.children.push(done),
                None if *section == Section::Header => headers.push(done),
                None => body.push(done),
            }
        }
        *depth = depth.saturating_sub(1);
        if *depth == 1 {
            *section = Section::Other;
        }
    }

    fn element(&self, name: QName, start: &BytesStart<'_>) -> Result<XmlElement, Fault> {
        let mut element = XmlElement {
            name,
            ..XmlElement::default()
        };
        for (i, attr) in start.attributes().enumerate() {
            if i >= self.limits.max_attributes {
                return Err(Fault::sender(
                    self.version(),
                    format!(
                        "an element has more than {} attributes",
                        self.limits.max_attributes
                    ),
                ));
            }
            let attr = attr.map_err(|e| self.malformed(e))?;
            let value = attr
                .unescape_value()
                .map_err(|e| self.malformed(e))?
                .into_owned();
            let key = attr.key;
            if let Some(binding) = key.as_namespace_binding() {
                let prefix = match binding {
                    quick_xml::name::PrefixDeclaration::Default => String::new(),
                    quick_xml::name::PrefixDeclaration::Named(p) => {
                        String::from_utf8_lossy(p).into_owned()
                    }
                };
                element.declarations.push((prefix, value));
                continue;
            }
            let (resolved, local) = self.reader.resolve_attribute(key);
            let name = QName {
                namespace: namespace_of(&resolved),
                local: String::from_utf8_lossy(local.as_ref()).into_owned(),
            };
            if name.local == "type" && name.namespace.as_deref() == Some(XSI_NS) {
                // A QName value: its prefix (or the default namespace) is resolved here, where
                // the declarations in scope are known.
                let (ns, local) = self
                    .reader
                    .resolve_element(quick_xml::name::QName(value.trim().as_bytes()));
                element.xsi_type = Some(QName {
                    namespace: namespace_of(&ns),
                    local: String::from_utf8_lossy(local.as_ref()).into_owned(),
                });
            }
            element.attributes.push(XmlAttribute { name, value });
        }
        Ok(element)
    }
}

fn envelope_version(name: &QName, fallback: SoapVersion) -> Result<SoapVersion, Fault> {
    let ns = name.namespace.as_deref();
    if name.local != "Envelope" {
        return Err(Fault::sender(
            fallback,
            format!("the root element is {name}, not a SOAP Envelope"),
        ));
    }
    if ns == Some(SoapVersion::V11.envelope_ns()) {
        Ok(SoapVersion::V11)
    } else if ns == Some(SoapVersion::V12.envelope_ns()) {
        Ok(SoapVersion::V12)
    } else {
        Err(Fault::version_mismatch(
            fallback,
            format!(
                "the Envelope namespace {} is neither SOAP 1.1 ({}) nor SOAP 1.2 ({})",
                ns.unwrap_or("(none)"),
                SoapVersion::V11.envelope_ns(),
                SoapVersion::V12.envelope_ns()
            ),
        ))
    }
}

fn namespace_of(resolved: &ResolveResult<'_>) -> Option<String> {
    match resolved {
        ResolveResult::Bound(ns) => Some(String::from_utf8_lossy(ns.as_ref()).into_owned()),
        ResolveResult::Unbound | ResolveResult::Unknown(_) => None,
    }
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soap::fault::FaultCode;

    const S11: &str = "http://schemas.xmlsoap.org/soap/envelope/";
    const S12: &str = "http://www.w3.org/2003/05/soap-envelope";

    fn env(ns: &str, header: &str, body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="{ns}"><s:Header>{header}</s:Header><s:Body>{body}</s:Body></s:Envelope>"#
        )
    }

    fn parse_ok(xml: &str) -> Envelope {
        parse(xml.as_bytes(), &Limits::default(), SoapVersion::V11).expect("valid envelope")
    }

    fn parse_err(xml: &str) -> Fault {
        parse(xml.as_bytes(), &Limits::default(), SoapVersion::V11).expect_err("must fault")
    }

    #[test]
    fn reads_body_element_with_resolved_names() {
        let e = parse_ok(&env(
            S11,
            "",
            r#"<t:Add xmlns:t="http://tempuri.org/"><intA>1</intA><intB a="x &amp; y">2&#51;</intB></t:Add>"#,
        ));
        assert_eq!(e.version, SoapVersion::V11);
        let add = &e.body[0];
        assert_eq!(add.name.namespace.as_deref(), Some("http://tempuri.org/"));
        assert_eq!(add.name.local, "Add");
        assert_eq!(add.children.len(), 2);
        assert_eq!(add.children[0].name.namespace, None);
        assert_eq!(add.children[1].text, "23");
        assert_eq!(add.children[1].attribute(None, "a"), Some("x & y"));
        assert_eq!(
            add.declarations,
            vec![("t".into(), "http://tempuri.org/".into())]
        );
    }

    #[test]
    fn default_namespace_and_empty_elements() {
        let e = parse_ok(&format!(
            r#"<Envelope xmlns="{S12}"><Body><Ping xmlns="urn:x"/><Pong xmlns="urn:y"><a/></Pong></Body></Envelope>"#
        ));
        assert_eq!(e.version, SoapVersion::V12);
        assert_eq!(e.body.len(), 2);
        assert_eq!(e.body[0].name.namespace.as_deref(), Some("urn:x"));
        assert_eq!(
            e.body[1].children[0].name.namespace.as_deref(),
            Some("urn:y")
        );
        assert!(e.headers.is_empty());
    }

    #[test]
    fn reads_username_token_and_must_understand() {
        let header = format!(
            r#"<wsse:Security xmlns:wsse="{WSSE_NS}" s:mustUnderstand="1"><wsse:UsernameToken><wsse:Username>alice</wsse:Username><wsse:Password Type="urn:PasswordText">pw</wsse:Password></wsse:UsernameToken></wsse:Security><x:Other xmlns:x="urn:o"/>"#
        );
        let e = parse_ok(&env(S11, &header, "<a/>"));
        let token = e.username_token().expect("token");
        assert_eq!(token.username, "alice");
        assert_eq!(token.password.as_deref(), Some("pw"));
        assert_eq!(token.password_type.as_deref(), Some("urn:PasswordText"));
        let mu: Vec<_> = e.must_understand().map(|h| h.name.local.clone()).collect();
        assert_eq!(mu, vec!["Security"]);
    }

    #[test]
    fn refuses_dtd_and_billion_laughs() {
        let xml = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><a>&lol3;</a></s:Body></s:Envelope>"#;
        let f = parse_err(xml);
        assert_eq!(f.code, FaultCode::Sender);
        assert!(f.reason.contains("DTD"), "{}", f.reason);
    }

    #[test]
    fn refuses_external_entity_and_undeclared_entities() {
        let xml = r#"<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><a>&xxe;</a></s:Body></s:Envelope>"#;
        assert!(parse_err(xml).reason.contains("DTD"));
        let f = parse_err(&env(S11, "", "<a>&xxe;</a>"));
        assert!(f.reason.contains("malformed"), "{}", f.reason);
        assert!(!f.reason.contains("passwd"));
    }

    #[test]
    fn deep_nesting_stops_at_the_limit_quickly() {
        let depth = 10_000;
        let body = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        let xml = env(S11, "", &body);
        let started = std::time::Instant::now();
        let f = parse_err(&xml);
        assert!(f.reason.contains("nested deeper"), "{}", f.reason);
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn size_and_element_limits() {
        let limits = Limits {
            max_bytes: 100,
            ..Limits::default()
        };
        let xml = env(S11, "", &"<a/>".repeat(100));
        let f = parse(xml.as_bytes(), &limits, SoapVersion::V11).expect_err("too big");
        assert_eq!(f.status, Some(http::StatusCode::PAYLOAD_TOO_LARGE));
        let limits = Limits {
            max_elements: 10,
            ..Limits::default()
        };
        let f = parse(xml.as_bytes(), &limits, SoapVersion::V11).expect_err("too many");
        assert!(f.reason.contains("more than 10 elements"), "{}", f.reason);
    }

    #[test]
    fn structural_faults() {
        assert!(parse_err("<a/>").reason.contains("not a SOAP Envelope"));
        let f = parse_err(r#"<e:Envelope xmlns:e="urn:other"><e:Body/></e:Envelope>"#);
        assert_eq!(f.code, FaultCode::VersionMismatch);
        let f = parse_err(&format!(
            r#"<s:Envelope xmlns:s="{S11}"><s:Header/></s:Envelope>"#
        ));
        assert!(f.reason.contains("no Body"), "{}", f.reason);
        let f = parse_err(&format!(
            r#"<s:Envelope xmlns:s="{S11}"><s:Body><a></b></s:Body></s:Envelope>"#
        ));
        assert!(f.reason.contains("line 1"), "{}", f.reason);
        assert!(
            parse_err(&format!(r#"<s:Envelope xmlns:s="{S11}"><s:Body><a>"#))
                .reason
                .contains("malformed")
        );
        let f = parse_err(&format!(
            r#"<s:Envelope xmlns:s="{S11}"><s:Body/><s:Header/></s:Envelope>"#
        ));
        assert!(f.reason.contains("before the Body"), "{}", f.reason);
        assert!(parse(&[0xff, 0xfe], &Limits::default(), SoapVersion::V12).is_err());
        let f = parse_err(&env(S11, "", "<u:a/>"));
        assert!(f.reason.contains("not declared"), "{}", f.reason);
    }

    #[test]
    fn transport_detects_version_and_action() {
        let t = transport(
            Some("text/xml; charset=utf-8"),
            Some("\"http://tempuri.org/Add\""),
        )
        .expect("ok");
        assert_eq!(t.version, SoapVersion::V11);
        assert_eq!(t.action.as_deref(), Some("http://tempuri.org/Add"));
        let t = transport(
            Some("application/soap+xml;charset=utf-8;action=\"urn:Add\""),
            None,
        )
        .expect("ok");
        assert_eq!(t.version, SoapVersion::V12);
        assert_eq!(t.action.as_deref(), Some("urn:Add"));
        let t = transport(Some("text/xml"), Some("\"\"")).expect("ok");
        assert_eq!(t.action, None);
        let f = transport(Some("application/json"), None).expect_err("415");
        assert_eq!(f.status, Some(http::StatusCode::UNSUPPORTED_MEDIA_TYPE));
    }

    #[test]
    fn canonical_form_ignores_prefixes_and_whitespace() {
        let a = parse_ok(&env(
            S11,
            "",
            r#"<t:Add xmlns:t="urn:t"> <x>1</x> </t:Add>"#,
        ));
        let b = parse_ok(&env(
            S11,
            "",
            r#"<Add xmlns="urn:t"><x xmlns="">1</x></Add>"#,
        ));
        let (mut ca, mut cb) = (Vec::new(), Vec::new());
        a.body[0].canonical(&mut ca);
        b.body[0].canonical(&mut cb);
        assert_eq!(ca, cb);
        let c = parse_ok(&env(
            S11,
            "",
            r#"<Add xmlns="urn:t"><x xmlns="">2</x></Add>"#,
        ));
        let mut cc = Vec::new();
        c.body[0].canonical(&mut cc);
        assert_ne!(ca, cc);
    }
}
