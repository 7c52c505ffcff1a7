//! Loads every OpenAPI file of the shared corpus and the fixtures through `load_paths`, checks
//! operation counts against an independent count of the raw documents, and snapshots a compact
//! summary of each normalized API and the text of representative errors.

use std::path::{Path, PathBuf};

use api_model::example::{Direction, Seed, json_example_for, media_example};
use api_model::{
    Additional, Api, Binding, LoadOutcome, Operation, SchemaKind, SchemaRef, SecuritySchemeKind,
    SpecKind, load_paths,
};
use serde_json::Value;

/// The shared corpus: `PORTAL_CORPUS`, else the first `shared/corpus` found walking up from the
/// crate.
fn corpus() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("PORTAL_CORPUS") {
        return Some(PathBuf::from(p));
    }
    let mut dir = Some(Path::new(env!("CARGO_MANIFEST_DIR")));
    while let Some(d) = dir {
        let candidate = d.join("shared/corpus");
        if candidate.is_dir() {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Path x method, counted from the raw document (not through the loader).
fn raw_operation_count(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).expect("read corpus file");
    let doc: Value = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).expect("corpus JSON parses")
    } else {
        serde_saphyr::from_str(&text).expect("corpus YAML parses")
    };
    let methods = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    doc.get("paths")
        .and_then(Value::as_object)
        .map(|paths| {
            paths
                .values()
                .filter_map(Value::as_object)
                .map(|item| {
                    item.keys()
                        .filter(|k| methods.contains(&k.as_str()))
                        .count()
                })
                .sum()
        })
        .unwrap_or(0)
}

fn short(s: &SchemaRef, depth: usize) -> String {
    let schema = match s {
        SchemaRef::Named(n) => return n.clone(),
        SchemaRef::Inline(s) => s,
    };
    if let SchemaKind::Ref(n) = &schema.kind {
        // A reference with its own annotations.
        return format!("{n}{}", if schema.nullable { "?" } else { "" });
    }
    if depth > 2 {
        return "..".into();
    }
    let mut out = match &schema.kind {
        SchemaKind::Any => "any".to_string(),
        SchemaKind::Null => "null".to_string(),
        SchemaKind::Boolean => "boolean".to_string(),
        SchemaKind::Integer(r) => format!(
            "integer{}",
            r.format
                .as_ref()
                .map(|f| format!("({f})"))
                .unwrap_or_default()
        ),
        SchemaKind::Number(r) => format!(
            "number{}",
            r.format
                .as_ref()
                .map(|f| format!("({f})"))
                .unwrap_or_default()
        ),
        SchemaKind::String(r) => format!(
            "string{}",
            r.format
                .as_ref()
                .map(|f| format!("({})", f.as_str()))
                .unwrap_or_default()
        ),
        SchemaKind::Array(a) => format!(
            "array<{}>",
            a.items
                .as_deref()
                .map_or("any".into(), |i| short(i, depth + 1))
        ),
        SchemaKind::Object(o) => {
            let props: Vec<String> = o
                .properties
                .iter()
                .take(6)
                .map(|(k, v)| {
                    let req = if o.required.contains(k) { "!" } else { "" };
                    format!("{k}{req}:{}", short(v, depth + 1))
                })
                .collect();
            let more = if o.properties.len() > 6 { ",.." } else { "" };
            let extra = match &o.additional {
                Additional::Schema(s) => format!(",*:{}", short(s, depth + 1)),
                _ => String::new(),
            };
            format!("{{{}{more}{extra}}}", props.join(","))
        }
        SchemaKind::OneOf(c) | SchemaKind::AnyOf(c) | SchemaKind::AllOf(c) => {
            let name = match &schema.kind {
                SchemaKind::OneOf(_) => "oneOf",
                SchemaKind::AnyOf(_) => "anyOf",
                _ => "allOf",
            };
            let members: Vec<String> = c.members.iter().map(|m| short(m, depth + 1)).collect();
            let disc = c
                .discriminator
                .as_ref()
                .map(|d| format!(" by {}", d.property_name))
                .unwrap_or_default();
            format!("{name}({}){disc}", members.join("|"))
        }
        SchemaKind::Union(kinds) => format!("union({})", kinds.len()),
        SchemaKind::Ref(n) => format!("ref {n}"),
    };
    if schema.nullable {
        out.push('?');
    }
    out
}

