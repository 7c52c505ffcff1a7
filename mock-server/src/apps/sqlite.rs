//! The SQLite store: `DIR/sandbox.db` in WAL mode with `synchronous=FULL`, so an acknowledged
//! registration, reset or subscription survives `kill -9`. Reads come from an in-memory copy
//! (write-through, under the connection lock so the two never disagree); a background thread
//! reloads the copy when another process (`portal apps approve`) commits, and writes buffered
//! usage totals once a second. Rate-limit windows live in memory, as the issue allows, beside
//! each app's usage totals under that app's own lock. The gate reads apps, and reaches their
//! counters, through per-thread copies that every change to the in-memory copy invalidates (a
//! version number), so a keyed call takes no lock that other apps' calls take.

use foldhash::HashMap;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, Weak};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use super::access::OperationKey;
use super::limits::{AppWindows, Decision, LimitSpec, LimitState};
use super::store::{Added, TokenRecord};
use super::{
    AppRecord, AppsError, OperationUsage, Result, Subscription, SubscriptionStatus, clock,
};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS apps (
    client_id   TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    secret_hash BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS subscriptions (
    id        TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES apps(client_id) ON DELETE CASCADE,
    plan      TEXT NOT NULL,
    status    TEXT NOT NULL,
    UNIQUE (client_id, plan)
);
CREATE TABLE IF NOT EXISTS tokens (
    hash       BLOB PRIMARY KEY,
    client_id  TEXT NOT NULL REFERENCES apps(client_id) ON DELETE CASCADE,
    scope      TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS usage (
    client_id TEXT NOT NULL REFERENCES apps(client_id) ON DELETE CASCADE,
    api       TEXT NOT NULL,
    operation TEXT NOT NULL,
    calls     INTEGER NOT NULL,
    PRIMARY KEY (client_id, api, operation)
);
";

/// How often the background thread looks for other processes' commits.
const POLL: Duration = Duration::from_millis(250);

#[derive(Debug, Default)]
struct Cache {
    apps: HashMap<String, Arc<AppRecord>>,
    /// Subscription id -> client ID.
    subs: HashMap<String, String>,
    tokens: HashMap<[u8; 32], TokenRecord>,
}

#[derive(Debug)]
struct Inner {
    path: PathBuf,
    conn: Mutex<Connection>,
    cache: RwLock<Cache>,
    /// Rate-limit windows and usage totals under one lock: a keyed call takes it once.
    counters: Mutex<Counters>,
    /// Which store this is, in what the worker threads keep of it ([`Local`]).
    id: u64,
    /// Bumped by every change to the cache, under its write lock: a thread's copy of an app is
    /// good while the version it was taken at is still the current one.
    version: AtomicU64,
}

/// Numbers the stores of the process (tests open several).
static NEXT_STORE: AtomicU64 = AtomicU64::new(1);

/// What a worker thread keeps of one store, by client ID, good while the store's version is the
/// one it was taken at: so that a keyed call takes no lock and touches no reference count that
/// other threads write.
#[derive(Debug)]
struct Local<T> {
    store: u64,
    version: u64,
    by_client: HashMap<String, T>,
}

impl<T> Default for Local<T> {
    fn default() -> Self {
        Local {
            store: 0,
            version: 0,
            by_client: HashMap::default(),
        }
    }
}

impl<T> Local<T> {
    /// The entries, emptied first if they were taken from another store or at another version.
    fn current(&mut self, store: u64, version: u64) -> &mut HashMap<String, T> {
        if self.store != store || self.version != version {
            self.by_client.clear();
            self.store = store;
            self.version = version;
        }
        &mut self.by_client
    }
}

thread_local! {
    /// Copies of the apps this thread has checked calls for.
    static LOCAL_APPS: RefCell<Local<Arc<AppRecord>>> = RefCell::new(Local::default());
    /// Handles on the counters of the apps this thread has counted calls for.
    static LOCAL_SLOTS: RefCell<Local<Arc<AppSlot>>> = RefCell::new(Local::default());
}

/// Prune an app's ended rate-limit windows every this many of its checks.
const PRUNE_EVERY: u64 = 1 << 16;

/// Usage totals of one app: operation ([`OperationKey::slot`]) -> (calls, written to disk?).
type AppUsage = HashMap<u32, (u64, bool)>;

/// What is counted for one app.
#[derive(Debug, Default)]
struct AppCounters {
    windows: AppWindows,
    usage: AppUsage,
    checks: u64,
}

impl AppCounters {
    /// Count an admitted call of an operation.
    fn record_usage(&mut self, operation: u32) {
        let cell = self.usage.entry(operation).or_insert((0, false));
        cell.0 += 1;
        cell.1 = false;
    }

    /// Check and count a call; on admission, count the operation's usage too.
    fn check_and_count(&mut self, limits: &[LimitSpec], operation: u32, now_ms: u64) -> Decision {
        self.checks += 1;
        if self.checks % PRUNE_EVERY == 0 {
            self.windows.prune(now_ms);
        }
        let decision = self.windows.check_and_count(limits, now_ms);
        if decision.admitted {
            self.record_usage(operation);
        }
        decision
    }
}

/// One app's counters under a lock of their own: calls of different apps never wait for each
/// other, and a call of one app takes no lock that every call takes. Aligned so that the lock
/// and what it guards share no cache line with another app's.
#[derive(Debug, Default)]
#[repr(align(128))]
struct AppSlot(Mutex<AppCounters>);

/// Every app's counters.
#[derive(Debug, Default)]
struct Counters {
    by_app: HashMap<String, Arc<AppSlot>>,
}

impl Counters {
    /// The counters of an app, created on its first count.
    fn slot(&mut self, client_id: &str) -> Arc<AppSlot> {
        match self.by_app.get(client_id) {
            Some(slot) => Arc::clone(slot),
            None => Arc::clone(self.by_app.entry(client_id.to_string()).or_default()),
        }
    }
}

/// Apps in SQLite, counters in memory.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl SqliteStore {
    /// Open (or create) `data_dir/sandbox.db`.
    pub fn open(data_dir: &Path) -> Result<SqliteStore> {
        std::fs::create_dir_all(data_dir).map_err(|source| AppsError::DataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let path = data_dir.join("sandbox.db");
        let err = |source| AppsError::Sqlite {
            path: path.clone(),
            source,
        };
        let conn = Connection::open(&path).map_err(err)?;
        conn.busy_timeout(Duration::from_secs(5)).map_err(err)?;
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            tracing::warn!(
                "sandbox database {}: journal mode {mode}, not WAL",
                path.display()
            );
        }
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        let cache = load_cache(&conn).map_err(err)?;
        let version: i64 = conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))
            .map_err(err)?;
        let counters = load_usage(&conn).map_err(err)?;
        let inner = Arc::new(Inner {
            path: path.clone(),
            conn: Mutex::new(conn),
            cache: RwLock::new(cache),
            counters: Mutex::new(counters),
            id: NEXT_STORE.fetch_add(1, Ordering::Relaxed),
            version: AtomicU64::new(0),
        });
        let weak = Arc::downgrade(&inner);
        std::thread::Builder::new()
            .name("portal-sandbox-db".into())
            .spawn(move || background(weak, version))
            .map_err(|e| AppsError::Task(e.to_string()))?;
        Ok(SqliteStore { inner })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Inner, &Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        let path = inner.path.clone();
        tokio::task::spawn_blocking(move || {
            let conn = lock(&inner.conn);
            f(&inner, &conn)
        })
        .await
        .map_err(|e| AppsError::Task(e.to_string()))?
        .map_err(|source| AppsError::Sqlite { path, source })
    }

    fn cache(&self) -> std::sync::RwLockReadGuard<'_, Cache> {
        self.inner.cache.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Insert a new app.
    pub async fn create_app(&self, app: AppRecord) -> Result<()> {
        self.write(move |inner, conn| {
            conn.execute(
                "INSERT INTO apps (client_id, name, description, created_at, secret_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    app.client_id,
                    app.name,
                    app.description,
                    app.created_at,
                    &app.secret_hash[..]
                ],
            )?;
            inner
                .cache_mut()
                .apps
                .insert(app.client_id.clone(), Arc::new(app));
            Ok(())
        })
        .await
    }

    /// An app by client ID: from this thread's copy while no change has been made since it was
    /// taken, else from the shared cache (and then copied).
    pub fn get_app(&self, client_id: &str) -> Option<Arc<AppRecord>> {
        let version = self.inner.version.load(Ordering::Acquire);
        let local = LOCAL_APPS.try_with(|local| {
            let mut local = local.try_borrow_mut().ok()?;
            let apps = local.current(self.inner.id, version);
            if let Some(app) = apps.get(client_id) {
                return Some(Some(Arc::clone(app)));
            }
            // Read under the lock after `version` was loaded: at least as new as the version.
            let app = self
                .cache()
                .apps
                .get(client_id)
                .map(|app| Arc::new(AppRecord::clone(app)));
            if let Some(app) = &app {
                apps.insert(client_id.to_string(), Arc::clone(app));
            }
            Some(app)
        });
        match local {
            Ok(Some(app)) => app,
            // The thread is exiting or already inside: the shared cache.
            _ => self.cache().apps.get(client_id).cloned(),
        }
    }

    /// Every app, oldest first.
    pub fn list_apps(&self) -> Vec<Arc<AppRecord>> {
        let mut apps: Vec<_> = self.cache().apps.values().cloned().collect();
        apps.sort_by(|a, b| (&a.created_at, &a.client_id).cmp(&(&b.created_at, &b.client_id)));
        apps
    }

    /// Replace an app's secret hash and revoke its tokens. `false` if there is no such app.
    pub async fn set_secret(&self, client_id: String, hash: [u8; 32]) -> Result<bool> {
        self.write(move |inner, conn| {
            let tx = conn.unchecked_transaction()?;
            let n = tx.execute(
                "UPDATE apps SET secret_hash = ?2 WHERE client_id = ?1",
                params![client_id, &hash[..]],
            )?;
            tx.execute(
                "DELETE FROM tokens WHERE client_id = ?1",
                params![client_id],
            )?;
            tx.commit()?;
            let mut cache = inner.cache_mut();
            if let Some(app) = cache.apps.get_mut(&client_id) {
                Arc::make_mut(app).secret_hash = hash;
            }
            cache.tokens.retain(|_, t| t.client_id != client_id);
            Ok(n > 0)
        })
        .await
    }

    /// Delete an app with its subscriptions, tokens, usage and counters.
    pub async fn delete_app(&self, client_id: String) -> Result<bool> {
        let deleted = self
            .write(move |inner, conn| {
                let n =
                    conn.execute("DELETE FROM apps WHERE client_id = ?1", params![client_id])?;
                let mut cache = inner.cache_mut();
                cache.apps.remove(&client_id);
                cache.subs.retain(|_, c| *c != client_id);
                cache.tokens.retain(|_, t| t.client_id != client_id);
                lock(&inner.counters).by_app.remove(&client_id);
                Ok(n > 0)
            })
            .await?;
        Ok(deleted)
    }

    /// Add a subscription unless the app already has one to that plan.
    pub async fn add_subscription(&self, sub: Subscription) -> Result<Added> {
        self.write(move |inner, conn| {
            let existing = inner
                .cache()
                .apps
                .get(&sub.client_id)
                .and_then(|a| a.subscriptions.iter().find(|s| s.plan == sub.plan).cloned());
            if let Some(existing) = existing {
                return Ok(Added::Exists(existing));
            }
            let n = conn.execute(
                "INSERT INTO subscriptions (id, client_id, plan, status)
                 SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM apps WHERE client_id = ?2)",
                params![sub.id, sub.client_id, sub.plan, sub.status.as_str()],
            )?;
            if n == 0 {
                return Ok(Added::NoApp);
            }
            let mut cache = inner.cache_mut();
            cache.subs.insert(sub.id.clone(), sub.client_id.clone());
            if let Some(app) = cache.apps.get_mut(&sub.client_id) {
                Arc::make_mut(app).subscriptions.push(sub.clone());
            }
            Ok(Added::New(sub))
        })
        .await
    }

    /// Remove a subscription of an app. `false` if the app has no such subscription.
    pub async fn delete_subscription(&self, client_id: String, id: String) -> Result<bool> {
        self.write(move |inner, conn| {
            let n = conn.execute(
                "DELETE FROM subscriptions WHERE id = ?1 AND client_id = ?2",
                params![id, client_id],
            )?;
            if n > 0 {
                let mut cache = inner.cache_mut();
                cache.subs.remove(&id);
                if let Some(app) = cache.apps.get_mut(&client_id) {
                    Arc::make_mut(app).subscriptions.retain(|s| s.id != id);
                }
            }
            Ok(n > 0)
        })
        .await
    }

    /// A subscription by id.
    pub fn get_subscription(&self, id: &str) -> Option<Subscription> {
        let cache = self.cache();
        let client = cache.subs.get(id)?;
        cache
            .apps
            .get(client)?
            .subscriptions
            .iter()
            .find(|s| s.id == id)
            .cloned()
    }

    /// Every subscription, by app then order made.
    pub fn list_subscriptions(&self) -> Vec<Subscription> {
        self.list_apps()
            .iter()
            .flat_map(|a| a.subscriptions.clone())
            .collect()
    }

    /// Set a subscription's status; `None` if there is no such subscription.
    pub async fn set_subscription_status(
        &self,
        id: String,
        status: SubscriptionStatus,
    ) -> Result<Option<Subscription>> {
        self.write(move |inner, conn| {
            let n = conn.execute(
                "UPDATE subscriptions SET status = ?2 WHERE id = ?1",
                params![id, status.as_str()],
            )?;
            if n == 0 {
                return Ok(None);
            }
            let row: Option<(String, String)> = conn
                .query_row(
                    "SELECT client_id, plan FROM subscriptions WHERE id = ?1",
                    params![id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((client_id, plan)) = row else {
                return Ok(None);
            };
            let mut cache = inner.cache_mut();
            if let Some(app) = cache.apps.get_mut(&client_id) {
                for s in &mut Arc::make_mut(app).subscriptions {
                    if s.id == id {
                        s.status = status;
                    }
                }
            }
            Ok(Some(Subscription {
                id,
                client_id,
                plan,
                status,
            }))
        })
        .await
    }

    /// Store an access token's hash.
    pub async fn put_token(&self, hash: [u8; 32], token: TokenRecord) -> Result<()> {
        self.write(move |inner, conn| {
            conn.execute(
                "INSERT OR REPLACE INTO tokens (hash, client_id, scope, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    &hash[..],
                    token.client_id,
                    token.scope,
                    token.expires_at as i64
                ],
            )?;
            inner.cache_mut().tokens.insert(hash, token);
            Ok(())
        })
        .await
    }

    /// A token that has not expired.
    pub fn token(&self, hash: &[u8; 32]) -> Option<TokenRecord> {
        let now = clock::now_secs();
        self.cache()
            .tokens
            .get(hash)
            .filter(|t| t.expires_at > now)
            .cloned()
    }

    /// Check and count a call against its limits; on admission, count the operation's usage.
    pub fn check_and_count(
        &self,
        client_id: &str,
        limits: &[LimitSpec],
        operation: &OperationKey,
    ) -> Decision {
        let now = clock::now_ms();
        self.with_counters(client_id, |app| {
            app.check_and_count(limits, operation.slot, now)
        })
    }

    /// The current state of limits.
    pub fn peek_limits(&self, client_id: &str, limits: &[LimitSpec]) -> Vec<LimitState> {
        let now = clock::now_ms();
        let slot = lock(&self.inner.counters).by_app.get(client_id).cloned();
        match slot {
            Some(slot) => AppWindows::peek(Some(&lock(&slot.0).windows), limits, now),
            None => AppWindows::peek(None, limits, now),
        }
    }

    /// Count an admitted call of an operation.
    pub fn record_usage(&self, client_id: &str, operation: &OperationKey) {
        self.with_counters(client_id, |app| app.record_usage(operation.slot));
    }

    /// Run `f` on an app's counters, under the app's lock, found through this thread's handles
    /// (no lock shared by every call). `f` runs once.
    fn with_counters<R>(&self, client_id: &str, f: impl Fn(&mut AppCounters) -> R) -> R {
        let version = self.inner.version.load(Ordering::Acquire);
        let local = LOCAL_SLOTS.try_with(|local| {
            let mut local = local.try_borrow_mut().ok()?;
            let slots = local.current(self.inner.id, version);
            if let Some(slot) = slots.get(client_id) {
                return Some(f(&mut lock(&slot.0)));
            }
            let slot = lock(&self.inner.counters).slot(client_id);
            let out = f(&mut lock(&slot.0));
            slots.insert(client_id.to_string(), slot);
            Some(out)
        });
        match local {
            Ok(Some(out)) => out,
            // The thread is exiting or already inside: the shared map.
            _ => {
                let slot = lock(&self.inner.counters).slot(client_id);
                let mut app = lock(&slot.0);
                f(&mut app)
            }
        }
    }

    /// Call counts per operation of an app.
    pub fn usage(&self, client_id: &str) -> Vec<OperationUsage> {
        let slot = lock(&self.inner.counters).by_app.get(client_id).cloned();
        let counted: Vec<(u32, u64)> = slot
            .map(|slot| {
                lock(&slot.0)
                    .usage
                    .iter()
                    .map(|(op, (calls, _))| (*op, *calls))
                    .collect()
            })
            .unwrap_or_default();
        let names = OperationKey::names(counted.iter().map(|(op, _)| *op));
        let mut out: Vec<OperationUsage> = names
            .into_iter()
            .zip(counted)
            .map(|((api, operation), (_, calls))| OperationUsage {
                api,
                operation,
                calls,
            })
            .collect();
        out.sort_by(|a, b| (&a.api, &a.operation).cmp(&(&b.api, &b.operation)));
        out
    }

    /// Write buffered usage totals.
    pub async fn flush(&self) -> Result<()> {
        self.write(flush_usage).await
    }
}

