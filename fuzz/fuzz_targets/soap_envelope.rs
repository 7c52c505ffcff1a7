//! Fuzz the SOAP envelope parser, the dispatcher and the validator: any bytes, with either
//! media type, must give a response or a Fault, never a panic.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use api_model::Api;
use api_model::files::MemoryFiles;
use http::{HeaderMap, HeaderValue, Method};
use libfuzzer_sys::fuzz_target;
use mock_server::gate::OpenGate;
use mock_server::soap::envelope::Limits;
use mock_server::soap::handler::{SoapRequest, SoapService, handle_call};
use mock_server::soap::mounts::{SoapMount, soap_mounts};

/// A small WSDL with a document/literal operation (SOAP 1.1 and 1.2) and an rpc/encoded one.
const WSDL: &str = r#"<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
  xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:xs="http://www.w3.org/2001/XMLSchema"
  xmlns:tns="urn:fuzz" targetNamespace="urn:fuzz">
  <types><xs:schema targetNamespace="urn:fuzz" elementFormDefault="qualified">
    <xs:element name="Add"><xs:complexType><xs:sequence>
      <xs:element name="a" type="xs:int"/><xs:element name="b" type="xs:int" minOccurs="0" maxOccurs="unbounded"/>
      <xs:choice><xs:element name="c" type="xs:date"/><xs:element name="d" type="xs:base64Binary"/></xs:choice>
    </xs:sequence><xs:attribute name="id" type="xs:string" use="required"/></xs:complexType></xs:element>
    <xs:element name="AddResponse"><xs:complexType><xs:sequence><xs:element name="r" type="xs:int"/></xs:sequence></xs:complexType></xs:element>
  </xs:schema></types>
  <message name="AddIn"><part name="p" element="tns:Add"/></message>
  <message name="AddOut"><part name="p" element="tns:AddResponse"/></message>
  <message name="EchoIn"><part name="s" type="xs:string"/><part name="n" type="xs:int"/></message>
  <message name="EchoOut"><part name="r" type="xs:string"/></message>
  <portType name="P">
    <operation name="Add"><input message="tns:AddIn"/><output message="tns:AddOut"/></operation>
    <operation name="Echo"><input message="tns:EchoIn"/><output message="tns:EchoOut"/></operation>
  </portType>
  <binding name="B11" type="tns:P"><soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Add"><soap:operation soapAction="urn:fuzz#Add"/><input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation>
    <operation name="Echo"><soap:operation soapAction="urn:fuzz#Echo" style="rpc"/><input><soap:body use="encoded" namespace="urn:fuzz" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></input><output><soap:body use="encoded" namespace="urn:fuzz" encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"/></output></operation>
  </binding>
  <binding name="B12" type="tns:P"><soap12:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Add"><soap12:operation soapAction="urn:fuzz#Add"/><input><soap12:body use="literal"/></input><output><soap12:body use="literal"/></output></operation>
  </binding>
  <service name="S">
    <port name="P11" binding="tns:B11"><soap:address location="http://example.com/fuzz"/></port>
    <port name="P12" binding="tns:B12"><soap12:address location="http://example.com/fuzz"/></port>
  </service>
</definitions>"#;

struct Setup {
    api: Api,
    mounts: Vec<(SoapMount, String)>,
    runtime: tokio::runtime::Runtime,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let mut files = MemoryFiles::new();
        files.insert("/fuzz/fuzz.wsdl", WSDL);
        let api = api_model::wsdl::load(Path::new("/fuzz/fuzz.wsdl"), &files)
            .expect("the fuzz WSDL loads")
            .api;
        let mounts = soap_mounts(&api)
            .into_iter()
            .map(|m| {
                let path = m.path.clone();
                (m, path)
            })
            .collect();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime");
        Setup { api, mounts, runtime }
    })
}

fn no_files(_: &str) -> Option<String> {
    None
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let setup = setup();
    let mut headers = HeaderMap::new();
    let (content_type, action) = match selector % 4 {
        0 => ("text/xml; charset=utf-8", Some("urn:fuzz#Add")),
        1 => ("text/xml", None),
        2 => ("application/soap+xml; action=\"urn:fuzz#Add\"", None),
        _ => ("application/soap+xml", Some("urn:fuzz#Echo")),
    };
    headers.insert("content-type", HeaderValue::from_static(content_type));
    if let Some(action) = action {
        headers.insert("soapaction", HeaderValue::from_static(action));
    }
    if selector & 4 != 0 {
        headers.insert("prefer", HeaderValue::from_static("fault=Nope"));
    }
    let service = SoapService {
        api: &setup.api,
        mounts: &setup.mounts,
        mount: 0,
        gate: &OpenGate,
        seed: u64::from(selector),
        auth: selector & 8 != 0,
        client_id_required: false,
        limits: Limits { max_bytes: 64 * 1024, ..Limits::default() },
        read_file: &no_files,
        public_url: None,
        memo: None,
    };
    let request = SoapRequest {
        method: &Method::POST,
        query: None,
        headers: &headers,
        body,
    };
    let reply = setup.runtime.block_on(handle_call(&service, request));
    assert!(reply.status.as_u16() >= 200);
});
