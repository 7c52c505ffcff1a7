//! `portal serve`: build the portal into memory, serve it with live reload, run the sandbox
//! beside it, and keep both current as files change (the docs author's loop).

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use generator::serve::BuildEvent;
use generator::serve::session::{Session, SessionOptions};
use mock_server::apps::{Apps, AppsOptions, StoreConfig};
use mock_server::gate::{Gate, OpenGate};
use mock_server::live::LiveSandbox;
use mock_server::state::DEFAULT_MAX_BODY_BYTES;
use mock_server::{AppState, MockOptions};

/// Arguments of `portal serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Portal folder (`portal.toml`, `content/`, `specs/`, `site/`).
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Address to listen on (the site and the sandbox).
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port of the site.
    #[arg(long, default_value_t = 8000)]
    port: u16,
    /// Port of the sandbox (the site's Try console calls it).
    #[arg(long, default_value_t = 4010)]
    mock_port: u16,
    /// Do not start the sandbox.
    #[arg(long)]
    no_mock: bool,
    /// Open the site in the browser.
    #[arg(long)]
    open: bool,
    /// Where the sandbox keeps apps, subscriptions and usage (default `ROOT/.portal`).
    #[arg(long)]
    data: Option<PathBuf>,
}

fn bind(host: IpAddr, port: u16) -> anyhow::Result<std::net::TcpListener> {
    let addr = SocketAddr::new(host, port);
    let l =
        std::net::TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr}"))?;
    l.set_nonblocking(true)?;
    Ok(l)
}

fn url_of(l: &std::net::TcpListener) -> anyhow::Result<String> {
    Ok(format!(
        "http://{}",
        l.local_addr().context("no local address")?
    ))
}

/// What changed, for the terminal: `content/docs/a.md, specs/x.yaml`.
fn changed_list(
    session_root: &std::path::Path,
    changes: &[generator::serve::watch::Changed],
) -> String {
    let mut names: Vec<String> = changes
        .iter()
        .map(|c| {
            c.path
                .strip_prefix(session_root)
                .unwrap_or(&c.path)
                .display()
                .to_string()
        })
        .collect();
    names.dedup();
    if names.len() > 4 {
        let more = names.len() - 3;
        names.truncate(3);
        names.push(format!("{more} more"));
    }
    names.join(", ")
}

