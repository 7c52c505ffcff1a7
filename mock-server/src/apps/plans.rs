//! The catalog's products and plans, indexed for the gate: which plans grant an operation, and
//! which limits (the plan's common ones and the operation's own) count a call it grants.

use foldhash::HashMap;
use std::sync::Arc;

use api_model::{Catalog, LimitKind, Plan, PlanOperation, Product, RateLimit, SecuritySchemeKind};
use serde::Serialize;

use super::access::Access;
use super::limits::{LimitSpec, PolicyText};

/// A plan as the sandbox shows it (`GET /_sandbox/plans`, 403 details, usage).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanInfo {
    /// `<product>:<plan>`: what a subscription names.
    pub id: String,
    /// Product name.
    pub product: String,
    /// Plan name.
    pub plan: String,
    /// Plan title.
    pub title: String,
    /// Subscriptions wait for an administrator.
    pub approval: bool,
    /// Common limits.
    pub limits: Vec<RateLimit>,
    /// Operations granted (`api`, `operation`, own limits).
    pub operations: Vec<PlanOperation>,
}

/// One way an operation is granted: by a plan, counted against these limits.
#[derive(Debug, Clone)]
pub struct Grant {
    /// Index into [`PlanIndex::plans`].
    pub plan: usize,
    /// The plan's common limits, then the operation's own, in that order.
    pub limits: Arc<[LimitSpec]>,
    /// The rate-limit header text that depends on the limits and the plan only, worked out
    /// once.
    pub policy: PolicyText,
}

/// Plans of a catalog, indexed by operation.
#[derive(Debug, Clone, Default)]
pub struct PlanIndex {
    plans: Vec<PlanInfo>,
    /// api id -> operation id -> what the gate checks: security requirements, and grants in
    /// catalog order (products by name, plans in file order).
    access: HashMap<String, HashMap<String, Access>>,
    /// Every OAuth2 scope the catalog's flows declare (what the token endpoint may grant).
    scopes: std::collections::BTreeSet<String>,
}

impl PlanIndex {
    /// Index a catalog. A plan that lists no operation grants every operation of its product's
    /// APIs (API Connect's default). `soap_client_id`: the SOAP APIs whose calls must carry
    /// `X-IBM-Client-Id`. Pure.
    pub fn new(catalog: &Catalog, soap_client_id: &[String]) -> PlanIndex {
        let mut index = PlanIndex::default();
        let mut grants: HashMap<(String, String), Vec<Grant>> = HashMap::default();
        for api in &catalog.apis {
            for scheme in api.security_schemes.values() {
                if let SecuritySchemeKind::OAuth2 { flows } = &scheme.kind {
                    let all = [
                        &flows.client_credentials,
                        &flows.password,
                        &flows.authorization_code,
                        &flows.implicit,
                    ];
                    for flow in all.into_iter().flatten() {
                        index.scopes.extend(flow.scopes.keys().cloned());
                    }
                }
            }
        }
        for product in &catalog.products {
            for plan in &product.plans {
                let operations = plan_operations(catalog, product, plan);
                let id = format!("{}:{}", product.name, plan.name);
                let plan_no = index.plans.len();
                for op in &operations {
                    let mut limits = common_specs(&id, &plan.limits);
                    limits.extend(own_specs(&id, op));
                    grants
                        .entry((op.api.clone(), op.operation.clone()))
                        .or_default()
                        .push(Grant {
                            plan: plan_no,
                            policy: PolicyText::new(&limits, &id),
                            limits: limits.into(),
                        });
                }
                index.plans.push(PlanInfo {
                    id,
                    product: product.name.clone(),
                    plan: plan.name.clone(),
                    title: plan.title.clone(),
                    approval: plan.approval,
                    limits: plan.limits.clone(),
                    operations,
                });
            }
        }
        for api in &catalog.apis {
            let soap = soap_client_id.contains(&api.id);
            let ops = index.access.entry(api.id.clone()).or_default();
            for op in &api.operations {
                let granted = grants
                    .remove(&(api.id.clone(), op.id.clone()))
                    .unwrap_or_default();
                ops.insert(op.id.clone(), Access::new(api, op, soap, granted));
            }
        }
        index
    }

    /// Every plan, in catalog order.
    pub fn plans(&self) -> &[PlanInfo] {
        &self.plans
    }

    /// A plan by `<product>:<plan>`.
    pub fn plan(&self, id: &str) -> Option<&PlanInfo> {
        self.plans.iter().find(|p| p.id == id)
    }

    /// The OAuth2 scopes the catalog declares, sorted.
    pub fn scopes(&self) -> &std::collections::BTreeSet<String> {
        &self.scopes
    }

    /// What the gate checks for an operation (`None`: not in the catalog).
    pub fn access(&self, api: &str, operation: &str) -> Option<&Access> {
        self.access.get(api).and_then(|ops| ops.get(operation))
    }

    /// The grants of an operation (empty when no plan includes it).
    pub fn grants(&self, api: &str, operation: &str) -> &[Grant] {
        self.access(api, operation)
            .map_or(&[], |access| access.grants.as_slice())
    }

    /// Every limit of a plan: the common ones, then each operation's own.
    pub fn plan_limits(&self, plan: &PlanInfo) -> Vec<LimitSpec> {
        let mut out = common_specs(&plan.id, &plan.limits);
        for op in &plan.operations {
            out.extend(own_specs(&plan.id, op));
        }
        out
    }
}

