//! View models: the serializable structs templates see, built from the model and content.
//! Templates never reach into `api-model` types; every string that came from a spec is either
//! escaped by tera or passed through `markdown::render_untrusted` first.

use std::collections::HashMap;

use api_model::{
    Api, ApiKeyLocation, Binding, HttpAuthScheme, LimitKind, MediaType, Operation, ParamLocation,
    PortalConfig, Protocol, RateLimit, Response, ResponseStatus, SchemaKind, SecurityRequirement,
    SecuritySchemeKind, SoapVersion, SpecKind,
};
use serde::Serialize;
use serde_json::Value;

use crate::content::ContentPage;
use crate::highlight::{code_block, escape, sample_block};
use crate::load::Input;
use crate::markdown::{Heading, render_untrusted, render_untrusted_inline, slug};
use crate::samples::{
    self, HttpRequest, Sample, body_text, media_example, scalar_text, url_encode,
};
use crate::schema::{SchemaHtml, constraints, ref_label, value_text};
use crate::site::{PageId, PageSpec, api_url, op_url};

/// Portal-wide values every page shows (URLs relative to the site root).
#[derive(Debug, Clone, Serialize)]
pub struct SiteView {
    /// Portal title.
    pub title: String,
    /// Portal description.
    pub description: Option<String>,
    /// Logo URL (relative to the root unless absolute).
    pub logo: Option<String>,
    /// Whether the logo URL is absolute (else the template prefixes the root).
    pub logo_absolute: bool,
    /// Header navigation.
    pub nav: Vec<NavItem>,
    /// Footer links.
    pub footer: Vec<LinkView>,
    /// Footer small print.
    pub footer_text: Option<String>,
    /// Accent colour override.
    pub accent: Option<String>,
    /// Extra stylesheet under `static/`.
    pub extra_css: Option<String>,
    /// `--base-url`, without trailing slash.
    pub base_url: Option<String>,
}

/// A navigation link.
#[derive(Debug, Clone, Serialize)]
pub struct NavItem {
    /// Text.
    pub title: String,
    /// URL relative to the root.
    pub url: String,
    /// The section key pages compare against to mark the current one.
    pub section: String,
}

/// A text + URL.
#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    /// Text.
    pub label: String,
    /// Target (absolute, or relative to the root when `relative`).
    pub url: String,
    /// Relative to the site root.
    pub relative: bool,
}

/// The page being rendered.
#[derive(Debug, Clone, Serialize)]
pub struct PageMeta {
    /// `<title>` and `<h1>`.
    pub title: String,
    /// Meta description.
    pub description: Option<String>,
    /// `../` prefix to the site root.
    pub root: String,
    /// URL relative to the root.
    pub url: String,
    /// Canonical absolute URL (with `--base-url`).
    pub canonical: Option<String>,
    /// Which header navigation item is current.
    pub section: String,
    /// Index the page in the search (Pagefind `data-pagefind-body`).
    pub searchable: bool,
}

/// A sidebar section of content pages.
#[derive(Debug, Clone, Serialize)]
pub struct SidebarSection {
    /// Section title.
    pub title: String,
    /// Pages in order.
    pub pages: Vec<SidebarLink>,
}

/// A sidebar link.
#[derive(Debug, Clone, Serialize)]
pub struct SidebarLink {
    /// Text.
    pub title: String,
    /// URL relative to the root.
    pub url: String,
}

/// An API in lists.
#[derive(Debug, Clone, Serialize)]
pub struct ApiCard {
    /// Id.
    pub id: String,
    /// Overview URL relative to the root.
    pub url: String,
    /// Title.
    pub title: String,
    /// Version.
    pub version: String,
    /// `REST` or `SOAP`.
    pub protocol: &'static str,
    /// `OpenAPI 3.1.0`, `WSDL 1.1`...
    pub spec_label: String,
    /// The first paragraph of the description, sanitized HTML.
    pub summary_html: String,
    /// Download URL of the original spec, relative to the root.
    pub spec_url: String,
    /// Operation count.
    pub operations: usize,
}

/// An operation in tables and sidebars.
#[derive(Debug, Clone, Serialize)]
pub struct OpRow {
    /// Operation id.
    pub id: String,
    /// Page URL relative to the root.
    pub url: String,
    /// HTTP method (REST).
    pub method: Option<&'static str>,
    /// Path (REST).
    pub path: Option<String>,
    /// Operation name (SOAP).
    pub name: Option<String>,
    /// SOAPAction values, distinct, joined (SOAP).
    pub action: Option<String>,
    /// Summary, sanitized inline HTML.
    pub summary_html: String,
    /// Plain label for sidebars (summary, or method + path, or name).
    pub label: String,
    /// Deprecated.
    pub deprecated: bool,
}

/// Operations under one tag (REST) or port type (SOAP).
#[derive(Debug, Clone, Serialize)]
pub struct OpGroup {
    /// Group title.
    pub title: String,
    /// Anchor id on the API page.
    pub anchor: String,
    /// Tag description, sanitized HTML.
    pub description_html: String,
    /// Rows.
    pub ops: Vec<OpRow>,
}

/// A group of an operation page's sidebar.
#[derive(Debug, Clone, Serialize)]
pub struct NavGroup {
    /// Group title.
    pub title: String,
    /// The group's links (`op-nav-link.html`, one per line), the page's own marked current.
    pub links_html: String,
}

/// An operation's sidebar link, rendered once per build as a plain link and as the current
/// page's: an operation page copies its sidebar instead of rendering every link again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NavLink {
    /// Operation id.
    pub id: String,
    /// The link on other operations' pages.
    pub plain: String,
    /// The link on the operation's own page.
    pub current: String,
}

/// A server URL.
#[derive(Debug, Clone, Serialize)]
pub struct ServerView {
    /// URL (variables filled with defaults).
    pub url: String,
    /// URL template as written, when it has variables.
    pub template: Option<String>,
    /// Description.
    pub description: Option<String>,
}

/// An environment from `portal.toml` and the API's URL in it.
#[derive(Debug, Clone, Serialize)]
pub struct EnvView {
    /// Key (`sandbox`).
    pub name: String,
    /// Display title.
    pub title: String,
    /// The API's base URL there.
    pub url: String,
    /// Real systems.
    pub live: bool,
    /// The Try console's default.
    pub default: bool,
}

/// A security scheme and how to use it.
#[derive(Debug, Clone, Serialize)]
pub struct SchemeView {
    /// Scheme name.
    pub name: String,
    /// Anchor id on the API page.
    pub anchor: String,
    /// `API key`, `HTTP Bearer`, `OAuth 2.0`...
    pub kind: String,
    /// Sanitized description.
    pub description_html: String,
    /// How to authenticate, as plain sentences.
    pub how: Vec<String>,
    /// OAuth flows.
    pub flows: Vec<FlowView>,
}

/// An OAuth 2.0 flow.
#[derive(Debug, Clone, Serialize)]
pub struct FlowView {
    /// `Client credentials`...
    pub name: &'static str,
    /// Authorization URL.
    pub authorization_url: Option<String>,
    /// Token URL.
    pub token_url: Option<String>,
    /// Scopes with descriptions.
    pub scopes: Vec<(String, String)>,
}

/// One way to satisfy security: all of these schemes.
#[derive(Debug, Clone, Serialize)]
pub struct SecurityAlt {
    /// Schemes required together.
    pub schemes: Vec<SecurityUse>,
}

/// A scheme as required by an operation.
#[derive(Debug, Clone, Serialize)]
pub struct SecurityUse {
    /// Scheme name.
    pub name: String,
    /// Kind label.
    pub kind: String,
    /// Link to the scheme on the API page, relative to the root.
    pub url: String,
    /// The scheme's anchor id on the API page.
    pub anchor: String,
    /// The API declares the scheme (so the API page has its section to link to); a requirement
    /// may name one it does not (a spec mistake, warned about when loading).
    pub declared: bool,
    /// Scopes required.
    pub scopes: Vec<String>,
}

/// A plan that grants an operation or that a product has.
#[derive(Debug, Clone, Serialize)]
pub struct PlanUse {
    /// Product title.
    pub product: String,
    /// Plan title.
    pub plan: String,
    /// URL of the plan on the plans page, relative to the root.
    pub url: String,
    /// Subscriptions need approval.
    pub approval: bool,
    /// Limits as sentences (common, then the operation's own).
    pub limits: Vec<String>,
}

/// The catalog.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogView {
    /// APIs, REST and SOAP together, by title.
    pub apis: Vec<ApiCard>,
}

/// A content page.
#[derive(Debug, Clone, Serialize)]
pub struct ContentView {
    /// Sanitized HTML body.
    pub html: String,
    /// Level 2 and 3 headings.
    pub toc: Vec<Heading>,
    /// FAQ: the questions (level 2 headings).
    pub questions: Vec<Heading>,
    /// Content navigation.
    pub sidebar: Vec<SidebarSection>,
    /// APIs (the home page lists them under its text).
    pub apis: Vec<ApiCard>,
}

/// An API overview page.
#[derive(Debug, Clone, Serialize)]
pub struct ApiView {
    /// The card fields.
    pub card: ApiCard,
    /// Full description, sanitized.
    pub description_html: String,
    /// Servers or SOAP endpoints.
    pub servers: Vec<ServerView>,
    /// Environments.
    pub environments: Vec<EnvView>,
    /// Security schemes.
    pub schemes: Vec<SchemeView>,
    /// API-wide requirements.
    pub security: Vec<SecurityAlt>,
    /// No authentication is one of the accepted alternatives.
    pub security_optional: bool,
    /// Operation groups.
    pub groups: Vec<OpGroup>,
    /// Webhooks.
    pub webhooks: Vec<OpRow>,
    /// Contact, license, terms.
    pub info: Vec<LinkView>,
    /// Plans of products that include this API.
    pub plans: Vec<PlanUse>,
}

/// A parameter.
#[derive(Debug, Clone, Serialize)]
pub struct ParamView {
    /// Name.
    pub name: String,
    /// `path`, `query`, `header`, `cookie`.
    pub location: &'static str,
    /// Type label.
    pub type_label: String,
    /// Required.
    pub required: bool,
    /// Deprecated.
    pub deprecated: bool,
    /// Sanitized description.
    pub description_html: String,
    /// Constraints.
    pub constraints: Vec<String>,
    /// Allowed values.
    pub enum_values: Vec<String>,
    /// Example value.
    pub example: Option<String>,
    /// Nested schema, for object parameters.
    pub schema_html: Option<String>,
}

