//! Exact rate and burst limits: fixed windows anchored at the first call of each window, checked
//! and counted in one atomic step across every limit that applies to a call, and the response
//! headers that report them.
//!
//! A call is admitted only if no hard limit would go over; then, and only then, it counts against
//! every limit (soft ones too: a soft limit over its maximum logs a warning and lets the call
//! through). Rejected calls count nowhere, so a client that backs off is never locked out.
//! The same algorithm runs in memory ([`AppWindows`], SQLite mode) and in Redis (a Lua script
//! using the server's clock through key expiry, so replicas share one exact limit).

use std::collections::BTreeSet;
use std::sync::{LazyLock, Mutex};

use foldhash::HashMap;

use bytes::Bytes;
use http::{HeaderName, HeaderValue};

use crate::gate::GateHeaders;

/// One limit that applies to a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitSpec {
    /// Counter key without the app (`plan|scope|kind|name|window`); the app's client ID is
    /// prepended per call.
    pub key: String,
    /// Name shown in headers and usage (`default`, or `getPet.burst` for an operation's own).
    pub name: String,
    /// `api/operation` for an operation's own limit, `None` for a plan's common limit.
    pub operation: Option<String>,
    /// Maximum calls in a window.
    pub max: u64,
    /// Window length in seconds (at least 1).
    pub window_seconds: u64,
    /// Hard (reject) or soft (warn).
    pub hard: bool,
    /// `name` as an RFC 8941 sf-string, for the IETF headers.
    sf_name: String,
    /// `name` without characters that would break IBM's `name=<limit>,<n>;` lists.
    plain_name: String,
    /// `key` as a number ([`slot`]): how windows in memory find this limit's.
    slot: u32,
}

impl LimitSpec {
    /// A limit; the header forms of its name are computed once here.
    pub fn new(
        key: String,
        name: String,
        operation: Option<String>,
        max: u64,
        window_seconds: u64,
        hard: bool,
    ) -> LimitSpec {
        let sf_name = sf_string(&name);
        let plain_name = name
            .chars()
            .filter(|c| c.is_ascii_graphic() && !matches!(c, ',' | ';'))
            .collect();
        LimitSpec {
            slot: slot(&key),
            key,
            name,
            operation,
            max,
            window_seconds: window_seconds.max(1),
            hard,
            sf_name,
            plain_name,
        }
    }

    /// The counter key of this limit for one app.
    pub fn counter_key(&self, client_id: &str) -> String {
        format!("{client_id}|{}", self.key)
    }

    fn window_ms(&self) -> u64 {
        self.window_seconds.saturating_mul(1000)
    }
}

/// The state of one limit after a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitState {
    /// Calls counted in the current window (including this one when admitted).
    pub used: u64,
    /// Calls left in the window.
    pub remaining: u64,
    /// Milliseconds until the window resets.
    pub reset_ms: u64,
    /// This limit is over: it refused the call (hard) or was passed over (soft).
    pub exceeded: bool,
}

impl LimitState {
    /// Whole seconds until the window resets (at least 1 while a window runs).
    pub fn reset_seconds(&self) -> u64 {
        self.reset_ms.div_ceil(1000)
    }
}

/// The outcome of a check-and-count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The call may go on (and was counted).
    pub admitted: bool,
    /// One state per limit, in the order of the limits.
    pub states: Vec<LimitState>,
}

impl Decision {
    /// Seconds until every exceeded hard limit has reset (for `Retry-After`).
    pub fn retry_after(&self, limits: &[LimitSpec]) -> u64 {
        limits
            .iter()
            .zip(&self.states)
            .filter(|(l, s)| l.hard && s.exceeded)
            .map(|(_, s)| s.reset_seconds().max(1))
            .max()
            .unwrap_or(1)
    }
}

/// A window in memory.
#[derive(Debug, Clone, Copy)]
struct Window {
    ends_ms: u64,
    count: u64,
}

