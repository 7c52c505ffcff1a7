//! The Try console and the Apps page in headless Chromium: builds the demo portal (plus a
//! fixture product with a tiny limit) with the real binary, starts `portal mock` and a static
//! file server on loopback, and runs the Node tests of `tests/browser/` (playwright-core driving
//! Debian's `/usr/bin/chromium`, axe-core injected). Screenshots and the JS size report land in
//! `<target>/browser-artifacts/`. Skips only when Chromium, Node or the npm modules are absent
//! and `CI` is unset.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{in_ci, portal_bin, repo_root};

/// A product whose only plan allows two calls a minute, so the test can reach a 429.
const TINY_PRODUCT: &str = "\
product: 1.0.0
info:
  name: zz-browser-tiny
  title: Browser test (tiny limit)
  version: 1.0.0
apis:
  title-fetch:
    $ref: ../title-fetch/openapi.yaml
plans:
  tiny:
    title: Tiny
    approval: false
    rate-limits:
      default:
        value: 2/1minute
        hard-limit: true
";

/// Kills the child process when the test ends, however it ends.
struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromium() -> PathBuf {
    std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// What is missing to run the browser tests, if anything.
fn missing_tools(tests_dir: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    if !chromium().is_file() {
        missing.push(format!(
            "{} (apt-get install chromium)",
            chromium().display()
        ));
    }
    if Command::new("node").arg("--version").output().is_err() {
        missing.push("node".into());
    }
    for module in ["playwright-core", "axe-core"] {
        if !tests_dir.join("node_modules").join(module).is_dir() {
            missing.push(format!("{module} (npm ci in tests/browser)"));
        }
    }
    missing
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// The demo portal in a temp dir, its sandbox environment moved to `port`, plus the fixture.
fn demo_root(dir: &Path, port: u16) {
    let repo = repo_root();
    for sub in ["content", "specs"] {
        copy_dir(&repo.join(sub), &dir.join(sub));
    }
    let toml = std::fs::read_to_string(repo.join("portal.toml")).expect("portal.toml");
    assert!(
        toml.contains("http://127.0.0.1:4010"),
        "the demo sandbox URL moved"
    );
    let mut toml = toml.replace("http://127.0.0.1:4010", &format!("http://127.0.0.1:{port}"));
    // Few fragment files, so the search test reads fragments that pages share.
    assert!(!toml.contains("[search]"), "the demo sets search options");
    toml.push_str("\n[search]\nfragment_files = 4\n");
    std::fs::write(dir.join("portal.toml"), toml).expect("write portal.toml");
    std::fs::write(
        dir.join("specs/products/zz-browser-tiny.yaml"),
        TINY_PRODUCT,
    )
    .expect("write fixture product");
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "xml" | "wsdl" | "xsd" => "application/xml",
        "yaml" | "yml" => "text/yaml; charset=utf-8",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// A tiny static file server for the built site: GET only, one thread per connection.
fn serve_static(root: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind static server");
    let port = listener.local_addr().expect("local addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || answer(stream, &root));
        }
    });
    port
}

fn answer(mut stream: TcpStream, root: &Path) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone stream"));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header.trim().is_empty() => break,
            Ok(_) => {}
        }
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let decoded = path.replace("%20", " ");
    let mut file = root.to_path_buf();
    for part in decoded.split('/').filter(|p| !p.is_empty() && *p != "..") {
        file.push(part);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    let (status, body, ctype) = match std::fs::read(&file) {
        Ok(body) => ("200 OK", body, content_type(&file)),
        Err(_) => ("404 Not Found", b"not found".to_vec(), "text/plain"),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
    let _ = stream.shutdown(Shutdown::Write);
}

/// Waits until `GET /_sandbox/health` answers 200.
fn wait_for_sandbox(port: u16, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("portal mock exited early: {status}");
        }
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.write_all(
                b"GET /_sandbox/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            );
            let mut text = String::new();
            let _ = s.read_to_string(&mut text);
            if text.starts_with("HTTP/1.1 200") {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("portal mock did not answer on port {port} within 60 s");
}

#[test]
fn try_console_and_apps_page_in_chromium() {
    let tests_dir = repo_root().join("tests").join("browser");
    let missing = missing_tools(&tests_dir);
    if !missing.is_empty() {
        assert!(!in_ci(), "browser tests need: {}", missing.join(", "));
        eprintln!(
            "skipping the browser tests, missing: {}",
            missing.join(", ")
        );
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().join("portal");
    let sandbox_port = free_port();
    demo_root(&root, sandbox_port);

    let out = root.join("public");
    let build = Command::new(portal_bin())
        .args(["build", "--root"])
        .arg(&root)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run portal build");
    assert!(
        build.status.success(),
        "portal build failed:\n{}{}",
        String::from_utf8_lossy(&build.stdout),
        String::from_utf8_lossy(&build.stderr)
    );

    let fragments = std::fs::read_dir(out.join("pagefind/fragment"))
        .expect("fragment folder")
        .count();
    assert_eq!(
        fragments, 4,
        "search.fragment_files = 4 bundles the fragments"
    );

    let mock = Command::new(portal_bin())
        .args(["mock", "--root"])
        .arg(&root)
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &sandbox_port.to_string(),
            "--data",
        ])
        .arg(tmp.path().join("data"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start portal mock");
    let mut mock = Reaper(mock);
    wait_for_sandbox(sandbox_port, &mut mock.0);
    let site_port = serve_static(out);

    let artifacts = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map_or_else(|| PathBuf::from("target"), Path::to_path_buf)
        .join("browser-artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");
    let run = Command::new("node")
        .args(["--test", "--test-concurrency=1", "console.test.mjs"])
        .current_dir(&tests_dir)
        .env("SITE_URL", format!("http://127.0.0.1:{site_port}/"))
        .env("SANDBOX_URL", format!("http://127.0.0.1:{sandbox_port}"))
        .env("ARTIFACTS", &artifacts)
        .env("CHROMIUM", chromium())
        .output()
        .expect("run node --test");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    println!("{report}");
    println!("screenshots in {}", artifacts.display());
    assert!(run.status.success(), "browser tests failed:\n{report}");
}