/// A body in one media type.
#[derive(Debug, Clone, Serialize)]
pub struct MediaView {
    /// Media type.
    pub media_type: String,
    /// Anchor id.
    pub anchor: String,
    /// Schema HTML.
    pub schema_html: Option<String>,
    /// Highlighted example (a `<pre>` block).
    pub example_html: Option<String>,
    /// Named examples beyond the first: (name, block).
    pub more_examples: Vec<(String, String)>,
}

/// A request body.
#[derive(Debug, Clone, Serialize)]
pub struct BodyView {
    /// Sanitized description.
    pub description_html: String,
    /// Required.
    pub required: bool,
    /// Media types.
    pub media: Vec<MediaView>,
}

/// A response header.
#[derive(Debug, Clone, Serialize)]
pub struct HeaderView {
    /// Name.
    pub name: String,
    /// Type.
    pub type_label: String,
    /// Required.
    pub required: bool,
    /// Deprecated.
    pub deprecated: bool,
    /// Sanitized description.
    pub description_html: String,
}

/// An OpenAPI link of a response.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseLinkView {
    /// Link name.
    pub name: String,
    /// Target operation page, relative to the root, when found.
    pub url: Option<String>,
    /// Target label (operationId or operationRef).
    pub target: String,
    /// Parameters passed: (name, expression).
    pub parameters: Vec<(String, String)>,
    /// Sanitized description.
    pub description_html: String,
}

/// A response.
#[derive(Debug, Clone, Serialize)]
pub struct ResponseView {
    /// `200`, `4XX`, `default`.
    pub status: String,
    /// Anchor id.
    pub anchor: String,
    /// `success`, `redirect`, `client-error`, `server-error`, `info`, `default`.
    pub class: &'static str,
    /// Reason phrase (`Not Found`).
    pub reason: String,
    /// Sanitized description (the meaning).
    pub description_html: String,
    /// Headers.
    pub headers: Vec<HeaderView>,
    /// Bodies.
    pub media: Vec<MediaView>,
    /// Links.
    pub links: Vec<ResponseLinkView>,
}

/// A code sample, highlighted.
#[derive(Debug, Clone, Serialize)]
pub struct SampleView {
    /// Id (`curl`).
    pub id: String,
    /// Label.
    pub label: &'static str,
    /// `<pre>` block.
    pub html: String,
}

/// A message part of a SOAP operation.
#[derive(Debug, Clone, Serialize)]
pub struct PartView {
    /// Part name.
    pub name: String,
    /// `element {ns}name` or `type {ns}name`.
    pub content: String,
    /// Schema HTML.
    pub schema_html: Option<String>,
}

/// One SOAP binding of an operation.
#[derive(Debug, Clone, Serialize)]
pub struct SoapBindingView {
    /// `SOAP 1.1`.
    pub version: &'static str,
    /// Anchor id.
    pub anchor: String,
    /// Binding name.
    pub name: String,
    /// SOAPAction / action.
    pub action: Option<String>,
    /// `document` / `rpc`.
    pub style: &'static str,
    /// `literal` / `encoded`.
    pub body_use: &'static str,
    /// Content-Type of requests.
    pub content_type: String,
    /// Endpoints.
    pub endpoints: Vec<ServerView>,
    /// The request envelope, highlighted.
    pub envelope_html: String,
    /// Code samples.
    pub samples: Vec<SampleView>,
}

/// The SOAP side of an operation page.
#[derive(Debug, Clone, Serialize)]
pub struct SoapView {
    /// Operation name.
    pub name: String,
    /// Port type.
    pub port_type: String,
    /// Input parts.
    pub input: Vec<PartView>,
    /// Output parts.
    pub output: Vec<PartView>,
    /// Input header parts.
    pub headers: Vec<PartView>,
    /// Faults: (name, parts).
    pub faults: Vec<(String, Vec<PartView>)>,
    /// Bindings.
    pub bindings: Vec<SoapBindingView>,
}

/// A callback.
#[derive(Debug, Clone, Serialize)]
pub struct CallbackView {
    /// Name.
    pub name: String,
    /// Anchor id.
    pub anchor: String,
    /// Runtime expression of the URL.
    pub expression: String,
    /// The requests the API sends.
    pub operations: Vec<SubOpView>,
}

/// An operation shown inside another page (callbacks).
#[derive(Debug, Clone, Serialize)]
pub struct SubOpView {
    /// Method.
    pub method: Option<&'static str>,
    /// Summary.
    pub summary_html: String,
    /// Description.
    pub description_html: String,
    /// Body.
    pub request_body: Option<BodyView>,
    /// Responses expected from the callee.
    pub responses: Vec<ResponseView>,
}

/// An operation page.
#[derive(Debug, Clone, Serialize)]
pub struct OpView {
    /// The API.
    pub api: ApiCard,
    /// Operation id.
    pub id: String,
    /// Heading (summary, or method + path, or name).
    pub title: String,
    /// Sanitized description.
    pub description_html: String,
    /// Deprecated.
    pub deprecated: bool,
    /// A webhook (the API calls you).
    pub webhook: bool,
    /// Tags.
    pub tags: Vec<String>,
    /// Method (REST).
    pub method: Option<&'static str>,
    /// Path (REST).
    pub path: Option<String>,
    /// SOAP details.
    pub soap: Option<SoapView>,
    /// Servers.
    pub servers: Vec<ServerView>,
    /// Environments.
    pub environments: Vec<EnvView>,
    /// Parameters (path, query, header, cookie order).
    pub parameters: Vec<ParamView>,
    /// Body.
    pub request_body: Option<BodyView>,
    /// Responses.
    pub responses: Vec<ResponseView>,
    /// Security alternatives.
    pub security: Vec<SecurityAlt>,
    /// Calling without credentials is allowed.
    pub security_optional: bool,
    /// Plans that grant the operation.
    pub plans: Vec<PlanUse>,
    /// Code samples (REST).
    pub samples: Vec<SampleView>,
    /// Callbacks.
    pub callbacks: Vec<CallbackView>,
    /// The Try console's data, as JSON safe to put in a `<script type="application/json">`.
    pub op_data: String,
    /// The sidebar: operations near this one.
    pub nav: Vec<NavGroup>,
    /// Whether `nav` shows only this operation's group (big APIs).
    pub nav_partial: bool,
}

/// A plan on the plans page.
#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    /// Anchor id.
    pub anchor: String,
    /// Key.
    pub name: String,
    /// `<product>:<plan>`, what a sandbox subscription names (the Apps page's `#subscribe=`).
    pub subscribe: String,
    /// Title.
    pub title: String,
    /// Sanitized description.
    pub description_html: String,
    /// Needs approval.
    pub approval: bool,
    /// Common limits.
    pub limits: Vec<String>,
    /// Operations granted, with their own limits.
    pub operations: Vec<PlanOpView>,
}

/// An operation granted by a plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanOpView {
    /// The operation row.
    pub op: OpRow,
    /// API title.
    pub api_title: String,
    /// Operation-specific limits.
    pub limits: Vec<String>,
}

/// A product on the plans page.
#[derive(Debug, Clone, Serialize)]
pub struct ProductView {
    /// Anchor id.
    pub anchor: String,
    /// Title.
    pub title: String,
    /// Version.
    pub version: String,
    /// Sanitized description.
    pub description_html: String,
    /// APIs included.
    pub apis: Vec<SidebarLink>,
    /// Plans.
    pub plans: Vec<PlanView>,
}

/// The plans page.
#[derive(Debug, Clone, Serialize)]
pub struct PlansView {
    /// Products.
    pub products: Vec<ProductView>,
    /// Script-safe JSON for the Apps page's `apps.js`: `{"sandbox": origin or null}`.
    pub apps_data: String,
}

/// The view of any page.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum View {
    /// Home page generated from the catalog, the catalog.
    Catalog(CatalogView),
    /// Content pages (and the home page from `index.md`).
    Content(ContentView),
    /// API overview.
    Api(Box<ApiView>),
    /// Operation.
    Operation(Box<OpView>),
    /// Plans (and the apps page, which lists them).
    Plans(PlansView),
    /// Pages with no data.
    Empty {},
}

/// Values computed once per build and shared by every page.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The site view.
    pub site: SiteView,
    /// Content navigation.
    pub sidebar: Vec<SidebarSection>,
    /// API cards by id.
    pub cards: Vec<ApiCard>,
    /// Operation groups per API id.
    pub groups: HashMap<String, Vec<OpGroup>>,
    /// Sidebar links per API id, group by group as in `groups` (empty until
    /// [`Prepared::render_nav_links`]).
    pub nav_links: HashMap<String, Vec<Vec<NavLink>>>,
    /// Plans granting each (api, op).
    pub op_plans: HashMap<(String, String), Vec<PlanUse>>,
    /// Plans per API id.
    pub api_plans: HashMap<String, Vec<PlanUse>>,
}

/// Sidebars of big APIs show only the current group beyond this many operations.
const FULL_NAV_LIMIT: usize = 150;

fn protocol_label(p: Protocol) -> &'static str {
    match p {
        Protocol::Rest => "REST",
        Protocol::Soap => "SOAP",
    }
}

fn spec_label(api: &Api) -> String {
    let family = match api.source.kind {
        SpecKind::Openapi => "OpenAPI",
        SpecKind::Swagger => "Swagger",
        SpecKind::Wsdl => "WSDL",
        SpecKind::Xsd => "XSD",
        SpecKind::Product => "Product",
        SpecKind::Fragment | SpecKind::Unknown => "Spec",
    };
    if api.source.version.is_empty() {
        family.to_string()
    } else {
        format!("{family} {}", api.source.version)
    }
}

/// The first paragraph of a Markdown text.
fn first_paragraph(md: &str) -> &str {
    let md = md.trim_start();
    match md.find("\n\n") {
        Some(i) => &md[..i],
        None => md,
    }
}