/// The number of a limit key, the same for the life of the process, so that windows survive a
/// catalog reload (`portal serve`) whose plans keep their limits. The keys are kept: their set
/// is bounded by the limits the catalogs of the process ever declare.
fn slot(key: &str) -> u32 {
    static SLOTS: LazyLock<Mutex<HashMap<String, u32>>> = LazyLock::new(Mutex::default);
    let mut slots = SLOTS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(n) = slots.get(key) {
        return *n;
    }
    let n = u32::try_from(slots.len()).unwrap_or(u32::MAX);
    slots.insert(key.to_string(), n);
    n
}

/// The rate-limit windows of one app, in process memory, sorted by the limit's slot: an app
/// has a window for each limit it has been counted against, a handful, found by binary search
/// without hashing a key. Not locked itself: the store keeps it under the one lock it takes per
/// call (with the app's usage totals), so check and count are one atomic step. Steady state
/// allocates nothing: windows are reset in place.
#[derive(Debug, Default)]
pub struct AppWindows(Vec<(u32, Window)>);

impl AppWindows {
    /// Check every limit and count the call in all of them, or in none.
    pub fn check_and_count(&mut self, limits: &[LimitSpec], now_ms: u64) -> Decision {
        decide(self, limits, now_ms)
    }

    fn position(&self, slot: u32) -> Result<usize, usize> {
        self.0.binary_search_by_key(&slot, |(s, _)| *s)
    }

    fn get(&self, slot: u32) -> Option<&Window> {
        self.position(slot).ok().map(|i| &self.0[i].1)
    }

    /// The current state of limits without counting anything (`None`: an app never counted).
    pub fn peek(app: Option<&AppWindows>, limits: &[LimitSpec], now_ms: u64) -> Vec<LimitState> {
        limits
            .iter()
            .map(|limit| {
                let window = current(app.and_then(|a| a.get(limit.slot)), now_ms);
                let used = window.map_or(0, |w| w.count);
                let reset_ms = window.map_or(limit.window_ms(), |w| w.ends_ms - now_ms);
                LimitState {
                    used,
                    remaining: limit.max.saturating_sub(used),
                    reset_ms,
                    exceeded: used >= limit.max,
                }
            })
            .collect()
    }

    /// Drop the windows that have ended; `true` when none is left.
    pub fn prune(&mut self, now_ms: u64) -> bool {
        self.0.retain(|(_, w)| w.ends_ms > now_ms);
        self.0.is_empty()
    }
}

fn current(window: Option<&Window>, now_ms: u64) -> Option<&Window> {
    window.filter(|w| w.ends_ms > now_ms)
}

/// The algorithm, on one app's windows. Pure apart from the windows.
fn decide(windows: &mut AppWindows, limits: &[LimitSpec], now_ms: u64) -> Decision {
    let mut states = Vec::with_capacity(limits.len());
    let mut admitted = true;
    for limit in limits {
        let (used, reset_ms) = match current(windows.get(limit.slot), now_ms) {
            Some(w) => (w.count, w.ends_ms - now_ms),
            None => (0, limit.window_ms()),
        };
        let over = used.saturating_add(1) > limit.max;
        if over && limit.hard {
            admitted = false;
        }
        states.push(LimitState {
            used,
            remaining: limit.max.saturating_sub(used),
            reset_ms,
            exceeded: over,
        });
    }
    if admitted {
        for (limit, state) in limits.iter().zip(states.iter_mut()) {
            let fresh = Window {
                ends_ms: now_ms + limit.window_ms(),
                count: 0,
            };
            let window = match windows.position(limit.slot) {
                Ok(i) => {
                    let w = &mut windows.0[i].1;
                    if w.ends_ms <= now_ms {
                        *w = fresh;
                    }
                    w
                }
                Err(i) => {
                    windows.0.insert(i, (limit.slot, fresh));
                    &mut windows.0[i].1
                }
            };
            window.count += 1;
            state.used = window.count;
            state.remaining = limit.max.saturating_sub(window.count);
            state.reset_ms = window.ends_ms - now_ms;
        }
    } else {
        // Only the hard limits that refused are "exceeded" in a refusal.
        for (limit, state) in limits.iter().zip(states.iter_mut()) {
            state.exceeded = state.exceeded && limit.hard;
        }
    }
    Decision { admitted, states }
}