fn op_line(op: &Operation) -> String {
    let binding = match &op.binding {
        Binding::Http { method, path } => format!("{} {path}", method.as_str()),
        Binding::Soap(s) => format!("SOAP {}", s.name),
    };
    let params: Vec<String> = op
        .parameters
        .iter()
        .map(|p| {
            format!(
                "{}:{}{}:{}",
                p.name,
                p.location.as_str(),
                if p.required { "!" } else { "" },
                p.schema.as_ref().map_or("-".into(), |s| short(s, 1))
            )
        })
        .collect();
    let body = op.request_body.as_ref().map(|b| {
        b.content
            .iter()
            .map(|(mt, m)| {
                format!(
                    "{mt}:{}",
                    m.schema.as_ref().map_or("-".into(), |s| short(s, 1))
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    });
    let responses: Vec<String> = op
        .responses
        .iter()
        .map(|r| {
            let content: Vec<String> = r
                .content
                .iter()
                .map(|(mt, m)| {
                    format!(
                        "{mt}:{}",
                        m.schema.as_ref().map_or("-".into(), |s| short(s, 1))
                    )
                })
                .collect();
            if content.is_empty() {
                r.status.label()
            } else {
                format!("{} {}", r.status.label(), content.join(" "))
            }
        })
        .collect();
    let security = op.security.as_ref().map(|alts| {
        alts.iter()
            .map(|r| r.keys().cloned().collect::<Vec<_>>().join("+"))
            .collect::<Vec<_>>()
            .join("|")
    });
    let mut line = format!("{binding} #{}", op.id);
    if !params.is_empty() {
        line.push_str(&format!(" params[{}]", params.join(", ")));
    }
    if let Some(b) = body {
        line.push_str(&format!(" body[{b}]"));
    }
    line.push_str(&format!(" -> [{}]", responses.join("; ")));
    if let Some(s) = security {
        line.push_str(&format!(" security[{s}]"));
    }
    if !op.callbacks.is_empty() {
        let cbs: Vec<String> = op
            .callbacks
            .iter()
            .map(|c| format!("{} {} ({} ops)", c.name, c.expression, c.operations.len()))
            .collect();
        line.push_str(&format!(" callbacks[{}]", cbs.join(", ")));
    }
    line
}

/// A compact, reviewable summary of an API's normalized model.
fn summary(api: &Api) -> Value {
    const MAX_OPS: usize = 30;
    const MAX_SCHEMAS: usize = 40;
    let ops: Vec<String> = api.operations.iter().take(MAX_OPS).map(op_line).collect();
    let schemes: Vec<String> = api
        .security_schemes
        .iter()
        .map(|(name, s)| {
            let kind = match &s.kind {
                SecuritySchemeKind::ApiKey { name, location } => {
                    format!("apiKey {name} in {location:?}")
                }
                SecuritySchemeKind::Http { scheme, .. } => format!("http {scheme:?}"),
                SecuritySchemeKind::OAuth2 { flows } => {
                    let mut f = Vec::new();
                    if flows.implicit.is_some() {
                        f.push("implicit");
                    }
                    if flows.password.is_some() {
                        f.push("password");
                    }
                    if flows.client_credentials.is_some() {
                        f.push("clientCredentials");
                    }
                    if flows.authorization_code.is_some() {
                        f.push("authorizationCode");
                    }
                    format!("oauth2 {}", f.join(","))
                }
                SecuritySchemeKind::OpenIdConnect { url } => format!("openIdConnect {url}"),
                SecuritySchemeKind::MutualTls => "mutualTLS".into(),
                SecuritySchemeKind::WsSecurityUsernameToken => "wsse".into(),
            };
            format!("{name}: {kind}")
        })
        .collect();
    let keys: Vec<&String> = api.schemas.keys().take(MAX_SCHEMAS).collect();
    serde_json::json!({
        "id": api.id,
        "title": api.title,
        "version": api.version,
        "spec": format!("{} {}", api.source.kind.as_str(), api.source.version),
        "files": api.source.files,
        "servers": api.servers.iter().map(|s| s.resolved_url()).collect::<Vec<_>>(),
        "security_schemes": schemes,
        "security": api.security.iter().map(|r| r.keys().cloned().collect::<Vec<_>>().join("+")).collect::<Vec<_>>(),
        "tags": api.tags.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
        "operations": api.operations.len(),
        "operation_lines": ops,
        "webhooks": api.webhooks.iter().map(op_line).collect::<Vec<_>>(),
        "schema_count": api.schemas.len(),
        "schema_keys": keys,
    })
}

/// The corpus loaded once for all tests of this binary (loading Discord's 1.2 MB spec in a
/// debug build is not free).
fn load_corpus() -> Option<(PathBuf, &'static LoadOutcome)> {
    static OUTCOME: std::sync::OnceLock<Option<(PathBuf, LoadOutcome)>> =
        std::sync::OnceLock::new();
    let loaded = OUTCOME.get_or_init(|| {
        let root = corpus()?.join("openapi");
        let outcome = load_paths(std::slice::from_ref(&root));
        Some((root, outcome))
    });
    loaded
        .as_ref()
        .map(|(root, outcome)| (root.clone(), outcome))
}

#[test]
fn corpus_loads_with_right_counts_and_no_errors() {
    let Some((root, outcome)) = load_corpus() else {
        assert!(
            std::env::var("CI").is_err(),
            "corpus not found and CI is set"
        );
        eprintln!("shared corpus not found; skipping");
        return;
    };
    let mut apis = 0;
    for report in &outcome.files {
        let errors: Vec<String> = report.errors().map(ToString::to_string).collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", report.path.display());
        if matches!(report.kind, SpecKind::Openapi | SpecKind::Swagger) {
            apis += 1;
            let expected = raw_operation_count(&report.path);
            assert_eq!(
                report.operations,
                expected,
                "operation count of {}",
                report.path.display()
            );
        }
    }
    assert_eq!(apis, 25, "APIs found under {}", root.display());
    // Fragments of the split petstore are reported as used, not as broken APIs.
    let fragments: Vec<_> = outcome
        .files
        .iter()
        .filter(|r| r.kind == SpecKind::Fragment)
        .collect();
    assert_eq!(fragments.len(), 4);
    assert!(
        fragments
            .iter()
            .all(|f| f.title.as_deref().is_some_and(|t| t.starts_with("used by")))
    );
    // The petstore-v31 `$ref: #/...` defect is a located warning, not an error.
    let v31 = outcome
        .files
        .iter()
        .find(|r| r.path.ends_with("swagger-petstore-v31/petstore.yaml"))
        .expect("petstore v31 in corpus");
    let w: Vec<_> = v31.warnings().collect();
    assert!(
        w.iter()
            .any(|d| d.line == Some(377) && d.message.contains("$ref")),
        "{w:?}"
    );
}

#[test]
fn corpus_model_snapshots() {
    let Some((root, outcome)) = load_corpus() else {
        assert!(
            std::env::var("CI").is_err(),
            "corpus not found and CI is set"
        );
        return;
    };
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for api in &outcome.catalog.apis {
            let name = format!(
                "corpus__{}",
                api.source.path.replace('/', "__").replace('.', "_")
            );
            insta::assert_yaml_snapshot!(name, summary(api));
        }
    });
    assert!(root.is_dir());
}

#[test]
fn yaml_and_json_petstore_load_to_the_same_model() {
    let Some(root) = corpus() else { return };
    let out = load_paths(&[
        root.join("openapi/oai/v3.0/petstore.yaml"),
        root.join("openapi/oai/v3.0/petstore.json"),
    ]);
    let [a, b] = out.catalog.apis.as_slice() else {
        panic!("two APIs expected");
    };
    assert_eq!(a.operations, b.operations);
    assert_eq!(a.schemas, b.schemas);
}

#[test]
fn examples_for_every_corpus_operation_are_deterministic() {
    let Some((_, outcome)) = load_corpus() else {
        return;
    };
    let mut count = 0;
    for api in &outcome.catalog.apis {
        for op in &api.operations {
            for r in &op.responses {
                for (mt, media) in &r.content {
                    let seed = Seed::from_parts(&[
                        op.id.as_bytes(),
                        r.status.label().as_bytes(),
                        mt.as_bytes(),
                    ]);
                    let a = media_example(api, media, seed, Direction::Response);
                    let b = media_example(api, media, seed, Direction::Response);
                    assert_eq!(a, b, "{} {}", api.id, op.id);
                    if media.schema.is_some()
                        && media.example.is_none()
                        && media.examples.is_empty()
                    {
                        count += 1;
                    }
                }
            }
            if let Some(body) = &op.request_body {
                for media in body.content.values() {
                    if let Some(s) = &media.schema {
                        let seed = Seed::from_parts(&[op.id.as_bytes(), b"request"]);
                        let v = json_example_for(api, s, seed, Direction::Request);
                        assert_eq!(v, json_example_for(api, s, seed, Direction::Request));
                    }
                }
            }
        }
    }
    assert!(count > 100, "generated examples: {count}");
}

#[test]
fn petstore_examples_snapshot() {
    let Some(root) = corpus() else { return };
    let out = load_paths(&[root.join("openapi/real-world/swagger-petstore-v3/openapi.yaml")]);
    let api = &out.catalog.apis[0];
    let pet = SchemaRef::Named("Pet".into());
    let order = SchemaRef::Named("Order".into());
    insta::assert_yaml_snapshot!(serde_json::json!({
        "pet_request": json_example_for(api, &pet, Seed(1), Direction::Request),
        "pet_response": json_example_for(api, &pet, Seed(1), Direction::Response),
        "order": json_example_for(api, &order, Seed(2), Direction::Response),
    }));
}

fn diagnostics_text(outcome: &LoadOutcome, base: &Path) -> Vec<String> {
    let base = base.to_string_lossy().to_string();
    outcome
        .files
        .iter()
        .flat_map(|f| f.diagnostics.iter())
        .map(|d| d.to_string().replace(&base, "<fixtures>"))
        .collect()
}

#[test]
fn error_texts() {
    let dir = fixtures();
    let out = load_paths(&[dir.join("errors")]);
    insta::assert_yaml_snapshot!(diagnostics_text(&out, &dir));
    // The bad reference points at its line.
    let bad_ref = out
        .files
        .iter()
        .find(|f| f.path.ends_with("bad-ref.yaml"))
        .expect("bad-ref report");
    let e: Vec<_> = bad_ref.errors().collect();
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].line, Some(14));
}

