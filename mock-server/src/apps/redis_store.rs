//! The Redis store, shared by any number of sandbox replicas: apps, subscriptions, token hashes,
//! usage totals and rate-limit counters, with every multi-key change done by a Lua script so it
//! is atomic on the server.
//!
//! Keys (prefix `portal:` by default): `app:<client_id>` (hash: name, description, created_at,
//! secret = hex SHA-256, `sub:<id>` = `<seq> <status> <plan>`, subseq), `apps` (set of client
//! IDs), `subidx` (hash: subscription id -> client ID), `token:<hex sha256>` (string
//! `<client_id>\n<expires_at>\n<scope>`, expiring with the token), `tokens:<client_id>` (set of
//! token keys), `usage:<client_id>` (hash `api/operation` -> calls), `rl:<client>|<limit key>`
//! (counters).
//!
//! Rate limits: one script reads every counter that applies to a call, refuses if a hard one
//! would go over, and otherwise increments all of them (and the usage total). A counter is
//! created with `PX window` on the first call of its window, so windows end by Redis's clock,
//! never a replica's.

use redis::aio::ConnectionManager;
use redis::{AsyncCommands, Script};

use super::limits::{Decision, LimitSpec, LimitState};
use super::store::{Added, TokenRecord};
use super::{AppRecord, AppsError, OperationUsage, Result, Subscription, SubscriptionStatus};

const LIMIT_SCRIPT: &str = r#"
local n = #KEYS - 1
local used, ttl, over = {}, {}, {}
local admitted = 1
for i = 1, n do
  local max = tonumber(ARGV[2 + (i - 1) * 3])
  local win = tonumber(ARGV[3 + (i - 1) * 3])
  local hard = ARGV[4 + (i - 1) * 3] == '1'
  local t = redis.call('PTTL', KEYS[i])
  local u = 0
  if t > 0 then
    u = tonumber(redis.call('GET', KEYS[i]) or '0')
  else
    t = win
  end
  used[i] = u
  ttl[i] = t
  if u + 1 > max then
    over[i] = 1
    if hard then admitted = 0 end
  else
    over[i] = 0
  end
end
local out = {admitted}
if admitted == 1 then
  for i = 1, n do
    if used[i] == 0 then
      redis.call('SET', KEYS[i], 1, 'PX', ttl[i])
      used[i] = 1
    else
      used[i] = redis.call('INCR', KEYS[i])
    end
  end
  redis.call('HINCRBY', KEYS[n + 1], ARGV[1], 1)
end
for i = 1, n do
  local hard = ARGV[4 + (i - 1) * 3] == '1'
  if admitted == 0 and not hard then over[i] = 0 end
  table.insert(out, used[i])
  table.insert(out, ttl[i])
  table.insert(out, over[i])
end
return out
"#;

const SUBSCRIBE_SCRIPT: &str = r#"
if redis.call('EXISTS', KEYS[1]) == 0 then return {'noapp'} end
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  local f, v = all[i], all[i + 1]
  if string.sub(f, 1, 4) == 'sub:' then
    local seq, status, plan = string.match(v, '^(%d+) (%S+) (.*)$')
    if plan == ARGV[2] then return {'exists', string.sub(f, 5), status} end
  end
end
local seq = redis.call('HINCRBY', KEYS[1], 'subseq', 1)
redis.call('HSET', KEYS[1], 'sub:' .. ARGV[1], seq .. ' ' .. ARGV[3] .. ' ' .. ARGV[2])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
return {'new'}
"#;

const STATUS_SCRIPT: &str = r#"
local cid = redis.call('HGET', KEYS[1], ARGV[1])
if not cid then return false end
local app = ARGV[3] .. 'app:' .. cid
local v = redis.call('HGET', app, 'sub:' .. ARGV[1])
if not v then return false end
local seq, status, plan = string.match(v, '^(%d+) (%S+) (.*)$')
redis.call('HSET', app, 'sub:' .. ARGV[1], seq .. ' ' .. ARGV[2] .. ' ' .. plan)
return {cid, plan}
"#;

const UNSUBSCRIBE_SCRIPT: &str = r#"
if redis.call('HDEL', KEYS[1], 'sub:' .. ARGV[1]) == 1 then
  redis.call('HDEL', KEYS[2], ARGV[1])
  return 1
end
return 0
"#;

const SECRET_SCRIPT: &str = r#"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'secret', ARGV[1])
for _, k in ipairs(redis.call('SMEMBERS', KEYS[2])) do redis.call('DEL', k) end
redis.call('DEL', KEYS[2])
return 1
"#;