/// Run the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    crate::logging::init_stderr("warn");
    let site_listener = bind(args.host, args.port)?;
    let site_url = url_of(&site_listener)?;
    let mock_listener = if args.no_mock {
        None
    } else {
        Some(bind(args.host, args.mock_port)?)
    };
    let mock_url = mock_listener.as_ref().map(url_of).transpose()?;

    let start = Instant::now();
    let opts = SessionOptions {
        root: args.root.clone(),
        sandbox_url: mock_url.clone(),
        threads: generator::default_threads(),
    };
    // A portal that does not build yet is served as an error page with the overlay, and built
    // again on the next save: the author fixes it without restarting.
    let session = match Session::new(opts.clone()) {
        Ok(session) => session,
        Err(e) if args.root.is_dir() => {
            let session = Session::pending(opts, &e);
            eprintln!(
                "error: the portal does not build yet; serving the error until the next save fixes it:\n{}",
                session.pending_error().unwrap_or_default()
            );
            session
        }
        Err(e) => {
            return Err(anyhow::anyhow!(
                "{}",
                generator::serve::session::describe(&args.root, &e)
            ))
            .context("the portal does not build");
        }
    };
    let input = session.input();
    let pages = session
        .files()
        .keys()
        .filter(|p| p.ends_with(".html"))
        .count();
    let operations: usize = input
        .catalog
        .apis
        .iter()
        .map(|a| a.operations.len() + a.webhooks.len())
        .sum();
    let built = start.elapsed();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;

    let mut registry = None;
    let live = match &mock_url {
        Some(url) => {
            let config = input.config.clone();
            let options = MockOptions {
                max_body_bytes: config
                    .sandbox
                    .max_body_bytes
                    .unwrap_or(DEFAULT_MAX_BODY_BYTES),
                cors_origins: config.sandbox.cors_origins.clone(),
                public_url: Some(url.clone()),
                ..MockOptions::default()
            };
            let data = args
                .data
                .clone()
                .unwrap_or_else(|| args.root.join(".portal"));
            let store = StoreConfig::from_args(&data, None)?;
            let apps_options =
                AppsOptions::new(store).soap_client_id(config.sandbox.soap_client_id.clone());
            let apps = runtime
                .block_on(Apps::open(&input.catalog, apps_options))
                .context("cannot open the sandbox's app store")?;
            let gate: Arc<dyn Gate> = Arc::new(OpenGate);
            let state = AppState::new(input.catalog.clone(), config, options, gate)
                .with_soap_files(&[args.root.join("specs")]);
            let state = mock_server::apps::attach(state, &apps, true);
            registry = Some(apps);
            Some(LiveSandbox::new(state))
        }
        None => None,
    };

    {
        let mut out = std::io::stdout().lock();
        if session.pending_error().is_some() {
            writeln!(out, "portal serve: no good build yet (see the error above)")?;
        } else {
            writeln!(
                out,
                "portal serve: {pages} pages, {} API(s), {operations} operations built in {} ms",
                input.catalog.apis.len(),
                built.as_millis()
            )?;
        }
        // The first build's warnings (specs, portal.toml, dead links), once; rebuilds show
        // errors over the page.
        let mut err = std::io::stderr().lock();
        let prefix = format!("{}/", session.root().display());
        for warning in &session.input().warnings {
            writeln!(err, "{}", warning.to_string().replace(&prefix, ""))?;
        }
        drop(err);
        writeln!(out, "  site:    {site_url}/")?;
        if let (Some(url), Some(live)) = (&mock_url, &live) {
            writeln!(out, "  sandbox: {url}/  (catalog: {url}/_sandbox/catalog)")?;
            out.write_all(mock_server::server::listing(&live.state(), url).as_bytes())?;
        } else {
            writeln!(out, "  sandbox: off (--no-mock)")?;
        }
        writeln!(
            out,
            "watching {} (content/, specs/, site/, portal.toml); Ctrl-C stops",
            session.root().display()
        )?;
        out.flush()?;
    }

    if args.open {
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        // No browser is fine: the URL is printed above.
        let _ = std::process::Command::new(opener)
            .arg(format!("{site_url}/"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
    }

    let root = session.root().to_path_buf();
    let hook_live = live.clone();
    let hook_apps = registry.clone();
    // The sandbox follows the input as soon as a rebuild has read it (before the pages are
    // rendered), and goes back if that rebuild then fails.
    let mut sandbox_ahead = false;
    let swap_sandbox = move |input: &generator::load::Input| {
        if let Some(live) = &hook_live {
            if let Some(apps) = &hook_apps {
                apps.reload(&input.catalog);
            }
            live.reload(input.catalog.clone(), input.config.clone());
        }
    };
    let has_sandbox = live.is_some();
    let post_build: generator::serve::PostBuild = Box::new(move |event| match event {
        BuildEvent::Read { input, applied } => {
            swap_sandbox(input);
            sandbox_ahead = true;
            if has_sandbox && !applied.apis.is_empty() {
                println!(
                    "sandbox: reloaded {} in {} ms",
                    applied.apis.join(", "),
                    applied.elapsed.as_millis()
                );
            }
        }
        BuildEvent::Built {
            session: _,
            applied,
            changes,
        } => {
            sandbox_ahead = false;
            let apis = if applied.apis.is_empty() {
                String::new()
            } else {
                format!(
                    "; reloaded {}{}",
                    applied.apis.join(", "),
                    if has_sandbox {
                        " (site and sandbox)"
                    } else {
                        ""
                    }
                )
            };
            println!(
                "rebuilt {} page(s) in {} ms ({}){apis}",
                applied.rendered,
                applied.elapsed.as_millis(),
                changed_list(&root, changes)
            );
        }
        BuildEvent::Failed {
            message,
            changes,
            input,
        } => {
            if std::mem::take(&mut sandbox_ahead) {
                swap_sandbox(input);
            }
            eprintln!(
                "error: {} did not build; still serving the last good build:\n{message}",
                changed_list(&root, changes)
            );
        }
        BuildEvent::Indexed { .. } => {}
        BuildEvent::IndexFailed(m) => eprintln!("warning: search index: {m}"),
        BuildEvent::WatchFailed(m) => eprintln!("warning: watcher: {m}"),
    });

    runtime.block_on(async move {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|v| *v).await;
        };
        tokio::spawn(async move {
            mock_server::server::shutdown_signal().await;
            let _ = stop_tx.send(true);
        });
        let site_listener = tokio::net::TcpListener::from_std(site_listener)?;
        let mock_task = match (mock_listener, live) {
            (Some(l), Some(live)) => {
                let l = tokio::net::TcpListener::from_std(l)?;
                let stop = stopped(stop_rx.clone());
                Some(tokio::spawn(async move {
                    mock_server::live::serve(l, &live, stop).await
                }))
            }
            _ => None,
        };
        generator::serve::run(session, site_listener, post_build, stopped(stop_rx))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if let Some(task) = mock_task {
            task.await
                .context("sandbox task")?
                .context("sandbox failed")?;
        }
        if let Some(apps) = registry {
            apps.flush().await.context("cannot save sandbox usage")?;
        }
        println!("portal serve: stopped");
        Ok(ExitCode::SUCCESS)
    })
}
