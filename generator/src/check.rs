//! `portal check` of a portal root's own files: `portal.toml`, the `content/` pages and the
//! `site/templates` overrides, each reported with its problems located as `path:line:col`.
//!
//! The reading happens in [`check_root`]; what is wrong with each file is worked out by pure
//! functions ([`check_config`], [`check_template`], [`page_conflicts`], [`dead_links`]). The
//! dead-link warnings are also what `build` and `serve` print ([`crate::load::load_root`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use api_model::{Catalog, Diagnostic, Location, PortalConfig};

use crate::content::ContentPage;
use crate::error::Error;
use crate::load::{self, Input};
use crate::site;
use crate::theme::Theme;

/// What a file of a portal root is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteFileKind {
    /// `portal.toml`.
    Config,
    /// A Markdown page under `content/`.
    Content,
    /// A template under `site/templates/`.
    Template,
}

impl SiteFileKind {
    /// The lowercase name used in `portal check` output.
    pub fn as_str(self) -> &'static str {
        match self {
            SiteFileKind::Config => "config",
            SiteFileKind::Content => "content",
            SiteFileKind::Template => "template",
        }
    }
}

/// One checked file of a portal root.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteFile {
    /// The file, under the root as given.
    pub path: PathBuf,
    /// Its kind.
    pub kind: SiteFileKind,
    /// The portal's or the page's title, when the file could be read.
    pub title: Option<String>,
    /// Errors and warnings, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Whether `dir` holds a portal's own files (a `portal.toml`, `content/` or `site/templates/`),
/// which `portal check` then checks besides the specs.
pub fn is_portal_root(dir: &Path) -> bool {
    dir.join("portal.toml").is_file()
        || dir.join("content").is_dir()
        || dir.join("site").join("templates").is_dir()
}

/// Check the config, the content pages and the template overrides of a portal root, against
/// the catalog its specs make (for the APIs the config names and the pages' output paths).
pub fn check_root(root: &Path, catalog: &Catalog) -> Vec<SiteFile> {
    let mut files = Vec::new();
    let config_path = root.join("portal.toml");
    if config_path.is_file() {
        let (title, diagnostics) = match std::fs::read_to_string(&config_path) {
            Ok(text) => check_config(&config_path, &text, catalog),
            Err(e) => (None, vec![unreadable(&config_path, &e)]),
        };
        files.push(SiteFile {
            path: config_path,
            kind: SiteFileKind::Config,
            title,
            diagnostics,
        });
    }
    let content = root.join("content");
    let mut pages = Vec::new();
    match load::list_files(&content) {
        Ok(list) => {
            for rel in list.into_iter().filter(|rel| rel.ends_with(".md")) {
                let path = content.join(&rel);
                match load::load_page(&path, &rel) {
                    Ok(page) => {
                        files.push(SiteFile {
                            path,
                            kind: SiteFileKind::Content,
                            title: Some(page.title.clone()),
                            diagnostics: Vec::new(),
                        });
                        pages.push(page);
                    }
                    Err(e) => files.push(SiteFile {
                        diagnostics: vec![diagnostic(&e, &path)],
                        path,
                        kind: SiteFileKind::Content,
                        title: None,
                    }),
                }
            }
        }
        Err(e) => files.push(SiteFile {
            diagnostics: vec![diagnostic(&e, &content)],
            path: content,
            kind: SiteFileKind::Content,
            title: None,
        }),
    }
    let input = Input {
        pages,
        catalog: catalog.clone(),
        ..Input::default()
    };
    for (source, message) in page_conflicts(&input) {
        let path = root.join("content").join(&source);
        if let Some(file) = files.iter_mut().find(|f| f.path == path) {
            file.diagnostics
                .push(Diagnostic::error(Location::file(&path), message));
        }
    }
    for dead in dead_links(root, &input) {
        if let Some(file) = files.iter_mut().find(|f| f.path == dead.path) {
            file.diagnostics.push(dead);
        }
    }
    let templates = root.join("site").join("templates");
    match load::list_files(&templates) {
        Ok(list) => {
            for rel in list {
                let path = templates.join(&rel);
                let diagnostics = match std::fs::read_to_string(&path) {
                    Ok(text) => check_template(&path, &rel, &text),
                    Err(e) => vec![unreadable(&path, &e)],
                };
                files.push(SiteFile {
                    path,
                    kind: SiteFileKind::Template,
                    title: None,
                    diagnostics,
                });
            }
        }
        Err(e) => files.push(SiteFile {
            diagnostics: vec![diagnostic(&e, &templates)],
            path: templates,
            kind: SiteFileKind::Template,
            title: None,
        }),
    }
    files
}

