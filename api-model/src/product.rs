//! IBM API Connect product files: products, plans, rate and burst limits, resolved to operations.
//!
//! The file is read as API providers write it for API Connect:
//!
//! ```yaml
//! product: 1.0.0
//! info: {name: banking, title: Banking, version: 1.0.0}
//! apis:
//!   accounts: {$ref: accounts.yaml}        # a spec file, relative to this file
//!   payments: {name: payments-api:1.0.0}   # or an API by name
//! plans:
//!   gold:
//!     title: Gold
//!     approval: true
//!     rate-limits: {default: {value: 1000/1hour, hard-limit: true}}
//!     burst-limits: {default: {value: 10/1second}}
//!     apis:                                 # absent: every API of the product
//!       accounts:
//!         operations:
//!           - operationId: getAccount
//!             rate-limits: {per-op: {value: 5/1minute}}
//!           - {operation: GET, path: /accounts}
//! ```

use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::{Map, Value};

use crate::error::{Diagnostic, Error, Location, Result};
use crate::files::normalize;
use crate::load::slug;
use crate::model::{Api, HttpMethod, LimitKind, Plan, PlanOperation, Product, RateLimit};
use crate::openapi::source::{Ptr, Source};

/// A product file as written, before its API references are resolved.
#[derive(Debug, Clone)]
pub struct ProductFile {
    /// Parsed document.
    pub doc: serde_json::Value,
    /// The source, for line numbers of diagnostics.
    source: Rc<Source>,
}

/// Parse a product file. Pure.
pub fn parse(path: &Path, text: &str) -> Result<ProductFile> {
    let source = Source::parse(path, text.to_string())?;
    let doc = (*source.value).clone();
    let Some(obj) = doc.as_object() else {
        return Err(Error::Invalid {
            loc: Location::at(path, 1, 1),
            message: "a product file must be a mapping with a top-level `product:` key".into(),
        });
    };
    if !obj.contains_key("product") {
        return Err(Error::Invalid {
            loc: Location::at(path, 1, 1),
            message: "not a product file: no top-level `product:` key".into(),
        });
    }
    Ok(ProductFile {
        doc,
        source: Rc::new(source),
    })
}

/// A parsed limit value: `100/1hour` -> (100, 3600). `None` for `unlimited`.
pub fn parse_limit(value: &str) -> std::result::Result<Option<(u64, u64)>, String> {
    let v = value.trim();
    if v.eq_ignore_ascii_case("unlimited") {
        return Ok(None);
    }
    let Some((count, window)) = v.split_once('/') else {
        return Err(format!(
            "limit `{v}` must look like `100/1hour` (calls / window)"
        ));
    };
    let max: u64 = count.trim().parse().map_err(|_| {
        format!(
            "limit `{v}`: `{}` is not a whole number of calls",
            count.trim()
        )
    })?;
    let window = window.trim();
    let split = window
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(window.len());
    let (n, unit) = window.split_at(split);
    let n: u64 = if n.is_empty() {
        1
    } else {
        n.parse()
            .map_err(|_| format!("limit `{v}`: bad window length"))?
    };
    let unit_seconds = match unit.trim().to_ascii_lowercase().as_str() {
        "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 604_800,
        other => {
            return Err(format!(
                "limit `{v}`: unknown time unit `{other}` (second, minute, hour, day or week)"
            ));
        }
    };
    if n == 0 {
        return Err(format!("limit `{v}`: the window must be longer than 0"));
    }
    Ok(Some((max, n.saturating_mul(unit_seconds))))
}

struct Resolver<'a> {
    file: &'a ProductFile,
    diags: Vec<Diagnostic>,
}

