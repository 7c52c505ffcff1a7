//! The site: which pages exist, where each is written, and which inputs each depends on (so
//! `portal serve` can re-render only what a change touches).

use std::collections::BTreeMap;

use api_model::Api;
use serde::Serialize;

use crate::load::Input;

/// A page of the site.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PageId {
    /// `index.html` generated from the catalog (when there is no `content/index.md`).
    Home,
    /// A Markdown page (including `index.md` and `faq.md`), by source path under `content/`.
    Content {
        /// Source path (`docs/getting-started.md`).
        source: String,
    },
    /// `apis/index.html`.
    Catalog,
    /// `apis/<api>/index.html`.
    Api {
        /// API id.
        api: String,
    },
    /// `apis/<api>/<op>/index.html` (also webhooks).
    Operation {
        /// API id.
        api: String,
        /// Operation id.
        op: String,
    },
    /// `plans/index.html`.
    Plans,
    /// `apps/index.html`.
    Apps,
    /// `search/index.html`.
    Search,
    /// `404.html`.
    NotFound,
}

impl PageId {
    /// A readable name for messages (`operation petstore/listPets`).
    pub fn label(&self) -> String {
        match self {
            PageId::Home => "home".into(),
            PageId::Content { source } => format!("content {source}"),
            PageId::Catalog => "catalog".into(),
            PageId::Api { api } => format!("api {api}"),
            PageId::Operation { api, op } => format!("operation {api}/{op}"),
            PageId::Plans => "plans".into(),
            PageId::Apps => "apps".into(),
            PageId::Search => "search".into(),
            PageId::NotFound => "404".into(),
        }
    }
}

/// A page and where it goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageSpec {
    /// Which page.
    pub id: PageId,
    /// Its URL relative to the site root (`apis/pets/`; empty for the home page; `404.html`).
    pub url: String,
    /// The file written (`apis/pets/index.html`).
    pub path: String,
    /// The template that renders it.
    pub template: &'static str,
}

impl PageSpec {
    /// The `../` prefix from this page to the site root.
    pub fn root(&self) -> String {
        "../".repeat(self.path.matches('/').count())
    }
}

/// A change to an input of the build, as `portal serve` classifies it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Change {
    /// A Markdown page's text changed (not its title or order).
    ContentBody(String),
    /// The set of content pages, or a title/order, changed (navigation moves).
    ContentNav,
    /// One API's spec changed.
    Api(String),
    /// Products (plans) changed.
    Products,
    /// A template changed (by name; `base.html`/`macros.html` touch every page).
    Template(String),
    /// `portal.toml` changed.
    Config,
}

/// The URL of an operation page relative to the site root.
pub fn op_url(api: &str, op: &str) -> String {
    format!("apis/{api}/{op}/")
}

/// The URL of an API overview page.
pub fn api_url(api: &str) -> String {
    format!("apis/{api}/")
}

/// The list of pages of a site, in a stable order.
pub fn pages(input: &Input) -> Vec<PageSpec> {
    let mut out = Vec::new();
    let has_index = input.pages.iter().any(|p| p.source == "index.md");
    if !has_index {
        out.push(PageSpec {
            id: PageId::Home,
            url: String::new(),
            path: "index.html".into(),
            template: "index.html",
        });
    }
    for page in &input.pages {
        let template = match page.source.as_str() {
            "faq.md" => "faq.html",
            "index.md" => "index.html",
            _ => "page.html",
        };
        out.push(PageSpec {
            id: PageId::Content {
                source: page.source.clone(),
            },
            url: page.url.clone(),
            path: page.output_path(),
            template,
        });
    }
    out.push(PageSpec {
        id: PageId::Catalog,
        url: "apis/".into(),
        path: "apis/index.html".into(),
        template: "apis.html",
    });
    for api in &input.catalog.apis {
        out.extend(api_pages(api));
    }
    for (id, url, template) in [
        (PageId::Plans, "plans/", "plans.html"),
        (PageId::Apps, "apps/", "apps.html"),
        (PageId::Search, "search/", "search.html"),
    ] {
        out.push(PageSpec {
            id,
            url: url.into(),
            path: format!("{url}index.html"),
            template,
        });
    }
    out.push(PageSpec {
        id: PageId::NotFound,
        url: "404.html".into(),
        path: "404.html".into(),
        template: "404.html",
    });
    out
}