fn unreadable(path: &Path, e: &std::io::Error) -> Diagnostic {
    Diagnostic::error(Location::file(path), format!("cannot read: {e}"))
}

/// A generator error as a located diagnostic; one that names no file is put on `file`.
fn diagnostic(e: &Error, file: &Path) -> Diagnostic {
    match e {
        Error::FrontMatter {
            path,
            line,
            column,
            message,
        } => Diagnostic::error(
            Location::at(
                path,
                u32::try_from(*line).unwrap_or(u32::MAX),
                u32::try_from(*column).unwrap_or(u32::MAX),
            ),
            format!("invalid front matter: {message}"),
        ),
        Error::Content { path, message } => Diagnostic::error(Location::file(path), message),
        Error::Io {
            path,
            action,
            source,
        } => Diagnostic::error(Location::file(path), format!("{action}: {source}")),
        Error::Config(e) => e.to_diagnostic(),
        Error::TemplateSyntax {
            path,
            line,
            column,
            message,
        } => Diagnostic::error(Location::at(path, *line, *column), message),
        other => Diagnostic::error(Location::file(file), other.to_string()),
    }
}

/// `portal.toml`: its problems (syntax, values, then the APIs it names that the specs do not
/// have) and the portal title. Pure.
pub fn check_config(
    path: &Path,
    text: &str,
    catalog: &Catalog,
) -> (Option<String>, Vec<Diagnostic>) {
    let (config, mut diagnostics) = PortalConfig::read(path, text);
    let title = config.as_ref().map(|c| c.title().to_string());
    if let Some(config) = &config {
        diagnostics.extend(config.catalog_warnings(path, text, catalog));
    }
    (title, diagnostics)
}

/// A template override (`rel` under `site/templates/`): does it compile with the rest of the
/// default theme? Pure.
pub fn check_template(path: &Path, rel: &str, text: &str) -> Vec<Diagnostic> {
    let theme = Theme::embedded().overlay(
        BTreeMap::from([(rel.to_string(), text.to_string())]),
        BTreeMap::new(),
    );
    match crate::render::compile(&theme) {
        Ok(_) => Vec::new(),
        Err(e) => {
            let mut d = diagnostic(&e, path);
            // A syntax error names `site/templates/<rel>`: the file checked, as the root has it.
            if d.path.ends_with(rel) {
                d.path = path.to_path_buf();
            }
            vec![d]
        }
    }
}

/// Content pages whose output file is another page's (two sources for one URL, or a page at a
/// path the portal generates, such as `apis/` or `plans/`): (source, message). Pure.
pub fn page_conflicts(input: &Input) -> Vec<(String, String)> {
    let mut seen: BTreeMap<String, site::PageId> = BTreeMap::new();
    let mut out = Vec::new();
    for page in site::pages(input) {
        match seen.get(&page.path) {
            Some(first) => {
                let (source, other) = match (&page.id, first) {
                    (site::PageId::Content { source }, other)
                    | (other, site::PageId::Content { source }) => (source.clone(), other),
                    _ => continue,
                };
                out.push((
                    source,
                    format!(
                        "writes {}, which the {} page writes too; move or rename the file",
                        page.path,
                        other.label()
                    ),
                ));
            }
            None => {
                seen.insert(page.path.clone(), page.id.clone());
            }
        }
    }
    out
}