const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");
const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
const X_RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
const X_RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
const X_RATELIMIT_PLAN: HeaderName = HeaderName::from_static("x-ratelimit-plan");

/// The rate-limit header values that depend on the limits only (`RateLimit-Policy`,
/// `X-RateLimit-Limit`) and the plan (`X-RateLimit-Plan`): the same on every call, so worked
/// out once per grant, and interned so that a call copies a pointer instead of counting a
/// reference that every worker thread writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyText {
    policy: HeaderValue,
    ibm_limit: HeaderValue,
    plan: HeaderValue,
}

impl PolicyText {
    /// The policy values of a plan's limits. A plan id that cannot be a header value (control
    /// characters) is sent as `plan`.
    pub fn new(limits: &[LimitSpec], plan: &str) -> PolicyText {
        use std::fmt::Write;
        let mut policy = String::with_capacity(32 * limits.len());
        let mut ibm_limit = String::with_capacity(24 * limits.len());
        for (i, limit) in limits.iter().enumerate() {
            if i > 0 {
                policy.push_str(", ");
            }
            // Writing to a String cannot fail.
            let _ = write!(
                policy,
                "{};q={};w={}",
                limit.sf_name, limit.max, limit.window_seconds
            );
            let _ = write!(ibm_limit, "name={},{};", limit.plain_name, limit.max);
        }
        PolicyText {
            policy: interned_value(policy, ""),
            ibm_limit: interned_value(ibm_limit, ""),
            plan: interned_value(plan.to_string(), "plan"),
        }
    }
}

/// A header value of static text, `fallback` if `text` cannot be one. Each distinct text is
/// leaked once and kept for the life of the process: the set is bounded by the plans a catalog
/// (and its reloads under `portal serve`) ever declares. Text beyond visible ASCII (a plan id
/// in another script) is a valid value too, but not a static one: it is sent as it was before,
/// from a shared buffer.
fn interned_value(text: String, fallback: &'static str) -> HeaderValue {
    static INTERNED: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    // What `HeaderValue::from_static` accepts (it panics on anything else).
    let visible_ascii = text.bytes().all(|b| (32..127).contains(&b) || b == b'\t');
    if !visible_ascii {
        return HeaderValue::from_str(&text).unwrap_or(HeaderValue::from_static(fallback));
    }
    let mut set = INTERNED.lock().unwrap_or_else(|p| p.into_inner());
    let text: &'static str = match set.get(text.as_str()) {
        Some(existing) => existing,
        None => {
            let leaked: &'static str = Box::leak(text.into_boxed_str());
            set.insert(leaked);
            leaked
        }
    };
    HeaderValue::from_static(text)
}