#[test]
fn reference_leaving_the_tree_is_an_error() {
    // Outside the working folder (which an absolute path may reach as a relative one does), a
    // spec file's tree is its own folder.
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().to_path_buf();
    std::fs::create_dir_all(dir.join("escape/spec")).expect("mkdir");
    for f in ["escape/outside.yaml", "escape/spec/api.yaml"] {
        std::fs::copy(fixtures().join(f), dir.join(f)).expect("copy");
    }
    let out = load_paths(&[dir.join("escape/spec/api.yaml")]);
    let text = diagnostics_text(&out, &dir);
    insta::assert_yaml_snapshot!(text);
    assert!(out.errors().iter().any(|d| d.message.contains("outside")));
    // Inside the working folder (tests run in the crate's folder), the absolute path of the
    // same spec reaches `../outside.yaml`, as `specs/x/openapi.yaml` reaches `specs/common/`.
    let inside = fixtures().join("escape/spec/api.yaml");
    assert!(inside.is_absolute());
    let out = load_paths(&[inside]);
    assert!(out.errors().is_empty(), "{:?}", out.errors());
}

#[test]
fn multi_file_tree_with_recursion_and_escapes() {
    let dir = fixtures();
    let out = load_paths(&[dir.join("multi")]);
    let api = out.catalog.apis.first().expect("one API");
    assert!(out.errors().is_empty(), "{:?}", out.errors());
    insta::assert_yaml_snapshot!(summary(api));
    // The node schema from another file got its file stem as key, and recursion ends there.
    let node = api.schemas.get("node").expect("node schema");
    let SchemaKind::Object(o) = &node.kind else {
        panic!("object expected")
    };
    assert_eq!(
        o.properties.get("parent"),
        Some(&SchemaRef::Named("node".into()))
    );
    // Duplicate / unsafe operationIds become unique slugs.
    let ids: Vec<_> = api.operations.iter().map(|o| o.id.as_str()).collect();
    assert_eq!(ids, ["get-node", "get-node-2"]);
    // The shared path parameter came from params.yaml.
    assert_eq!(api.operations[1].parameters[0].name, "nodeId");
    let ex = json_example_for(
        api,
        &SchemaRef::Named("node".into()),
        Seed(4),
        Direction::Response,
    );
    assert!(ex["id"].as_str().is_some_and(|s| s.len() == 36), "{ex}");
}

#[test]
fn product_resolves_through_load_paths() {
    let dir = fixtures().join("product");
    let out = load_paths(std::slice::from_ref(&dir));
    assert!(out.errors().is_empty(), "{:?}", out.errors());
    let product = out.catalog.products.first().expect("one product");
    insta::assert_yaml_snapshot!(product);
}