impl Resolver<'_> {
    fn loc(&self, at: &Ptr) -> Location {
        self.file.source.locate(&at.render())
    }

    fn error(&mut self, at: &Ptr, message: impl Into<String>) {
        let loc = self.loc(at);
        self.diags.push(Diagnostic::error(loc, message));
    }

    fn warn(&mut self, at: &Ptr, message: impl Into<String>) {
        let loc = self.loc(at);
        self.diags.push(Diagnostic::warning(loc, message));
    }

    /// `rate-limits` / `burst-limits` (and the singular forms) of a plan or operation.
    fn limits(&mut self, at: &Ptr, obj: &Map<String, Value>) -> Vec<RateLimit> {
        let mut out = Vec::new();
        for (key, kind) in [
            ("rate-limits", LimitKind::Rate),
            ("rate-limit", LimitKind::Rate),
            ("burst-limits", LimitKind::Burst),
            ("burst-limit", LimitKind::Burst),
        ] {
            let Some(v) = obj.get(key) else { continue };
            let kp = at.key(key);
            let Some(map) = v.as_object() else {
                self.error(
                    &kp,
                    format!("`{key}` must be a mapping of limit name -> {{value: 100/1hour}}"),
                );
                continue;
            };
            // The singular form may hold the limit itself (`rate-limit: {value: ..}`).
            let entries: Vec<(String, &Value, bool)> = if map.contains_key("value") {
                vec![("default".to_string(), v, true)]
            } else {
                map.iter().map(|(k, v)| (k.clone(), v, false)).collect()
            };
            for (name, limit, itself) in entries {
                let np = kp.key(&name);
                let lp = if itself { kp } else { np };
                let (value, hard) = match limit {
                    Value::String(s) => (Some(s.as_str()), true),
                    Value::Object(l) => (
                        l.get("value").and_then(Value::as_str),
                        l.get("hard-limit").and_then(Value::as_bool).unwrap_or(true),
                    ),
                    _ => (None, true),
                };
                let Some(value) = value else {
                    self.error(
                        &lp,
                        format!("limit `{name}` needs a `value` such as `100/1hour`"),
                    );
                    continue;
                };
                match parse_limit(value) {
                    Ok(Some((max, window_seconds))) => out.push(RateLimit {
                        name: name.clone(),
                        kind,
                        max,
                        window_seconds,
                        hard,
                    }),
                    Ok(None) => {}
                    Err(message) => {
                        let vp = lp.key("value");
                        self.error(&vp, message);
                    }
                }
            }
        }
        out
    }
}

/// Which loaded API a product's `apis` entry names.
fn find_api(
    entry: &Value,
    product_path: &Path,
    apis: &[Api],
) -> std::result::Result<usize, String> {
    if let Some(r) = entry.get("$ref").and_then(Value::as_str) {
        let dir = product_path.parent().unwrap_or_else(|| Path::new(""));
        let file = r.split('#').next().unwrap_or(r);
        let target = absolute(&dir.join(file));
        // The API whose source path is the longest suffix of the target.
        let best = apis
            .iter()
            .enumerate()
            .filter(|(_, a)| {
                !a.source.path.is_empty() && target.ends_with(Path::new(&a.source.path))
            })
            .max_by_key(|(_, a)| a.source.path.len());
        return match best {
            Some((i, _)) => Ok(i),
            None => Err(format!(
                "`{r}` is not a loaded API spec (looked for {})",
                target.display()
            )),
        };
    }
    if let Some(name) = entry.get("name").and_then(Value::as_str) {
        let (base, version) = match name.rsplit_once(':') {
            Some((b, v)) => (b, Some(v)),
            None => (name, None),
        };
        let wanted = slug(base);
        let found = apis.iter().position(|a| {
            (a.id == wanted || slug(&a.title) == wanted || a.id == base)
                && version.is_none_or(|v| v == a.version || v.is_empty())
        });
        return found.ok_or_else(|| format!("no loaded API named `{name}`"));
    }
    Err("an API entry needs `$ref: <spec file>` or `name: <api>:<version>`".into())
}

fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        normalize(path)
    } else {
        match std::env::current_dir() {
            Ok(cwd) => normalize(&cwd.join(path)),
            Err(_) => normalize(path),
        }
    }
}