impl Inner {
    fn cache(&self) -> std::sync::RwLockReadGuard<'_, Cache> {
        self.cache.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The cache for a change: the version moves on while the lock is held, so no thread keeps
    /// using a copy from before the change once it is made.
    fn cache_mut(&self) -> std::sync::RwLockWriteGuard<'_, Cache> {
        let guard = self.cache.write().unwrap_or_else(|p| p.into_inner());
        self.version.fetch_add(1, Ordering::AcqRel);
        guard
    }
}

fn load_cache(conn: &Connection) -> rusqlite::Result<Cache> {
    let mut cache = Cache::default();
    let mut stmt = conn.prepare(
        "SELECT client_id, name, description, created_at, secret_hash FROM apps ORDER BY rowid",
    )?;
    let rows = stmt.query_map([], |r| {
        let hash: Vec<u8> = r.get(4)?;
        let mut secret_hash = [0u8; 32];
        if hash.len() == 32 {
            secret_hash.copy_from_slice(&hash);
        }
        Ok(AppRecord {
            client_id: r.get(0)?,
            name: r.get(1)?,
            description: r.get(2)?,
            created_at: r.get(3)?,
            secret_hash,
            subscriptions: Vec::new(),
        })
    })?;
    for app in rows {
        let app = app?;
        cache.apps.insert(app.client_id.clone(), Arc::new(app));
    }
    let mut stmt =
        conn.prepare("SELECT id, client_id, plan, status FROM subscriptions ORDER BY rowid")?;
    let rows = stmt.query_map([], |r| {
        let status: String = r.get(3)?;
        Ok(Subscription {
            id: r.get(0)?,
            client_id: r.get(1)?,
            plan: r.get(2)?,
            status: SubscriptionStatus::parse(&status).unwrap_or(SubscriptionStatus::Pending),
        })
    })?;
    for sub in rows {
        let sub = sub?;
        if let Some(app) = cache.apps.get_mut(&sub.client_id) {
            cache.subs.insert(sub.id.clone(), sub.client_id.clone());
            Arc::make_mut(app).subscriptions.push(sub);
        }
    }
    let now = clock::now_secs() as i64;
    let mut stmt = conn
        .prepare("SELECT hash, client_id, scope, expires_at FROM tokens WHERE expires_at > ?1")?;
    let rows = stmt.query_map(params![now], |r| {
        let hash: Vec<u8> = r.get(0)?;
        let expires: i64 = r.get(3)?;
        Ok((
            hash,
            TokenRecord {
                client_id: r.get(1)?,
                scope: r.get(2)?,
                expires_at: u64::try_from(expires).unwrap_or(0),
            },
        ))
    })?;
    for row in rows {
        let (hash, token) = row?;
        if let Ok(hash) = <[u8; 32]>::try_from(hash.as_slice()) {
            cache.tokens.insert(hash, token);
        }
    }
    Ok(cache)
}

