//! Sandbox apps, keys, plans and exact per-key rate limits: the app registry (SQLite or Redis),
//! the `/_sandbox/apps` and OAuth2 token HTTP API, and [`AppsGate`], the [`crate::gate::Gate`]
//! that checks credentials, subscriptions and limits on every sandbox call.
//!
//! Wiring, from a [`Catalog`], `portal.toml` and the command-line options:
//! ```ignore
//! let store = StoreConfig::from_args(&args.data, args.store.as_deref())?; // --data, --store
//! let options = AppsOptions::new(store)
//!     .admin_token(args.admin_token)          // --admin-token / PORTAL_ADMIN_TOKEN
//!     .soap_client_id(config.sandbox.soap_client_id.clone());
//! let apps = Apps::open(&catalog, options).await?;   // Arc<Apps>
//! let gate: Arc<dyn Gate> = Arc::new(apps.gate());    // for the REST and SOAP handlers
//! let app = sandbox_router.merge(apps::router(apps.clone())); // /_sandbox/apps..., token URLs
//! // on graceful shutdown: apps.flush().await (usage totals; they are also written every second)
//! ```
//! The sandbox's CORS layer should expose `RateLimit`, `RateLimit-Policy`, `X-RateLimit-Limit`,
//! `X-RateLimit-Remaining`, `X-RateLimit-Plan`, `Retry-After` and `WWW-Authenticate`.
//!
//! Decisions (see also the module docs of [`gate`] and [`limits`]):
//! - Secrets and tokens are 256 random bits (hex), stored only as SHA-256 hashes and compared in
//!   constant time; they are never logged.
//! - Rate-limit windows are fixed windows anchored at the first call of each window (the counter
//!   starts with the call and expires `window_seconds` later), exact under any concurrency.
//! - When Redis is unreachable the sandbox fails closed: every keyed call gets 503 and an
//!   `error` log line naming the store; open operations are still served.

pub mod access;
mod clock;
pub mod gate;
pub mod limits;
pub mod plans;
mod redis_store;
mod routes;
pub mod secret;
mod sqlite;
pub mod store;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use api_model::Catalog;
use arc_swap::ArcSwap;
use serde::Serialize;

pub use gate::AppsGate;
pub use plans::{PlanIndex, token_paths};
pub use routes::router;
pub use store::Store;

/// What can go wrong in the app registry.
#[derive(Debug, thiserror::Error)]
pub enum AppsError {
    /// The SQLite database could not be opened, read or written.
    #[error("sandbox database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// The data folder could not be created.
    #[error("cannot create the sandbox data folder {path}: {source}")]
    DataDir {
        /// The folder.
        path: PathBuf,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
    /// Redis could not be reached or answered with an error.
    #[error("redis store {url}: {source}")]
    Redis {
        /// The store URL (without password).
        url: String,
        /// The client error.
        #[source]
        source: redis::RedisError,
    },
    /// A `--store` value this tool does not understand.
    #[error("unsupported --store {0:?}: expected redis://HOST:PORT (or rediss://)")]
    BadStoreUrl(String),
    /// The store holds something this version cannot read.
    #[error("corrupt sandbox store: {0}")]
    Corrupt(String),
    /// A blocking database task panicked or was cancelled.
    #[error("sandbox database task failed: {0}")]
    Task(String),
}

/// Result with [`AppsError`].
pub type Result<T, E = AppsError> = std::result::Result<T, E>;

/// Where apps, subscriptions, tokens and counters live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreConfig {
    /// `DIR/sandbox.db` (SQLite, WAL); rate-limit windows in memory.
    Sqlite {
        /// The data folder (`--data`, default `.portal/`).
        data_dir: PathBuf,
    },
    /// A Redis server shared by any number of sandbox replicas.
    Redis {
        /// `redis://HOST:PORT[/DB]`.
        url: String,
        /// Prefix of every key (default `portal:`).
        prefix: String,
    },
}

impl StoreConfig {
    /// From `--data DIR` and an optional `--store URL`. Pure.
    pub fn from_args(data_dir: &Path, store: Option<&str>) -> Result<StoreConfig> {
        match store {
            None => Ok(StoreConfig::Sqlite {
                data_dir: data_dir.to_path_buf(),
            }),
            Some(url) if url.starts_with("redis://") || url.starts_with("rediss://") => {
                Ok(StoreConfig::Redis {
                    url: url.to_string(),
                    prefix: "portal:".to_string(),
                })
            }
            Some(other) => Err(AppsError::BadStoreUrl(other.to_string())),
        }
    }
}

/// Options of the app registry.
#[derive(Debug, Clone)]
pub struct AppsOptions {
    /// The store.
    pub store: StoreConfig,
    /// Bearer token of the admin API (`--admin-token` / `PORTAL_ADMIN_TOKEN`); `None` turns the
    /// admin API off.
    pub admin_token: Option<String>,
    /// Lifetime of OAuth2 access tokens.
    pub token_ttl: Duration,
    /// SOAP APIs (by id) whose calls must carry `X-IBM-Client-Id` (`portal.toml`
    /// `sandbox.soap_client_id`).
    pub soap_client_id: Vec<String>,
}

