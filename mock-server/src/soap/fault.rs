//! SOAP Faults of either version, with the HTTP status the SOAP HTTP bindings give them.
//!
//! SOAP 1.1 (WS-I Basic Profile R1126) sends every fault with 500. SOAP 1.2 part 2 (table 20)
//! sends `env:Sender` faults with 400 and the others with 500. A few faults carry a status of
//! their own: 415 for a media type that is not SOAP, 413 for a body over the limit, and the
//! access gate's 401/403/429/503 so that clients and the Try console see what REST would say.

use api_model::{QName, SoapVersion};
use http::{HeaderMap, HeaderValue, StatusCode};
use quick_xml::escape::escape;

/// The fault code, named as SOAP 1.2 does (the SOAP 1.1 names are given by [`FaultCode::v11`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultCode {
    /// The envelope namespace is not one this node supports.
    VersionMismatch,
    /// A `mustUnderstand` header block was not understood.
    MustUnderstand,
    /// The encoding style is unknown.
    DataEncodingUnknown,
    /// The request is at fault (1.1 `Client`).
    Sender,
    /// The service is at fault (1.1 `Server`).
    Receiver,
}

impl FaultCode {
    /// The SOAP 1.1 local name.
    pub fn v11(self) -> &'static str {
        match self {
            FaultCode::VersionMismatch => "VersionMismatch",
            FaultCode::MustUnderstand => "MustUnderstand",
            FaultCode::DataEncodingUnknown => "Client",
            FaultCode::Sender => "Client",
            FaultCode::Receiver => "Server",
        }
    }

    /// The SOAP 1.2 local name.
    pub fn v12(self) -> &'static str {
        match self {
            FaultCode::VersionMismatch => "VersionMismatch",
            FaultCode::MustUnderstand => "MustUnderstand",
            FaultCode::DataEncodingUnknown => "DataEncodingUnknown",
            FaultCode::Sender => "Sender",
            FaultCode::Receiver => "Receiver",
        }
    }
}

/// A fault to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// Version to answer in.
    pub version: SoapVersion,
    /// Code.
    pub code: FaultCode,
    /// A more precise code (1.2 `Subcode`; in 1.1 it replaces the faultcode), e.g.
    /// `wsse:FailedAuthentication`.
    pub subcode: Option<QName>,
    /// Human-readable reason (`faultstring` / `Reason/Text`), for the client.
    pub reason: String,
    /// The detail's content as XML (already well-formed and escaped), if any.
    pub detail: Option<String>,
    /// A status that overrides the binding's rule (413, 415, and the gate's).
    pub status: Option<StatusCode>,
    /// Extra response headers (`WWW-Authenticate`, `Retry-After`, rate-limit headers); boxed
    /// because faults travel in `Result`s and are rarely this rich.
    pub headers: Box<HeaderMap>,
}

impl Fault {
    /// A fault with this code and reason.
    pub fn new(version: SoapVersion, code: FaultCode, reason: impl Into<String>) -> Fault {
        Fault {
            version,
            code,
            subcode: None,
            reason: reason.into(),
            detail: None,
            status: None,
            headers: Box::default(),
        }
    }

    /// The request is wrong.
    pub fn sender(version: SoapVersion, reason: impl Into<String>) -> Fault {
        Fault::new(version, FaultCode::Sender, reason)
    }

    /// The service failed.
    pub fn receiver(version: SoapVersion, reason: impl Into<String>) -> Fault {
        Fault::new(version, FaultCode::Receiver, reason)
    }

    /// The envelope is of a version this node does not speak, or disagrees with the media type.
    pub fn version_mismatch(version: SoapVersion, reason: impl Into<String>) -> Fault {
        Fault::new(version, FaultCode::VersionMismatch, reason)
    }

    /// The media type is not a SOAP one (415).
    pub fn unsupported_media_type(media_type: &str) -> Fault {
        Fault::sender(
            SoapVersion::V11,
            format!(
                "the media type {media_type:?} is not SOAP: use text/xml (SOAP 1.1) or application/soap+xml (SOAP 1.2)"
            ),
        )
        .with_status(StatusCode::UNSUPPORTED_MEDIA_TYPE)
    }

    /// Set the subcode.
    pub fn with_subcode(mut self, namespace: &str, local: &str) -> Fault {
        self.subcode = Some(QName {
            namespace: Some(namespace.to_string()),
            local: local.to_string(),
        });
        self
    }

    /// Set the detail (well-formed XML content).
    pub fn with_detail(mut self, detail_xml: impl Into<String>) -> Fault {
        self.detail = Some(detail_xml.into());
        self
    }

    /// Override the status.
    pub fn with_status(mut self, status: StatusCode) -> Fault {
        self.status = Some(status);
        self
    }

