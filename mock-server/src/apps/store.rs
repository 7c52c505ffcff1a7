//! The store of apps, subscriptions, token hashes, usage and counters: SQLite (one sandbox) or
//! Redis (replicas), behind one closed enum.

use std::sync::Arc;

use super::access::OperationKey;
use super::limits::{Decision, LimitSpec, LimitState};
use super::redis_store::RedisStore;
use super::sqlite::SqliteStore;
use super::{AppRecord, OperationUsage, Result, StoreConfig, Subscription, SubscriptionStatus};

/// An issued OAuth2 access token (the token itself is only kept as a hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// The app it was issued to.
    pub client_id: String,
    /// Granted scope (space separated).
    pub scope: String,
    /// Unix time (seconds) it stops working.
    pub expires_at: u64,
}

/// Outcome of adding a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Added {
    /// Added.
    New(Subscription),
    /// The app already has a subscription to that plan.
    Exists(Subscription),
    /// No such app.
    NoApp,
}

/// The store.
#[derive(Debug, Clone)]
pub enum Store {
    /// `DIR/sandbox.db`.
    Sqlite(SqliteStore),
    /// A Redis server.
    Redis(Box<RedisStore>),
}

impl Store {
    /// Open the configured store.
    pub async fn open(config: &StoreConfig) -> Result<Store> {
        match config {
            StoreConfig::Sqlite { data_dir } => Ok(Store::Sqlite(SqliteStore::open(data_dir)?)),
            StoreConfig::Redis { url, prefix } => {
                Ok(Store::Redis(Box::new(RedisStore::open(url, prefix).await?)))
            }
        }
    }

    /// A short name for logs (`sqlite .portal/sandbox.db`, `redis redis://...`).
    pub fn describe(&self) -> String {
        match self {
            Store::Sqlite(s) => format!("sqlite {}", s.path().display()),
            Store::Redis(r) => format!("{r:?}"),
        }
    }

    /// Insert a new app.
    pub async fn create_app(&self, app: AppRecord) -> Result<()> {
        match self {
            Store::Sqlite(s) => s.create_app(app).await,
            Store::Redis(r) => r.create_app(app).await,
        }
    }

    /// An app by client ID.
    pub async fn get_app(&self, client_id: &str) -> Result<Option<Arc<AppRecord>>> {
        match self {
            Store::Sqlite(s) => Ok(s.get_app(client_id)),
            Store::Redis(r) => Ok(r.get_app(client_id).await?.map(Arc::new)),
        }
    }

    /// Every app, oldest first.
    pub async fn list_apps(&self) -> Result<Vec<Arc<AppRecord>>> {
        match self {
            Store::Sqlite(s) => Ok(s.list_apps()),
            Store::Redis(r) => Ok(r.list_apps().await?.into_iter().map(Arc::new).collect()),
        }
    }

    /// Every subscription, by app (oldest first) then in the order made.
    pub async fn list_subscriptions(&self) -> Result<Vec<Subscription>> {
        Ok(self
            .list_apps()
            .await?
            .iter()
            .flat_map(|a| a.subscriptions.clone())
            .collect())
    }

    /// Replace an app's secret hash; its access tokens are revoked.
    pub async fn set_secret(&self, client_id: &str, hash: [u8; 32]) -> Result<bool> {
        match self {
            Store::Sqlite(s) => s.set_secret(client_id.to_string(), hash).await,
            Store::Redis(r) => r.set_secret(client_id, hash).await,
        }
    }

    /// Delete an app and everything it owns.
    pub async fn delete_app(&self, client_id: &str) -> Result<bool> {
        match self {
            Store::Sqlite(s) => s.delete_app(client_id.to_string()).await,
            Store::Redis(r) => r.delete_app(client_id).await,
        }
    }

    /// Add a subscription unless the app already has one to that plan.
    pub async fn add_subscription(&self, sub: Subscription) -> Result<Added> {
        match self {
            Store::Sqlite(s) => s.add_subscription(sub).await,
            Store::Redis(r) => r.add_subscription(sub).await,
        }
    }

    /// Remove a subscription of an app.
    pub async fn delete_subscription(&self, client_id: &str, id: &str) -> Result<bool> {
        match self {
            Store::Sqlite(s) => {
                s.delete_subscription(client_id.to_string(), id.to_string())
                    .await
            }
            Store::Redis(r) => r.delete_subscription(client_id, id).await,
        }
    }

    /// A subscription by id.
    pub async fn get_subscription(&self, id: &str) -> Result<Option<Subscription>> {
        match self {
            Store::Sqlite(s) => Ok(s.get_subscription(id)),
            Store::Redis(r) => r.get_subscription(id).await,
        }
    }

    /// Set a subscription's status (approve, reject).
    pub async fn set_subscription_status(
        &self,
        id: &str,
        status: SubscriptionStatus,
    ) -> Result<Option<Subscription>> {
        match self {
            Store::Sqlite(s) => s.set_subscription_status(id.to_string(), status).await,
            Store::Redis(r) => r.set_subscription_status(id, status).await,
        }
    }

    /// Store an access token's hash.
    pub async fn put_token(&self, hash: [u8; 32], token: TokenRecord, ttl_secs: u64) -> Result<()> {
        match self {
            Store::Sqlite(s) => s.put_token(hash, token).await,
            Store::Redis(r) => r.put_token(hash, token, ttl_secs).await,
        }
    }

    /// A token that has not expired, by its hash.
    pub async fn token(&self, hash: &[u8; 32]) -> Result<Option<TokenRecord>> {
        match self {
            Store::Sqlite(s) => Ok(s.token(hash)),
            Store::Redis(r) => r.token(hash).await,
        }
    }

    /// Check every limit and count the call (and its usage) in all of them, or in none.
    pub async fn check_and_count(
        &self,
        client_id: &str,
        limits: &[LimitSpec],
        operation: &OperationKey,
    ) -> Result<Decision> {
        match self {
            Store::Sqlite(s) => Ok(s.check_and_count(client_id, limits, operation)),
            Store::Redis(r) => {
                r.check_and_count(client_id, limits, &operation.api, &operation.operation)
                    .await
            }
        }
    }

    /// The current state of limits, counting nothing.
    pub async fn peek_limits(
        &self,
        client_id: &str,
        limits: &[LimitSpec],
    ) -> Result<Vec<LimitState>> {
        match self {
            Store::Sqlite(s) => Ok(s.peek_limits(client_id, limits)),
            Store::Redis(r) => r.peek_limits(client_id, limits).await,
        }
    }

    /// Count an admitted call that no limit applies to.
    pub async fn record_usage(&self, client_id: &str, operation: &OperationKey) -> Result<()> {
        match self {
            Store::Sqlite(s) => {
                s.record_usage(client_id, operation);
                Ok(())
            }
            Store::Redis(r) => {
                r.record_usage(client_id, &operation.api, &operation.operation)
                    .await
            }
        }
    }

    /// Call counts per operation of an app.
    pub async fn usage(&self, client_id: &str) -> Result<Vec<OperationUsage>> {
        match self {
            Store::Sqlite(s) => Ok(s.usage(client_id)),
            Store::Redis(r) => r.usage(client_id).await,
        }
    }

    /// Write buffered state (SQLite usage totals); nothing to do for Redis.
    pub async fn flush(&self) -> Result<()> {
        match self {
            Store::Sqlite(s) => s.flush().await,
            Store::Redis(_) => Ok(()),
        }
    }
}
