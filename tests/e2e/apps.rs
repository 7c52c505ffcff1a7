//! End-to-end tests of `portal apps`: list, approve, reject and delete on a sandbox database
//! (and on a shared Redis store) that a sandbox wrote.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use mock_server::apps::store::{Added, Store};
use mock_server::apps::{AppRecord, StoreConfig, Subscription, SubscriptionStatus, secret};

use crate::support::{in_ci, portal_bin};

fn portal(args: &[&str]) -> Output {
    Command::new(portal_bin())
        .args(args)
        .output()
        .expect("run portal")
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A store with one app that has an active and a pending subscription.
async fn seed(config: &StoreConfig) -> (String, String, String) {
    let store = Store::open(config).await.expect("open store");
    let client_id = secret::new_client_id();
    store
        .create_app(AppRecord {
            client_id: client_id.clone(),
            name: "Payroll".into(),
            description: String::new(),
            created_at: "2026-01-01T00:00:00Z".into(),
            secret_hash: secret::hash(&secret::new_secret()),
            subscriptions: Vec::new(),
        })
        .await
        .expect("create app");
    let mut ids = Vec::new();
    for (plan, status) in [
        ("cix-payments:sandbox", SubscriptionStatus::Active),
        ("cix-payments:corporate", SubscriptionStatus::Pending),
    ] {
        let sub = Subscription {
            id: secret::new_subscription_id(),
            client_id: client_id.clone(),
            plan: plan.into(),
            status,
        };
        match store.add_subscription(sub).await.expect("subscribe") {
            Added::New(s) => ids.push(s.id),
            other => panic!("unexpected {other:?}"),
        }
    }
    (client_id, ids[0].clone(), ids[1].clone())
}

async fn status_of(config: &StoreConfig, id: &str) -> Option<SubscriptionStatus> {
    let store = Store::open(config).await.expect("open store");
    store
        .get_subscription(id)
        .await
        .expect("read")
        .map(|s| s.status)
}

fn exercise(config: &StoreConfig, store_args: &[&str]) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (client_id, active, pending) = rt.block_on(seed(config));
    let with = |args: &[&str]| {
        let mut all: Vec<&str> = vec!["apps"];
        all.extend_from_slice(args);
        all.extend_from_slice(store_args);
        portal(&all)
    };

    let list = with(&["list"]);
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    let listed = text(&list);
    assert!(
        listed.contains(&client_id) && listed.contains("Payroll"),
        "{listed}"
    );
    assert!(
        listed.contains(&pending) && listed.contains("pending"),
        "{listed}"
    );

    let only_pending = with(&["list", "--status", "pending", "--json"]);
    let json: serde_json::Value = serde_json::from_slice(&only_pending.stdout).expect("json");
    assert_eq!(json[0]["client_id"], client_id.as_str());
    assert_eq!(json[0]["subscriptions"][1]["status"], "pending");

    let approve = with(&["approve", &pending]);
    assert!(
        approve.status.success(),
        "{}",
        String::from_utf8_lossy(&approve.stderr)
    );
    assert!(text(&approve).contains("Approved"));
    assert_eq!(
        rt.block_on(status_of(config, &pending)),
        Some(SubscriptionStatus::Active)
    );
    let none_pending = with(&["list", "--status", "pending", "--json"]);
    assert_eq!(text(&none_pending).trim(), "[]");

    let reject = with(&["reject", &active]);
    assert!(reject.status.success());
    assert_eq!(
        rt.block_on(status_of(config, &active)),
        Some(SubscriptionStatus::Rejected)
    );

    let unknown = with(&["approve", "sub_doesnotexist"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no subscription sub_doesnotexist"));

    let delete = with(&["delete", &client_id]);
    assert!(delete.status.success());
    assert!(!text(&with(&["list"])).contains(&client_id));
    let again = with(&["delete", &client_id]);
    assert!(!again.status.success());
}

#[test]
fn list_approve_reject_delete_on_the_sandbox_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let data_arg = data.to_str().expect("utf-8 path").to_string();

    // Before any sandbox ran: nothing to list, nothing to approve, and no database created.
    let empty = portal(&["apps", "list", "--data", &data_arg]);
    assert!(empty.status.success());
    assert!(text(&empty).contains("No apps"));
    let missing = portal(&["apps", "approve", "sub_x", "--data", &data_arg]);
    assert!(!missing.status.success());
    assert!(!data.join("sandbox.db").exists());

    let config = StoreConfig::Sqlite {
        data_dir: data.clone(),
    };
    exercise(&config, &["--data", &data_arg]);
}

#[test]
fn list_approve_reject_delete_on_a_shared_redis() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let config = StoreConfig::from_args(Path::new("."), Some(&server.url)).expect("url");
    exercise(&config, &["--store", &server.url]);
}