fn load_usage(conn: &Connection) -> rusqlite::Result<Counters> {
    let mut counters = Counters::default();
    let mut stmt = conn.prepare("SELECT client_id, api, operation, calls FROM usage")?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, i64>(3)?,
        ))
    })?;
    for row in rows {
        let (client, api, op, calls) = row?;
        let slot = counters.slot(&client);
        lock(&slot.0).usage.insert(
            OperationKey::new(&api, &op).slot,
            (u64::try_from(calls).unwrap_or(0), true),
        );
    }
    Ok(counters)
}

fn flush_usage(inner: &Inner, conn: &Connection) -> rusqlite::Result<()> {
    let mut dirty = Vec::new();
    {
        let counters = lock(&inner.counters);
        for (client, slot) in &counters.by_app {
            let mut app = lock(&slot.0);
            for (op, cell) in app.usage.iter_mut() {
                if !cell.1 {
                    cell.1 = true;
                    dirty.push((client.clone(), *op, cell.0));
                }
            }
        }
    }
    if dirty.is_empty() {
        return Ok(());
    }
    let names = OperationKey::names(dirty.iter().map(|(_, op, _)| *op));
    let dirty = dirty
        .into_iter()
        .zip(names)
        .map(|((client, _, calls), (api, op))| (client, api, op, calls));
    let tx = conn.unchecked_transaction()?;
    {
        let mut stmt = tx.prepare(
            "INSERT INTO usage (client_id, api, operation, calls)
             SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM apps WHERE client_id = ?1)
             ON CONFLICT (client_id, api, operation) DO UPDATE SET calls = excluded.calls",
        )?;
        for (client, api, op, calls) in dirty {
            stmt.execute(params![client, api, op, calls as i64])?;
        }
    }
    tx.commit()
}

/// Reload on other processes' commits, flush usage, drop expired tokens; stops with the store.
fn background(weak: Weak<Inner>, mut last_version: i64) {
    let mut tick: u64 = 0;
    loop {
        std::thread::sleep(POLL);
        let Some(inner) = weak.upgrade() else {
            return;
        };
        tick += 1;
        let conn = lock(&inner.conn);
        match conn.query_row("PRAGMA data_version", [], |r| r.get::<_, i64>(0)) {
            Ok(version) => {
                if last_version != version {
                    match load_cache(&conn) {
                        Ok(cache) => *inner.cache_mut() = cache,
                        Err(e) => tracing::error!(
                            "sandbox database {}: reload failed: {e}",
                            inner.path.display()
                        ),
                    }
                }
                last_version = version;
            }
            Err(e) => tracing::error!("sandbox database {}: {e}", inner.path.display()),
        }
        if tick % 4 == 0 {
            if let Err(e) = flush_usage(&inner, &conn) {
                tracing::error!(
                    "sandbox database {}: writing usage failed: {e}",
                    inner.path.display()
                );
            }
            let now = clock::now_secs();
            inner.cache_mut().tokens.retain(|_, t| t.expires_at > now);
        }
    }
}