/// Links of the content pages that lead to no page of the portal, or to a heading a content
/// page does not have, as warnings located in `content/` under `root`. Links out of the portal,
/// and to files other than pages (images, spec downloads), are not followed. Pure.
pub fn dead_links(root: &Path, input: &Input) -> Vec<Diagnostic> {
    let pages = &input.pages;
    if pages.iter().all(|p| p.links.is_empty()) {
        return Vec::new();
    }
    let urls: BTreeMap<String, Option<&ContentPage>> = site::pages(input)
        .into_iter()
        .map(|spec| {
            let content = match &spec.id {
                site::PageId::Content { source } => pages.iter().find(|p| p.source == *source),
                _ => None,
            };
            (spec.url, content)
        })
        .collect();
    let mut out = Vec::new();
    for page in pages {
        let path = root.join("content").join(&page.source);
        for link in &page.links {
            if let Some(why) = dead_link(page, &link.href, &urls) {
                out.push(Diagnostic::warning(
                    Location::at(&path, link.line, link.column),
                    format!("link `{}` {why}", link.written),
                ));
            }
        }
    }
    out
}

/// Why `href` (relative to `page`) leads nowhere, `None` when it leads to a page (or is not
/// followed). Pure.
fn dead_link(
    page: &ContentPage,
    href: &str,
    urls: &BTreeMap<String, Option<&ContentPage>>,
) -> Option<String> {
    let scheme = href
        .split_once(':')
        .is_some_and(|(s, _)| !s.is_empty() && !s.contains(['/', '?', '#']));
    if scheme || href.starts_with("//") {
        return None;
    }
    let (rest, fragment) = href.split_once('#').unwrap_or((href, ""));
    let path = rest.split_once('?').map_or(rest, |(p, _)| p);
    let target: Option<&ContentPage> = if path.is_empty() {
        Some(page)
    } else {
        let mut parts: Vec<&str> = page.url.split('/').filter(|s| !s.is_empty()).collect();
        for seg in path.split('/') {
            match seg {
                "" | "." => {}
                ".." => {
                    if parts.pop().is_none() {
                        return Some("leads above the root of the portal".into());
                    }
                }
                s => parts.push(s),
            }
        }
        let last = parts.last().copied().unwrap_or("");
        let key = if last == "index.html" {
            parts.pop();
            dir_url(&parts)
        } else if last.ends_with(".html") {
            parts.join("/")
        } else if last.contains('.') {
            // A file (image, stylesheet, spec download): not a page.
            return None;
        } else {
            dir_url(&parts)
        };
        match urls.get(&key) {
            Some(content) => *content,
            None => {
                return Some(format!(
                    "leads to no page of the portal (`{}`)",
                    if key.is_empty() { "/" } else { &key }
                ));
            }
        }
    };
    match target {
        Some(p) if !fragment.is_empty() && p.source != "faq.md" => {
            (!p.headings.iter().any(|h| h.id == fragment)).then(|| {
                format!(
                    "leads to no heading `#{fragment}` of {}",
                    if std::ptr::eq(p, page) {
                        "this page".to_string()
                    } else {
                        format!("content/{}", p.source)
                    }
                )
            })
        }
        _ => None,
    }
}