/// A `redis-server` on a free loopback port, killed on drop.
struct RedisServer {
    child: std::process::Child,
    url: String,
}

impl RedisServer {
    fn start() -> Option<RedisServer> {
        let found = Command::new("redis-server")
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .is_ok();
        if !found {
            assert!(!in_ci(), "redis-server is required in CI");
            eprintln!("skipping: redis-server not installed");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(RedisServer {
            child,
            url: format!("redis://127.0.0.1:{port}"),
        })
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `portal mock` registering apps and subscriptions over HTTP, killed with SIGKILL right after
/// an acknowledgement: after a restart on the same `--data`, every acknowledged app and
/// subscription is there and its keys call an API.
#[test]
fn acknowledged_apps_survive_kill_9_of_portal_mock() {
    use crate::mock::{Sandbox, http};
    use std::sync::{Arc, Mutex};

    let data = tempfile::tempdir().expect("tempdir");
    let root = crate::support::repo_root();
    let args = [
        "--root",
        root.to_str().expect("utf-8"),
        "--data",
        data.path().to_str().expect("utf-8"),
    ];
    let sandbox = Sandbox::start(&args);
    let base = sandbox.base.clone();
    let acknowledged: Arc<Mutex<Vec<(String, String, bool)>>> = Arc::default();
    let acks = Arc::clone(&acknowledged);
    let worker = std::thread::spawn(move || {
        for i in 0.. {
            let step = std::panic::catch_unwind(|| {
                let app = http(
                    &base,
                    "POST",
                    "/_sandbox/apps",
                    &[("content-type", "application/json")],
                    format!(r#"{{"name":"durable {i}","description":"kill -9"}}"#).as_bytes(),
                );
                if app.status != 201 {
                    return None;
                }
                let v = app.json();
                let id = v["client_id"].as_str().unwrap_or_default().to_string();
                let secret = v["client_secret"].as_str().unwrap_or_default().to_string();
                acks.lock()
                    .expect("lock")
                    .push((id.clone(), secret.clone(), false));
                let sub = http(
                    &base,
                    "POST",
                    &format!("/_sandbox/apps/{id}/subscriptions"),
                    &[
                        ("X-IBM-Client-Id", id.as_str()),
                        ("X-IBM-Client-Secret", secret.as_str()),
                        ("content-type", "application/json"),
                    ],
                    br#"{"plan":"cix-payments:sandbox"}"#,
                );
                if sub.status == 201 {
                    if let Some(last) = acks.lock().expect("lock").last_mut() {
                        last.2 = true;
                    }
                }
                Some(())
            });
            if !matches!(step, Ok(Some(()))) {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    while acknowledged.lock().expect("lock").len() < 40 {
        assert!(Instant::now() < deadline, "registrations too slow");
        std::thread::sleep(Duration::from_millis(5));
    }
    drop(sandbox); // SIGKILL (std's Child::kill), while the worker is still registering
    worker.join().expect("worker ends when the sandbox is gone");
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(acknowledged.len() >= 40);

    let sandbox = Sandbox::start(&args);
    for (id, secret, subscribed) in &acknowledged {
        let keys = [
            ("X-IBM-Client-Id", id.as_str()),
            ("X-IBM-Client-Secret", secret.as_str()),
        ];
        let app = sandbox.call("GET", &format!("/_sandbox/apps/{id}"), &keys, b"");
        assert_eq!(app.status, 200, "app {id} lost after kill -9");
        if *subscribed {
            let subs = app.json()["subscriptions"].to_string();
            assert!(subs.contains("cix-payments:sandbox"), "{id}: {subs}");
            let call = sandbox.call(
                "GET",
                "/title-fetch/v1/ibans/NL52NGSB0062281954/title",
                &keys,
                b"",
            );
            assert_eq!(
                call.status,
                200,
                "{id}: {}",
                String::from_utf8_lossy(&call.body)
            );
        }
    }
}
