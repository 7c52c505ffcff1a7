//! End-to-end tests of `portal serve`: the real binary on a temp copy of the demo root, edited
//! while it runs; the site and the sandbox are read over HTTP.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::mock::{HttpAnswer, http};
use crate::support::{portal_bin, repo_root};

/// A running `portal serve`, stopped when dropped.
struct Serve {
    child: Child,
    site: String,
    sandbox: Option<String>,
    /// Everything printed on stdout and stderr so far.
    log: Arc<Mutex<String>>,
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A temp copy of the demo portal (content/, specs/, site/, portal.toml).
fn demo_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = repo_root();
    for d in ["content", "specs", "site"] {
        if repo.join(d).is_dir() {
            copy_dir(&repo.join(d), &dir.path().join(d));
        }
    }
    std::fs::copy(repo.join("portal.toml"), dir.path().join("portal.toml")).expect("copy");
    dir
}

impl Serve {
    #[allow(clippy::zombie_processes)] // Waited for in `Drop` or `stop`.
    fn start(root: &Path, extra: &[&str]) -> Serve {
        let mut child = Command::new(portal_bin())
            .arg("serve")
            .arg("--root")
            .arg(root)
            .args(["--port", "0", "--mock-port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start portal serve");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().expect("stderr");
        let err_log = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(mut l) = err_log.lock() {
                    l.push_str(&line);
                    l.push('\n');
                }
            }
        });
        let stdout = child.stdout.take().expect("stdout");
        let mut reader = BufReader::new(stdout);
        let mut site = None;
        let mut sandbox = None;
        let deadline = Instant::now() + Duration::from_secs(300);
        loop {
            let mut line = String::new();
            let n = reader.read_line(&mut line).expect("read stdout");
            if let Ok(mut l) = log.lock() {
                l.push_str(&line);
            }
            if n == 0 || Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "portal serve did not start:\n{}",
                    log.lock().map(|l| l.clone()).unwrap_or_default()
                );
            }
            let t = line.trim();
            if let Some(u) = t.strip_prefix("site:") {
                site = Some(u.trim().trim_end_matches('/').to_string());
            }
            if let Some(u) = t.strip_prefix("sandbox:") {
                let u = u.split_whitespace().next().unwrap_or("");
                if u.starts_with("http") {
                    sandbox = Some(u.trim_end_matches('/').to_string());
                }
            }
            if t.starts_with("watching ") {
                break;
            }
        }
        let out_log = Arc::clone(&log);
        std::thread::spawn(move || {
            let mut buf = String::new();
            while reader.read_line(&mut buf).is_ok_and(|n| n > 0) {
                if let Ok(mut l) = out_log.lock() {
                    l.push_str(&buf);
                }
                buf.clear();
            }
            let mut sink = Vec::new();
            let _ = reader.read_to_end(&mut sink);
        });
        Serve {
            child,
            site: site.expect("site URL printed"),
            sandbox,
            log,
        }
    }

    fn get(&self, path: &str) -> HttpAnswer {
        http(&self.site, "GET", path, &[], b"")
    }

    fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Poll until `check` holds (rebuilds of a debug binary on a busy machine can be slow).
    fn wait_until(&self, what: &str, mut check: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(240);
        while Instant::now() < deadline {
            if check() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("timed out waiting for {what}; log:\n{}", self.log());
    }

    /// Ctrl-C (SIGINT); the process must exit cleanly.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .expect("kill");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(exit) = self.child.try_wait().expect("wait") {
                assert!(exit.success(), "exit {exit:?}; log:\n{}", self.log());
                break;
            }
            assert!(
                Instant::now() < deadline,
                "did not stop on Ctrl-C; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn text(a: &HttpAnswer) -> String {
    String::from_utf8_lossy(&a.body).into_owned()
}

fn edit(path: &PathBuf, f: impl FnOnce(String) -> String) {
    let old = std::fs::read_to_string(path).expect("read");
    std::fs::write(path, f(old)).expect("write");
}

const NEW_OPERATION: &str = "  /serve-ping:
    get:
      operationId: servePing
      summary: Ping added while serving
      security: []
      responses:
        \"200\":
          description: Pong.
          content:
            application/json:
              schema:
                type: object
                required: [pong]
                properties:
                  pong: {type: boolean}
";

