//! Helpers of the unit tests: hand-built APIs (no loader involved), request headers, and where
//! the shared corpus of real specs is.
#![allow(clippy::unwrap_used, dead_code)]

use api_model::Api;
use api_model::{
    ApiInfo, ApiKeyLocation, ArrayRules, Binding, Catalog, Example, Header, HttpAuthScheme,
    HttpMethod, MediaType, NumberRules, ObjectRules, Operation, ParamLocation, ParamStyle,
    Parameter, Protocol, RequestBody, Response, ResponseStatus, Schema, SchemaKind, SchemaRef,
    SecurityScheme, SecuritySchemeKind, Server, SpecKind, SpecSource, StringRules, XmlInfo,
};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::{Value, json};

/// Request headers from (name, value) pairs, a repeated name appended.
pub fn header_map(pairs: &[(&str, &str)]) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    for (k, v) in pairs {
        map.append(
            http::HeaderName::from_bytes(k.as_bytes()).expect("name"),
            v.parse().expect("value"),
        );
    }
    map
}

/// `../shared/corpus`, found from the crate's folder upwards. Tests over it skip when it is
/// absent, except in CI (`CI` set), where its absence fails them.
pub fn corpus() -> Option<PathBuf> {
    let found = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("shared").join("corpus"))
        .find(|candidate| candidate.is_dir());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "shared/corpus not found above {} (CI is set, so the corpus tests must run)",
            env!("CARGO_MANIFEST_DIR")
        );
        eprintln!("skipped: shared/corpus not found");
    }
    found
}

pub fn catalog(apis: Vec<Api>) -> Catalog {
    Catalog {
        apis,
        products: vec![],
    }
}

pub fn schema(kind: SchemaKind) -> Schema {
    Schema {
        kind,
        ..Schema::default()
    }
}

pub fn inline(kind: SchemaKind) -> SchemaRef {
    SchemaRef::Inline(Box::new(schema(kind)))
}

pub fn string() -> SchemaRef {
    inline(SchemaKind::String(StringRules::default()))
}

pub fn integer(min: Option<f64>, max: Option<f64>) -> SchemaRef {
    inline(SchemaKind::Integer(NumberRules {
        minimum: min.and_then(api_model::Bound::from_f64),
        maximum: max.and_then(api_model::Bound::from_f64),
        ..NumberRules::default()
    }))
}

pub fn empty_api(id: &str, server: &str) -> Api {
    Api {
        id: id.into(),
        title: id.to_uppercase(),
        version: "1.0".into(),
        description: None,
        protocol: Protocol::Rest,
        source: SpecSource {
            kind: SpecKind::Openapi,
            version: "3.0.3".into(),
            path: format!("{id}.yaml"),
            files: vec![],
        },
        servers: vec![Server {
            url: server.into(),
            ..Server::default()
        }],
        security_schemes: IndexMap::new(),
        security: vec![],
        tags: vec![],
        operations: vec![],
        webhooks: vec![],
        schemas: IndexMap::new(),
        info: ApiInfo::default(),
    }
}

pub fn operation(id: &str, method: HttpMethod, path: &str) -> Operation {
    Operation {
        id: id.into(),
        operation_id: Some(id.into()),
        summary: None,
        description: None,
        tags: vec![],
        deprecated: false,
        binding: Binding::Http {
            method,
            path: path.into(),
        },
        parameters: vec![],
        request_body: None,
        responses: vec![],
        security: None,
        callbacks: vec![],
        servers: vec![],
    }
}

pub fn response(status: &str, content: &[(&str, MediaType)]) -> Response {
    Response {
        status: ResponseStatus::parse(status).unwrap(),
        description: format!("{status} response"),
        headers: IndexMap::new(),
        content: content
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect(),
        links: IndexMap::new(),
    }
}

pub fn media(schema: SchemaRef) -> MediaType {
    MediaType {
        schema: Some(schema),
        ..MediaType::default()
    }
}

pub fn param(name: &str, location: ParamLocation, required: bool, schema: SchemaRef) -> Parameter {
    let (style, explode) = match location {
        ParamLocation::Path | ParamLocation::Header => (ParamStyle::Simple, false),
        ParamLocation::Query | ParamLocation::Cookie => (ParamStyle::Form, true),
    };
    Parameter {
        name: name.into(),
        location,
        description: None,
        required,
        deprecated: false,
        schema: Some(schema),
        style,
        explode,
        allow_empty_value: false,
        example: None,
        content_type: None,
    }
}

pub fn api_with_paths(id: &str, server: &str, paths: &[(HttpMethod, &str)]) -> Api {
    let mut api = empty_api(id, server);
    for (i, (m, p)) in paths.iter().enumerate() {
        let mut op = operation(&format!("op{i}"), *m, p);
        op.responses.push(response("200", &[]));
        api.operations.push(op);
    }
    api
}

pub fn operation_with_statuses(statuses: &[&str]) -> Operation {
    let mut op = operation("op", HttpMethod::Get, "/x");
    for s in statuses {
        op.responses.push(response(s, &[]));
    }
    op
}

fn xml(name: &str) -> Option<XmlInfo> {
    Some(XmlInfo {
        name: Some(name.into()),
        ..XmlInfo::default()
    })
}