/// The card of an API.
pub fn api_card(api: &Api) -> ApiCard {
    ApiCard {
        id: api.id.clone(),
        url: api_url(&api.id),
        title: api.title.clone(),
        version: api.version.clone(),
        protocol: protocol_label(api.protocol),
        spec_label: spec_label(api),
        summary_html: api
            .description
            .as_deref()
            .map(|d| render_untrusted(first_paragraph(d)))
            .unwrap_or_default(),
        spec_url: format!("specs/{}", api.source.path),
        operations: api.operations.len(),
    }
}

fn op_row(api: &Api, op: &Operation) -> OpRow {
    let (method, path, name, action) = match &op.binding {
        Binding::Http { method, path } => (Some(method.as_str()), Some(path.clone()), None, None),
        Binding::Soap(soap) => {
            let mut actions: Vec<String> = Vec::new();
            for b in &soap.bindings {
                if let Some(a) = b.action.as_ref().filter(|a| !a.is_empty()) {
                    if !actions.contains(a) {
                        actions.push(a.clone());
                    }
                }
            }
            let action = (!actions.is_empty()).then(|| actions.join(", "));
            (None, None, Some(soap.name.clone()), action)
        }
    };
    let label = match (&op.summary, method, &path, &name) {
        (Some(s), _, _, _) if !s.trim().is_empty() => s.trim().to_string(),
        (_, Some(m), Some(p), _) => format!("{m} {p}"),
        (_, _, _, Some(n)) => n.clone(),
        _ => op.id.clone(),
    };
    OpRow {
        id: op.id.clone(),
        url: op_url(&api.id, &op.id),
        method,
        path,
        name,
        action,
        summary_html: op
            .summary
            .as_deref()
            .map(render_untrusted_inline)
            .unwrap_or_default(),
        label,
        deprecated: op.deprecated,
    }
}

fn group_key(op: &Operation) -> String {
    match &op.binding {
        Binding::Soap(soap) => soap.port_type.local.clone(),
        Binding::Http { .. } => op.tags.first().cloned().unwrap_or_default(),
    }
}

fn op_groups(api: &Api) -> Vec<OpGroup> {
    let mut order: Vec<String> = api.tags.iter().map(|t| t.name.clone()).collect();
    let mut rows: HashMap<String, Vec<OpRow>> = HashMap::new();
    for op in &api.operations {
        let key = group_key(op);
        if !order.contains(&key) {
            order.push(key.clone());
        }
        rows.entry(key).or_default().push(op_row(api, op));
    }
    let mut used = std::collections::HashSet::new();
    let mut out = Vec::new();
    for key in order {
        let Some(ops) = rows.remove(&key) else {
            continue;
        };
        let title = if key.is_empty() {
            "Operations".to_string()
        } else {
            key.clone()
        };
        let mut anchor = format!("group-{}", slug(&title));
        let mut n = 2;
        while !used.insert(anchor.clone()) {
            anchor = format!("group-{}-{n}", slug(&title));
            n += 1;
        }
        let description_html = api
            .tags
            .iter()
            .find(|t| t.name == key)
            .and_then(|t| t.description.as_deref())
            .map(render_untrusted)
            .unwrap_or_default();
        out.push(OpGroup {
            title,
            anchor,
            description_html,
            ops,
        });
    }
    out
}

/// A limit as a sentence: `100 calls per hour`.
pub fn limit_text(limit: &RateLimit) -> String {
    let window = match limit.window_seconds {
        1 => "second".to_string(),
        60 => "minute".to_string(),
        3600 => "hour".to_string(),
        86400 => "day".to_string(),
        604_800 => "week".to_string(),
        n if n % 86400 == 0 => format!("{} days", n / 86400),
        n if n % 3600 == 0 => format!("{} hours", n / 3600),
        n if n % 60 == 0 => format!("{} minutes", n / 60),
        n => format!("{n} seconds"),
    };
    let kind = match limit.kind {
        LimitKind::Rate => "",
        LimitKind::Burst => "burst: ",
    };
    let calls = if limit.max == 1 { "call" } else { "calls" };
    let soft = if limit.hard {
        ""
    } else {
        " (soft: logged, not enforced)"
    };
    format!("{kind}{} {calls} per {window}{soft}", limit.max)
}

fn plan_anchor(product: &str, plan: &str) -> String {
    format!("plan-{}-{}", slug(product), slug(plan))
}

impl Prepared {
    /// Compute the shared values of a build.
    pub fn new(input: &Input, base_url: Option<&str>) -> Prepared {
        let cards: Vec<ApiCard> = input.catalog.apis.iter().map(api_card).collect();
        let groups = input
            .catalog
            .apis
            .iter()
            .map(|api| (api.id.clone(), op_groups(api)))
            .collect();
        let mut op_plans: HashMap<(String, String), Vec<PlanUse>> = HashMap::new();
        let mut api_plans: HashMap<String, Vec<PlanUse>> = HashMap::new();
        for product in &input.catalog.products {
            for plan in &product.plans {
                let common: Vec<String> = plan.limits.iter().map(limit_text).collect();
                let url = format!("plans/#{}", plan_anchor(&product.name, &plan.name));
                let use_of = |own: &[RateLimit]| PlanUse {
                    product: product.title.clone(),
                    plan: plan.title.clone(),
                    url: url.clone(),
                    approval: plan.approval,
                    limits: common
                        .iter()
                        .cloned()
                        .chain(
                            own.iter()
                                .map(|l| format!("this operation: {}", limit_text(l))),
                        )
                        .collect(),
                };
                for api in &product.apis {
                    api_plans.entry(api.clone()).or_default().push(use_of(&[]));
                }
                for po in plan_operations(input, product, plan) {
                    op_plans
                        .entry((po.api.clone(), po.operation.clone()))
                        .or_default()
                        .push(use_of(&po.limits));
                }
            }
        }
        Prepared {
            site: site_view(
                &input.config,
                &input.pages,
                base_url,
                !input.catalog.products.is_empty(),
            ),
            sidebar: sidebar(&input.pages),
            cards,
            groups,
            nav_links: HashMap::new(),
            op_plans,
            api_plans,
        }
    }

    /// Render every operation's sidebar link once, plain and current, with `link(row, current)`.
    pub fn render_nav_links<E>(
        &mut self,
        mut link: impl FnMut(&OpRow, bool) -> std::result::Result<String, E>,
    ) -> std::result::Result<(), E> {
        let mut nav_links = HashMap::with_capacity(self.groups.len());
        for (api, groups) in &self.groups {
            let mut per_group = Vec::with_capacity(groups.len());
            for group in groups {
                let mut links = Vec::with_capacity(group.ops.len());
                for row in &group.ops {
                    links.push(NavLink {
                        id: row.id.clone(),
                        plain: link(row, false)?,
                        current: link(row, true)?,
                    });
                }
                per_group.push(links);
            }
            nav_links.insert(api.clone(), per_group);
        }
        self.nav_links = nav_links;
        Ok(())
    }
}

/// A sidebar group's links, one per line, with `current`'s own link marked. Pure.
fn nav_links_html(links: &[NavLink], current: &str) -> String {
    let len = links.iter().map(|l| l.plain.len() + 1).sum::<usize>() + 32;
    let mut out = String::with_capacity(len);
    for l in links {
        out.push_str(if l.id == current {
            &l.current
        } else {
            &l.plain
        });
        out.push('\n');
    }
    out
}

/// The operations a plan grants: its list, or every operation of the product's APIs.
fn plan_operations(
    input: &Input,
    product: &api_model::Product,
    plan: &api_model::Plan,
) -> Vec<api_model::PlanOperation> {
    if !plan.operations.is_empty() {
        return plan.operations.clone();
    }
    let mut out = Vec::new();
    for api_id in &product.apis {
        if let Some(api) = input.catalog.apis.iter().find(|a| &a.id == api_id) {
            for op in &api.operations {
                out.push(api_model::PlanOperation {
                    api: api.id.clone(),
                    operation: op.id.clone(),
                    limits: Vec::new(),
                });
            }
        }
    }
    out
}

fn is_absolute_url(url: &str) -> bool {
    url.contains("://") || url.starts_with("mailto:") || url.starts_with("//")
}

fn site_view(
    config: &PortalConfig,
    pages: &[ContentPage],
    base_url: Option<&str>,
    has_products: bool,
) -> SiteView {
    let mut nav = Vec::new();
    let sections = sidebar(pages);
    if let Some(first) = sections.first().and_then(|s| s.pages.first()) {
        nav.push(NavItem {
            title: "Docs".into(),
            url: first.url.clone(),
            section: "docs".into(),
        });
    }
    nav.push(NavItem {
        title: "APIs".into(),
        url: "apis/".into(),
        section: "apis".into(),
    });
    if has_products {
        nav.push(NavItem {
            title: "Plans".into(),
            url: "plans/".into(),
            section: "plans".into(),
        });
    }
    if pages.iter().any(|p| p.source == "faq.md") {
        nav.push(NavItem {
            title: "FAQ".into(),
            url: "faq/".into(),
            section: "faq".into(),
        });
    }
    nav.push(NavItem {
        title: "Apps".into(),
        url: "apps/".into(),
        section: "apps".into(),
    });
    let f = &config.footer;
    let mut footer = Vec::new();
    for (label, url) in [
        ("Support", &f.support),
        ("Forum", &f.forum),
        ("Terms", &f.terms),
        ("Privacy", &f.privacy),
    ] {
        if let Some(url) = url {
            let url = if url.contains('@') && !url.contains(':') {
                format!("mailto:{url}")
            } else {
                url.clone()
            };
            footer.push(link(label, &url));
        }
    }
    for l in &f.links {
        footer.push(link(&l.label, &l.url));
    }
    let logo = config.logo.clone().map(|l| {
        if is_absolute_url(&l) {
            l
        } else {
            format!(
                "static/{}",
                l.trim_start_matches('/').trim_start_matches("static/")
            )
        }
    });
    SiteView {
        title: config.title().to_string(),
        description: config.description.clone(),
        logo_absolute: logo.as_deref().is_some_and(is_absolute_url),
        logo,
        nav,
        footer,
        footer_text: f.text.clone(),
        accent: config.theme.accent.clone(),
        extra_css: config.theme.css.clone(),
        base_url: base_url.map(|b| b.trim_end_matches('/').to_string()),
    }
}