#[test]
fn edits_are_served_without_restarting_and_errors_show_an_overlay() {
    let dir = demo_copy();
    let root = dir.path().to_path_buf();
    let serve = Serve::start(&root, &[]);
    let sandbox = serve.sandbox.clone().expect("sandbox URL printed");

    // The site is served from memory, with the live-reload script only in served pages.
    let home = serve.get("/");
    assert_eq!(home.status, 200);
    assert!(text(&home).contains("/__livereload"), "{}", text(&home));
    assert_eq!(serve.get("/no/such/page/").status, 404);
    assert!(
        !root.join("public").exists(),
        "serve never writes an output folder"
    );
    // The Try console points at this sandbox.
    let op = text(&serve.get("/apis/bill-payment/"));
    assert!(
        op.contains(&sandbox),
        "sandbox URL {sandbox} not in the API page"
    );

    // 1. A Markdown page.
    let page = root.join("content/docs/getting-started.md");
    edit(&page, |t| {
        format!("{t}\nServe marker: MARKDOWN-EDIT-7731.\n")
    });
    serve.wait_until("the edited page", || {
        text(&serve.get("/docs/getting-started/")).contains("MARKDOWN-EDIT-7731")
    });

    // 2. A template (the FAQ's own, so one page renders again).
    let theme = root.join("site/templates/faq.html");
    edit(&theme, |t| {
        let edited = t.replacen(
            "{% block content %}",
            "{% block content %}<p>TEMPLATE-EDIT-5521</p>",
            1,
        );
        assert_ne!(edited, t, "faq.html has a content block");
        edited
    });
    serve.wait_until("the edited template", || {
        text(&serve.get("/faq/")).contains("TEMPLATE-EDIT-5521")
    });

    // 3. A spec: add an operation; the site documents it and the sandbox answers it.
    let spec = root.join("specs/bill-payment/openapi.yaml");
    let good = std::fs::read_to_string(&spec).expect("read");
    let with_op = good.replacen("paths:\n", &format!("paths:\n{NEW_OPERATION}"), 1);
    assert_ne!(with_op, good);
    std::fs::write(&spec, &with_op).expect("write");
    serve.wait_until("the sandbox answering the new operation", || {
        http(&sandbox, "GET", "/bill-payment/v1/serve-ping", &[], b"").status == 200
    });
    let answer = http(&sandbox, "GET", "/bill-payment/v1/serve-ping", &[], b"");
    assert!(answer.json()["pong"].is_boolean(), "{}", text(&answer));
    serve.wait_until("the new operation's page", || {
        serve.get("/apis/bill-payment/servePing/").status == 200
    });

    // 4. Break the spec: the last good site stays, with an overlay naming the file and line.
    std::fs::write(
        &spec,
        with_op.replacen("paths:\n", "paths:\n  /broken: [\n", 1),
    )
    .expect("write");
    serve.wait_until("the error overlay", || {
        let t = text(&serve.get("/docs/getting-started/"));
        t.contains("portal-serve-overlay\" role") && t.contains("specs/bill-payment/openapi.yaml:")
    });
    let page = text(&serve.get("/docs/getting-started/"));
    let at = page.find("specs/bill-payment/openapi.yaml:").expect("path");
    let loc: String = page[at + "specs/bill-payment/openapi.yaml:".len()..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ':')
        .collect();
    assert!(
        loc.split(':').filter(|s| !s.is_empty()).count() >= 2,
        "line:col in {loc:?}"
    );
    assert!(
        page.contains("MARKDOWN-EDIT-7731"),
        "last good page still served"
    );
    assert!(
        serve.log().contains("specs/bill-payment/openapi.yaml:"),
        "{}",
        serve.log()
    );
    assert_eq!(
        http(&sandbox, "GET", "/bill-payment/v1/serve-ping", &[], b"").status,
        200,
        "the sandbox keeps the last good routes"
    );

    // 5. Fix it: the overlay goes.
    std::fs::write(&spec, &good).expect("write");
    serve.wait_until("the overlay to clear", || {
        !text(&serve.get("/docs/getting-started/")).contains("portal-serve-overlay\" role")
    });
    serve.wait_until("the removed operation to go", || {
        http(&sandbox, "GET", "/bill-payment/v1/serve-ping", &[], b"").status == 404
    });

    serve.stop();
}

#[test]
fn no_mock_serves_the_site_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("content")).expect("mkdir");
    std::fs::write(dir.path().join("content/index.md"), "# Tiny portal\n").expect("write");
    let serve = Serve::start(dir.path(), &["--no-mock"]);
    assert!(serve.sandbox.is_none());
    assert!(text(&serve.get("/")).contains("Tiny portal"));
    // A folder created after start is watched too.
    std::fs::create_dir_all(dir.path().join("content/docs")).expect("mkdir");
    std::thread::sleep(Duration::from_millis(300));
    std::fs::write(
        dir.path().join("content/docs/new.md"),
        "---\ntitle: New\n---\nFresh page.\n",
    )
    .expect("write");
    serve.wait_until("the new page", || serve.get("/docs/new/").status == 200);
    serve.stop();
}