impl AppsOptions {
    /// Defaults: no admin API, one-hour tokens.
    pub fn new(store: StoreConfig) -> AppsOptions {
        AppsOptions {
            store,
            admin_token: None,
            token_ttl: Duration::from_secs(3600),
            soap_client_id: Vec::new(),
        }
    }

    /// Set the admin token (empty strings count as none).
    pub fn admin_token(mut self, token: Option<String>) -> AppsOptions {
        self.admin_token = token.filter(|t| !t.is_empty());
        self
    }

    /// Set the SOAP APIs that require the client-ID header.
    pub fn soap_client_id(mut self, apis: Vec<String>) -> AppsOptions {
        self.soap_client_id = apis;
        self
    }
}

/// The app registry: the store, the plans of the catalog, and the options. Shared as `Arc<Apps>`
/// by the gate and the HTTP API.
#[derive(Debug)]
pub struct Apps {
    /// Apps, subscriptions, tokens, counters.
    pub store: Store,
    /// Plans and what they grant: swapped when `portal serve` reloads the catalog. Read on
    /// every call without a lock or a shared reference count (`ArcSwap`), so the worker threads
    /// do not contend for it.
    plans: ArcSwap<PlanIndex>,
    /// Options.
    pub options: AppsOptions,
    /// Where the OAuth2 token endpoint is served ([`token_paths`] of the catalog).
    pub token_paths: Vec<String>,
}

impl Apps {
    /// Open the store and index the catalog's plans.
    pub async fn open(catalog: &Catalog, options: AppsOptions) -> Result<Arc<Apps>> {
        let store = Store::open(&options.store).await?;
        Ok(Arc::new(Apps {
            store,
            plans: ArcSwap::from_pointee(PlanIndex::new(catalog, &options.soap_client_id)),
            options,
            token_paths: token_paths(catalog),
        }))
    }

    /// The plans now in force.
    pub fn plans(&self) -> arc_swap::Guard<Arc<PlanIndex>> {
        self.plans.load()
    }

    /// Index the plans of a new catalog (`portal serve` after a spec or product change): calls
    /// from then on are granted and limited by the new plans; apps, subscriptions and counters
    /// stay as they are.
    pub fn reload(&self, catalog: &Catalog) {
        self.plans.store(Arc::new(PlanIndex::new(
            catalog,
            &self.options.soap_client_id,
        )));
    }

    /// The gate to hand to the REST and SOAP handlers.
    pub fn gate(self: &Arc<Self>) -> AppsGate {
        AppsGate::new(self.clone())
    }

    /// Write buffered usage totals now (call on clean shutdown).
    pub async fn flush(&self) -> Result<()> {
        self.store.flush().await
    }
}

/// Status of a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SubscriptionStatus {
    /// Calls are granted.
    Active,
    /// Waiting for an administrator (plan with `approval: true`).
    Pending,
    /// Refused by an administrator.
    Rejected,
}

impl SubscriptionStatus {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::Pending => "pending",
            SubscriptionStatus::Rejected => "rejected",
        }
    }

    /// Parse the lower-case name.
    pub fn parse(s: &str) -> Option<SubscriptionStatus> {
        match s {
            "active" => Some(SubscriptionStatus::Active),
            "pending" => Some(SubscriptionStatus::Pending),
            "rejected" => Some(SubscriptionStatus::Rejected),
            _ => None,
        }
    }
}

/// A subscription of an app to a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subscription {
    /// `sub_` + 16 hex digits.
    pub id: String,
    /// The app.
    pub client_id: String,
    /// `<product>:<plan>`.
    pub plan: String,
    /// Status.
    pub status: SubscriptionStatus,
}

/// An app as stored (the secret only as its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppRecord {
    /// Client ID (32 hex digits).
    pub client_id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// RFC 3339 UTC time of registration.
    pub created_at: String,
    /// SHA-256 of the client secret.
    pub secret_hash: [u8; 32],
    /// Subscriptions in the order they were made.
    pub subscriptions: Vec<Subscription>,
}

/// A call count of one operation by one app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationUsage {
    /// API id.
    pub api: String,
    /// Operation id.
    pub operation: String,
    /// Admitted calls.
    pub calls: u64,
}

/// Put the app registry in front of a sandbox: its gate checks every call (unless `auth` is
/// off, when calls go through but the apps API is still served), and its routes (apps API,
/// admin API, OAuth2 token endpoints) are served beside the APIs.
pub fn attach(state: crate::AppState, apps: &Arc<Apps>, auth: bool) -> crate::AppState {
    let mut state = state.with_routes(router(apps.clone()));
    if auth {
        state.gate = Arc::new(apps.gate());
    }
    state
}