fn link(label: &str, url: &str) -> LinkView {
    let relative = !is_absolute_url(url);
    LinkView {
        label: label.to_string(),
        url: if relative {
            url.trim_start_matches('/').to_string()
        } else {
            url.to_string()
        },
        relative,
    }
}

fn sidebar(pages: &[ContentPage]) -> Vec<SidebarSection> {
    let mut sections: Vec<(String, Vec<&ContentPage>)> = Vec::new();
    for page in pages {
        if page.source == "index.md" || page.source == "faq.md" {
            continue;
        }
        let key = page.section().to_string();
        match sections.iter_mut().find(|(k, _)| *k == key) {
            Some((_, list)) => list.push(page),
            None => sections.push((key, vec![page])),
        }
    }
    sections.sort_by(|a, b| (!a.0.is_empty(), &a.0).cmp(&(!b.0.is_empty(), &b.0)));
    sections
        .into_iter()
        .map(|(key, mut list)| {
            list.sort_by(|a, b| {
                let is_index = |p: &ContentPage| p.source.ends_with("index.md");
                (!is_index(a), a.order.unwrap_or(i64::MAX), &a.title).cmp(&(
                    !is_index(b),
                    b.order.unwrap_or(i64::MAX),
                    &b.title,
                ))
            });
            let title = if key.is_empty() {
                "Guides".to_string()
            } else {
                list.iter()
                    .find(|p| p.source == format!("{key}/index.md"))
                    .map(|p| p.title.clone())
                    .unwrap_or_else(|| title_case(key.rsplit('/').next().unwrap_or(&key)))
            };
            SidebarSection {
                title,
                pages: list
                    .into_iter()
                    .map(|p| SidebarLink {
                        title: p.title.clone(),
                        url: p.url.clone(),
                    })
                    .collect(),
            }
        })
        .collect()
}

fn title_case(s: &str) -> String {
    s.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The page meta of a page.
pub fn page_meta(prepared: &Prepared, input: &Input, page: &PageSpec) -> PageMeta {
    let (title, description, section, searchable) = match &page.id {
        PageId::Home => (
            input.config.title().to_string(),
            input.config.description.clone(),
            "home".to_string(),
            true,
        ),
        PageId::Content { source } => {
            let p = input.pages.iter().find(|p| &p.source == source);
            let section = match source.as_str() {
                "index.md" => "home",
                "faq.md" => "faq",
                _ => "docs",
            };
            (
                p.map(|p| p.title.clone()).unwrap_or_default(),
                p.and_then(|p| p.description.clone()),
                section.to_string(),
                true,
            )
        }
        PageId::Catalog => ("APIs".into(), None, "apis".into(), true),
        PageId::Api { api } => {
            let a = input.catalog.apis.iter().find(|a| &a.id == api);
            (
                a.map(|a| a.title.clone()).unwrap_or_default(),
                a.and_then(|a| a.description.as_deref().map(plain_summary)),
                "apis".into(),
                true,
            )
        }
        PageId::Operation { api, op } => {
            let a = input.catalog.apis.iter().find(|a| &a.id == api);
            let o = a.and_then(|a| a.operations.iter().chain(&a.webhooks).find(|o| &o.id == op));
            let title = match (a, o) {
                (Some(a), Some(o)) => format!("{} · {}", op_row(a, o).label, a.title),
                _ => op.clone(),
            };
            (
                title,
                o.and_then(|o| o.description.as_deref().map(plain_summary)),
                "apis".into(),
                true,
            )
        }
        PageId::Plans => ("Plans".into(), None, "plans".into(), true),
        PageId::Apps => ("Apps".into(), None, "apps".into(), false),
        PageId::Search => ("Search".into(), None, "search".into(), false),
        PageId::NotFound => ("Page not found".into(), None, String::new(), false),
    };
    PageMeta {
        title,
        description,
        root: page.root(),
        url: page.url.clone(),
        canonical: prepared
            .site
            .base_url
            .as_ref()
            .map(|b| format!("{b}/{}", page.url)),
        section,
        searchable,
    }
}

/// A description as one line of plain text (meta description): the first paragraph rendered,
/// sanitized, and stripped of every tag.
fn plain_summary(md: &str) -> String {
    let html = render_untrusted(first_paragraph(md));
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

/// Build the view of a page.
pub fn view(prepared: &Prepared, input: &Input, page: &PageSpec) -> View {
    match &page.id {
        PageId::Home | PageId::Catalog => View::Catalog(CatalogView {
            apis: sorted_cards(prepared),
        }),
        PageId::Content { source } => {
            let Some(p) = input.pages.iter().find(|p| &p.source == source) else {
                return View::Empty {};
            };
            View::Content(ContentView {
                html: p.html.clone(),
                toc: p
                    .headings
                    .iter()
                    .filter(|h| h.level == 2 || h.level == 3)
                    .cloned()
                    .collect(),
                questions: p
                    .headings
                    .iter()
                    .filter(|h| h.level == 2)
                    .cloned()
                    .collect(),
                sidebar: prepared.sidebar.clone(),
                apis: if source == "index.md" {
                    sorted_cards(prepared)
                } else {
                    Vec::new()
                },
            })
        }
        PageId::Api { api } => match input.catalog.apis.iter().find(|a| &a.id == api) {
            Some(a) => View::Api(Box::new(api_view(prepared, input, a))),
            None => View::Empty {},
        },
        PageId::Operation { api, op } => {
            let Some(a) = input.catalog.apis.iter().find(|a| &a.id == api) else {
                return View::Empty {};
            };
            let webhook = !a.operations.iter().any(|o| &o.id == op);
            match a.operations.iter().chain(&a.webhooks).find(|o| &o.id == op) {
                Some(o) => View::Operation(Box::new(op_view(prepared, input, a, o, webhook))),
                None => View::Empty {},
            }
        }
        PageId::Plans | PageId::Apps => View::Plans(plans_view(input)),
        PageId::Search | PageId::NotFound => View::Empty {},
    }
}

fn sorted_cards(prepared: &Prepared) -> Vec<ApiCard> {
    let mut cards = prepared.cards.clone();
    cards.sort_by(|a, b| (a.title.to_lowercase(), &a.id).cmp(&(b.title.to_lowercase(), &b.id)));
    cards
}

/// The path part of a server URL (`https://h/v1/` -> `/v1`).
pub fn base_path(url: &str) -> String {
    let rest = match url.split_once("://") {
        Some((_, rest)) => match rest.find('/') {
            Some(i) => &rest[i..],
            None => "",
        },
        None => url,
    };
    rest.trim_end_matches('/').to_string()
}

fn servers_of(servers: &[api_model::Server]) -> Vec<ServerView> {
    servers
        .iter()
        .map(|s| ServerView {
            url: s.resolved_url(),
            template: (!s.variables.is_empty()).then(|| s.url.clone()),
            description: s.description.clone(),
        })
        .collect()
}

fn soap_endpoints(api: &Api) -> Vec<ServerView> {
    let mut out: Vec<ServerView> = Vec::new();
    for op in &api.operations {
        if let Some(soap) = op.soap() {
            for b in &soap.bindings {
                for e in &b.endpoints {
                    if !out.iter().any(|s| s.url == e.address) {
                        out.push(ServerView {
                            url: e.address.clone(),
                            template: None,
                            description: Some(format!(
                                "{} / {} ({})",
                                e.service,
                                e.port,
                                version_label(b.version)
                            )),
                        });
                    }
                }
            }
        }
    }
    out
}

fn api_servers(api: &Api) -> Vec<ServerView> {
    match api.protocol {
        Protocol::Rest => servers_of(&api.servers),
        Protocol::Soap => {
            let endpoints = soap_endpoints(api);
            if endpoints.is_empty() {
                servers_of(&api.servers)
            } else {
                endpoints
            }
        }
    }
}

fn environments(config: &PortalConfig, api: &Api, servers: &[ServerView]) -> Vec<EnvView> {
    let base = servers
        .first()
        .map(|s| base_path(&s.url))
        .unwrap_or_default();
    let default = config.default_environment();
    config
        .environments
        .iter()
        .filter_map(|(name, env)| {
            let url = config.api_url(name, &api.id, &base)?;
            Some(EnvView {
                name: name.clone(),
                title: env.title.clone().unwrap_or_else(|| name.clone()),
                url,
                live: env.live,
                default: default == Some(name.as_str()),
            })
        })
        .collect()
}

fn version_label(v: SoapVersion) -> &'static str {
    match v {
        SoapVersion::V11 => "SOAP 1.1",
        SoapVersion::V12 => "SOAP 1.2",
    }
}

fn scheme_kind(kind: &SecuritySchemeKind) -> String {
    match kind {
        SecuritySchemeKind::ApiKey { location, .. } => format!(
            "API key in {}",
            match location {
                ApiKeyLocation::Header => "a header",
                ApiKeyLocation::Query => "the query",
                ApiKeyLocation::Cookie => "a cookie",
            }
        ),
        SecuritySchemeKind::Http { scheme, .. } => match scheme {
            HttpAuthScheme::Basic => "HTTP Basic".into(),
            HttpAuthScheme::Bearer => "HTTP Bearer token".into(),
            HttpAuthScheme::Digest => "HTTP Digest".into(),
            HttpAuthScheme::Other(s) => format!("HTTP {s}"),
        },
        SecuritySchemeKind::OAuth2 { .. } => "OAuth 2.0".into(),
        SecuritySchemeKind::OpenIdConnect { .. } => "OpenID Connect".into(),
        SecuritySchemeKind::MutualTls => "Mutual TLS".into(),
        SecuritySchemeKind::WsSecurityUsernameToken => "WS-Security UsernameToken".into(),
    }
}

fn scheme_how(kind: &SecuritySchemeKind) -> Vec<String> {
    match kind {
        SecuritySchemeKind::ApiKey { name, location } => vec![match location {
            ApiKeyLocation::Header => format!("Send your key in the `{name}` request header."),
            ApiKeyLocation::Query => format!("Add your key as the `{name}` query parameter."),
            ApiKeyLocation::Cookie => format!("Send your key in the `{name}` cookie."),
        }],
        SecuritySchemeKind::Http {
            scheme,
            bearer_format,
        } => vec![match scheme {
            HttpAuthScheme::Basic => {
                "Send `Authorization: Basic <base64 of user:password>` with every request.".into()
            }
            HttpAuthScheme::Bearer => format!(
                "Send `Authorization: Bearer <token>` with every request{}.",
                bearer_format
                    .as_ref()
                    .map(|f| format!(" (the token is a {f})"))
                    .unwrap_or_default()
            ),
            HttpAuthScheme::Digest => "Use HTTP Digest authentication.".into(),
            HttpAuthScheme::Other(s) => format!("Send `Authorization: {s} <credentials>`."),
        }],
        SecuritySchemeKind::OAuth2 { flows } => {
            let mut how = Vec::new();
            if flows.client_credentials.is_some() {
                how.push("Client credentials: POST your client ID and secret to the token URL with `grant_type=client_credentials`, then send `Authorization: Bearer <access token>`.".to_string());
            }
            if flows.authorization_code.is_some() {
                how.push("Authorization code: send the user to the authorization URL, exchange the returned code at the token URL, then send `Authorization: Bearer <access token>`.".to_string());
            }
            if flows.implicit.is_some() {
                how.push("Implicit: the authorization URL returns an access token; send it as `Authorization: Bearer <access token>`.".to_string());
            }
            if flows.password.is_some() {
                how.push("Password: POST the user's name and password to the token URL with `grant_type=password`, then send `Authorization: Bearer <access token>`.".to_string());
            }
            how
        }
        SecuritySchemeKind::OpenIdConnect { url } => vec![format!(
            "Discover the provider at `{url}`, obtain an access token, and send `Authorization: Bearer <access token>`."
        )],
        SecuritySchemeKind::MutualTls => {
            vec!["Present your client certificate in the TLS handshake.".into()]
        }
        SecuritySchemeKind::WsSecurityUsernameToken => vec![
            "Put a `wsse:Security` header with a `wsse:UsernameToken` (user name and password) in the SOAP header.".into(),
        ],
    }
}

fn scheme_anchor(name: &str) -> String {
    format!("auth-{}", slug(name))
}

fn schemes(api: &Api) -> Vec<SchemeView> {
    api.security_schemes
        .iter()
        .map(|(name, s)| {
            let mut flows = Vec::new();
            if let SecuritySchemeKind::OAuth2 { flows: f } = &s.kind {
                for (label, flow) in [
                    ("Client credentials", &f.client_credentials),
                    ("Authorization code", &f.authorization_code),
                    ("Implicit", &f.implicit),
                    ("Password", &f.password),
                ] {
                    if let Some(flow) = flow {
                        flows.push(FlowView {
                            name: label,
                            authorization_url: flow.authorization_url.clone(),
                            token_url: flow.token_url.clone(),
                            scopes: flow
                                .scopes
                                .iter()
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect(),
                        });
                    }
                }
            }
            SchemeView {
                name: name.clone(),
                anchor: scheme_anchor(name),
                kind: scheme_kind(&s.kind),
                description_html: s
                    .description
                    .as_deref()
                    .map(render_untrusted)
                    .unwrap_or_default(),
                how: scheme_how(&s.kind),
                flows,
            }
        })
        .collect()
}

fn security_alts(api: &Api, reqs: &[SecurityRequirement]) -> (Vec<SecurityAlt>, bool) {
    let mut optional = false;
    let mut alts = Vec::new();
    for req in reqs {
        if req.is_empty() {
            optional = true;
            continue;
        }
        alts.push(SecurityAlt {
            schemes: req
                .iter()
                .map(|(name, scopes)| SecurityUse {
                    name: name.clone(),
                    kind: api
                        .security_schemes
                        .get(name)
                        .map(|s| scheme_kind(&s.kind))
                        .unwrap_or_else(|| "undeclared scheme".into()),
                    url: format!("{}#{}", api_url(&api.id), scheme_anchor(name)),
                    anchor: scheme_anchor(name),
                    declared: api.security_schemes.contains_key(name),
                    scopes: scopes.clone(),
                })
                .collect(),
        });
    }
    (alts, optional)
}

fn api_view(prepared: &Prepared, input: &Input, api: &Api) -> ApiView {
    let servers = api_servers(api);
    let (security, security_optional) = security_alts(api, &api.security);
    let mut info = Vec::new();
    if let Some(c) = &api.info.contact {
        if let Some(url) = &c.url {
            info.push(link(
                &format!("Contact: {}", c.name.as_deref().unwrap_or(url)),
                url,
            ));
        }
        if let Some(email) = &c.email {
            info.push(link(&format!("Email: {email}"), &format!("mailto:{email}")));
        }
    }
    if let Some(l) = &api.info.license {
        let label = format!("License: {}", l.name.as_deref().unwrap_or("see link"));
        match &l.url {
            Some(url) => info.push(link(&label, url)),
            None => info.push(LinkView {
                label,
                url: String::new(),
                relative: false,
            }),
        }
    }
    if let Some(t) = &api.info.terms_of_service {
        info.push(link("Terms of service", t));
    }
    if let Some(d) = &api.info.external_docs {
        if let Some(url) = &d.url {
            info.push(link(
                d.name.as_deref().unwrap_or("External documentation"),
                url,
            ));
        }
    }
    // Only http(s) and mailto links from a spec become links.
    for l in &mut info {
        if !(l.url.starts_with("https://")
            || l.url.starts_with("http://")
            || l.url.starts_with("mailto:"))
        {
            l.url = String::new();
            l.relative = false;
        }
    }
    ApiView {
        card: api_card(api),
        description_html: api
            .description
            .as_deref()
            .map(render_untrusted)
            .unwrap_or_default(),
        environments: environments(&input.config, api, &servers),
        servers,
        schemes: schemes(api),
        security,
        security_optional,
        groups: prepared.groups.get(&api.id).cloned().unwrap_or_default(),
        webhooks: api.webhooks.iter().map(|w| op_row(api, w)).collect(),
        info,
        plans: prepared.api_plans.get(&api.id).cloned().unwrap_or_default(),
    }
}

fn reason_phrase(status: ResponseStatus) -> String {
    match status {
        ResponseStatus::Default => "Any other status".into(),
        ResponseStatus::Range(d) => match d {
            1 => "Informational".into(),
            2 => "Success".into(),
            3 => "Redirection".into(),
            4 => "Client error".into(),
            _ => "Server error".into(),
        },
        ResponseStatus::Code(c) => match c {
            100 => "Continue",
            101 => "Switching Protocols",
            200 => "OK",
            201 => "Created",
            202 => "Accepted",
            203 => "Non-Authoritative Information",
            204 => "No Content",
            205 => "Reset Content",
            206 => "Partial Content",
            207 => "Multi-Status",
            300 => "Multiple Choices",
            301 => "Moved Permanently",
            302 => "Found",
            303 => "See Other",
            304 => "Not Modified",
            307 => "Temporary Redirect",
            308 => "Permanent Redirect",
            400 => "Bad Request",
            401 => "Unauthorized",
            402 => "Payment Required",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            406 => "Not Acceptable",
            408 => "Request Timeout",
            409 => "Conflict",
            410 => "Gone",
            412 => "Precondition Failed",
            413 => "Content Too Large",
            415 => "Unsupported Media Type",
            416 => "Range Not Satisfiable",
            422 => "Unprocessable Content",
            423 => "Locked",
            428 => "Precondition Required",
            429 => "Too Many Requests",
            451 => "Unavailable For Legal Reasons",
            500 => "Internal Server Error",
            501 => "Not Implemented",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            504 => "Gateway Timeout",
            _ => "",
        }
        .into(),
    }
}

fn status_class(status: ResponseStatus) -> &'static str {
    let digit = match status {
        ResponseStatus::Code(c) => (c / 100) as u8,
        ResponseStatus::Range(d) => d,
        ResponseStatus::Default => return "default",
    };
    match digit {
        1 => "info",
        2 => "success",
        3 => "redirect",
        4 => "client-error",
        _ => "server-error",
    }
}