/// Resolve a product's APIs and plans against the loaded APIs.
pub fn resolve(file: &ProductFile, path: &Path, apis: &[Api]) -> (Product, Vec<Diagnostic>) {
    let mut r = Resolver {
        file,
        diags: Vec::new(),
    };
    let root = Ptr::root();
    let empty = Map::new();
    let obj = file.doc.as_object().unwrap_or(&empty);
    let info = obj.get("info");
    let text = |k: &str| {
        info.and_then(|i| i.get(k))
            .map(crate::openapi::scalar_text)
            .filter(|s| !s.is_empty())
    };
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if info.is_none() {
        r.error(
            &root,
            "a product needs `info` with `name`, `title` and `version`",
        );
    }
    let name = text("name").unwrap_or_else(|| slug(&text("title").unwrap_or_else(|| stem.clone())));
    let title = text("title").unwrap_or_else(|| name.clone());
    let version = text("version").unwrap_or_default();
    let description = info
        .and_then(|i| i.get("description"))
        .and_then(Value::as_str)
        .map(str::to_string);

    // Product APIs: key -> index into `apis`.
    let mut product_apis: Vec<(String, usize)> = Vec::new();
    let ap = root.key("apis");
    match obj.get("apis") {
        Some(Value::Object(map)) => {
            for (key, entry) in map {
                let kp = ap.key(key);
                match find_api(entry, path, apis) {
                    Ok(i) => product_apis.push((key.clone(), i)),
                    Err(message) => r.error(&kp, format!("API `{key}`: {message}")),
                }
            }
        }
        Some(_) => r.error(
            &ap,
            "`apis` must be a mapping of name -> {$ref: file} or {name: api:version}",
        ),
        None => r.warn(&root, "the product lists no `apis`"),
    }

    let mut plans = Vec::new();
    let pp = root.key("plans");
    match obj.get("plans") {
        Some(Value::Object(map)) => {
            for (key, plan) in map {
                let at = pp.key(key);
                let Some(p) = plan.as_object() else {
                    r.error(&at, format!("plan `{key}` must be a mapping"));
                    continue;
                };
                plans.push(resolve_plan(&mut r, &at, key, p, &product_apis, apis));
            }
        }
        Some(_) => r.error(&pp, "`plans` must be a mapping of plan name -> plan"),
        None => r.warn(
            &root,
            "the product has no `plans`, so nothing can be subscribed to",
        ),
    }

    let product = Product {
        name,
        title,
        version,
        description,
        path: path.to_string_lossy().replace('\\', "/"),
        apis: product_apis
            .iter()
            .map(|(_, i)| apis[*i].id.clone())
            .collect(),
        plans,
    };
    (product, r.diags)
}

