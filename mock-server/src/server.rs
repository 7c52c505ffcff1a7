//! Binding, serving and stopping: the start-up listing of every API with its URL, and a
//! graceful shutdown on Ctrl-C or SIGTERM (in-flight requests finish).

use std::fmt::Write as _;
use std::net::SocketAddr;

use api_model::Protocol;
use tokio::net::TcpListener;

use crate::state::AppState;

/// The start-up listing: one line per API with the URL it is served at, and why when an overlap
/// moved it. Pure.
pub fn listing(state: &AppState, base_url: &str) -> String {
    let base = base_url.trim_end_matches('/');
    let width = state
        .routes
        .mounts
        .iter()
        .map(|m| m.api_id.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for m in &state.routes.mounts {
        let Some(api) = state.catalog.apis.get(m.api) else {
            continue;
        };
        let protocol = match api.protocol {
            Protocol::Rest => "REST",
            Protocol::Soap => "SOAP",
        };
        let url = format!(
            "{base}{}",
            if m.base_path.is_empty() {
                "/"
            } else {
                &m.base_path
            }
        );
        let _ = write!(
            out,
            "  {:<width$}  {protocol}  {url}  ({})",
            m.api_id, api.title
        );
        if let Some(from) = &m.moved_from {
            let from = if from.is_empty() { "/" } else { from };
            let _ = write!(out, "  [moved: {from} overlaps an API listed above]");
        }
        out.push('\n');
    }
    if state.routes.mounts.is_empty() {
        out.push_str("  (no APIs loaded)\n");
    }
    out
}

/// Bind `addr`.
pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}

/// Serve until Ctrl-C or SIGTERM.
pub async fn serve(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    axum::serve(
        listener,
        axum::ServiceExt::<axum::extract::Request>::into_make_service(crate::app(state)),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

/// Resolves on Ctrl-C or SIGTERM (`portal mock` and `portal serve` stop on either).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!(target: "portal::mock", "shutting down");
}