fn example_block(value: &Value, media_type: &str) -> String {
    let (text, lang) = body_text(value, media_type);
    code_block(&text, lang)
}

fn media_views(
    schemas: &mut SchemaHtml<'_>,
    api: &Api,
    op: &Operation,
    purpose: &str,
    anchor_prefix: &str,
    content: &indexmap::IndexMap<String, MediaType>,
) -> Vec<MediaView> {
    let mut used = std::collections::HashSet::new();
    content
        .iter()
        .map(|(mt, media)| {
            let mut anchor = format!("{anchor_prefix}-{}", slug(mt));
            let mut n = 2;
            while !used.insert(anchor.clone()) {
                anchor = format!("{anchor_prefix}-{}-{n}", slug(mt));
                n += 1;
            }
            let example = media_example(api, op, purpose, mt, media);
            let more_examples = media
                .examples
                .iter()
                .skip(if media.example.is_none() { 1 } else { 0 })
                .filter_map(|(name, ex)| {
                    let label = ex.summary.clone().unwrap_or_else(|| name.clone());
                    match (&ex.value, &ex.external_value) {
                        (Some(v), _) => Some((label, example_block(v, mt))),
                        (None, Some(url)) => Some((
                            label,
                            format!("<p>External example: <code>{}</code></p>", escape(url)),
                        )),
                        _ => None,
                    }
                })
                .collect();
            MediaView {
                media_type: mt.clone(),
                anchor,
                schema_html: media.schema.as_ref().map(|s| schemas.render(s)),
                example_html: example.as_ref().map(|v| example_block(v, mt)),
                more_examples,
            }
        })
        .collect()
}

fn param_example(api: &Api, op: &Operation, p: &api_model::Parameter) -> Option<Value> {
    if let Some(v) = &p.example {
        return Some(v.clone());
    }
    let schema = p.schema.as_ref()?;
    let s = schema.resolve(api)?;
    if let Some(v) = s
        .examples
        .first()
        .or(s.default.as_ref())
        .or(s.enum_values.first())
    {
        return Some(v.clone());
    }
    let v = api_model::example::json_example(
        api,
        schema,
        samples::example_seed(api, op, &format!("param:{}", p.name), p.location.as_str()),
    );
    (!v.is_null()).then_some(v)
}

