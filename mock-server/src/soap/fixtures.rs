//! Hand-built SOAP APIs for the unit tests, in the shape the WSDL loader produces.

use api_model::*;
use indexmap::IndexMap;

use super::mounts::{SoapMount, soap_mounts};

/// The mounts of an API, each served at its own path (no other API overlaps it).
pub fn served_mounts(api: &Api) -> Vec<(SoapMount, String)> {
    soap_mounts(api)
        .into_iter()
        .map(|m| {
            let path = m.path.clone();
            (m, path)
        })
        .collect()
}

pub const TEMPURI: &str = "http://tempuri.org/";
pub const CALC_ADDRESS: &str = "http://www.dneonline.com/calculator.asmx";

pub fn q(ns: &str, local: &str) -> QName {
    QName {
        namespace: (!ns.is_empty()).then(|| ns.to_string()),
        local: local.to_string(),
    }
}

pub fn int_el(name: &str) -> SchemaRef {
    SchemaRef::Inline(Box::new(Schema {
        kind: SchemaKind::Integer(NumberRules {
            format: Some("int".into()),
            minimum: Some(i64::from(i32::MIN).into()),
            maximum: Some(i64::from(i32::MAX).into()),
            ..NumberRules::default()
        }),
        xml: Some(XmlInfo {
            name: Some(name.into()),
            ..XmlInfo::default()
        }),
        ..Schema::default()
    }))
}

pub fn object(ns: &str, name: &str, props: Vec<(&str, SchemaRef)>, required: &[&str]) -> Schema {
    Schema {
        kind: SchemaKind::Object(ObjectRules {
            properties: props.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            required: required.iter().map(|s| s.to_string()).collect(),
            additional: Additional::Forbidden,
            ..ObjectRules::default()
        }),
        xml: Some(XmlInfo {
            name: Some(name.into()),
            namespace: (!ns.is_empty()).then(|| ns.to_string()),
            ..XmlInfo::default()
        }),
        ..Schema::default()
    }
}

pub fn element_part(name: &str, element: QName) -> SoapPart {
    let key = element.to_string();
    SoapPart {
        name: name.into(),
        content: PartContent::Element(element),
        schema: Some(SchemaRef::Named(key)),
    }
}

pub fn binding(
    name: &str,
    version: SoapVersion,
    action: &str,
    style: SoapStyle,
    body_use: SoapUse,
    ns: Option<&str>,
    address: &str,
) -> SoapBinding {
    SoapBinding {
        name: q(TEMPURI, name),
        version,
        action: (!action.is_empty()).then(|| action.to_string()),
        style,
        body_use,
        namespace: ns.map(str::to_string),
        encoding_style: (body_use == SoapUse::Encoded)
            .then(|| "http://schemas.xmlsoap.org/soap/encoding/".to_string()),
        input_headers: Vec::new(),
        output_headers: Vec::new(),
        endpoints: vec![SoapEndpoint {
            service: "Svc".into(),
            port: format!("{name}Port"),
            address: address.into(),
        }],
    }
}

pub fn operation(soap: SoapOperation) -> Operation {
    Operation {
        id: soap.name.clone(),
        operation_id: Some(soap.name.clone()),
        summary: None,
        description: None,
        tags: Vec::new(),
        deprecated: false,
        binding: Binding::Soap(soap),
        parameters: Vec::new(),
        request_body: None,
        responses: Vec::new(),
        security: None,
        callbacks: Vec::new(),
        servers: Vec::new(),
    }
}

pub fn api(id: &str, operations: Vec<Operation>, schemas: IndexMap<String, Schema>) -> Api {
    Api {
        id: id.into(),
        title: id.into(),
        version: String::new(),
        description: None,
        protocol: Protocol::Soap,
        source: SpecSource {
            kind: SpecKind::Wsdl,
            version: "1.1".into(),
            path: format!("{id}.wsdl"),
            files: vec![format!("{id}.wsdl")],
        },
        servers: Vec::new(),
        security_schemes: IndexMap::new(),
        security: Vec::new(),
        tags: Vec::new(),
        operations,
        webhooks: Vec::new(),
        schemas,
        info: ApiInfo::default(),
    }
}