/// Register an app on `sandbox` and subscribe it to `plan`; returns (client id, secret).
fn app_on(sandbox: &str, plan: &str) -> (String, String) {
    let app = http(
        sandbox,
        "POST",
        "/_sandbox/apps",
        &[("content-type", "application/json")],
        br#"{"name":"serve e2e","description":"kept across reloads"}"#,
    );
    assert_eq!(app.status, 201, "{}", text(&app));
    let app = app.json();
    let id = app["client_id"].as_str().expect("client_id").to_string();
    let secret = app["client_secret"].as_str().expect("secret").to_string();
    let sub = http(
        sandbox,
        "POST",
        &format!("/_sandbox/apps/{id}/subscriptions"),
        &[
            ("X-IBM-Client-Id", id.as_str()),
            ("X-IBM-Client-Secret", secret.as_str()),
            ("content-type", "application/json"),
        ],
        format!(r#"{{"plan":"{plan}"}}"#).as_bytes(),
    );
    assert_eq!(sub.status, 201, "{plan}: {}", text(&sub));
    (id, secret)
}

fn title_of(sandbox: &str, id: &str, secret: &str) -> HttpAnswer {
    http(
        sandbox,
        "GET",
        "/title-fetch/v1/ibans/NL52NGSB0062281954/title",
        &[("X-IBM-Client-Id", id), ("X-IBM-Client-Secret", secret)],
        b"",
    )
}

#[test]
fn a_portal_broken_at_start_is_served_as_its_error_until_fixed_and_apps_survive_reloads() {
    let dir = demo_copy();
    let root = dir.path().to_path_buf();
    let spec = root.join("specs/title-fetch/openapi.yaml");
    let good = std::fs::read_to_string(&spec).expect("read");
    std::fs::write(
        &spec,
        good.replacen("paths:\n", "paths:\n  /broken: [\n", 1),
    )
    .expect("write");

    // 1. Broken from the start: the server runs and every page is the error, with the overlay.
    let serve = Serve::start(&root, &[]);
    let sandbox = serve.sandbox.clone().expect("sandbox URL printed");
    for path in ["/", "/apis/title-fetch/"] {
        let page = serve.get(path);
        let body = text(&page);
        assert!(
            body.contains("specs/title-fetch/openapi.yaml:"),
            "{path}: {body}"
        );
        assert!(body.contains("/__livereload"), "{path}: {body}");
    }
    // The terminal says the same (stderr is read by another thread: wait for it).
    serve.wait_until("the error in the terminal", || {
        serve.log().contains("specs/title-fetch/openapi.yaml:")
    });

    // 2. Fixed: the whole portal is built and the sandbox serves the APIs and their plans.
    std::fs::write(&spec, &good).expect("write");
    serve.wait_until("the fixed portal", || {
        let home = text(&serve.get("/"));
        !home.contains("does not build") && serve.get("/apis/account-title-fetch/").status == 200
    });
    serve.wait_until("the sandbox's APIs", || {
        http(&sandbox, "GET", "/_sandbox/catalog", &[], b"").json()["apis"]
            .as_array()
            .is_some_and(|a| a.len() >= 5)
    });
    let (id, secret) = app_on(&sandbox, "cix-payments:sandbox");
    let called = title_of(&sandbox, &id, &secret);
    assert_eq!(called.status, 200, "{}", text(&called));

    // 3. A spec change (a new operation) reloads the sandbox: the app registered before it
    //    still works, and its plan still grants its operations.
    let with_op = good.replacen(
        "paths:\n",
        &format!(
            "paths:\n{}",
            NEW_OPERATION.replace("serve-ping", "title-ping")
        ),
        1,
    );
    std::fs::write(&spec, &with_op).expect("write");
    serve.wait_until("the new operation", || {
        http(&sandbox, "GET", "/title-fetch/v1/title-ping", &[], b"").status == 200
    });
    let called = title_of(&sandbox, &id, &secret);
    assert_eq!(called.status, 200, "{}", text(&called));
    assert!(
        called.headers.iter().any(|(k, _)| k == "ratelimit-policy"),
        "{:?}",
        called.headers
    );
    serve.stop();
}