fn param_views(schemas: &mut SchemaHtml<'_>, api: &Api, op: &Operation) -> Vec<ParamView> {
    let mut params: Vec<&api_model::Parameter> = op.parameters.iter().collect();
    params.sort_by_key(|p| match p.location {
        ParamLocation::Path => 0,
        ParamLocation::Query => 1,
        ParamLocation::Header => 2,
        ParamLocation::Cookie => 3,
    });
    params
        .into_iter()
        .map(|p| {
            let resolved = p.schema.as_ref().and_then(|s| s.resolve(api));
            let complex = resolved.is_some_and(|s| {
                matches!(
                    s.kind,
                    SchemaKind::Object(_)
                        | SchemaKind::OneOf(_)
                        | SchemaKind::AnyOf(_)
                        | SchemaKind::AllOf(_)
                )
            });
            ParamView {
                name: p.name.clone(),
                location: p.location.as_str(),
                type_label: p
                    .schema
                    .as_ref()
                    .map(|s| ref_label(api, s))
                    .unwrap_or_else(|| p.content_type.clone().unwrap_or_else(|| "string".into())),
                required: p.required,
                deprecated: p.deprecated || resolved.is_some_and(|s| s.deprecated),
                description_html: p
                    .description
                    .as_deref()
                    .map(render_untrusted)
                    .unwrap_or_default(),
                constraints: resolved.map(constraints).unwrap_or_default(),
                enum_values: resolved
                    .map(|s| s.enum_values.iter().take(100).map(value_text).collect())
                    .unwrap_or_default(),
                example: param_example(api, op, p).map(|v| scalar_text(&v)),
                schema_html: if complex {
                    p.schema.as_ref().map(|s| schemas.render(s))
                } else {
                    None
                },
            }
        })
        .collect()
}

fn response_views(
    schemas: &mut SchemaHtml<'_>,
    api: &Api,
    op: &Operation,
    responses: &[Response],
    anchor_prefix: &str,
) -> Vec<ResponseView> {
    responses
        .iter()
        .map(|r| {
            let label = r.status.label();
            let anchor = format!("{anchor_prefix}{}", label.to_ascii_lowercase());
            ResponseView {
                status: label.clone(),
                class: status_class(r.status),
                reason: reason_phrase(r.status),
                description_html: render_untrusted(&r.description),
                headers: r
                    .headers
                    .iter()
                    .map(|(name, h)| HeaderView {
                        name: name.clone(),
                        type_label: h
                            .schema
                            .as_ref()
                            .map(|s| ref_label(api, s))
                            .unwrap_or_else(|| "string".into()),
                        required: h.required,
                        deprecated: h.deprecated,
                        description_html: h
                            .description
                            .as_deref()
                            .map(render_untrusted)
                            .unwrap_or_default(),
                    })
                    .collect(),
                media: media_views(
                    schemas,
                    api,
                    op,
                    &label,
                    &format!("{anchor}-body"),
                    &r.content,
                ),
                links: r
                    .links
                    .iter()
                    .map(|(name, l)| {
                        let target_op = l.operation_id.as_ref().and_then(|id| {
                            api.operations
                                .iter()
                                .find(|o| o.operation_id.as_ref() == Some(id) || &o.id == id)
                        });
                        ResponseLinkView {
                            name: name.clone(),
                            url: target_op.map(|o| op_url(&api.id, &o.id)),
                            target: l
                                .operation_id
                                .clone()
                                .or_else(|| l.operation_ref.clone())
                                .unwrap_or_default(),
                            parameters: l
                                .parameters
                                .iter()
                                .map(|(k, v)| (k.clone(), scalar_text(v)))
                                .collect(),
                            description_html: l
                                .description
                                .as_deref()
                                .map(render_untrusted)
                                .unwrap_or_default(),
                        }
                    })
                    .collect(),
                anchor,
            }
        })
        .collect()
}

fn body_view(
    schemas: &mut SchemaHtml<'_>,
    api: &Api,
    op: &Operation,
    anchor_prefix: &str,
) -> Option<BodyView> {
    let body = op.request_body.as_ref()?;
    Some(BodyView {
        description_html: body
            .description
            .as_deref()
            .map(render_untrusted)
            .unwrap_or_default(),
        required: body.required,
        media: media_views(schemas, api, op, "request", anchor_prefix, &body.content),
    })
}

/// Placeholder credentials in samples.
fn credential_for(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if lower.contains("secret") {
        "YOUR_CLIENT_SECRET".into()
    } else if lower.contains("client") && lower.contains("id") {
        "YOUR_CLIENT_ID".into()
    } else {
        "YOUR_API_KEY".into()
    }
}

/// Add the credentials of the first security alternative to a request.
fn add_credentials(
    api: &Api,
    reqs: &[SecurityRequirement],
    headers: &mut Vec<(String, String)>,
    query: &mut Vec<(String, String)>,
) {
    let Some(first) = reqs.iter().find(|r| !r.is_empty()) else {
        return;
    };
    for name in first.keys() {
        let Some(scheme) = api.security_schemes.get(name) else {
            continue;
        };
        match &scheme.kind {
            SecuritySchemeKind::ApiKey { name, location } => match location {
                ApiKeyLocation::Header => headers.push((name.clone(), credential_for(name))),
                ApiKeyLocation::Query => query.push((name.clone(), credential_for(name))),
                ApiKeyLocation::Cookie => {
                    headers.push(("Cookie".into(), format!("{name}={}", credential_for(name))));
                }
            },
            SecuritySchemeKind::Http { scheme, .. } => match scheme {
                HttpAuthScheme::Basic => headers.push((
                    "Authorization".into(),
                    "Basic BASE64_USER_COLON_PASSWORD".into(),
                )),
                HttpAuthScheme::Other(s) => {
                    headers.push(("Authorization".into(), format!("{s} YOUR_CREDENTIALS")));
                }
                _ => headers.push(("Authorization".into(), "Bearer YOUR_TOKEN".into())),
            },
            SecuritySchemeKind::OAuth2 { .. } | SecuritySchemeKind::OpenIdConnect { .. } => {
                headers.push(("Authorization".into(), "Bearer YOUR_ACCESS_TOKEN".into()));
            }
            SecuritySchemeKind::MutualTls | SecuritySchemeKind::WsSecurityUsernameToken => {}
        }
    }
}

fn request_base(envs: &[EnvView], servers: &[ServerView]) -> String {
    if let Some(env) = envs.iter().find(|e| e.default).or(envs.first()) {
        return env.url.trim_end_matches('/').to_string();
    }
    match servers.first() {
        Some(s) if s.url.contains("://") => s.url.trim_end_matches('/').to_string(),
        Some(s) => format!("https://api.example.com{}", s.url.trim_end_matches('/')),
        None => "https://api.example.com".into(),
    }
}

fn rest_request(api: &Api, op: &Operation, method: &str, path: &str, base: &str) -> HttpRequest {
    // Query conditions written in the path key (`/xml?comp=list`, AutoRest; `/tagging#Tag`,
    // AWS) are sent as query parameters, first, and a declared parameter of the same name is
    // not sent twice.
    let (path, written) = match path.find(['?', '#']) {
        Some(at) => (&path[..at], &path[at + 1..]),
        None => (path, ""),
    };
    let mut path = path.to_string();
    let mut query: Vec<(String, String)> = written
        .split(['&', '#', '?'])
        .filter(|c| !c.is_empty())
        .map(|c| match c.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (c.to_string(), String::new()),
        })
        .collect();
    let mut headers: Vec<(String, String)> = Vec::new();
    for p in &op.parameters {
        if p.location == ParamLocation::Query && query.iter().any(|(k, _)| *k == p.name) {
            continue;
        }
        let example = param_example(api, op, p).map(|v| scalar_text(&v));
        match p.location {
            ParamLocation::Path => {
                let value = example.unwrap_or_else(|| p.name.clone());
                path = path.replace(&format!("{{{}}}", p.name), &url_encode(&value));
            }
            ParamLocation::Query if p.required => {
                query.push((p.name.clone(), example.unwrap_or_default()));
            }
            ParamLocation::Header if p.required => {
                headers.push((p.name.clone(), example.unwrap_or_default()));
            }
            _ => {}
        }
    }
    add_credentials(api, op.effective_security(api), &mut headers, &mut query);
    let mut body = None;
    let mut json = None;
    if let Some(rb) = &op.request_body {
        if let Some((mt, media)) = rb.content.first() {
            headers.insert(0, ("Content-Type".into(), mt.clone()));
            if let Some(v) = media_example(api, op, "request", mt, media) {
                let (text, lang) = body_text(&v, mt);
                if lang == "json" {
                    json = Some(v);
                }
                body = Some(text);
            }
        }
    }
    if let Some(accept) = op
        .responses
        .iter()
        .find(|r| {
            matches!(
                r.status,
                ResponseStatus::Code(200..=299) | ResponseStatus::Range(2)
            )
        })
        .and_then(|r| r.content.keys().next())
    {
        headers.push(("Accept".into(), accept.clone()));
    }
    let mut url = format!("{base}{path}");
    if !query.is_empty() {
        url.push('?');
        url.push_str(
            &query
                .iter()
                .map(|(k, v)| format!("{}={}", url_encode(k), url_encode(v)))
                .collect::<Vec<_>>()
                .join("&"),
        );
    }
    HttpRequest {
        method: method.to_string(),
        url,
        headers,
        body,
        json,
    }
}

fn sample_views(list: Vec<Sample>, prefix: &str) -> Vec<SampleView> {
    list.into_iter()
        .map(|s| SampleView {
            id: format!("{prefix}{}", s.id),
            label: s.label,
            html: sample_block(&s.code, s.lang),
        })
        .collect()
}

fn part_views(schemas: &mut SchemaHtml<'_>, parts: &[api_model::SoapPart]) -> Vec<PartView> {
    parts
        .iter()
        .map(|p| PartView {
            name: p.name.clone(),
            content: match &p.content {
                api_model::PartContent::Element(q) => format!("element {q}"),
                api_model::PartContent::Type(q) => format!("type {q}"),
            },
            schema_html: p.schema.as_ref().map(|s| schemas.render(s)),
        })
        .collect()
}