/// The DNE calculator: document/literal wrapped, SOAP 1.1 and 1.2 bindings at one address.
pub fn calculator() -> Api {
    let mut schemas = IndexMap::new();
    let mut operations = Vec::new();
    for name in ["Add", "Subtract"] {
        let req = q(TEMPURI, name);
        let resp = q(TEMPURI, &format!("{name}Response"));
        schemas.insert(
            req.to_string(),
            object(
                TEMPURI,
                name,
                vec![("intA", int_el("intA")), ("intB", int_el("intB"))],
                &["intA", "intB"],
            ),
        );
        let result = format!("{name}Result");
        schemas.insert(
            resp.to_string(),
            object(
                TEMPURI,
                &resp.local,
                vec![(result.as_str(), int_el(&result))],
                &[result.as_str()],
            ),
        );
        let action = format!("{TEMPURI}{name}");
        operations.push(operation(SoapOperation {
            name: name.into(),
            port_type: q(TEMPURI, "CalculatorSoap"),
            input: Some(SoapMessage {
                name: q(TEMPURI, &format!("{name}SoapIn")),
                parts: vec![element_part("parameters", req)],
            }),
            output: Some(SoapMessage {
                name: q(TEMPURI, &format!("{name}SoapOut")),
                parts: vec![element_part("parameters", resp)],
            }),
            faults: Vec::new(),
            bindings: vec![
                binding(
                    "CalculatorSoap",
                    SoapVersion::V11,
                    &action,
                    SoapStyle::Document,
                    SoapUse::Literal,
                    None,
                    CALC_ADDRESS,
                ),
                binding(
                    "CalculatorSoap12",
                    SoapVersion::V12,
                    &action,
                    SoapStyle::Document,
                    SoapUse::Literal,
                    None,
                    CALC_ADDRESS,
                ),
            ],
        }));
    }
    api("calculator", operations, schemas)
}

pub fn type_part(name: &str, xsd: &str, kind: SchemaKind) -> SoapPart {
    SoapPart {
        name: name.into(),
        content: PartContent::Type(q("http://www.w3.org/2001/XMLSchema", xsd)),
        schema: Some(SchemaRef::Inline(Box::new(Schema {
            kind,
            ..Schema::default()
        }))),
    }
}

/// An rpc service (literal or encoded), SOAP 1.1, with a declared fault and a one-way operation.
pub fn quotes(body_use: SoapUse) -> Api {
    let ns = "urn:quotes";
    let mut schemas = IndexMap::new();
    schemas.insert(
        q(ns, "QuoteFault").to_string(),
        object(ns, "QuoteFault", vec![("code", int_el("code"))], &["code"]),
    );
    let string = || SchemaKind::String(StringRules::default());
    let b = |action: &str| {
        vec![binding(
            "QuotesBinding",
            SoapVersion::V11,
            action,
            SoapStyle::Rpc,
            body_use,
            Some(ns),
            "http://example.com/quotes",
        )]
    };
    let get = SoapOperation {
        name: "GetQuote".into(),
        port_type: q(ns, "QuotesPort"),
        input: Some(SoapMessage {
            name: q(ns, "GetQuoteIn"),
            parts: vec![
                type_part("symbol", "string", string()),
                type_part(
                    "count",
                    "int",
                    SchemaKind::Integer(NumberRules {
                        format: Some("int".into()),
                        ..NumberRules::default()
                    }),
                ),
            ],
        }),
        output: Some(SoapMessage {
            name: q(ns, "GetQuoteOut"),
            parts: vec![type_part(
                "price",
                "decimal",
                SchemaKind::Number(NumberRules {
                    format: Some("decimal".into()),
                    ..NumberRules::default()
                }),
            )],
        }),
        faults: vec![SoapFault {
            name: "QuoteFault".into(),
            message: Some(SoapMessage {
                name: q(ns, "QuoteFaultMsg"),
                parts: vec![element_part("fault", q(ns, "QuoteFault"))],
            }),
        }],
        bindings: b(""),
    };
    let notify = SoapOperation {
        name: "Notify".into(),
        port_type: q(ns, "QuotesPort"),
        input: Some(SoapMessage {
            name: q(ns, "NotifyIn"),
            parts: vec![type_part("message", "string", string())],
        }),
        output: None,
        faults: Vec::new(),
        bindings: b("urn:quotes#Notify"),
    };
    api("quotes", vec![operation(get), operation(notify)], schemas)
}

/// Document/literal bare: two parts, each a global element, SOAP 1.2.
pub fn bare() -> Api {
    let ns = "urn:bare";
    let mut schemas = IndexMap::new();
    let string_el = |name: &str| Schema {
        kind: SchemaKind::String(StringRules {
            max_length: Some(8),
            ..StringRules::default()
        }),
        xml: Some(XmlInfo {
            name: Some(name.into()),
            namespace: Some(ns.into()),
            ..XmlInfo::default()
        }),
        ..Schema::default()
    };
    schemas.insert(q(ns, "Account").to_string(), string_el("Account"));
    schemas.insert(q(ns, "Currency").to_string(), string_el("Currency"));
    schemas.insert(q(ns, "Balance").to_string(), string_el("Balance"));
    let op = SoapOperation {
        name: "GetBalance".into(),
        port_type: q(ns, "Bank"),
        input: Some(SoapMessage {
            name: q(ns, "In"),
            parts: vec![
                element_part("account", q(ns, "Account")),
                element_part("currency", q(ns, "Currency")),
            ],
        }),
        output: Some(SoapMessage {
            name: q(ns, "Out"),
            parts: vec![element_part("balance", q(ns, "Balance"))],
        }),
        faults: Vec::new(),
        bindings: vec![binding(
            "BankSoap12",
            SoapVersion::V12,
            "",
            SoapStyle::Document,
            SoapUse::Literal,
            None,
            "http://example.com/bank",
        )],
    };
    api("bank", vec![operation(op)], schemas)
}