fn resolve_plan(
    r: &mut Resolver,
    at: &Ptr,
    key: &str,
    p: &Map<String, Value>,
    product_apis: &[(String, usize)],
    apis: &[Api],
) -> Plan {
    let limits = r.limits(at, p);
    let mut operations = Vec::new();
    match p.get("apis") {
        None | Some(Value::Null) => {
            // As in API Connect: a plan without its own list includes every API of the product.
            for (_, i) in product_apis {
                let api = &apis[*i];
                operations.extend(api.operations.iter().map(|o| PlanOperation {
                    api: api.id.clone(),
                    operation: o.id.clone(),
                    limits: Vec::new(),
                }));
            }
        }
        Some(Value::Object(map)) => {
            let ap = at.key("apis");
            for (api_key, spec) in map {
                let kp = ap.key(api_key);
                let Some(&(_, index)) = product_apis
                    .iter()
                    .find(|(k, i)| k == api_key || apis[*i].id == *api_key)
                else {
                    r.error(&kp, format!("plan `{key}` names API `{api_key}`, which is not in the product's `apis`"));
                    continue;
                };
                let api = &apis[index];
                match spec.get("operations") {
                    None | Some(Value::Null) => {
                        operations.extend(api.operations.iter().map(|o| PlanOperation {
                            api: api.id.clone(),
                            operation: o.id.clone(),
                            limits: Vec::new(),
                        }));
                    }
                    Some(Value::Array(list)) => {
                        let op_ptr = kp.key("operations");
                        for (n, entry) in list.iter().enumerate() {
                            let ep = op_ptr.index(n);
                            let Some(e) = entry.as_object() else {
                                r.error(&ep, "an operation entry must be a mapping (`operationId:` or `operation:` + `path:`)");
                                continue;
                            };
                            let Some(op) = find_operation(r, &ep, e, api) else {
                                continue;
                            };
                            let own = r.limits(&ep, e);
                            if let Some(existing) = operations
                                .iter_mut()
                                .find(|x: &&mut PlanOperation| x.api == api.id && x.operation == op)
                            {
                                existing.limits.extend(own);
                            } else {
                                operations.push(PlanOperation {
                                    api: api.id.clone(),
                                    operation: op,
                                    limits: own,
                                });
                            }
                        }
                    }
                    Some(_) => {
                        let op_ptr = kp.key("operations");
                        r.error(&op_ptr, "`operations` must be a list");
                    }
                }
            }
        }
        Some(_) => {
            let ap = at.key("apis");
            r.error(
                &ap,
                "a plan's `apis` must be a mapping of API name -> {operations: [...]}",
            );
        }
    }
    Plan {
        name: key.to_string(),
        title: p
            .get("title")
            .and_then(Value::as_str)
            .map_or_else(|| key.to_string(), str::to_string),
        description: p
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string),
        approval: p.get("approval").and_then(Value::as_bool).unwrap_or(false),
        limits,
        operations,
    }
}

