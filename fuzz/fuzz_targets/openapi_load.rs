//! Fuzz the OpenAPI loader: arbitrary bytes as the root document (JSON or YAML), with a second
//! in-memory file so cross-file `$ref`s are exercised too. Must never panic or hang.
#![no_main]

use std::path::Path;

use api_model::example::{Direction, Seed, json_example_for};
use api_model::files::MemoryFiles;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Split the input: before the first NUL is the root, after it a referenced file.
    let (root, other) = text.split_once('\0').unwrap_or((text, "type: object"));
    let mut files = MemoryFiles::new();
    let ext = if root.trim_start().starts_with('{') { "json" } else { "yaml" };
    let root_path = format!("/spec/api.{ext}");
    files.insert(&root_path, root);
    files.insert("/spec/other.yaml", other);
    let _ = api_model::openapi::check_fragment(Path::new("/spec/other.yaml"), other);
    if let Ok(loaded) = api_model::openapi::load(Path::new(&root_path), &files) {
        // Examples of every schema must come out too.
        let api = &loaded.api;
        for key in api.schemas.keys().take(50) {
            let s = api_model::SchemaRef::Named(key.clone());
            let _ = json_example_for(api, &s, Seed(1), Direction::Response);
        }
        for op in api.operations.iter().take(20) {
            for r in &op.responses {
                for media in r.content.values() {
                    let _ = api_model::example::media_example(api, media, Seed(2), Direction::Response);
                }
            }
        }
    }
});
