//! End-to-end tests of `portal check`.

use std::process::Command;

use crate::support::{corpus, portal_bin};

#[test]
fn check_json_over_the_whole_corpus_never_panics() {
    let out = Command::new(portal_bin())
        .args(["check", "--format", "json"])
        .arg(corpus())
        .output()
        .expect("run portal");
    let code = out.status.code().expect("exit code, not a signal");
    assert!(
        code == 0 || code == 1,
        "exit {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let files = doc["files"].as_array().expect("files array");
    assert!(
        files.len() >= 60,
        "every corpus file reported, got {}",
        files.len()
    );
    for f in files {
        let kind = f["kind"].as_str().expect("kind");
        assert!(
            [
                "openapi", "swagger", "wsdl", "xsd", "product", "fragment", "unknown"
            ]
            .contains(&kind),
            "{kind}"
        );
    }
}

#[test]
fn check_usage_error_exits_2() {
    let out = Command::new(portal_bin())
        .args(["check", "--format", "nope", "x"])
        .output()
        .expect("run portal");
    assert_eq!(out.status.code(), Some(2));
}

/// A spec given by a relative path that climbs out of the working folder is read with the
/// references of its own folder, as an absolute path outside it is (it used to be refused as
/// "outside the spec folder").
#[test]
fn a_relative_path_out_of_the_working_folder_reaches_its_own_folder() {
    let dir = tempfile::tempdir().expect("temp dir");
    let work = dir.path().join("work");
    let specs = dir.path().join("elsewhere");
    std::fs::create_dir_all(&work).expect("work dir");
    std::fs::create_dir_all(&specs).expect("spec dir");
    std::fs::write(
        specs.join("api.yaml"),
        "openapi: 3.0.3\ninfo: {title: Climb, version: '1'}\npaths:\n  /things:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'common.yaml#/Thing'}\n",
    )
    .expect("write spec");
    std::fs::write(specs.join("common.yaml"), "Thing:\n  type: object\n").expect("write ref");
    let out = Command::new(portal_bin())
        .current_dir(&work)
        .args(["check", "--format", "json", "../elsewhere/api.yaml"])
        .output()
        .expect("run portal");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains("outside the spec folder"), "{text}");
}