/// The id of the operation an entry names (by operationId, or by verb + path).
fn find_operation(r: &mut Resolver, at: &Ptr, e: &Map<String, Value>, api: &Api) -> Option<String> {
    if let Some(id) = e.get("operationId").and_then(Value::as_str) {
        let found = api
            .operations
            .iter()
            .find(|o| o.operation_id.as_deref() == Some(id) || o.id == id);
        return match found {
            Some(o) => Some(o.id.clone()),
            None => {
                r.error(
                    &at.key("operationId"),
                    format!("API `{}` has no operation `{id}`", api.id),
                );
                None
            }
        };
    }
    let verb = e
        .get("operation")
        .or_else(|| e.get("verb"))
        .or_else(|| e.get("method"))
        .and_then(Value::as_str);
    let path = e.get("path").and_then(Value::as_str);
    match (verb, path) {
        (Some(verb), Some(path)) => {
            let Some(method) = HttpMethod::parse(verb) else {
                r.error(
                    &at.key("operation"),
                    format!("`{verb}` is not an HTTP method"),
                );
                return None;
            };
            let found = api.operations.iter().find(|o| {
                o.http().is_some_and(|(m, p)| {
                    m == method && p.trim_end_matches('/') == path.trim_end_matches('/')
                })
            });
            match found {
                Some(o) => Some(o.id.clone()),
                None => {
                    r.error(
                        at,
                        format!(
                            "API `{}` has no operation {} {path}",
                            api.id,
                            method.as_str()
                        ),
                    );
                    None
                }
            }
        }
        _ => {
            r.error(
                at,
                "an operation entry needs `operationId`, or `operation` (the HTTP verb) and `path`",
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::MemoryFiles;

    #[test]
    fn limit_values() {
        assert_eq!(parse_limit("100/1hour"), Ok(Some((100, 3600))));
        assert_eq!(parse_limit("10/1second"), Ok(Some((10, 1))));
        assert_eq!(parse_limit("1000/1day"), Ok(Some((1000, 86_400))));
        assert_eq!(parse_limit("5/1minute"), Ok(Some((5, 60))));
        assert_eq!(parse_limit("1/1week"), Ok(Some((1, 604_800))));
        assert_eq!(parse_limit("20/hour"), Ok(Some((20, 3600))));
        assert_eq!(parse_limit(" 3 / 2 hours "), Ok(Some((3, 7200))));
        assert_eq!(parse_limit("unlimited"), Ok(None));
        assert!(parse_limit("100").is_err());
        assert!(parse_limit("x/1hour").is_err());
        assert!(parse_limit("5/1fortnight").is_err());
        assert!(parse_limit("5/0second").is_err());
    }

    fn apis() -> Vec<Api> {
        let mut files = MemoryFiles::new();
        files.insert(
            "/specs/accounts.yaml",
            "openapi: 3.0.3\ninfo: {title: Accounts, version: '1.0'}\npaths:\n  /accounts:\n    get: {operationId: listAccounts, responses: {'200': {description: ok}}}\n    post: {operationId: openAccount, responses: {'201': {description: ok}}}\n  /accounts/{id}:\n    get: {operationId: getAccount, parameters: [{name: id, in: path, required: true, schema: {type: string}}], responses: {'200': {description: ok}}}\n",
        );
        let mut loaded = crate::openapi::load(Path::new("/specs/accounts.yaml"), &files)
            .expect("loads")
            .api;
        loaded.source.path = "accounts.yaml".into();
        vec![loaded]
    }

    const PRODUCT: &str = "product: 1.0.0
info:
  name: banking
  title: Banking
  version: 1.0.0
apis:
  accounts:
    $ref: accounts.yaml
plans:
  default:
    title: Default
    rate-limits:
      default:
        value: 100/1hour
    burst-limits:
      burst:
        value: 10/1second
        hard-limit: false
  gold:
    title: Gold
    approval: true
    apis:
      accounts:
        operations:
          - operationId: getAccount
            rate-limits:
              per-op:
                value: 5/1minute
          - operation: post
            path: /accounts
";

    #[test]
    fn resolves_plans_and_limits() {
        let apis = apis();
        let file = parse(Path::new("/specs/product.yaml"), PRODUCT).expect("parses");
        let (product, diags) = resolve(&file, Path::new("/specs/product.yaml"), &apis);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(product.apis, ["accounts"]);
        let default = &product.plans[0];
        assert_eq!(default.operations.len(), 3, "a plan without apis gets all");
        assert_eq!(default.limits.len(), 2);
        assert_eq!(default.limits[1].kind, LimitKind::Burst);
        assert!(!default.limits[1].hard && default.limits[0].hard);
        let gold = &product.plans[1];
        assert!(gold.approval);
        let ops: Vec<_> = gold
            .operations
            .iter()
            .map(|o| o.operation.as_str())
            .collect();
        assert_eq!(ops, ["getAccount", "openAccount"]);
        assert_eq!(gold.operations[0].limits[0].window_seconds, 60);
    }

    #[test]
    fn located_errors_for_bad_limits_and_unknown_names() {
        let apis = apis();
        let text = "product: 1.0.0
info: {name: p, title: P, version: '1'}
apis:
  accounts: {$ref: accounts.yaml}
  ghost: {name: nothing:1.0}
plans:
  p1:
    rate-limits:
      default:
        value: lots/1hour
    apis:
      accounts:
        operations:
          - operationId: nope
          - {operation: DELETE, path: /accounts}
      other: {}
";
        let file = parse(Path::new("/specs/p.yaml"), text).expect("parses");
        let (_, diags) = resolve(&file, Path::new("/specs/p.yaml"), &apis);
        let lines: Vec<_> = diags.iter().map(|d| (d.line, d.message.clone())).collect();
        assert_eq!(lines.len(), 5, "{lines:#?}");
        assert_eq!(lines[0].0, Some(5));
        assert!(lines[1].1.contains("lots"), "{lines:?}");
        assert_eq!(lines[1].0, Some(10));
        assert_eq!(lines[2].0, Some(14));
        assert_eq!(lines[3].0, Some(15));
        assert_eq!(lines[4].0, Some(16));
    }

    #[test]
    fn not_a_product() {
        assert!(parse(Path::new("x.yaml"), "a: 1").is_err());
        assert!(parse(Path::new("x.yaml"), "product: [").is_err());
    }
}
