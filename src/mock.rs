//! `portal mock`: load the specs, mount every API, print where each is served, and run the
//! sandbox until Ctrl-C.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use api_model::ConfigFile;
use mock_server::apps::{Apps, AppsOptions, StoreConfig};
use mock_server::gate::{Gate, OpenGate};
use mock_server::state::DEFAULT_MAX_BODY_BYTES;
use mock_server::{AppState, MockOptions};

/// Credential checks on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Auth {
    /// Check what the specs' security schemes ask for.
    On,
    /// Let every call through (quick local mocking).
    Off,
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Arguments of `portal mock`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Portal folder: serves `DIR/specs` and reads `DIR/portal.toml`.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Serve these spec files or folders instead of `DIR/specs` (repeatable).
    #[arg(long = "specs", value_name = "PATH")]
    specs: Vec<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 4010)]
    port: u16,
    /// Seed of all generated data: change it to get other (still deterministic) data.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Check credentials (`on`) or let every call through (`off`).
    #[arg(long, value_enum, default_value = "on")]
    auth: Auth,
    /// Where apps, subscriptions and usage are stored (SQLite, `DIR/sandbox.db`).
    #[arg(long, default_value = ".portal")]
    data: PathBuf,
    /// Keep apps, subscriptions and rate-limit counters in Redis instead (`redis://HOST:PORT`),
    /// so several sandbox replicas enforce one exact limit.
    #[arg(long, value_name = "URL")]
    store: Option<String>,
    /// Bearer token of the admin API (`/_sandbox/admin/...`); without one the admin API is off.
    #[arg(long, env = "PORTAL_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// Log format.
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Largest request body in bytes (default: portal.toml's, else 1 MiB).
    #[arg(long)]
    max_body_bytes: Option<usize>,
    /// MiB of generated responses kept to answer repeated requests at once (same bytes as
    /// generating them again; 0 turns the memo off).
    #[arg(long, default_value_t = 16)]
    response_cache_mib: u64,
    /// Operations whose compiled validators are kept; past it, an operation not called again
    /// for a while gives them up, and they are compiled again when next needed. On a large,
    /// densely linked spec one operation's validators can weigh a megabyte or more.
    #[arg(long, default_value_t = mock_server::DEFAULT_VALIDATOR_CACHE_OPS, value_name = "N")]
    validator_cache_ops: usize,
    /// Allowed CORS origin (repeatable; default: portal.toml's list, else any).
    #[arg(long = "cors-origin", value_name = "ORIGIN")]
    cors_origin: Vec<String>,
}

/// Log to standard error from a background thread ([`crate::logging::Batched`]): a request
/// formats its line and queues it, and never waits for the terminal or the pipe (the one write
/// per request cost the sandbox an eighth of its throughput), nor wakes the writer for each
/// line. Lines are never dropped. The guard writes what is queued when dropped, so it must live
/// until the end of `run`.
fn init_logging(format: LogFormat) -> anyhow::Result<crate::logging::BatchedGuard> {
    use std::io::IsTerminal;
    let filter = crate::logging::filter("warn,portal::mock=info");
    let (writer, guard) = crate::logging::Batched::spawn("portal-log", std::io::stderr())
        .context("cannot start the log writer")?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false);
    let result = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    // A second init (tests) keeps the first subscriber.
    drop(result);
    Ok(guard)
}

/// Log how long start-up took to reach `step` (`PORTAL_LOG=portal::mock=debug`), to see where
/// the time goes with a large spec.
fn startup_step(started: std::time::Instant, step: &str) {
    tracing::debug!(
        target: "portal::mock",
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        "start-up: {step}"
    );
}

/// Run the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let _log = init_logging(args.log_format)?;
    let config_file = ConfigFile::load(&args.root).map_err(|e| anyhow::anyhow!("{e}"))?;
    let paths = if args.specs.is_empty() {
        vec![args.root.join("specs")]
    } else {
        args.specs.clone()
    };
    let outcome = api_model::load_paths(&paths);
    startup_step(started, "specs loaded");
    let mut err = std::io::stderr().lock();
    for d in config_file.catalog_warnings(&outcome.catalog) {
        writeln!(err, "{d}")?;
    }
    let config = config_file.config;
    for d in outcome.errors() {
        writeln!(err, "{d}")?;
    }
    let skipped = outcome.errors().len();
    if skipped > 0 {
        writeln!(
            err,
            "warning: {skipped} error(s) above; the files they are in are not served"
        )?;
    }
    drop(err);

    let options = MockOptions {
        seed: args.seed,
        response_cache_bytes: args.response_cache_mib.saturating_mul(1024 * 1024),
        validator_cache_ops: args.validator_cache_ops,
        max_body_bytes: args
            .max_body_bytes
            .or(config.sandbox.max_body_bytes)
            .unwrap_or(DEFAULT_MAX_BODY_BYTES),
        cors_origins: if args.cors_origin.is_empty() {
            config.sandbox.cors_origins.clone()
        } else {
            args.cors_origin.clone()
        },
        auth: args.auth == Auth::On,
        public_url: None,
    };
    let gate: Arc<dyn Gate> = Arc::new(OpenGate);
    let store = StoreConfig::from_args(&args.data, args.store.as_deref())?;
    let apps_options = AppsOptions::new(store)
        .admin_token(args.admin_token.clone())
        .soap_client_id(config.sandbox.soap_client_id.clone());
    let state = AppState::new(outcome.catalog, config, options, gate).with_soap_files(&paths);
    startup_step(started, "APIs mounted");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let apps = Apps::open(&state.catalog, apps_options)
            .await
            .context("cannot open the sandbox's app store")?;
        startup_step(started, "app store open");
        let state = mock_server::apps::attach(state, &apps, args.auth == Auth::On);
        let addr = SocketAddr::new(args.host, args.port);
        let listener = mock_server::server::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr().context("no local address")?;
        let base = format!("http://{local}");
        let mut out = std::io::stdout().lock();
        writeln!(out, "portal mock: {} API(s)", state.catalog.apis.len())?;
        out.write_all(mock_server::server::listing(&state, &base).as_bytes())?;
        writeln!(out, "catalog: {base}/_sandbox/catalog")?;
        writeln!(out, "listening on {base}")?;
        out.flush()?;
        drop(out);
        startup_step(started, "listening");
        mock_server::server::serve(listener, state)
            .await
            .context("server failed")?;
        apps.flush().await.context("cannot save sandbox usage")?;
        Ok(ExitCode::SUCCESS)
    })
}