/// `RateLimit-Policy`, `RateLimit` (IETF httpapi draft, structured fields), IBM's
/// `X-RateLimit-Limit` / `X-RateLimit-Remaining` (`name=<limit>,<n>;`) and, with `plan`,
/// `X-RateLimit-Plan`, pushed to `out`. Only the two values that change per call are written
/// (with `itoa`); the others are the grant's. Pure apart from `out`.
pub fn write_headers(
    limits: &[LimitSpec],
    states: &[LimitState],
    policy: &PolicyText,
    plan: bool,
    out: &mut GateHeaders,
) {
    if limits.is_empty() {
        return;
    }
    // Sized exactly: `Bytes` takes a full `Vec` as it is, but a `Vec` with spare room costs it
    // a second allocation (its shared header).
    let mut left = itoa::Buffer::new();
    let mut reset = itoa::Buffer::new();
    let mut current_len = 0;
    let mut remaining_len = 0;
    for (i, (limit, state)) in limits.iter().zip(states).enumerate() {
        let n = digits(state.remaining);
        let t = digits(state.reset_seconds());
        // `, ` + name + `;r=` + n + `;t=` + t
        current_len += usize::from(i > 0) * 2 + limit.sf_name.len() + 3 + n + 3 + t;
        // `name=` + name + `,` + n + `;`
        remaining_len += 5 + limit.plain_name.len() + 1 + n + 1;
    }
    let mut current = Vec::with_capacity(current_len);
    let mut remaining = Vec::with_capacity(remaining_len);
    for (i, (limit, state)) in limits.iter().zip(states).enumerate() {
        if i > 0 {
            current.extend_from_slice(b", ");
        }
        let n = left.format(state.remaining).as_bytes();
        current.extend_from_slice(limit.sf_name.as_bytes());
        current.extend_from_slice(b";r=");
        current.extend_from_slice(n);
        remaining.extend_from_slice(b"name=");
        remaining.extend_from_slice(limit.plain_name.as_bytes());
        remaining.push(b',');
        remaining.extend_from_slice(n);
        remaining.push(b';');
        current.extend_from_slice(b";t=");
        current.extend_from_slice(reset.format(state.reset_seconds()).as_bytes());
    }
    debug_assert_eq!(
        (current.len(), remaining.len()),
        (current_len, remaining_len)
    );
    out.push(RATELIMIT_POLICY, policy.policy.clone());
    if let Ok(v) = HeaderValue::from_maybe_shared(Bytes::from(current)) {
        out.push(RATELIMIT, v);
    }
    out.push(X_RATELIMIT_LIMIT, policy.ibm_limit.clone());
    if let Ok(v) = HeaderValue::from_maybe_shared(Bytes::from(remaining)) {
        out.push(X_RATELIMIT_REMAINING, v);
    }
    if plan {
        out.push(X_RATELIMIT_PLAN, policy.plan.clone());
    }
}

/// How many decimal digits `n` is written with.
fn digits(n: u64) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// The rate-limit headers of one call, without the plan, in a map of their own.
#[cfg(test)]
pub fn headers(limits: &[LimitSpec], states: &[LimitState]) -> http::HeaderMap {
    let mut out = GateHeaders::with_capacity(4);
    write_headers(
        limits,
        states,
        &PolicyText::new(limits, ""),
        false,
        &mut out,
    );
    out.into_map()
}