/// The SOAP request envelope of an operation in one binding, indented.
fn soap_envelope(
    api: &Api,
    op: &Operation,
    soap: &api_model::SoapOperation,
    binding: &api_model::SoapBinding,
) -> String {
    use api_model::xml_example::{self, Direction};
    let version = match binding.version {
        SoapVersion::V11 => "1.1",
        SoapVersion::V12 => "1.2",
    };
    let seed = samples::example_seed(api, op, "request", version);
    let body = soap
        .input
        .as_ref()
        .map(|m| xml_example::message_xml(api, m, binding, &soap.name, Direction::Request, seed))
        .unwrap_or_default();
    let headers = xml_example::headers_xml(api, binding, Direction::Request, seed);
    samples::pretty_xml(&xml_example::envelope(binding.version, &headers, &body))
}

fn soap_view(
    schemas: &mut SchemaHtml<'_>,
    api: &Api,
    op: &Operation,
    soap: &api_model::SoapOperation,
    envs: &[EnvView],
) -> SoapView {
    let bindings = soap
        .bindings
        .iter()
        .map(|b| {
            let endpoints: Vec<ServerView> = b
                .endpoints
                .iter()
                .map(|e| ServerView {
                    url: e.address.clone(),
                    template: None,
                    description: Some(format!("{} / {}", e.service, e.port)),
                })
                .collect();
            let action = b.action.clone().filter(|a| !a.is_empty());
            let content_type = match (b.version, &action) {
                (SoapVersion::V11, _) => "text/xml; charset=utf-8".to_string(),
                (SoapVersion::V12, Some(a)) => {
                    format!("application/soap+xml; charset=utf-8; action=\"{a}\"")
                }
                (SoapVersion::V12, None) => "application/soap+xml; charset=utf-8".to_string(),
            };
            let envelope = soap_envelope(api, op, soap, b);
            let mut headers = vec![("Content-Type".to_string(), content_type.clone())];
            if b.version == SoapVersion::V11 {
                headers.push((
                    "SOAPAction".into(),
                    format!("\"{}\"", action.clone().unwrap_or_default()),
                ));
            }
            let url = envs
                .iter()
                .find(|e| e.default)
                .or(envs.first())
                .map(|e| e.url.clone())
                .or_else(|| endpoints.first().map(|e| e.url.clone()))
                .unwrap_or_else(|| "https://api.example.com/soap".into());
            let req = HttpRequest {
                method: "POST".into(),
                url,
                headers,
                body: Some(envelope.clone()),
                json: None,
            };
            let version = version_label(b.version);
            let anchor = format!("soap-{}", slug(version));
            SoapBindingView {
                version,
                samples: sample_views(samples::samples(&req), &format!("{anchor}-")),
                anchor,
                name: b.name.local.clone(),
                action,
                style: match b.style {
                    api_model::SoapStyle::Document => "document",
                    api_model::SoapStyle::Rpc => "rpc",
                },
                body_use: match b.body_use {
                    api_model::SoapUse::Literal => "literal",
                    api_model::SoapUse::Encoded => "encoded",
                },
                content_type,
                endpoints,
                envelope_html: code_block(&envelope, "xml"),
            }
        })
        .collect::<Vec<_>>();
    // Two bindings of the same version would share anchors; number them.
    let mut bindings = bindings;
    let mut seen = std::collections::HashMap::new();
    for b in &mut bindings {
        let n = seen.entry(b.anchor.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            let old = b.anchor.clone();
            b.anchor = format!("{old}-{n}");
            for s in &mut b.samples {
                s.id = s.id.replacen(&old, &b.anchor, 1);
            }
        }
    }
    let headers = soap
        .bindings
        .first()
        .map(|b| {
            b.input_headers
                .iter()
                .map(|h| PartView {
                    name: h.part.clone(),
                    content: h
                        .element
                        .as_ref()
                        .map(|e| format!("element {e}"))
                        .unwrap_or_else(|| format!("part of {}", h.message)),
                    schema_html: h.schema.as_ref().map(|s| schemas.render(s)),
                })
                .collect()
        })
        .unwrap_or_default();
    SoapView {
        name: soap.name.clone(),
        port_type: soap.port_type.local.clone(),
        input: soap
            .input
            .as_ref()
            .map(|m| part_views(schemas, &m.parts))
            .unwrap_or_default(),
        output: soap
            .output
            .as_ref()
            .map(|m| part_views(schemas, &m.parts))
            .unwrap_or_default(),
        headers,
        faults: soap
            .faults
            .iter()
            .map(|f| {
                (
                    f.name.clone(),
                    f.message
                        .as_ref()
                        .map(|m| part_views(schemas, &m.parts))
                        .unwrap_or_default(),
                )
            })
            .collect(),
        bindings,
    }
}