    /// The HTTP status to send.
    pub fn http_status(&self) -> StatusCode {
        if let Some(status) = self.status {
            return status;
        }
        match (self.version, self.code) {
            (SoapVersion::V12, FaultCode::Sender | FaultCode::DataEncodingUnknown) => {
                StatusCode::BAD_REQUEST
            }
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The response headers: the media type, the extra headers, and for a 1.2 VersionMismatch
    /// nothing more (the Upgrade block is in the envelope).
    pub fn response_headers(&self) -> HeaderMap {
        let mut headers = (*self.headers).clone();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static(content_type(self.version)),
        );
        headers
    }

    /// The fault envelope.
    pub fn to_xml(&self) -> String {
        let reason = escape(self.reason.as_str());
        let mut out = String::with_capacity(512 + self.detail.as_ref().map_or(0, String::len));
        match self.version {
            SoapVersion::V11 => {
                out.push_str(r#"<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>"#);
                match &self.subcode {
                    Some(QName {
                        namespace: Some(ns),
                        local,
                    }) => {
                        out.push_str(&format!(
                            r#"<faultcode xmlns:fc="{}">fc:{}</faultcode>"#,
                            escape(ns.as_str()),
                            escape(local.as_str())
                        ));
                    }
                    _ => out.push_str(&format!("<faultcode>soap:{}</faultcode>", self.code.v11())),
                }
                out.push_str(&format!("<faultstring>{reason}</faultstring>"));
                if let Some(detail) = &self.detail {
                    out.push_str(&format!("<detail>{detail}</detail>"));
                }
                out.push_str("</soap:Fault></soap:Body></soap:Envelope>");
            }
            SoapVersion::V12 => {
                out.push_str(r#"<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">"#);
                if self.code == FaultCode::VersionMismatch {
                    out.push_str(concat!(
                        r#"<env:Header><env:Upgrade>"#,
                        r#"<env:SupportedEnvelope qname="env:Envelope"/>"#,
                        r#"<env:SupportedEnvelope xmlns:s11="http://schemas.xmlsoap.org/soap/envelope/" qname="s11:Envelope"/>"#,
                        r#"</env:Upgrade></env:Header>"#
                    ));
                }
                out.push_str("<env:Body><env:Fault><env:Code>");
                out.push_str(&format!("<env:Value>env:{}</env:Value>", self.code.v12()));
                if let Some(QName {
                    namespace: Some(ns),
                    local,
                }) = &self.subcode
                {
                    out.push_str(&format!(
                        r#"<env:Subcode><env:Value xmlns:fc="{}">fc:{}</env:Value></env:Subcode>"#,
                        escape(ns.as_str()),
                        escape(local.as_str())
                    ));
                }
                out.push_str(&format!(
                    r#"</env:Code><env:Reason><env:Text xml:lang="en">{reason}</env:Text></env:Reason>"#
                ));
                if let Some(detail) = &self.detail {
                    out.push_str(&format!("<env:Detail>{detail}</env:Detail>"));
                }
                out.push_str("</env:Fault></env:Body></env:Envelope>");
            }
        }
        out
    }
}

/// The response media type of a version, with its charset.
pub fn content_type(version: SoapVersion) -> &'static str {
    match version {
        SoapVersion::V11 => "text/xml; charset=utf-8",
        SoapVersion::V12 => "application/soap+xml; charset=utf-8",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soap11_client_fault_is_500_with_faultcode_and_detail() {
        let f = Fault::sender(SoapVersion::V11, "bad <input> & more").with_detail("<d>x</d>");
        assert_eq!(f.http_status(), StatusCode::INTERNAL_SERVER_ERROR);
        let xml = f.to_xml();
        assert!(xml.contains("<faultcode>soap:Client</faultcode>"), "{xml}");
        assert!(
            xml.contains("<faultstring>bad &lt;input&gt; &amp; more</faultstring>"),
            "{xml}"
        );
        assert!(xml.contains("<detail><d>x</d></detail>"), "{xml}");
        let f = Fault::receiver(SoapVersion::V11, "oops");
        assert!(f.to_xml().contains("soap:Server"));
        assert_eq!(
            f.response_headers()[http::header::CONTENT_TYPE],
            "text/xml; charset=utf-8"
        );
    }

    #[test]
    fn soap12_sender_fault_is_400_receiver_500() {
        let f = Fault::sender(SoapVersion::V12, "bad").with_subcode("urn:x", "Invalid");
        assert_eq!(f.http_status(), StatusCode::BAD_REQUEST);
        let xml = f.to_xml();
        assert!(xml.contains("<env:Value>env:Sender</env:Value>"), "{xml}");
        assert!(
            xml.contains(r#"<env:Subcode><env:Value xmlns:fc="urn:x">fc:Invalid</env:Value>"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<env:Text xml:lang="en">bad</env:Text>"#),
            "{xml}"
        );
        assert_eq!(
            Fault::receiver(SoapVersion::V12, "x").http_status(),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        let vm = Fault::version_mismatch(SoapVersion::V12, "x").to_xml();
        assert!(
            vm.contains("env:Upgrade") && vm.contains("env:VersionMismatch"),
            "{vm}"
        );
    }

    #[test]
    fn fault_xml_is_well_formed() {
        for f in [
            Fault::sender(SoapVersion::V11, "a").with_subcode("urn:w", "FailedAuthentication"),
            Fault::sender(SoapVersion::V12, "a").with_detail("<x/>"),
            Fault::version_mismatch(SoapVersion::V12, "b"),
        ] {
            let xml = f.to_xml();
            let env = crate::soap::envelope::parse(
                xml.as_bytes(),
                &crate::soap::envelope::Limits::default(),
                f.version,
            )
            .expect("fault parses as an envelope");
            assert_eq!(env.body[0].name.local, "Fault");
        }
    }
}