/// An RFC 8941 sf-string: printable ASCII in quotes, `"` and `\` escaped.
fn sf_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars().filter(|c| (' '..='~').contains(c)) {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_those_itoa_writes() {
        let mut buf = itoa::Buffer::new();
        for n in [
            0,
            1,
            9,
            10,
            99,
            100,
            999_999,
            1_000_000,
            u64::MAX - 1,
            u64::MAX,
        ] {
            assert_eq!(digits(n), buf.format(n).len(), "{n}");
        }
        for shift in 0..64 {
            let n = 1u64 << shift;
            for m in [n - 1, n, n + 1] {
                assert_eq!(digits(m), buf.format(m).len(), "{m}");
            }
        }
    }

    fn spec(name: &str, max: u64, window: u64, hard: bool) -> LimitSpec {
        LimitSpec::new(
            format!("p|*|rate|{name}|{window}"),
            name.into(),
            None,
            max,
            window,
            hard,
        )
    }

    #[test]
    fn admits_exactly_max_then_refuses_without_counting() {
        let mut limiter = AppWindows::default();
        let limits = [spec("default", 3, 60, true)];
        let outcomes: Vec<bool> = (0..5)
            .map(|i| limiter.check_and_count(&limits, 1_000 + i).admitted)
            .collect();
        assert_eq!(outcomes, [true, true, true, false, false]);
        let state = AppWindows::peek(Some(&limiter), &limits, 1_010)[0];
        assert_eq!((state.used, state.remaining), (3, 0));
        assert_eq!(state.reset_ms, 60_000 - 10);
        // The window is anchored at the first call and resets 60 s later.
        assert!(limiter.check_and_count(&limits, 61_000).admitted);
        assert_eq!(AppWindows::peek(Some(&limiter), &limits, 61_000)[0].used, 1);
    }

    #[test]
    fn a_refusal_by_one_hard_limit_counts_in_none() {
        let mut limiter = AppWindows::default();
        let limits = [spec("rate", 10, 60, true), spec("burst", 1, 1, true)];
        assert!(limiter.check_and_count(&limits, 0).admitted);
        let refused = limiter.check_and_count(&limits, 10);
        assert!(!refused.admitted);
        assert_eq!(
            refused
                .states
                .iter()
                .map(|s| s.exceeded)
                .collect::<Vec<_>>(),
            [false, true]
        );
        assert_eq!(refused.retry_after(&limits), 1);
        // The rate limit still shows one call: the refused call did not count.
        assert_eq!(AppWindows::peek(Some(&limiter), &limits, 20)[0].used, 1);
        assert!(limiter.check_and_count(&limits, 1_000).admitted);
        assert_eq!(AppWindows::peek(Some(&limiter), &limits, 1_000)[0].used, 2);
    }

    #[test]
    fn soft_limits_pass_and_count() {
        let mut limiter = AppWindows::default();
        let limits = [spec("soft", 1, 60, false)];
        assert!(limiter.check_and_count(&limits, 0).admitted);
        let over = limiter.check_and_count(&limits, 1);
        assert!(over.admitted && over.states[0].exceeded);
        assert_eq!(over.states[0].used, 2);
        assert_eq!(over.states[0].remaining, 0);
    }

    #[test]
    fn renders_ietf_and_ibm_headers() {
        let limits = [spec("default", 50, 60, true), spec("burst", 5, 1, true)];
        let states = [
            LimitState {
                used: 1,
                remaining: 49,
                reset_ms: 59_001,
                exceeded: false,
            },
            LimitState {
                used: 1,
                remaining: 4,
                reset_ms: 1_000,
                exceeded: false,
            },
        ];
        let h = headers(&limits, &states);
        assert_eq!(
            h["ratelimit-policy"],
            r#""default";q=50;w=60, "burst";q=5;w=1"#
        );
        assert_eq!(h["ratelimit"], r#""default";r=49;t=60, "burst";r=4;t=1"#);
        assert_eq!(h["x-ratelimit-limit"], "name=default,50;name=burst,5;");
        assert_eq!(h["x-ratelimit-remaining"], "name=default,49;name=burst,4;");
        assert!(headers(&[], &[]).is_empty());
    }

    #[test]
    fn writes_the_plan_header_only_when_asked_and_a_safe_plan_id() {
        let limits = [spec("default", 10, 60, true)];
        let states = [LimitState {
            used: 10,
            remaining: 0,
            reset_ms: 1,
            exceeded: false,
        }];
        let written = |plan: &str, with_plan: bool| {
            let mut out = GateHeaders::default();
            let policy = PolicyText::new(&limits, plan);
            write_headers(&limits, &states, &policy, with_plan, &mut out);
            out.into_map()
        };
        let admitted = written("bank:gold", true);
        assert_eq!(admitted["x-ratelimit-plan"], "bank:gold");
        assert_eq!(admitted["ratelimit"], r#""default";r=0;t=1"#);
        assert_eq!(admitted.len(), 5);
        let refused = written("bank:gold", false);
        assert!(!refused.contains_key("x-ratelimit-plan"));
        assert_eq!(refused.len(), 4);
        assert_eq!(written("bank:\ngold", true)["x-ratelimit-plan"], "plan");
        // A plan id beyond ASCII is sent as it is (obs-text): not refused, and no panic.
        assert_eq!(
            written("banque:épargne", true)["x-ratelimit-plan"].as_bytes(),
            "banque:épargne".as_bytes()
        );
        // The same policy text twice is one interned string.
        let (a, b) = (written("bank:gold", true), written("bank:gold", true));
        assert_eq!(
            a["ratelimit-policy"].as_bytes().as_ptr(),
            b["ratelimit-policy"].as_bytes().as_ptr()
        );
    }
}
