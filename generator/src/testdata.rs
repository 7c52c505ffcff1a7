//! Hand-built inputs for the unit tests: a REST API with oneOf and a discriminator, a SOAP API
//! with 1.1 and 1.2 bindings, a product with plans, and a few content pages.

use std::path::Path;

use api_model::*;
use indexmap::IndexMap;
use serde_json::json;

use crate::content;
use crate::load::Input;
use crate::theme::Theme;

fn string() -> SchemaRef {
    SchemaRef::Inline(Box::new(Schema {
        kind: SchemaKind::String(StringRules::default()),
        ..Default::default()
    }))
}

fn object(props: Vec<(&str, SchemaRef)>, required: &[&str]) -> Schema {
    Schema {
        kind: SchemaKind::Object(ObjectRules {
            properties: props.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            required: required.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn media(schema: SchemaRef, example: Option<serde_json::Value>) -> IndexMap<String, MediaType> {
    IndexMap::from([(
        "application/json".to_string(),
        MediaType {
            schema: Some(schema),
            example,
            ..Default::default()
        },
    )])
}

fn response(code: u16, description: &str, content: IndexMap<String, MediaType>) -> Response {
    Response {
        status: ResponseStatus::Code(code),
        description: description.into(),
        headers: IndexMap::new(),
        content,
        links: IndexMap::new(),
    }
}

fn rest_op(id: &str, method: HttpMethod, path: &str) -> Operation {
    Operation {
        id: id.into(),
        operation_id: Some(id.into()),
        summary: None,
        description: None,
        tags: vec!["pets".into()],
        deprecated: false,
        binding: Binding::Http {
            method,
            path: path.into(),
        },
        parameters: Vec::new(),
        request_body: None,
        responses: Vec::new(),
        security: None,
        callbacks: Vec::new(),
        servers: Vec::new(),
    }
}

/// The petstore REST API.
pub fn sample_api() -> Api {
    let mut schemas = IndexMap::new();
    schemas.insert(
        "Pet".to_string(),
        object(
            vec![
                (
                    "id",
                    SchemaRef::Inline(Box::new(Schema {
                        kind: SchemaKind::Integer(NumberRules {
                            format: Some("int64".into()),
                            minimum: Some(1i64.into()),
                            ..Default::default()
                        }),
                        read_only: true,
                        ..Default::default()
                    })),
                ),
                ("name", string()),
                ("kind", SchemaRef::Named("PetKind".into())),
            ],
            &["name", "kind"],
        ),
    );
    schemas.insert(
        "PetKind".to_string(),
        Schema {
            kind: SchemaKind::String(StringRules::default()),
            enum_values: vec![json!("cat"), json!("dog")],
            ..Default::default()
        },
    );
    schemas.insert(
        "Cat".to_string(),
        Schema {
            kind: SchemaKind::AllOf(Composite {
                members: vec![
                    SchemaRef::Named("Pet".into()),
                    SchemaRef::Inline(Box::new(object(
                        vec![(
                            "lives",
                            SchemaRef::Inline(Box::new(Schema {
                                kind: SchemaKind::Integer(NumberRules {
                                    minimum: Some(0i64.into()),
                                    maximum: Some(9i64.into()),
                                    ..Default::default()
                                }),
                                ..Default::default()
                            })),
                        )],
                        &[],
                    ))),
                ],
                discriminator: None,
            }),
            ..Default::default()
        },
    );
    schemas.insert(
        "Dog".to_string(),
        Schema {
            description: Some("A dog. <script>alert('dog')</script>".into()),
            kind: SchemaKind::AllOf(Composite {
                members: vec![
                    SchemaRef::Named("Pet".into()),
                    SchemaRef::Inline(Box::new(object(
                        vec![(
                            "friends",
                            SchemaRef::Inline(Box::new(Schema {
                                kind: SchemaKind::Array(ArrayRules {
                                    items: Some(Box::new(SchemaRef::Named("Dog".into()))),
                                    max_items: Some(10),
                                    ..Default::default()
                                }),
                                ..Default::default()
                            })),
                        )],
                        &[],
                    ))),
                ],
                discriminator: None,
            }),
            ..Default::default()
        },
    );
    schemas.insert(
        "NewPet".to_string(),
        Schema {
            kind: SchemaKind::OneOf(Composite {
                members: vec![
                    SchemaRef::Named("Cat".into()),
                    SchemaRef::Named("Dog".into()),
                ],
                discriminator: Some(Discriminator {
                    property_name: "kind".into(),
                    mapping: IndexMap::from([
                        ("cat".to_string(), "#/components/schemas/Cat".to_string()),
                        ("dog".to_string(), "#/components/schemas/Dog".to_string()),
                    ]),
                }),
            }),
            ..Default::default()
        },
    );
    schemas.insert(
        "Error".to_string(),
        object(vec![("code", string()), ("message", string())], &["code"]),
    );

    let mut list = rest_op("listPets", HttpMethod::Get, "/pets");
    list.summary = Some("List all pets".into());
    list.description = Some(
        "Returns pets. <script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3))"
            .into(),
    );
    list.parameters.push(Parameter {
        name: "limit".into(),
        location: ParamLocation::Query,
        description: Some("How many to return.".into()),
        required: false,
        deprecated: false,
        schema: Some(SchemaRef::Inline(Box::new(Schema {
            kind: SchemaKind::Integer(NumberRules {
                maximum: Some(100i64.into()),
                ..Default::default()
            }),
            default: Some(json!(20)),
            ..Default::default()
        }))),
        style: ParamStyle::Form,
        explode: true,
        allow_empty_value: false,
        example: None,
        content_type: None,
    });
    list.parameters.push(Parameter {
        name: "X-Old".into(),
        location: ParamLocation::Header,
        description: None,
        required: false,
        deprecated: true,
        schema: Some(string()),
        style: ParamStyle::Simple,
        explode: false,
        allow_empty_value: false,
        example: None,
        content_type: None,
    });
    let mut ok = response(
        200,
        "A page of pets.",
        media(
            SchemaRef::Inline(Box::new(Schema {
                kind: SchemaKind::Array(ArrayRules {
                    items: Some(Box::new(SchemaRef::Named("Pet".into()))),
                    ..Default::default()
                }),
                ..Default::default()
            })),
            Some(json!([{"id": 1, "name": "Tom", "kind": "cat"}])),
        ),
    );
    ok.headers.insert(
        "X-Next".into(),
        Header {
            description: Some("Link to the next page.".into()),
            schema: Some(string()),
            ..Default::default()
        },
    );
    ok.links.insert(
        "create".into(),
        ResponseLink {
            operation_id: Some("createPet".into()),
            description: Some("Add another.".into()),
            ..Default::default()
        },
    );
    list.responses.push(ok);
    list.responses.push(Response {
        status: ResponseStatus::Default,
        description: "Unexpected error.".into(),
        headers: IndexMap::new(),
        content: media(SchemaRef::Named("Error".into()), None),
        links: IndexMap::new(),
    });

    let mut create = rest_op("createPet", HttpMethod::Post, "/pets");
    create.summary = Some("Create a pet".into());
    create.request_body = Some(RequestBody {
        description: Some("The pet to add.".into()),
        required: true,
        content: media(
            SchemaRef::Named("NewPet".into()),
            Some(json!({"name": "Rex", "kind": "dog", "friends": []})),
        ),
    });
    create.responses.push(response(
        201,
        "Created.",
        media(
            SchemaRef::Named("Pet".into()),
            Some(json!({"id": 7, "name": "Rex", "kind": "dog"})),
        ),
    ));
    create.responses.push(response(
        422,
        "The pet is invalid.",
        media(SchemaRef::Named("Error".into()), None),
    ));
    create.callbacks.push(Callback {
        name: "onAdopted".into(),
        expression: "{$request.body#/callbackUrl}".into(),
        operations: vec![{
            let mut cb = rest_op(
                "onAdopted-post",
                HttpMethod::Post,
                "{$request.body#/callbackUrl}",
            );
            cb.summary = Some("Adoption notice".into());
            cb.request_body = Some(RequestBody {
                description: None,
                required: true,
                content: media(SchemaRef::Named("Pet".into()), None),
            });
            cb.responses
                .push(response(204, "Received.", IndexMap::new()));
            cb
        }],
    });

    let mut old = rest_op("deletePet", HttpMethod::Delete, "/pets/{petId}");
    old.deprecated = true;
    old.summary = Some("Delete a pet".into());
    old.parameters.push(Parameter {
        name: "petId".into(),
        location: ParamLocation::Path,
        description: None,
        required: true,
        deprecated: false,
        schema: Some(string()),
        style: ParamStyle::Simple,
        explode: false,
        allow_empty_value: false,
        example: Some(json!("42")),
        content_type: None,
    });
    old.responses
        .push(response(204, "Deleted.", IndexMap::new()));
    old.security = Some(vec![IndexMap::from([(
        "oauth".to_string(),
        vec!["pets:write".to_string()],
    )])]);

    let mut hook = rest_op("newPet", HttpMethod::Post, "newPet");
    hook.summary = Some("A pet was added".into());
    hook.responses
        .push(response(200, "Acknowledged.", IndexMap::new()));

    Api {
        id: "petstore".into(),
        title: "Petstore".into(),
        version: "1.0.0".into(),
        description: Some(
            "A sample API. <script>alert('api')</script>\n\nSecond paragraph.".into(),
        ),
        protocol: Protocol::Rest,
        source: SpecSource {
            kind: SpecKind::Openapi,
            version: "3.1.0".into(),
            path: "petstore.yaml".into(),
            files: vec!["petstore.yaml".into()],
        },
        servers: vec![Server {
            url: "https://pets.example.test/v1".into(),
            description: Some("Production".into()),
            variables: IndexMap::new(),
        }],
        security_schemes: IndexMap::from([
            (
                "key".to_string(),
                SecurityScheme {
                    description: Some("Your app's key.".into()),
                    kind: SecuritySchemeKind::ApiKey {
                        name: "X-API-Key".into(),
                        location: ApiKeyLocation::Header,
                    },
                },
            ),
            (
                "oauth".to_string(),
                SecurityScheme {
                    description: None,
                    kind: SecuritySchemeKind::OAuth2 {
                        flows: OAuthFlows {
                            client_credentials: Some(OAuthFlow {
                                token_url: Some("https://pets.example.test/oauth/token".into()),
                                scopes: IndexMap::from([(
                                    "pets:write".to_string(),
                                    "Change pets".to_string(),
                                )]),
                                ..Default::default()
                            }),
                            ..Default::default()
                        },
                    },
                },
            ),
        ]),
        security: vec![IndexMap::from([("key".to_string(), Vec::new())])],
        tags: vec![Tag {
            name: "pets".into(),
            description: Some("Everything about pets.".into()),
        }],
        operations: vec![list, create, old],
        webhooks: vec![hook],
        schemas,
        info: ApiInfo {
            contact: Some(Contact {
                name: Some("Pet team".into()),
                email: Some("pets@example.test".into()),
                url: Some("javascript:alert(1)".into()),
            }),
            ..Default::default()
        },
    }
}

fn qname(ns: &str, local: &str) -> QName {
    QName {
        namespace: Some(ns.into()),
        local: local.into(),
    }
}

/// A SOAP API with SOAP 1.1 and 1.2 bindings of one operation.
pub fn soap_api() -> Api {
    const NS: &str = "urn:example:bank";
    let binding = |version, name: &str, address: &str| SoapBinding {
        name: qname(NS, name),
        version,
        action: Some("urn:example:bank/GetBalance".into()),
        style: SoapStyle::Document,
        body_use: SoapUse::Literal,
        namespace: None,
        encoding_style: None,
        input_headers: Vec::new(),
        output_headers: Vec::new(),
        endpoints: vec![SoapEndpoint {
            service: "BankService".into(),
            port: name.into(),
            address: address.into(),
        }],
    };
    let mut schemas = IndexMap::new();
    schemas.insert(
        "GetBalance".to_string(),
        object(
            vec![(
                "accountId",
                SchemaRef::Inline(Box::new(Schema {
                    kind: SchemaKind::String(StringRules {
                        pattern: Some("[A-Z]{2}[0-9]{10}".into()),
                        xsd_type: Some("xsd:string".into()),
                        ..Default::default()
                    }),
                    ..Default::default()
                })),
            )],
            &["accountId"],
        ),
    );
    schemas.insert(
        "GetBalanceResponse".to_string(),
        object(
            vec![(
                "amount",
                SchemaRef::Inline(Box::new(Schema {
                    kind: SchemaKind::Number(NumberRules {
                        fraction_digits: Some(2),
                        format: Some("decimal".into()),
                        ..Default::default()
                    }),
                    ..Default::default()
                })),
            )],
            &["amount"],
        ),
    );
    let op = Operation {
        id: "GetBalance".into(),
        operation_id: None,
        summary: None,
        description: Some("Current balance of an account.".into()),
        tags: Vec::new(),
        deprecated: false,
        binding: Binding::Soap(SoapOperation {
            name: "GetBalance".into(),
            port_type: qname(NS, "BankPort"),
            input: Some(SoapMessage {
                name: qname(NS, "GetBalanceRequest"),
                parts: vec![SoapPart {
                    name: "parameters".into(),
                    content: PartContent::Element(qname(NS, "GetBalance")),
                    schema: Some(SchemaRef::Named("GetBalance".into())),
                }],
            }),
            output: Some(SoapMessage {
                name: qname(NS, "GetBalanceResponse"),
                parts: vec![SoapPart {
                    name: "parameters".into(),
                    content: PartContent::Element(qname(NS, "GetBalanceResponse")),
                    schema: Some(SchemaRef::Named("GetBalanceResponse".into())),
                }],
            }),
            faults: vec![SoapFault {
                name: "UnknownAccount".into(),
                message: None,
            }],
            bindings: vec![
                binding(
                    SoapVersion::V11,
                    "BankSoap",
                    "https://bank.example.test/soap",
                ),
                binding(
                    SoapVersion::V12,
                    "BankSoap12",
                    "https://bank.example.test/soap12",
                ),
            ],
        }),
        parameters: Vec::new(),
        request_body: None,
        responses: Vec::new(),
        security: None,
        callbacks: Vec::new(),
        servers: Vec::new(),
    };
    Api {
        id: "bank".into(),
        title: "Bank".into(),
        version: String::new(),
        description: None,
        protocol: Protocol::Soap,
        source: SpecSource {
            kind: SpecKind::Wsdl,
            version: "1.1".into(),
            path: "bank.wsdl".into(),
            files: vec!["bank.wsdl".into()],
        },
        servers: Vec::new(),
        security_schemes: IndexMap::new(),
        security: Vec::new(),
        tags: Vec::new(),
        operations: vec![op],
        webhooks: Vec::new(),
        schemas,
        info: ApiInfo::default(),
    }
}

/// A whole input: both APIs, a product, content pages and a config with environments.
pub fn sample_input() -> Input {
    let config = PortalConfig::parse(
        Path::new("portal.toml"),
        "title = \"Example Portal\"\n[footer]\nsupport = \"help@example.test\"\n[environments.sandbox]\nurl = \"http://127.0.0.1:4010\"\n[environments.live]\nurl = \"https://api.example.test{base_path}\"\nlive = true\n",
    )
    .expect("valid config");
    let page = |source: &str, text: &str| {
        content::parse(Path::new(source), source, text).expect("valid page")
    };
    let limit = |max, window_seconds| RateLimit {
        name: "default".into(),
        kind: LimitKind::Rate,
        max,
        window_seconds,
        hard: true,
    };
    Input {
        config,
        pages: vec![
            page(
                "docs/getting-started.md",
                "---\ntitle: Getting started\norder: 1\n---\n# Getting started\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n## Keys\n\nSee [the APIs](/apis/).\n",
            ),
            page("docs/limits.md", "# Limits\n\nText.\n"),
            page(
                "faq.md",
                "# FAQ\n\n## How do I get a key?\n\nRegister an app.\n\n## Is there a sandbox?\n\nYes.\n",
            ),
        ],
        catalog: Catalog {
            apis: vec![soap_api(), sample_api()],
            products: vec![Product {
                name: "pets-product".into(),
                title: "Pets".into(),
                version: "1.0.0".into(),
                description: Some("Pets and banking.".into()),
                path: "product.yaml".into(),
                apis: vec!["petstore".into(), "bank".into()],
                plans: vec![
                    Plan {
                        name: "free".into(),
                        title: "Free".into(),
                        description: Some("Try it out.".into()),
                        approval: false,
                        limits: vec![limit(100, 3600)],
                        operations: vec![
                            PlanOperation {
                                api: "petstore".into(),
                                operation: "listPets".into(),
                                limits: Vec::new(),
                            },
                            PlanOperation {
                                api: "petstore".into(),
                                operation: "createPet".into(),
                                limits: vec![limit(5, 60)],
                            },
                        ],
                    },
                    Plan {
                        name: "gold".into(),
                        title: "Gold".into(),
                        description: None,
                        approval: true,
                        limits: vec![limit(1000, 1)],
                        operations: vec![PlanOperation {
                            api: "bank".into(),
                            operation: "GetBalance".into(),
                            limits: Vec::new(),
                        }],
                    },
                ],
            }],
        },
        spec_files: [("petstore.yaml".to_string(), b"openapi: 3.1.0\n".to_vec())]
            .into_iter()
            .collect(),
        theme: Theme::embedded(),
        warnings: Vec::new(),
    }
}