/// The Try console's data for an operation.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct OpData<'a> {
    api: &'a str,
    operation: &'a str,
    protocol: &'static str,
    method: Option<&'static str>,
    path: Option<&'a str>,
    servers: Vec<String>,
    environments: Vec<EnvData<'a>>,
    parameters: Vec<ParamData<'a>>,
    bodies: Vec<BodyData>,
    soap: Vec<SoapData>,
    security: Vec<Vec<SecurityData>>,
    security_optional: bool,
    responses: Vec<ResponseData>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct EnvData<'a> {
    name: &'a str,
    title: &'a str,
    url: &'a str,
    live: bool,
    default: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ParamData<'a> {
    name: &'a str,
    #[serde(rename = "in")]
    location: &'static str,
    required: bool,
    deprecated: bool,
    #[serde(rename = "type")]
    type_label: String,
    default: Option<Value>,
    example: Option<Value>,
    #[serde(rename = "enum")]
    enum_values: Vec<Value>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BodyData {
    media_type: String,
    example: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SoapData {
    version: &'static str,
    action: Option<String>,
    content_type: String,
    envelope: String,
    endpoints: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct SecurityData {
    scheme: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "in")]
    location: Option<&'static str>,
    name: Option<String>,
    http_scheme: Option<String>,
    token_url: Option<String>,
    scopes: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ResponseData {
    status: String,
    description: String,
}

/// JSON that is safe inside a `<script>` element.
pub fn script_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn security_data(api: &Api, reqs: &[SecurityRequirement]) -> Vec<Vec<SecurityData>> {
    reqs.iter()
        .filter(|r| !r.is_empty())
        .map(|req| {
            req.iter()
                .map(|(name, scopes)| {
                    let kind = api.security_schemes.get(name).map(|s| &s.kind);
                    let (k, location, pname, http_scheme, token_url) = match kind {
                        Some(SecuritySchemeKind::ApiKey { name, location }) => (
                            "apiKey",
                            Some(match location {
                                ApiKeyLocation::Header => "header",
                                ApiKeyLocation::Query => "query",
                                ApiKeyLocation::Cookie => "cookie",
                            }),
                            Some(name.clone()),
                            None,
                            None,
                        ),
                        Some(SecuritySchemeKind::Http { scheme, .. }) => (
                            "http",
                            None,
                            None,
                            Some(match scheme {
                                HttpAuthScheme::Basic => "basic".to_string(),
                                HttpAuthScheme::Bearer => "bearer".to_string(),
                                HttpAuthScheme::Digest => "digest".to_string(),
                                HttpAuthScheme::Other(s) => s.clone(),
                            }),
                            None,
                        ),
                        Some(SecuritySchemeKind::OAuth2 { flows }) => (
                            "oauth2",
                            None,
                            None,
                            None,
                            flows
                                .client_credentials
                                .as_ref()
                                .or(flows.password.as_ref())
                                .or(flows.authorization_code.as_ref())
                                .and_then(|f| f.token_url.clone()),
                        ),
                        Some(SecuritySchemeKind::OpenIdConnect { url }) => {
                            ("openIdConnect", None, None, None, Some(url.clone()))
                        }
                        Some(SecuritySchemeKind::MutualTls) => {
                            ("mutualTLS", None, None, None, None)
                        }
                        Some(SecuritySchemeKind::WsSecurityUsernameToken) => {
                            ("wsSecurity", None, None, None, None)
                        }
                        None => ("unknown", None, None, None, None),
                    };
                    SecurityData {
                        scheme: name.clone(),
                        kind: k,
                        location,
                        name: pname,
                        http_scheme,
                        token_url,
                        scopes: scopes.clone(),
                    }
                })
                .collect()
        })
        .collect()
}

fn op_view(prepared: &Prepared, input: &Input, api: &Api, op: &Operation, webhook: bool) -> OpView {
    let mut schemas = SchemaHtml::new(api);
    let servers = if op.servers.is_empty() {
        api_servers(api)
    } else {
        servers_of(&op.servers)
    };
    let environments = environments(&input.config, api, &servers);
    let row = op_row(api, op);
    let parameters = param_views(&mut schemas, api, op);
    let request_body = body_view(&mut schemas, api, op, "request-body");
    let responses = response_views(&mut schemas, api, op, &op.responses, "response-");
    let (security, security_optional) = security_alts(api, op.effective_security(api));
    let base = request_base(&environments, &servers);
    let (samples_list, soap) = match &op.binding {
        Binding::Http { method, path } => {
            let req = rest_request(api, op, method.as_str(), path, &base);
            (sample_views(samples::samples(&req), "sample-"), None)
        }
        Binding::Soap(s) => (
            Vec::new(),
            Some(soap_view(&mut schemas, api, op, s, &environments)),
        ),
    };
    let callbacks = op
        .callbacks
        .iter()
        .enumerate()
        .map(|(i, cb)| CallbackView {
            name: cb.name.clone(),
            anchor: format!("callback-{}-{}", i + 1, slug(&cb.name)),
            expression: cb.expression.clone(),
            operations: cb
                .operations
                .iter()
                .enumerate()
                .map(|(j, sub)| SubOpView {
                    method: sub.http().map(|(m, _)| m.as_str()),
                    summary_html: sub
                        .summary
                        .as_deref()
                        .map(render_untrusted_inline)
                        .unwrap_or_default(),
                    description_html: sub
                        .description
                        .as_deref()
                        .map(render_untrusted)
                        .unwrap_or_default(),
                    request_body: body_view(
                        &mut schemas,
                        api,
                        sub,
                        &format!("callback-{}-{}-body", i + 1, j + 1),
                    ),
                    responses: response_views(
                        &mut schemas,
                        api,
                        sub,
                        &sub.responses,
                        &format!("callback-{}-{}-response-", i + 1, j + 1),
                    ),
                })
                .collect(),
        })
        .collect();
    let op_data = OpData {
        api: &api.id,
        operation: &op.id,
        protocol: match api.protocol {
            Protocol::Rest => "rest",
            Protocol::Soap => "soap",
        },
        method: row.method,
        path: op.http().map(|(_, p)| p),
        servers: servers.iter().map(|s| s.url.clone()).collect(),
        environments: environments
            .iter()
            .map(|e| EnvData {
                name: &e.name,
                title: &e.title,
                url: &e.url,
                live: e.live,
                default: e.default,
            })
            .collect(),
        parameters: op
            .parameters
            .iter()
            .map(|p| {
                let s = p.schema.as_ref().and_then(|s| s.resolve(api));
                ParamData {
                    name: &p.name,
                    location: p.location.as_str(),
                    required: p.required,
                    deprecated: p.deprecated,
                    type_label: p
                        .schema
                        .as_ref()
                        .map(|s| ref_label(api, s))
                        .unwrap_or_else(|| "string".into()),
                    default: s.and_then(|s| s.default.clone()),
                    example: param_example(api, op, p),
                    enum_values: s.map(|s| s.enum_values.clone()).unwrap_or_default(),
                }
            })
            .collect(),
        bodies: op
            .request_body
            .as_ref()
            .map(|rb| {
                rb.content
                    .iter()
                    .map(|(mt, media)| BodyData {
                        media_type: mt.clone(),
                        example: media_example(api, op, "request", mt, media)
                            .map(|v| body_text(&v, mt).0),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        soap: op
            .soap()
            .map(|s| {
                s.bindings
                    .iter()
                    .map(|b| {
                        let action = b.action.clone().filter(|a| !a.is_empty());
                        SoapData {
                            version: match b.version {
                                SoapVersion::V11 => "1.1",
                                SoapVersion::V12 => "1.2",
                            },
                            content_type: b.version.content_type().to_string(),
                            action,
                            envelope: soap_envelope(api, op, s, b),
                            endpoints: b.endpoints.iter().map(|e| e.address.clone()).collect(),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default(),
        security: security_data(api, op.effective_security(api)),
        security_optional,
        responses: op
            .responses
            .iter()
            .map(|r| ResponseData {
                status: r.status.label(),
                description: r.description.clone(),
            })
            .collect(),
    };
    let op_data = script_json(&op_data);
    let groups: &[OpGroup] = prepared.groups.get(&api.id).map_or(&[], Vec::as_slice);
    let total: usize = groups.iter().map(|g| g.ops.len()).sum();
    let nav_partial = total > FULL_NAV_LIMIT;
    let links: &[Vec<NavLink>] = prepared.nav_links.get(&api.id).map_or(&[], Vec::as_slice);
    let nav = groups
        .iter()
        .zip(links)
        .filter(|(g, _)| !nav_partial || g.ops.iter().any(|o| o.id == op.id))
        .map(|(g, links)| NavGroup {
            title: g.title.clone(),
            links_html: nav_links_html(links, &op.id),
        })
        .collect();
    OpView {
        api: api_card(api),
        id: op.id.clone(),
        title: row.label.clone(),
        description_html: op
            .description
            .as_deref()
            .map(render_untrusted)
            .unwrap_or_default(),
        deprecated: op.deprecated,
        webhook,
        tags: op.tags.clone(),
        method: row.method,
        path: row.path.clone(),
        soap,
        servers,
        environments,
        parameters,
        request_body,
        responses,
        security,
        security_optional,
        plans: prepared
            .op_plans
            .get(&(api.id.clone(), op.id.clone()))
            .cloned()
            .unwrap_or_default(),
        samples: samples_list,
        callbacks,
        op_data,
        nav,
        nav_partial,
    }
}

fn plans_view(input: &Input) -> PlansView {
    let find_op = |api_id: &str, op_id: &str| {
        let api = input.catalog.apis.iter().find(|a| a.id == api_id)?;
        let op = api.operations.iter().find(|o| o.id == op_id)?;
        Some((api, op))
    };
    PlansView {
        products: input
            .catalog
            .products
            .iter()
            .map(|product| ProductView {
                anchor: format!("product-{}", slug(&product.name)),
                title: product.title.clone(),
                version: product.version.clone(),
                description_html: product
                    .description
                    .as_deref()
                    .map(render_untrusted)
                    .unwrap_or_default(),
                apis: product
                    .apis
                    .iter()
                    .filter_map(|id| input.catalog.apis.iter().find(|a| &a.id == id))
                    .map(|a| SidebarLink {
                        title: a.title.clone(),
                        url: api_url(&a.id),
                    })
                    .collect(),
                plans: product
                    .plans
                    .iter()
                    .map(|plan| PlanView {
                        anchor: plan_anchor(&product.name, &plan.name),
                        subscribe: format!("{}:{}", product.name, plan.name),
                        name: plan.name.clone(),
                        title: plan.title.clone(),
                        description_html: plan
                            .description
                            .as_deref()
                            .map(render_untrusted)
                            .unwrap_or_default(),
                        approval: plan.approval,
                        limits: plan.limits.iter().map(limit_text).collect(),
                        operations: plan_operations(input, product, plan)
                            .iter()
                            .filter_map(|po| {
                                let (api, op) = find_op(&po.api, &po.operation)?;
                                Some(PlanOpView {
                                    op: op_row(api, op),
                                    api_title: api.title.clone(),
                                    limits: po.limits.iter().map(limit_text).collect(),
                                })
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        apps_data: script_json(&serde_json::json!({ "sandbox": sandbox_origin(&input.config) })),
    }
}

/// Where the Apps page registers apps: the origin of the default environment, or of the first
/// one that is not live (the app API lives at the sandbox's root, under `/_sandbox`).
fn sandbox_origin(config: &PortalConfig) -> Option<String> {
    let usable = |name: &str| {
        let env = config.environments.get(name)?;
        if env.live {
            return None;
        }
        let url = env.url.as_deref()?;
        let url = url.split('{').next().unwrap_or(url);
        let rest = url.split_once("://")?;
        let host = rest.1.split('/').next().unwrap_or("");
        Some(format!("{}://{}", rest.0, host))
    };
    config
        .default_environment()
        .and_then(usable)
        .or_else(|| config.environments.keys().find_map(|k| usable(k)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::pages;
    use crate::testdata::sample_input;

    #[test]
    fn limits_read_as_sentences() {
        let l = RateLimit {
            name: "default".into(),
            kind: LimitKind::Rate,
            max: 100,
            window_seconds: 3600,
            hard: true,
        };
        assert_eq!(limit_text(&l), "100 calls per hour");
        let b = RateLimit {
            kind: LimitKind::Burst,
            max: 1,
            window_seconds: 1,
            hard: false,
            ..l
        };
        assert_eq!(
            limit_text(&b),
            "burst: 1 call per second (soft: logged, not enforced)"
        );
    }

    /// Query conditions written in the path key are sent as query parameters (once, first),
    /// never left in the path where a second `?` would follow them.
    #[test]
    fn samples_send_the_path_keys_query_conditions_as_query() {
        let api = crate::testdata::sample_api();
        let mut op = api
            .operations
            .iter()
            .find(|o| o.id == "listPets")
            .expect("listPets")
            .clone();
        for p in &mut op.parameters {
            p.required = p.name == "limit";
        }
        let req = rest_request(&api, &op, "GET", "/pets?comp=list&limit=5", "http://h.test");
        assert_eq!(req.url, "http://h.test/pets?comp=list&limit=5");
        let req = rest_request(&api, &op, "GET", "/pets#Operation=List", "http://h.test");
        assert!(
            req.url
                .starts_with("http://h.test/pets?Operation=List&limit="),
            "{}",
            req.url
        );
        let req = rest_request(&api, &op, "GET", "/pets", "http://h.test");
        assert!(
            req.url.starts_with("http://h.test/pets?limit="),
            "{}",
            req.url
        );
    }

    #[test]
    fn base_paths() {
        assert_eq!(base_path("https://h.test/v1/"), "/v1");
        assert_eq!(base_path("https://h.test"), "");
        assert_eq!(base_path("/api"), "/api");
    }

    #[test]
    fn op_data_is_script_safe_and_complete() {
        let input = sample_input();
        let prepared = Prepared::new(&input, None);
        let page = pages(&input)
            .into_iter()
            .find(|p| p.path == "apis/petstore/createPet/index.html")
            .expect("page");
        let View::Operation(op) = view(&prepared, &input, &page) else {
            panic!("operation view");
        };
        assert!(!op.op_data.contains('<'), "{}", op.op_data);
        let data: Value = serde_json::from_str(&op.op_data).expect("json");
        assert_eq!(data["method"], "POST");
        assert_eq!(data["path"], "/pets");
        assert_eq!(data["environments"][0]["name"], "sandbox");
        assert_eq!(data["environments"][0]["url"], "http://127.0.0.1:4010/v1");
        assert_eq!(data["security"][0][0]["in"], "header");
        assert!(
            data["bodies"][0]["example"]
                .as_str()
                .expect("example")
                .contains("Rex")
        );
        // The samples use the sandbox URL and the API key header.
        let curl = &op.samples[0].html;
        assert!(curl.contains("127.0.0.1:4010/v1/pets"), "{curl}");
        assert!(curl.contains("X-API-Key"), "{curl}");
        assert_eq!(op.plans.len(), 1);
    }

    #[test]
    fn soap_op_has_a_binding_per_version() {
        let input = sample_input();
        let prepared = Prepared::new(&input, None);
        let page = pages(&input)
            .into_iter()
            .find(|p| p.path == "apis/bank/GetBalance/index.html")
            .expect("page");
        let View::Operation(op) = view(&prepared, &input, &page) else {
            panic!("operation view");
        };
        let soap = op.soap.as_ref().expect("soap");
        let versions: Vec<&str> = soap.bindings.iter().map(|b| b.version).collect();
        assert_eq!(versions, ["SOAP 1.1", "SOAP 1.2"]);
        assert!(soap.bindings[0].samples[0].html.contains("SOAPAction"));
        assert!(soap.bindings[1].content_type.contains("action=\""));
    }
}
