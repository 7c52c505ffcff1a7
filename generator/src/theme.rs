//! The default theme (the repository's `site/`), embedded in the binary, and the overlay of a
//! portal's own `site/` files on top of it.

use std::collections::BTreeMap;

/// Templates of the default theme: (name, text).
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../site/templates/base.html")),
    (
        "macros.html",
        include_str!("../../site/templates/macros.html"),
    ),
    (
        "index.html",
        include_str!("../../site/templates/index.html"),
    ),
    ("page.html", include_str!("../../site/templates/page.html")),
    ("faq.html", include_str!("../../site/templates/faq.html")),
    ("apis.html", include_str!("../../site/templates/apis.html")),
    ("api.html", include_str!("../../site/templates/api.html")),
    (
        "operation.html",
        include_str!("../../site/templates/operation.html"),
    ),
    (
        "op-nav-link.html",
        include_str!("../../site/templates/op-nav-link.html"),
    ),
    (
        "plans.html",
        include_str!("../../site/templates/plans.html"),
    ),
    ("apps.html", include_str!("../../site/templates/apps.html")),
    (
        "search.html",
        include_str!("../../site/templates/search.html"),
    ),
    ("404.html", include_str!("../../site/templates/404.html")),
];

/// Static files of the default theme: (path under `static/`, bytes).
pub const STATICS: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../../site/static/style.css")),
    ("site.js", include_bytes!("../../site/static/site.js")),
    (
        "favicon.svg",
        include_bytes!("../../site/static/favicon.svg"),
    ),
    // The Try console and the Apps page (progressive enhancement; see try.js, apps.js).
    ("try.js", include_bytes!("../../site/static/try.js")),
    ("apps.js", include_bytes!("../../site/static/apps.js")),
    (
        "console.css",
        include_bytes!("../../site/static/console.css"),
    ),
];

/// The theme a build uses: the default files with the portal's own files laid over them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Theme {
    /// Template name -> text.
    pub templates: BTreeMap<String, String>,
    /// Path under `static/` -> bytes.
    pub statics: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    /// The embedded default theme.
    pub fn embedded() -> Theme {
        Theme {
            templates: TEMPLATES
                .iter()
                .map(|(n, t)| ((*n).to_string(), (*t).to_string()))
                .collect(),
            statics: STATICS
                .iter()
                .map(|(n, b)| ((*n).to_string(), b.to_vec()))
                .collect(),
        }
    }

    /// Lay a portal's templates and static files over this theme (same name wins).
    pub fn overlay(
        mut self,
        templates: BTreeMap<String, String>,
        statics: BTreeMap<String, Vec<u8>>,
    ) -> Theme {
        self.templates.extend(templates);
        self.statics.extend(statics);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_replace_same_name_only() {
        let theme = Theme::embedded().overlay(
            BTreeMap::from([("404.html".to_string(), "gone".to_string())]),
            BTreeMap::from([("extra.css".to_string(), b"a{}".to_vec())]),
        );
        assert_eq!(theme.templates["404.html"], "gone");
        assert!(theme.templates["base.html"].contains("<html"));
        assert_eq!(theme.statics["extra.css"], b"a{}");
        assert!(theme.statics.contains_key("style.css"));
    }
}
