//! Tests of the WSDL loader on small in-memory documents.

use super::*;
use crate::error::Severity;
use crate::example::Seed;
use crate::files::MemoryFiles;
use crate::model::SchemaKind;
use crate::xml_example::{Direction, message_xml};

fn files(list: &[(&str, &str)]) -> MemoryFiles {
    let mut f = MemoryFiles::new();
    for (p, t) in list {
        f.insert(*p, *t);
    }
    f
}

fn load_one(text: &str) -> Result<Loaded> {
    load(Path::new("/m/a.wsdl"), &files(&[("/m/a.wsdl", text)]))
}

const CHOICE: &str = r#"<?xml version="1.0"?>
<definitions name="Shop" targetNamespace="urn:shop" xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:tns="urn:shop" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <documentation>A shop.</documentation>
  <types>
    <xs:schema targetNamespace="urn:shop" elementFormDefault="qualified">
      <xs:simpleType name="Color"><xs:restriction base="xs:string">
        <xs:enumeration value="red"/><xs:enumeration value="blue"/></xs:restriction></xs:simpleType>
      <xs:element name="Order">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="id" type="xs:long"/>
            <xs:choice>
              <xs:element name="card" type="xs:string"/>
              <xs:element name="iban">
                <xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="[A-Z]{2}[0-9]{2}[A-Z0-9]{10}"/></xs:restriction></xs:simpleType>
              </xs:element>
            </xs:choice>
            <xs:element name="line" maxOccurs="unbounded">
              <xs:complexType>
                <xs:sequence><xs:element name="sku" type="xs:token"/><xs:element name="color" type="tns:Color" minOccurs="0"/></xs:sequence>
                <xs:attribute name="qty" type="xs:positiveInteger" use="required"/>
                <xs:attribute name="unit" type="xs:string" fixed="pcs"/>
              </xs:complexType>
            </xs:element>
            <xs:element name="note" type="xs:string" nillable="true" default="none"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
      <xs:element name="OrderResponse" type="xs:boolean"/>
    </xs:schema>
  </types>
  <message name="OrderIn"><part name="p" element="tns:Order"/></message>
  <message name="OrderOut"><part name="p" element="tns:OrderResponse"/></message>
  <portType name="ShopPort">
    <operation name="Place"><documentation>Place an order.</documentation>
      <input message="tns:OrderIn"/><output message="tns:OrderOut"/></operation>
  </portType>
  <binding name="ShopSoap12" type="tns:ShopPort">
    <soap12:binding transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Place"><soap12:operation soapAction="urn:shop:place"/>
      <input><soap12:body use="literal"/></input><output><soap12:body use="literal"/></output></operation>
  </binding>
  <service name="ShopService"><port name="p12" binding="tns:ShopSoap12">
    <soap12:address location="http://shop.example.com/soap"/></port></service>
</definitions>"#;

