//! Generated bodies against the REST specs of the corpus: every example the sandbox makes up for
//! a response or a request body holds against the schema it was made from (as the validator and
//! clients read it), whatever the seed, including where the generator's depth and size caps cut.

use std::collections::HashMap;

use api_model::example::{Direction, Seed, json_example_for};
use api_model::export::{self, SchemaKeys};
use api_model::{Api, Protocol, SchemaRef};

use crate::rest::negotiate::{self, MediaKind};
use crate::testing::corpus;

/// The schemas of an API's JSON bodies: (where, schema, direction).
fn bodies(api: &Api) -> Vec<(String, &SchemaRef, Direction)> {
    let mut out = Vec::new();
    for op in &api.operations {
        for r in &op.responses {
            for (mt, media) in &r.content {
                if let (Some(s), MediaKind::Json) = (&media.schema, negotiate::kind(mt)) {
                    let at = format!("{} {} {mt}", op.id, r.status.label());
                    out.push((at, s, Direction::Response));
                }
            }
        }
        for (mt, media) in op.request_body.iter().flat_map(|b| b.content.iter()) {
            if let (Some(s), MediaKind::Json) = (&media.schema, negotiate::kind(mt)) {
                out.push((format!("{} request {mt}", op.id), s, Direction::Request));
            }
        }
    }
    out
}

fn check_api(api: &Api, seeds: u64, failures: &mut Vec<String>) {
    let keys = SchemaKeys::new(api);
    let mut compiled: HashMap<String, Option<jsonschema::Validator>> = HashMap::new();
    for (at, schema, direction) in bodies(api) {
        let export_direction = match direction {
            Direction::Request => export::Direction::Request,
            _ => export::Direction::Response,
        };
        let key = format!("{schema:?}{direction:?}");
        let validator = compiled.entry(key).or_insert_with(|| {
            let doc = export::json_schema_keyed(api, &keys, schema, export_direction);
            jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .should_validate_formats(true)
                .build(&doc)
                .ok()
        });
        let Some(validator) = validator else { continue };
        for seed in 0..seeds {
            let value = json_example_for(api, schema, Seed(seed), direction);
            if let Some(e) = validator.iter_errors(&value).next() {
                failures.push(format!(
                    "{} {at} seed {seed}: at {}: {}",
                    api.id,
                    e.instance_path,
                    e.to_string().chars().take(160).collect::<String>()
                ));
                break;
            }
        }
    }
}

#[test]
fn generated_bodies_hold_against_their_schemas() {
    let Some(corpus) = corpus() else { return };
    let outcome = api_model::load_dir(&corpus.join("openapi"));
    let apis: Vec<&Api> = outcome
        .catalog
        .apis
        .iter()
        .filter(|a| a.protocol == Protocol::Rest)
        .collect();
    assert!(apis.len() > 10, "REST APIs in the corpus: {}", apis.len());
    let mut failures = Vec::new();
    for api in apis {
        check_api(api, 6, &mut failures);
    }
    assert!(
        failures.is_empty(),
        "{} generated bodies break their schema:\n{}",
        failures.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