fn plan_operations(catalog: &Catalog, product: &Product, plan: &Plan) -> Vec<PlanOperation> {
    if !plan.operations.is_empty() {
        return plan.operations.clone();
    }
    catalog
        .apis
        .iter()
        .filter(|api| product.apis.contains(&api.id))
        .flat_map(|api| {
            api.operations.iter().map(|op| PlanOperation {
                api: api.id.clone(),
                operation: op.id.clone(),
                limits: Vec::new(),
            })
        })
        .collect()
}

fn display_name(limit: &RateLimit, all: &[RateLimit]) -> String {
    let clash = all
        .iter()
        .any(|other| other.name == limit.name && other.kind != limit.kind);
    match (clash, limit.kind) {
        (true, LimitKind::Burst) => format!("{}-burst", limit.name),
        _ => limit.name.clone(),
    }
}

fn kind_str(kind: LimitKind) -> &'static str {
    match kind {
        LimitKind::Rate => "rate",
        LimitKind::Burst => "burst",
    }
}

fn common_specs(plan_id: &str, limits: &[RateLimit]) -> Vec<LimitSpec> {
    limits
        .iter()
        .map(|l| {
            LimitSpec::new(
                format!(
                    "{plan_id}|*|{}|{}|{}",
                    kind_str(l.kind),
                    l.name,
                    l.window_seconds
                ),
                display_name(l, limits),
                None,
                l.max,
                l.window_seconds,
                l.hard,
            )
        })
        .collect()
}

fn own_specs(plan_id: &str, op: &PlanOperation) -> Vec<LimitSpec> {
    op.limits
        .iter()
        .map(|l| {
            LimitSpec::new(
                format!(
                    "{plan_id}|{}/{}|{}|{}|{}",
                    op.api,
                    op.operation,
                    kind_str(l.kind),
                    l.name,
                    l.window_seconds
                ),
                format!("{}.{}", op.operation, display_name(l, &op.limits)),
                Some(format!("{}/{}", op.api, op.operation)),
                l.max,
                l.window_seconds,
                l.hard,
            )
        })
        .collect()
}

/// The paths the OAuth2 token endpoint is served at: `/oauth2/token`, plus every client
/// credentials (or password / authorization code) `tokenUrl` of the catalog that points at the
/// sandbox itself: a path (`/oauth/token`), or an absolute URL on `localhost`, `127.0.0.1`,
/// `[::1]` or `0.0.0.0`. Token URLs on other hosts are the live system's, not ours. Sorted,
/// without duplicates. Pure.
pub fn token_paths(catalog: &Catalog) -> Vec<String> {
    let mut out = vec!["/oauth2/token".to_string()];
    for api in &catalog.apis {
        for scheme in api.security_schemes.values() {
            let SecuritySchemeKind::OAuth2 { flows } = &scheme.kind else {
                continue;
            };
            let urls = [
                &flows.client_credentials,
                &flows.password,
                &flows.authorization_code,
            ];
            for flow in urls.into_iter().flatten() {
                if let Some(path) = flow.token_url.as_deref().and_then(sandbox_path) {
                    out.push(path);
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn sandbox_path(url: &str) -> Option<String> {
    let url = url.split(['?', '#']).next().unwrap_or(url);
    if url.starts_with('/') {
        return Some(url.to_string());
    }
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let host = if authority.starts_with('[') {
        authority.split(']').next().map(|h| format!("{h}]"))?
    } else {
        authority.split(':').next()?.to_string()
    };
    let local = matches!(
        host.as_str(),
        "localhost" | "127.0.0.1" | "[::1]" | "0.0.0.0"
    );
    (local && path != "/").then(|| path.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_the_demo_products() {
        let specs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
        let catalog = api_model::load_dir(&specs).catalog;
        let index = PlanIndex::new(&catalog, &[]);
        let ids: Vec<&str> = index.plans().iter().map(|p| p.id.as_str()).collect();
        assert!(ids.contains(&"cix-payments:standard"), "{ids:?}");
        let grants = index.grants("funds-transfer", "initiateTransfer");
        let standard = grants
            .iter()
            .find(|g| index.plans()[g.plan].id == "cix-payments:standard")
            .expect("standard grants initiateTransfer");
        let names: Vec<&str> = standard.limits.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["default", "burst", "initiateTransfer.transfers"]);
        assert_eq!(standard.limits[2].max, 10);
        assert_eq!(standard.limits[2].window_seconds, 60);
        assert!(
            token_paths(&catalog).contains(&"/funds-transfer/v1/oauth2/token".to_string()),
            "{:?}",
            token_paths(&catalog)
        );
    }

    #[test]
    fn only_sandbox_token_urls_are_mounted() {
        assert_eq!(sandbox_path("/oauth/token"), Some("/oauth/token".into()));
        assert_eq!(
            sandbox_path("http://localhost:4010/auth/token?x=1"),
            Some("/auth/token".into())
        );
        assert_eq!(sandbox_path("http://[::1]:4010/t"), Some("/t".to_string()));
        assert_eq!(sandbox_path("https://auth.example.com/oauth/token"), None);
        assert_eq!(sandbox_path("http://localhost:4010"), None);
    }
}