#[test]
fn document_literal_with_choice_maps_to_the_model() {
    let loaded = load_one(CHOICE).expect("loads");
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let api = &loaded.api;
    assert_eq!(api.title, "ShopService");
    assert_eq!(api.id, "shopservice");
    assert_eq!(api.description.as_deref(), Some("A shop."));
    assert_eq!(api.servers[0].url, "http://shop.example.com/soap");
    let op = &api.operations[0];
    assert_eq!(op.id, "Place");
    assert_eq!(op.description.as_deref(), Some("Place an order."));
    let soap = op.soap().expect("soap");
    let b = &soap.bindings[0];
    assert_eq!(b.version, SoapVersion::V12);
    assert_eq!(b.action.as_deref(), Some("urn:shop:place"));
    assert_eq!(b.endpoints[0].address, "http://shop.example.com/soap");
    assert!(op.responses[0].content.contains_key("application/soap+xml"));
    let order = &api.schemas["element:{urn:shop}Order"];
    let SchemaKind::AllOf(parts) = &order.kind else {
        panic!(
            "sequence with a choice keeps its order as allOf: {:?}",
            order.kind
        )
    };
    assert_eq!(parts.members.len(), 3);
    let xml = message_xml(
        api,
        soap.input.as_ref().expect("input"),
        b,
        "Place",
        Direction::Request,
        Seed(3),
    );
    assert!(
        xml.starts_with(r#"<ns1:Order xmlns:ns1="urn:shop"><ns1:id>"#),
        "{xml}"
    );
    assert!(xml.contains(r#"unit="pcs""#), "{xml}");
    assert!(
        xml.contains("<ns1:card>") ^ xml.contains("<ns1:iban>"),
        "one branch: {xml}"
    );
    assert!(
        xml.ends_with("<ns1:note>none</ns1:note></ns1:Order>"),
        "{xml}"
    );
    insta::assert_snapshot!("choice_request", xml);
    // Other seeds take the other branch somewhere.
    let branches: std::collections::BTreeSet<bool> = (0..16)
        .map(|s| {
            message_xml(
                api,
                soap.input.as_ref().expect("input"),
                b,
                "Place",
                Direction::Request,
                Seed(s),
            )
            .contains("<ns1:iban>")
        })
        .collect();
    assert_eq!(branches.len(), 2);
}

#[test]
fn rpc_literal_wraps_parts_in_the_operation_element() {
    let text = CHOICE
        .replace(
            r#"<part name="p" element="tns:Order"/>"#,
            r#"<part name="a" type="xs:int"/><part name="b" type="tns:Color"/>"#,
        )
        .replace(
            r#"<soap12:binding transport"#,
            r#"<soap12:binding style="rpc" transport"#,
        )
        .replace(
            r#"<input><soap12:body use="literal"/>"#,
            r#"<input><soap12:body use="literal" namespace="urn:rpc"/>"#,
        );
    let loaded = load_one(&text).expect("loads");
    let op = &loaded.api.operations[0];
    let soap = op.soap().expect("soap");
    let b = &soap.bindings[0];
    assert_eq!(b.style, SoapStyle::Rpc);
    assert_eq!(b.namespace.as_deref(), Some("urn:rpc"));
    let xml = message_xml(
        &loaded.api,
        soap.input.as_ref().expect("in"),
        b,
        "Place",
        Direction::Request,
        Seed(1),
    );
    assert!(
        xml.starts_with(r#"<ns1:Place xmlns:ns1="urn:rpc"><a>"#),
        "{xml}"
    );
    assert!(
        xml.contains("<b>red</b>") || xml.contains("<b>blue</b>"),
        "{xml}"
    );
    let out = message_xml(
        &loaded.api,
        soap.output.as_ref().expect("out"),
        b,
        "Place",
        Direction::Response,
        Seed(1),
    );
    assert!(
        out.starts_with(r#"<ns1:PlaceResponse xmlns:ns1="urn:rpc">"#),
        "{out}"
    );
}

#[test]
fn imports_are_followed_once_and_located_when_missing() {
    let main = r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:a" xmlns:b="urn:b"
        xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/">
      <import namespace="urn:b" location="sub/b.wsdl"/>
      <binding name="B" type="b:PT"><soap:binding style="document"/>
        <operation name="Op"/></binding>
      <service name="S"><port name="P" binding="tns:B" xmlns:tns="urn:a"><soap:address location="http://x/s"/></port></service>
    </definitions>"#;
    let b = r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:b" xmlns:b="urn:b"
        xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <import namespace="urn:a" location="../a.wsdl"/>
      <types><xs:schema targetNamespace="urn:b">
        <xs:import namespace="urn:c" schemaLocation="c.xsd"/>
        <xs:import namespace="urn:gone" schemaLocation="missing.xsd"/>
        <xs:import namespace="urn:far" schemaLocation="http://example.com/far.xsd"/>
        <xs:import namespace="http://schemas.xmlsoap.org/soap/encoding/" schemaLocation="http://schemas.xmlsoap.org/soap/encoding/"/>
      </xs:schema></types>
      <message name="M"><part name="x" element="c:E" xmlns:c="urn:c"/></message>
      <portType name="PT"><operation name="Op"><input message="b:M"/></operation></portType>
    </definitions>"#;
    let c = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:c">
        <xs:include schemaLocation="c2.xsd"/><xs:element name="E" type="xs:string"/></xs:schema>"#;
    let c2 = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:c="urn:c"><xs:include schemaLocation="c.xsd"/>
        <xs:element name="F" type="xs:int"/></xs:schema>"#;
    let fs = files(&[
        ("/m/a.wsdl", main),
        ("/m/sub/b.wsdl", b),
        ("/m/sub/c.xsd", c),
        ("/m/sub/c2.xsd", c2),
    ]);
    let loaded = load(Path::new("/m/a.wsdl"), &fs).expect("loads");
    let files: Vec<String> = loaded
        .files
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    assert_eq!(
        files,
        vec![
            "/m/a.wsdl",
            "/m/sub/b.wsdl",
            "/m/sub/c.xsd",
            "/m/sub/c2.xsd"
        ]
    );
    assert_eq!(loaded.api.operations.len(), 1);
    assert!(
        loaded.api.schemas.contains_key("element:{urn:c}F"),
        "chameleon include takes urn:c"
    );
    let texts: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
    assert!(
        texts
            .iter()
            .any(|d| d
                .starts_with("/m/sub/b.wsdl:6:9: error: cannot resolve reference `missing.xsd`")),
        "{texts:?}"
    );
    assert!(
        texts.iter().any(|d| d.starts_with(
            "/m/sub/b.wsdl:7:9: warning: `http://example.com/far.xsd` is not fetched"
        )),
        "{texts:?}"
    );
    assert_eq!(texts.len(), 2, "the SOAP-ENC import is built in: {texts:?}");
}

#[test]
fn wsdl20_interfaces_bindings_and_actions() {
    let text = r##"<description xmlns="http://www.w3.org/ns/wsdl" targetNamespace="urn:w" xmlns:tns="urn:w"
        xmlns:wsoap="http://www.w3.org/ns/wsdl/soap" xmlns:wsam="http://www.w3.org/2007/05/addressing/metadata"
        xmlns:xs="http://www.w3.org/2001/XMLSchema">
      <types><xs:schema targetNamespace="urn:w"><xs:element name="Ping" type="xs:string"/><xs:element name="Bad" type="xs:string"/></xs:schema></types>
      <interface name="I">
        <fault name="oops" element="tns:Bad"/>
        <operation name="ping" pattern="http://www.w3.org/ns/wsdl/in-out">
          <input element="tns:Ping" wsam:Action="urn:w:ping"/><output element="#none"/><outfault ref="tns:oops"/>
        </operation>
        <operation name="unbound"><input element="#any"/></operation>
      </interface>
      <binding name="B" interface="tns:I" type="http://www.w3.org/ns/wsdl/soap"><operation ref="tns:ping"/></binding>
      <binding name="B11" interface="tns:I" type="http://www.w3.org/ns/wsdl/soap" wsoap:version="1.1">
        <operation ref="tns:ping" wsoap:action="urn:explicit"/></binding>
      <service name="Svc" interface="tns:I"><endpoint name="E" binding="tns:B" address="http://w/x"/></service>
    </description>"##;
    let loaded = load_one(text).expect("loads");
    let api = &loaded.api;
    assert_eq!(api.source.version, "2.0");
    assert_eq!(
        api.operations.len(),
        2,
        "every operation of a bound interface counts"
    );
    let soap = api.operations[0].soap().expect("soap");
    assert_eq!(soap.bindings.len(), 2);
    assert_eq!(soap.bindings[0].version, SoapVersion::V12);
    assert_eq!(soap.bindings[0].action.as_deref(), Some("urn:w:ping"));
    assert_eq!(soap.bindings[1].version, SoapVersion::V11);
    assert_eq!(soap.bindings[1].action.as_deref(), Some("urn:explicit"));
    assert_eq!(soap.faults[0].name, "oops");
    assert_eq!(api.servers[0].url, "http://w/x");
}

#[test]
fn hostile_xml_is_refused_quickly_with_located_errors() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/">&lol2;</definitions>"#;
    let external = r#"<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"><documentation>&xxe;</documentation></definitions>"#;
    let undefined = "<definitions xmlns=\"http://schemas.xmlsoap.org/wsdl/\">\n  <documentation>&xxe;</documentation>\n</definitions>";
    let deep = format!(
        "<definitions xmlns=\"http://schemas.xmlsoap.org/wsdl/\">{}{}</definitions>",
        "<documentation>".repeat(10_000),
        "</documentation>".repeat(10_000)
    );
    let start = std::time::Instant::now();
    let mut texts = Vec::new();
    for doc in [
        laughs,
        external,
        undefined,
        deep.as_str(),
        "<definitions>",
        "not xml at all",
    ] {
        let err = load_one(doc).expect_err("refused");
        texts.push(err.to_string());
    }
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
    assert!(
        texts[0].starts_with("/m/a.wsdl:2:1: refused: DOCTYPE"),
        "{texts:?}"
    );
    assert!(
        texts[1].starts_with("/m/a.wsdl:2:1: refused: DOCTYPE"),
        "{texts:?}"
    );
    assert!(texts[2].starts_with("/m/a.wsdl:2:18:"), "{texts:?}");
    assert!(
        texts[3].contains("refused: elements nested deeper than 256"),
        "{texts:?}"
    );
    insta::assert_yaml_snapshot!("hostile_and_broken_xml_errors", texts);
}

#[test]
fn not_a_wsdl_and_standalone_xsd_checks() {
    let err =
        load_one("<schema xmlns=\"http://www.w3.org/2001/XMLSchema\"/>").expect_err("not wsdl");
    assert!(err.to_string().contains("neither a WSDL 1.1"), "{err}");
    let ok = check_xsd(
        Path::new("t.xsd"),
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t" xmlns:o="urn:other">
             <xs:element name="a" type="o:Imported"/></xs:schema>"#,
    );
    assert!(ok.is_empty(), "{ok:?}");
    let bad = check_xsd(
        Path::new("t.xsd"),
        "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xmlns:t=\"urn:t\" targetNamespace=\"urn:t\">\n  <xs:element name=\"a\" type=\"t:Nope\"/>\n</xs:schema>",
    );
    assert_eq!(bad.len(), 1);
    assert_eq!(
        bad[0].to_string(),
        "t.xsd:2:3: warning: unknown type `{urn:t}Nope`; treated as anyType"
    );
    let broken = check_xsd(
        Path::new("t.xsd"),
        "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n<a></b>",
    );
    assert_eq!(broken[0].severity, Severity::Error);
    assert!(broken[0].to_string().starts_with("t.xsd:2:"), "{broken:?}");
    let other = check_xsd(Path::new("t.xml"), "<root/>");
    assert!(other[0].message.contains("not an XML Schema"));
}

#[test]
fn shared_operation_names_get_port_type_prefixes() {
    let text = r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:a" xmlns:tns="urn:a"
        xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" xmlns:http="http://schemas.xmlsoap.org/wsdl/http/">
      <message name="M"/>
      <portType name="HttpPT"><operation name="Get"><input message="tns:M"/></operation></portType>
      <portType name="SoapPT"><operation name="Get"><input message="tns:M"/></operation>
        <operation name="Get"><input message="tns:M"/></operation></portType>
      <binding name="H" type="tns:HttpPT"><http:binding verb="GET"/></binding>
      <binding name="S" type="tns:SoapPT"><soap:binding/><operation name="Get"/></binding>
    </definitions>"#;
    let loaded = load_one(text).expect("loads");
    let ids: Vec<&str> = loaded
        .api
        .operations
        .iter()
        .map(|o| o.id.as_str())
        .collect();
    assert_eq!(ids, vec!["HttpPT-Get", "Get"]);
    let texts: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
    assert!(texts.iter().any(|t| t.contains("overloaded")), "{texts:?}");
    assert!(
        texts.iter().any(|t| t.contains("HTTP (non-SOAP) binding")),
        "{texts:?}"
    );
}

#[test]
fn schema_kinds_round_trip_through_json() {
    use crate::model::{Schema, StringRules};
    let kinds = vec![
        SchemaKind::Ref("{urn:x}T".into()),
        SchemaKind::Union(vec![
            SchemaKind::Boolean,
            SchemaKind::String(StringRules::default()),
        ]),
    ];
    for kind in kinds {
        let s = Schema {
            kind,
            ..Schema::default()
        };
        let json = serde_json::to_string(&s).expect("serializes");
        let back: Schema = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, s, "{json}");
    }
}
