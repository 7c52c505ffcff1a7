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
    // No PATH and no portal here: nothing to check is a usage error too.
    let empty = tempfile::tempdir().expect("temp dir");
    let out = Command::new(portal_bin())
        .arg("check")
        .current_dir(empty.path())
        .output()
        .expect("run portal");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing to check"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The same with `--root` naming the empty folder, which the message names.
    let out = Command::new(portal_bin())
        .arg("check")
        .arg("--root")
        .arg(empty.path())
        .output()
        .expect("run portal");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&empty.path().display().to_string()),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `--root DIR` checks the portal in DIR as `build --root DIR` reads it: its `specs/` (a root
/// with nothing else is a portal too), with `file:line:col` errors and exit 1.
#[test]
fn check_root_checks_that_portal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let specs = dir.path().join("specs");
    std::fs::create_dir_all(&specs).expect("spec dir");
    // The spec's 200 response, with `content` or without, and `portal check --root DIR [extra]`.
    let spec = |content: &str| {
        let text = format!(
            "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths:\n  /things:\n    get:\n      responses:\n        '200':\n          description: ok\n{content}"
        );
        std::fs::write(specs.join("api.yaml"), text).expect("write spec");
    };
    let check = |extra: &[&std::path::Path]| {
        let out = Command::new(portal_bin())
            .args(["check", "--root"])
            .arg(dir.path())
            .args(extra)
            .output()
            .expect("run portal");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    spec(
        "          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Gone'}\n",
    );
    let (code, stdout) = check(&[]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("api.yaml:11:") && stdout.contains("Gone"),
        "{stdout}"
    );
    // Fixed, the same command passes.
    spec("");
    let (code, stdout) = check(&[]);
    assert_eq!(code, Some(0), "{stdout}");
    // `--root` and PATHs together are a usage error, not a guess at which one is meant.
    assert_eq!(check(&[&specs]).0, Some(2));
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

/// Without a PATH, `portal check` checks the portal of the working folder: its specs, and its
/// config, pages and templates, each problem located; the demo portal has none.
#[test]
fn check_without_a_path_checks_the_portal_root() {
    let demo = Command::new(portal_bin())
        .arg("check")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run portal");
    let text = String::from_utf8_lossy(&demo.stdout);
    assert_eq!(demo.status.code(), Some(0), "{text}");
    assert!(text.contains("./portal.toml [config] "), "{text}");
    assert!(
        text.contains("./content/faq.md [content] Frequently asked questions"),
        "{text}"
    );
    assert!(
        text.contains("./specs/funds-transfer/openapi.yaml [openapi 3.1.0]"),
        "{text}"
    );
    assert!(text.ends_with(" 0 errors, 0 warnings\n"), "{text}");

    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("specs")).expect("specs");
    std::fs::create_dir_all(root.join("content")).expect("content");
    std::fs::create_dir_all(root.join("site/templates")).expect("templates");
    std::fs::write(
        root.join("specs/api.yaml"),
        "openapi: 3.0.3\ninfo: {title: One, version: '1'}\npaths: {}\n",
    )
    .expect("spec");
    std::fs::write(
        root.join("portal.toml"),
        "title = \"T\"\n[theme]\naccent = \"red}\"\n[sandbox]\nsoap_client_id = [\"one\"]\n",
    )
    .expect("config");
    std::fs::write(root.join("content/a.md"), "---\norder: x\n---\n# A\n").expect("page");
    std::fs::write(root.join("site/templates/page.html"), "{% for %}").expect("template");
    let out = Command::new(portal_bin())
        .args(["check", "--format", "json"])
        .current_dir(root)
        .output()
        .expect("run portal");
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let found: Vec<(String, String, String)> = doc["files"]
        .as_array()
        .expect("files")
        .iter()
        .flat_map(|f| {
            let path = f["path"].as_str().unwrap_or_default().to_string();
            let kind = f["kind"].as_str().unwrap_or_default().to_string();
            ["errors", "warnings"].into_iter().flat_map(move |sev| {
                let (path, kind) = (path.clone(), kind.clone());
                f[sev]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |d| {
                        (
                            format!("{path}:{}:{}", d["line"], d["column"]),
                            format!("{kind} {sev}"),
                            d["message"].as_str().unwrap_or_default().to_string(),
                        )
                    })
            })
        })
        .collect();
    let located: Vec<(&str, &str)> = found
        .iter()
        .map(|(at, kind, _)| (at.as_str(), kind.as_str()))
        .collect();
    assert_eq!(
        located,
        [
            ("./portal.toml:3:10", "config errors"),
            ("./portal.toml:5:19", "config warnings"),
            ("./content/a.md:2:8", "content errors"),
            ("./site/templates/page.html:1:8", "template errors"),
        ],
        "{found:#?}"
    );
    assert!(found[0].2.contains("is not a CSS colour"), "{found:#?}");
    assert!(found[1].2.contains("`one` is a REST API"), "{found:#?}");
    assert_eq!(doc["summary"]["errors"], 3);
    assert_eq!(doc["summary"]["warnings"], 1);
}