/// The URL of a folder of the site (`docs/a/`; empty for the root).
fn dir_url(parts: &[&str]) -> String {
    if parts.is_empty() {
        String::new()
    } else {
        format!("{}/", parts.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_syntax_error_is_located_in_the_override() {
        let path = Path::new("site/templates/page.html");
        let d = check_template(path, "page.html", "<main>\n{% if %}\n</main>\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            d[0].to_string(),
            "site/templates/page.html:2:7: error: expected a value that can be negated"
        );
        assert_eq!(
            check_template(path, "page.html", "{% extends \"base.html\" %}\n"),
            []
        );
        let missing = check_template(path, "page.html", "{% extends \"nope.html\" %}");
        assert_eq!(missing.len(), 1);
        assert!(
            missing[0].message.contains("nope.html"),
            "{}",
            missing[0].message
        );
    }

    #[test]
    fn pages_at_generated_paths_conflict() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/docs/a")).expect("mkdir");
        std::fs::create_dir_all(root.join("site/templates")).expect("mkdir");
        std::fs::write(root.join("content/plans.md"), "# Plans\n").expect("write");
        std::fs::write(root.join("content/docs/a.md"), "# A\n").expect("write");
        std::fs::write(root.join("content/docs/a/index.md"), "# A too\n").expect("write");
        std::fs::write(root.join("content/bad.md"), "---\ntitle: [x\n---\n").expect("write");
        std::fs::write(root.join("site/templates/404.html"), "{{ oops").expect("write");
        std::fs::write(root.join("portal.toml"), "default_environment = \"x\"\n").expect("write");
        let files = check_root(root, &Catalog::default());
        let lines: Vec<String> = files
            .iter()
            .flat_map(|f| f.diagnostics.iter())
            .map(|d| {
                d.to_string()
                    .replace(&root.display().to_string(), "ROOT")
                    .replace('\\', "/")
            })
            .collect();
        assert_eq!(lines.len(), 5, "{lines:#?}");
        assert!(lines[0].starts_with("ROOT/portal.toml:1:23: error: default_environment `x`"));
        assert!(
            lines[1].starts_with("ROOT/content/bad.md:2:"),
            "{}",
            lines[1]
        );
        assert!(lines[2].starts_with("ROOT/content/docs/a/index.md: error: writes docs/a/index.html, which the content docs/a.md page writes too"), "{}", lines[2]);
        assert!(
            lines[3].starts_with("ROOT/content/plans.md: error: writes plans/index.html"),
            "{}",
            lines[3]
        );
        assert!(
            lines[4].starts_with("ROOT/site/templates/404.html:1:"),
            "{}",
            lines[4]
        );
        let kinds: Vec<&str> = files.iter().map(|f| f.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "config", "content", "content", "content", "content", "template"
            ]
        );
    }

    #[test]
    fn dead_links_are_located_and_live_ones_pass() {
        let a_text = "---\ntitle: A\n---\n# Page A\n\n## Setup steps\n\n\
                      [b](b.md) [b](b.md#usage) [x](b.md#nope) [s](#setup-steps) [m](#missing)\n\
                      [a](/apis/) [p](../../plans/) [g](../gone.md) [e](https://x.test/) \
                      [m](mailto:a@b.c)\n[c](../../static/style.css) [u](../../../x/) \
                      [f](/faq.md#any) [n](../b) [h](/404.html) [i](/docs/index.html)\n";
        let parse = |source: &str, text: &str| {
            crate::content::parse(Path::new(source), source, text).expect("page")
        };
        let input = Input {
            pages: vec![
                parse("docs/a.md", a_text),
                parse("docs/b.md", "# B\n\n## Usage\n"),
                parse("docs/index.md", "# Docs\n"),
                parse("faq.md", "# FAQ\n"),
            ],
            ..Input::default()
        };
        let lines: Vec<String> = dead_links(Path::new("root"), &input)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            lines,
            [
                "root/content/docs/a.md:8:27: warning: link `b.md#nope` leads to no heading `#nope` of content/docs/b.md",
                "root/content/docs/a.md:8:60: warning: link `#missing` leads to no heading `#missing` of this page",
                "root/content/docs/a.md:9:31: warning: link `../gone.md` leads to no page of the portal (`gone/`)",
                "root/content/docs/a.md:10:29: warning: link `../../../x/` leads above the root of the portal",
            ]
        );
    }
}