const DELETE_SCRIPT: &str = r#"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if string.sub(all[i], 1, 4) == 'sub:' then redis.call('HDEL', KEYS[4], string.sub(all[i], 5)) end
end
for _, k in ipairs(redis.call('SMEMBERS', KEYS[3])) do redis.call('DEL', k) end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('SREM', KEYS[5], ARGV[1])
return 1
"#;

/// Apps and counters in Redis.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    url: String,
    prefix: String,
    limit: Script,
    subscribe: Script,
    status: Script,
    unsubscribe: Script,
    secret: Script,
    delete: Script,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("url", &self.url)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// The URL without a password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***@{}", &url[..s], &url[at + 1..]),
        _ => url.to_string(),
    }
}

impl RedisStore {
    /// Connect (and check the server answers).
    pub async fn open(url: &str, prefix: &str) -> Result<RedisStore> {
        let shown = redact(url);
        let err = |source| AppsError::Redis {
            url: shown.clone(),
            source,
        };
        let client = redis::Client::open(url).map_err(err)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(std::time::Duration::from_secs(2)))
            .set_response_timeout(Some(std::time::Duration::from_secs(2)))
            .set_number_of_retries(2)
            .set_max_delay(std::time::Duration::from_millis(500));
        let mut conn = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(err)?;
        let _: String = redis::cmd("PING")
            .query_async(&mut conn)
            .await
            .map_err(err)?;
        Ok(RedisStore {
            conn,
            url: shown.clone(),
            prefix: prefix.to_string(),
            limit: Script::new(LIMIT_SCRIPT),
            subscribe: Script::new(SUBSCRIBE_SCRIPT),
            status: Script::new(STATUS_SCRIPT),
            unsubscribe: Script::new(UNSUBSCRIBE_SCRIPT),
            secret: Script::new(SECRET_SCRIPT),
            delete: Script::new(DELETE_SCRIPT),
        })
    }

    fn err(&self, source: redis::RedisError) -> AppsError {
        AppsError::Redis {
            url: self.url.clone(),
            source,
        }
    }

    fn key(&self, parts: &[&str]) -> String {
        let mut k = self.prefix.clone();
        for p in parts {
            k.push_str(p);
        }
        k
    }

    fn app_key(&self, client_id: &str) -> String {
        self.key(&["app:", client_id])
    }

    /// Insert a new app.
    pub async fn create_app(&self, app: AppRecord) -> Result<()> {
        let mut conn = self.conn.clone();
        let fields = [
            ("name", app.name.clone()),
            ("description", app.description.clone()),
            ("created_at", app.created_at.clone()),
            ("secret", hex::encode(app.secret_hash)),
        ];
        redis::pipe()
            .atomic()
            .hset_multiple(self.app_key(&app.client_id), &fields)
            .ignore()
            .sadd(self.key(&["apps"]), &app.client_id)
            .ignore()
            .query_async::<()>(&mut conn)
            .await
            .map_err(|e| self.err(e))
    }

    /// An app by client ID.
    pub async fn get_app(&self, client_id: &str) -> Result<Option<AppRecord>> {
        let mut conn = self.conn.clone();
        let fields: Vec<(String, String)> = conn
            .hgetall(self.app_key(client_id))
            .await
            .map_err(|e| self.err(e))?;
        Ok(parse_app(client_id, fields))
    }

    /// Every app, oldest first.
    pub async fn list_apps(&self) -> Result<Vec<AppRecord>> {
        let mut conn = self.conn.clone();
        let mut ids: Vec<String> = conn
            .smembers(self.key(&["apps"]))
            .await
            .map_err(|e| self.err(e))?;
        ids.sort();
        let mut apps = Vec::new();
        for id in ids {
            if let Some(app) = self.get_app(&id).await? {
                apps.push(app);
            }
        }
        apps.sort_by(|a, b| (&a.created_at, &a.client_id).cmp(&(&b.created_at, &b.client_id)));
        Ok(apps)
    }

    /// Replace an app's secret hash and revoke its tokens.
    pub async fn set_secret(&self, client_id: &str, hash: [u8; 32]) -> Result<bool> {
        let mut conn = self.conn.clone();
        let n: i64 = self
            .secret
            .key(self.app_key(client_id))
            .key(self.key(&["tokens:", client_id]))
            .arg(hex::encode(hash))
            .invoke_async(&mut conn)
            .await
            .map_err(|e| self.err(e))?;
        Ok(n == 1)
    }

    /// Delete an app with its subscriptions, tokens and usage.
    pub async fn delete_app(&self, client_id: &str) -> Result<bool> {
        let mut conn = self.conn.clone();
        let n: i64 = self
            .delete
            .key(self.app_key(client_id))
            .key(self.key(&["usage:", client_id]))
            .key(self.key(&["tokens:", client_id]))
            .key(self.key(&["subidx"]))
            .key(self.key(&["apps"]))
            .arg(client_id)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| self.err(e))?;
        Ok(n == 1)
    }

    /// Add a subscription unless the app already has one to that plan.
    pub async fn add_subscription(&self, sub: Subscription) -> Result<Added> {
        let mut conn = self.conn.clone();
        let out: Vec<String> = self
            .subscribe
            .key(self.app_key(&sub.client_id))
            .key(self.key(&["subidx"]))
            .arg(&sub.id)
            .arg(&sub.plan)
            .arg(sub.status.as_str())
            .arg(&sub.client_id)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| self.err(e))?;
        match out.first().map(String::as_str) {
            Some("new") => Ok(Added::New(sub)),
            Some("exists") => Ok(Added::Exists(Subscription {
                id: out.get(1).cloned().unwrap_or_default(),
                status: out
                    .get(2)
                    .and_then(|s| SubscriptionStatus::parse(s))
                    .unwrap_or(SubscriptionStatus::Pending),
                ..sub
            })),
            _ => Ok(Added::NoApp),
        }
    }

    /// Remove a subscription of an app.
    pub async fn delete_subscription(&self, client_id: &str, id: &str) -> Result<bool> {
        let mut conn = self.conn.clone();
        let n: i64 = self
            .unsubscribe
            .key(self.app_key(client_id))
            .key(self.key(&["subidx"]))
            .arg(id)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| self.err(e))?;
        Ok(n == 1)
    }

    /// A subscription by id.
    pub async fn get_subscription(&self, id: &str) -> Result<Option<Subscription>> {
        let mut conn = self.conn.clone();
        let client: Option<String> = conn
            .hget(self.key(&["subidx"]), id)
            .await
            .map_err(|e| self.err(e))?;
        let Some(client) = client else {
            return Ok(None);
        };
        Ok(self
            .get_app(&client)
            .await?
            .and_then(|a| a.subscriptions.into_iter().find(|s| s.id == id)))
    }

    /// Set a subscription's status.
    pub async fn set_subscription_status(
        &self,
        id: &str,
        status: SubscriptionStatus,
    ) -> Result<Option<Subscription>> {
        let mut conn = self.conn.clone();
        let out: Option<Vec<String>> = self
            .status
            .key(self.key(&["subidx"]))
            .arg(id)
            .arg(status.as_str())
            .arg(&self.prefix)
            .invoke_async(&mut conn)
            .await
            .map_err(|e| self.err(e))?;
        Ok(out.and_then(|v| match v.as_slice() {
            [client_id, plan] => Some(Subscription {
                id: id.to_string(),
                client_id: client_id.clone(),
                plan: plan.clone(),
                status,
            }),
            _ => None,
        }))
    }

    /// Store an access token's hash; it expires in Redis with the token.
    pub async fn put_token(&self, hash: [u8; 32], token: TokenRecord, ttl_secs: u64) -> Result<()> {
        let mut conn = self.conn.clone();
        let key = self.key(&["token:", &hex::encode(hash)]);
        let value = format!("{}\n{}\n{}", token.client_id, token.expires_at, token.scope);
        redis::pipe()
            .atomic()
            .set_ex(&key, value, ttl_secs.max(1))
            .ignore()
            .sadd(self.key(&["tokens:", &token.client_id]), &key)
            .ignore()
            .query_async::<()>(&mut conn)
            .await
            .map_err(|e| self.err(e))
    }

    /// A token that has not expired.
    pub async fn token(&self, hash: &[u8; 32]) -> Result<Option<TokenRecord>> {
        let mut conn = self.conn.clone();
        let value: Option<String> = conn
            .get(self.key(&["token:", &hex::encode(hash)]))
            .await
            .map_err(|e| self.err(e))?;
        Ok(value.and_then(|v| {
            let mut parts = v.splitn(3, '\n');
            Some(TokenRecord {
                client_id: parts.next()?.to_string(),
                expires_at: parts.next()?.parse().ok()?,
                scope: parts.next().unwrap_or("").to_string(),
            })
        }))
    }

    /// Check and count a call against its limits, atomically on the server.
    pub async fn check_and_count(
        &self,
        client_id: &str,
        limits: &[LimitSpec],
        api: &str,
        operation: &str,
    ) -> Result<Decision> {
        let mut conn = self.conn.clone();
        let mut invocation = self.limit.prepare_invoke();
        for limit in limits {
            invocation.key(self.key(&["rl:", &limit.counter_key(client_id)]));
        }
        invocation.key(self.key(&["usage:", client_id]));
        invocation.arg(format!("{api}/{operation}"));
        for limit in limits {
            invocation
                .arg(limit.max)
                .arg(limit.window_seconds.saturating_mul(1000))
                .arg(if limit.hard { "1" } else { "0" });
        }
        let out: Vec<i64> = invocation
            .invoke_async(&mut conn)
            .await
            .map_err(|e| self.err(e))?;
        let admitted = out.first() == Some(&1);
        let states = limits
            .iter()
            .enumerate()
            .map(|(i, limit)| {
                let used = out.get(1 + i * 3).copied().unwrap_or(0).max(0) as u64;
                let ttl = out.get(2 + i * 3).copied().unwrap_or(0).max(0) as u64;
                let over = out.get(3 + i * 3).copied().unwrap_or(0) == 1;
                LimitState {
                    used,
                    remaining: limit.max.saturating_sub(used),
                    reset_ms: ttl,
                    exceeded: over,
                }
            })
            .collect();
        Ok(Decision { admitted, states })
    }

    /// The current state of limits.
    pub async fn peek_limits(
        &self,
        client_id: &str,
        limits: &[LimitSpec],
    ) -> Result<Vec<LimitState>> {
        let mut conn = self.conn.clone();
        let mut pipe = redis::pipe();
        for limit in limits {
            let key = self.key(&["rl:", &limit.counter_key(client_id)]);
            pipe.get(&key).pttl(&key);
        }
        let out: Vec<(Option<u64>, i64)> =
            pipe.query_async(&mut conn).await.map_err(|e| self.err(e))?;
        Ok(limits
            .iter()
            .zip(out)
            .map(|(limit, (used, ttl))| {
                let (used, reset_ms) = if ttl > 0 {
                    (used.unwrap_or(0), ttl as u64)
                } else {
                    (0, limit.window_seconds.saturating_mul(1000))
                };
                LimitState {
                    used,
                    remaining: limit.max.saturating_sub(used),
                    reset_ms,
                    exceeded: used >= limit.max,
                }
            })
            .collect())
    }

    /// Count an admitted call of an operation (no limits applied).
    pub async fn record_usage(&self, client_id: &str, api: &str, operation: &str) -> Result<()> {
        let mut conn = self.conn.clone();
        conn.hincr::<_, _, _, i64>(
            self.key(&["usage:", client_id]),
            format!("{api}/{operation}"),
            1,
        )
        .await
        .map(|_| ())
        .map_err(|e| self.err(e))
    }

    /// Call counts per operation of an app.
    pub async fn usage(&self, client_id: &str) -> Result<Vec<OperationUsage>> {
        let mut conn = self.conn.clone();
        let fields: Vec<(String, u64)> = conn
            .hgetall(self.key(&["usage:", client_id]))
            .await
            .map_err(|e| self.err(e))?;
        let mut out: Vec<OperationUsage> = fields
            .into_iter()
            .filter_map(|(k, calls)| {
                let (api, op) = k.split_once('/')?;
                Some(OperationUsage {
                    api: api.to_string(),
                    operation: op.to_string(),
                    calls,
                })
            })
            .collect();
        out.sort_by(|a, b| (&a.api, &a.operation).cmp(&(&b.api, &b.operation)));
        Ok(out)
    }
}

