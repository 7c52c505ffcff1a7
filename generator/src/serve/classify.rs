//! Classifying a changed path of a portal root into what it feeds (a content page, the FAQ, a
//! spec, a product, a template, a static asset, the config). Pure: looks at the path only.

use std::path::{Component, Path};

/// What a changed file feeds, so the rebuild can do the least it needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeKind {
    /// A Markdown page under `content/` (path relative to `content/`, forward slashes).
    Page(String),
    /// `content/faq.md`.
    Faq,
    /// A path under `content/` that is not a Markdown file: a folder created, renamed or deleted.
    /// The content tree is read again.
    ContentTree(String),
    /// A spec file or folder under `specs/` (relative to `specs/`): OpenAPI, Swagger, WSDL, XSD or
    /// a shared fragment.
    Spec(String),
    /// An API Connect product file under `specs/` (relative to `specs/`).
    Product(String),
    /// A theme template under `site/templates/` (relative to it).
    Template(String),
    /// A theme static file under `site/static/` (relative to it), or another file under `site/`.
    Asset(String),
    /// `portal.toml`.
    Config,
}

/// File names editors write beside the real file while saving (swap, backup, lock files).
fn is_editor_noise(name: &str) -> bool {
    name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name == "4913"
        || [".swp", ".swx", ".swo", ".tmp", ".bak", ".orig", ".crdownload"]
            .iter()
            .any(|ext| name.ends_with(ext))
}

/// Spec-like file extensions under `specs/`.
const SPEC_EXTENSIONS: &[&str] = &["yaml", "yml", "json", "wsdl", "xsd", "xml"];

/// What `path` (absolute, or relative to `root`) feeds, or `None` when the build does not read
/// it (outside the watched folders, editor temp files, dot files).
pub fn classify(root: &Path, path: &Path) -> Option<ChangeKind> {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_str()?),
            Component::CurDir => {}
            // Absolute paths outside the root, `..`: not ours.
            _ => return None,
        }
    }
    let (first, rest) = parts.split_first()?;
    if let Some(last) = rest.last() {
        if rest.iter().any(|p| p.starts_with('.')) || is_editor_noise(last) {
            return None;
        }
    }
    let joined = rest.join("/");
    let ext = rest
        .last()
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    match *first {
        "portal.toml" if rest.is_empty() => Some(ChangeKind::Config),
        "content" if !rest.is_empty() => match ext.as_deref() {
            Some("md") if joined == "faq.md" => Some(ChangeKind::Faq),
            Some("md") => Some(ChangeKind::Page(joined)),
            // Other files beside the pages are not read by the build.
            Some(_) => None,
            None => Some(ChangeKind::ContentTree(joined)),
        },
        "specs" if !rest.is_empty() => match ext.as_deref() {
            Some(e) if SPEC_EXTENSIONS.contains(&e) => {
                let name = rest.last().map_or("", |n| n).to_ascii_lowercase();
                let product = rest[..rest.len() - 1].contains(&"products")
                    || name.contains("product");
                if product {
                    Some(ChangeKind::Product(joined))
                } else {
                    Some(ChangeKind::Spec(joined))
                }
            }
            Some(_) => None,
            // A folder: what it held is unknown, so it counts as a spec change.
            None => Some(ChangeKind::Spec(joined)),
        },
        "site" if rest.len() >= 2 && rest[0] == "templates" => {
            Some(ChangeKind::Template(rest[1..].join("/")))
        }
        "site" if rest.len() >= 2 && rest[0] == "static" => {
            Some(ChangeKind::Asset(rest[1..].join("/")))
        }
        "site" if !rest.is_empty() => Some(ChangeKind::Asset(joined)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn table() {
        let root = PathBuf::from("/p");
        let page = |s: &str| Some(ChangeKind::Page(s.into()));
        let cases: Vec<(&str, Option<ChangeKind>)> = vec![
            ("/p/portal.toml", Some(ChangeKind::Config)),
            ("/p/content/index.md", page("index.md")),
            ("/p/content/docs/getting-started.md", page("docs/getting-started.md")),
            ("/p/content/faq.md", Some(ChangeKind::Faq)),
            ("/p/content/docs/faq.md", page("docs/faq.md")),
            ("/p/content/docs", Some(ChangeKind::ContentTree("docs".into()))),
            ("/p/content/logo.png", None),
            ("/p/content/docs/.getting-started.md.swp", None),
            ("/p/content/docs/getting-started.md~", None),
            ("/p/content/docs/4913", None),
            ("/p/content/.git/HEAD", None),
            ("/p/content", None),
            (
                "/p/specs/funds-transfer/openapi.yaml",
                Some(ChangeKind::Spec("funds-transfer/openapi.yaml".into())),
            ),
            (
                "/p/specs/account-statement/AccountStatementService.wsdl",
                Some(ChangeKind::Spec(
                    "account-statement/AccountStatementService.wsdl".into(),
                )),
            ),
            (
                "/p/specs/common/schemas.yaml",
                Some(ChangeKind::Spec("common/schemas.yaml".into())),
            ),
            ("/p/specs/new-api", Some(ChangeKind::Spec("new-api".into()))),
            (
                "/p/specs/products/payments.yaml",
                Some(ChangeKind::Product("products/payments.yaml".into())),
            ),
            (
                "/p/specs/gold-product.yml",
                Some(ChangeKind::Product("gold-product.yml".into())),
            ),
            ("/p/specs/README.md", None),
            (
                "/p/site/templates/base.html",
                Some(ChangeKind::Template("base.html".into())),
            ),
            (
                "/p/site/templates/partials/x.html",
                Some(ChangeKind::Template("partials/x.html".into())),
            ),
            (
                "/p/site/static/style.css",
                Some(ChangeKind::Asset("style.css".into())),
            ),
            ("/p/site/other.txt", Some(ChangeKind::Asset("other.txt".into()))),
            ("/p/public/index.html", None),
            ("/p/target/debug/portal", None),
            ("/p/README.md", None),
            ("/elsewhere/content/a.md", None),
            // Relative to the root works too.
            ("content/a.md", page("a.md")),
        ];
        for (path, want) in cases {
            assert_eq!(classify(&root, Path::new(path)), want, "{path}");
        }
    }
}