/// A petstore with parameters, bodies, examples, headers, XML and security.
pub fn pet_api() -> Api {
    let mut api = empty_api("pets", "http://petstore.example/v1");
    let id = Schema {
        xml: Some(XmlInfo {
            attribute: true,
            ..XmlInfo::default()
        }),
        read_only: true,
        ..schema(SchemaKind::Integer(NumberRules {
            minimum: Some(1i64.into()),
            format: Some("int64".into()),
            ..NumberRules::default()
        }))
    };
    let tags = Schema {
        xml: Some(XmlInfo {
            wrapped: true,
            ..XmlInfo::default()
        }),
        ..schema(SchemaKind::Array(ArrayRules {
            items: Some(Box::new(SchemaRef::Inline(Box::new(Schema {
                xml: xml("tag"),
                ..schema(SchemaKind::String(StringRules::default()))
            })))),
            ..ArrayRules::default()
        }))
    };
    let pet = Schema {
        xml: xml("pet"),
        ..schema(SchemaKind::Object(ObjectRules {
            properties: [
                ("id".to_string(), SchemaRef::Inline(Box::new(id))),
                (
                    "name".to_string(),
                    inline(SchemaKind::String(StringRules {
                        min_length: Some(1),
                        max_length: Some(40),
                        ..StringRules::default()
                    })),
                ),
                ("tags".to_string(), SchemaRef::Inline(Box::new(tags))),
                ("age".to_string(), integer(Some(0.0), Some(50.0))),
            ]
            .into_iter()
            .collect(),
            required: vec!["id".into(), "name".into()],
            ..ObjectRules::default()
        }))
    };
    api.schemas.insert("Pet".into(), pet);
    api.schemas.insert(
        "Error".into(),
        schema(SchemaKind::Object(ObjectRules {
            properties: [
                ("code".to_string(), integer(None, None)),
                ("message".to_string(), string()),
            ]
            .into_iter()
            .collect(),
            required: vec!["code".into(), "message".into()],
            ..ObjectRules::default()
        })),
    );
    api.security_schemes.insert(
        "api_key".into(),
        SecurityScheme {
            description: None,
            kind: SecuritySchemeKind::ApiKey {
                name: "X-API-Key".into(),
                location: ApiKeyLocation::Header,
            },
        },
    );
    api.security_schemes.insert(
        "basic".into(),
        SecurityScheme {
            description: None,
            kind: SecuritySchemeKind::Http {
                scheme: HttpAuthScheme::Basic,
                bearer_format: None,
            },
        },
    );
    let pets = || {
        inline(SchemaKind::Array(ArrayRules {
            items: Some(Box::new(SchemaRef::Named("Pet".into()))),
            ..ArrayRules::default()
        }))
    };

    let mut list = operation("listPets", HttpMethod::Get, "/pets");
    list.parameters.push(param(
        "limit",
        ParamLocation::Query,
        false,
        integer(Some(1.0), Some(100.0)),
    ));
    list.parameters.push(param(
        "tags",
        ParamLocation::Query,
        false,
        inline(SchemaKind::Array(ArrayRules {
            items: Some(Box::new(string())),
            ..ArrayRules::default()
        })),
    ));
    list.parameters.push(param(
        "X-Trace",
        ParamLocation::Header,
        false,
        integer(None, None),
    ));
    let mut ok = response(
        "200",
        &[
            ("application/json", media(pets())),
            ("application/xml", media(pets())),
        ],
    );
    ok.headers.insert(
        "X-Next".into(),
        Header {
            required: true,
            schema: Some(string()),
            ..Header::default()
        },
    );
    list.responses.push(ok);
    list.responses.push(response(
        "default",
        &[("application/json", media(SchemaRef::Named("Error".into())))],
    ));
    api.operations.push(list);

    let mut create = operation("createPet", HttpMethod::Post, "/pets");
    create.request_body = Some(RequestBody {
        description: None,
        required: true,
        content: [
            (
                "application/json".to_string(),
                media(SchemaRef::Named("Pet".into())),
            ),
            (
                "application/x-www-form-urlencoded".to_string(),
                media(SchemaRef::Named("Pet".into())),
            ),
        ]
        .into_iter()
        .collect(),
    });
    create.responses.push(response(
        "201",
        &[("application/json", media(SchemaRef::Named("Pet".into())))],
    ));
    api.operations.push(create);

    let mut show = operation("showPetById", HttpMethod::Get, "/pets/{petId}");
    show.parameters.push(param(
        "petId",
        ParamLocation::Path,
        true,
        integer(Some(1.0), None),
    ));
    let mut examples = IndexMap::new();
    examples.insert(
        "broken".to_string(),
        Example {
            value: Some(json!({"id": "not a number"})),
            ..Example::default()
        },
    );
    examples.insert(
        "rex".to_string(),
        Example {
            value: Some(json!({"id": 1, "name": "Rex"})),
            ..Example::default()
        },
    );
    let mut pet_media = media(SchemaRef::Named("Pet".into()));
    pet_media.examples = examples;
    show.responses
        .push(response("200", &[("application/json", pet_media)]));
    show.responses.push(response(
        "404",
        &[("application/json", media(SchemaRef::Named("Error".into())))],
    ));
    api.operations.push(show);

    let mut mine = operation("myPets", HttpMethod::Get, "/pets/mine");
    mine.responses
        .push(response("200", &[("text/plain", media(string()))]));
    api.operations.push(mine);

    let mut secure = operation("secret", HttpMethod::Get, "/secret");
    secure.security = Some(vec![
        [("api_key".to_string(), vec![])].into_iter().collect(),
        [("basic".to_string(), vec![])].into_iter().collect(),
    ]);
    secure.responses.push(response("204", &[]));
    api.operations.push(secure);

    api
}

/// The bytes of a JSON value.
pub fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}