/// The pages of one API: its overview and one page per operation and webhook.
pub fn api_pages(api: &Api) -> Vec<PageSpec> {
    let mut out = vec![PageSpec {
        id: PageId::Api {
            api: api.id.clone(),
        },
        url: api_url(&api.id),
        path: format!("{}index.html", api_url(&api.id)),
        template: "api.html",
    }];
    for op in api.operations.iter().chain(&api.webhooks) {
        let url = op_url(&api.id, &op.id);
        out.push(PageSpec {
            id: PageId::Operation {
                api: api.id.clone(),
                op: op.id.clone(),
            },
            path: format!("{url}index.html"),
            url,
            template: "operation.html",
        });
    }
    out
}

/// Whether a page must be re-rendered after a change of `input`.
pub fn depends_on(page: &PageSpec, input: &Change) -> bool {
    match input {
        Change::Config | Change::ContentNav => true,
        Change::Template(name) => {
            name == "base.html" || name == "macros.html" || name == page.template
        }
        Change::ContentBody(source) => {
            matches!(&page.id, PageId::Content { source: s } if s == source)
        }
        Change::Api(api) => match &page.id {
            PageId::Home | PageId::Catalog | PageId::Plans | PageId::Search => true,
            PageId::Api { api: a } | PageId::Operation { api: a, .. } => a == api,
            _ => false,
        },
        Change::Products => matches!(
            &page.id,
            PageId::Plans | PageId::Api { .. } | PageId::Operation { .. } | PageId::Apps
        ),
    }
}

/// Check that no two pages write the same file (an operation id like `index.html` could).
pub fn check_unique(pages: &[PageSpec]) -> Result<(), crate::Error> {
    let mut seen: BTreeMap<&str, &PageId> = BTreeMap::new();
    for p in pages {
        if let Some(first) = seen.insert(&p.path, &p.id) {
            return Err(crate::Error::Conflict {
                path: p.path.clone(),
                first: first.label(),
                second: p.id.label(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::sample_input;

    #[test]
    fn page_paths_follow_the_interface() {
        let input = sample_input();
        let pages = pages(&input);
        let paths: Vec<&str> = pages.iter().map(|p| p.path.as_str()).collect();
        for want in [
            "index.html",
            "docs/getting-started/index.html",
            "faq/index.html",
            "apis/index.html",
            "apis/petstore/index.html",
            "apis/petstore/listPets/index.html",
            "apis/bank/GetBalance/index.html",
            "plans/index.html",
            "apps/index.html",
            "404.html",
        ] {
            assert!(paths.contains(&want), "{want} missing from {paths:?}");
        }
        check_unique(&pages).expect("unique");
        let op = pages
            .iter()
            .find(|p| p.path == "apis/petstore/listPets/index.html")
            .expect("op page");
        assert_eq!(op.root(), "../../../");
    }

    #[test]
    fn dependencies() {
        let input = sample_input();
        let pages = pages(&input);
        let affected = |change: Change| {
            pages
                .iter()
                .filter(|p| depends_on(p, &change))
                .map(|p| p.path.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            affected(Change::ContentBody("docs/getting-started.md".into())),
            ["docs/getting-started/index.html"]
        );
        let api = affected(Change::Api("bank".into()));
        assert!(api.contains(&"apis/bank/GetBalance/index.html".to_string()));
        assert!(api.contains(&"apis/index.html".to_string()));
        assert!(!api.contains(&"apis/petstore/index.html".to_string()));
        assert_eq!(
            affected(Change::Template("plans.html".into())),
            ["plans/index.html"]
        );
    }
}