fn parse_app(client_id: &str, fields: Vec<(String, String)>) -> Option<AppRecord> {
    if fields.is_empty() {
        return None;
    }
    let mut app = AppRecord {
        client_id: client_id.to_string(),
        name: String::new(),
        description: String::new(),
        created_at: String::new(),
        secret_hash: [0; 32],
        subscriptions: Vec::new(),
    };
    let mut subs: Vec<(u64, Subscription)> = Vec::new();
    for (field, value) in fields {
        match field.as_str() {
            "name" => app.name = value,
            "description" => app.description = value,
            "created_at" => app.created_at = value,
            "secret" => {
                if let Ok(bytes) = hex::decode(&value)
                    && let Ok(hash) = <[u8; 32]>::try_from(bytes.as_slice())
                {
                    app.secret_hash = hash;
                }
            }
            other => {
                let Some(id) = other.strip_prefix("sub:") else {
                    continue;
                };
                let mut parts = value.splitn(3, ' ');
                let (Some(seq), Some(status), Some(plan)) =
                    (parts.next(), parts.next(), parts.next())
                else {
                    continue;
                };
                subs.push((
                    seq.parse().unwrap_or(0),
                    Subscription {
                        id: id.to_string(),
                        client_id: client_id.to_string(),
                        plan: plan.to_string(),
                        status: SubscriptionStatus::parse(status)
                            .unwrap_or(SubscriptionStatus::Pending),
                    },
                ));
            }
        }
    }
    subs.sort_by_key(|(seq, _)| *seq);
    app.subscriptions = subs.into_iter().map(|(_, s)| s).collect();
    Some(app)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("redis://:pw@127.0.0.1:6379"),
            "redis://***@127.0.0.1:6379"
        );
        assert_eq!(redact("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
    }
}
