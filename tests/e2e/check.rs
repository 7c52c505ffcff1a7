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
