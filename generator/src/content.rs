//! Markdown content pages: YAML front matter (title, order, description) and a body, parsed
//! purely from `(path, text)`.

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::markdown::{self, Heading, LinkContext};

/// The front matter a page may carry. Unknown keys are ignored (other tools' keys are common).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct FrontMatter {
    /// Page title (default: the first `#` heading, else the file name).
    pub title: Option<String>,
    /// Sort key in the sidebar (lower first; pages without one come after, by title).
    pub order: Option<i64>,
    /// One-line description (meta description, listings).
    pub description: Option<String>,
}

/// One content page, parsed and rendered.
#[derive(Debug, Clone, PartialEq)]
pub struct ContentPage {
    /// Source path relative to `content/`, forward slashes (`docs/getting-started.md`).
    pub source: String,
    /// URL relative to the site root: empty for the home page, else ending in `/`.
    pub url: String,
    /// Title.
    pub title: String,
    /// Sidebar order.
    pub order: Option<i64>,
    /// Description.
    pub description: Option<String>,
    /// Sanitized HTML of the body.
    pub html: String,
    /// Headings of the body.
    pub headings: Vec<Heading>,
    /// Links of the body, located in the file (for the dead-link warnings).
    pub links: Vec<PageLink>,
}

impl ContentPage {
    /// The output file (`docs/getting-started/index.html`).
    pub fn output_path(&self) -> String {
        format!("{}index.html", self.url)
    }

    /// The folder of the page in the sidebar (`docs`), empty for top-level pages.
    pub fn section(&self) -> &str {
        match self.source.rsplit_once('/') {
            Some((dir, _)) => dir,
            None => "",
        }
    }
}

/// Split `---` front matter from the body. Returns (yaml, body, line of the body's first line).
fn split_front_matter(text: &str) -> (Option<&str>, &str, usize) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return (None, text, 1);
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" || line.trim_end() == "..." {
            let yaml = &rest[..offset];
            let body = &rest[offset + line.len()..];
            let body_line = 2 + yaml.lines().count() + 1;
            return (Some(yaml), body, body_line);
        }
        offset += line.len();
    }
    (None, text, 1)
}

/// Depth of a URL (`docs/a/` -> 2) as a `../` prefix to the root.
pub fn root_prefix(url: &str) -> String {
    "../".repeat(url.matches('/').count())
}

/// A link of a content page, located in its file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLink {
    /// 1-based line in the file.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// The destination as written.
    pub written: String,
    /// The destination in the rendered page, relative to the page.
    pub href: String,
}

/// The links of a page's body (which starts on line `body_line` of its file), located in the
/// file. Pure.
fn locate_links(body: &str, body_line: usize, links: Vec<markdown::Link>) -> Vec<PageLink> {
    links
        .into_iter()
        .map(|link| {
            let before = &body[..link.offset.min(body.len())];
            let line = body_line + before.matches('\n').count();
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            PageLink {
                line: u32::try_from(line).unwrap_or(u32::MAX),
                column: u32::try_from(column).unwrap_or(u32::MAX),
                written: link.written,
                href: link.href,
            }
        })
        .collect()
}

/// Parse and render one content file. `source` is relative to `content/`; `shown` is the path
/// to print in errors.
pub fn parse(shown: &std::path::Path, source: &str, text: &str) -> Result<ContentPage> {
    let (yaml, body, body_line) = split_front_matter(text);
    let front: FrontMatter = match yaml {
        Some(yaml) if !yaml.trim().is_empty() => serde_saphyr::from_str(yaml).map_err(|e| {
            let (line, column) = e
                .location()
                .map_or((1, 1), |l| (l.line() as usize + 1, l.column() as usize));
            Error::FrontMatter {
                path: shown.to_path_buf(),
                line,
                column,
                message: first_line(&e.to_string()),
            }
        })?,
        _ => FrontMatter::default(),
    };
    let stem = source.strip_suffix(".md").unwrap_or(source);
    let url = markdown::content_url(stem);
    let root = root_prefix(&url);
    let source_dir = match source.rsplit_once('/') {
        Some((dir, _)) => dir,
        None => "",
    };
    let ctx = LinkContext {
        root: &root,
        source_dir,
    };
    let rendered = markdown::render_content(body, &ctx);
    let title = front
        .title
        .clone()
        .or_else(|| {
            rendered
                .headings
                .iter()
                .find(|h| h.level == 1)
                .map(|h| h.text.clone())
        })
        .unwrap_or_else(|| title_from_file(stem));
    Ok(ContentPage {
        source: source.to_string(),
        url,
        title,
        order: front.order,
        description: front.description,
        html: rendered.html,
        headings: rendered.headings,
        links: locate_links(body, body_line, rendered.links),
    })
}

/// The YAML parser's message without its own `error: line L column C:` prefix (the location
/// is given, in file terms, by the error that carries the message).
fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or(s);
    let line = line.strip_prefix("error: ").unwrap_or(line);
    match line.split_once(": ") {
        Some((at, rest)) if at.starts_with("line ") && at.contains(" column ") => rest.to_string(),
        _ => line.to_string(),
    }
}

fn title_from_file(stem: &str) -> String {
    let name = stem.rsplit('/').next().unwrap_or(stem);
    let name = if name == "index" {
        stem.rsplit('/').nth(1).unwrap_or("Home")
    } else {
        name
    };
    let words: Vec<String> = name
        .split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect();
    if words.is_empty() {
        "Home".to_string()
    } else {
        words.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn front_matter_and_paths() {
        let page = parse(
            Path::new("content/docs/getting-started.md"),
            "docs/getting-started.md",
            "---\ntitle: Start here\norder: 2\ndescription: First steps\n---\n# Hello\n\nText\n",
        )
        .expect("parses");
        assert_eq!(page.title, "Start here");
        assert_eq!(page.order, Some(2));
        assert_eq!(page.description.as_deref(), Some("First steps"));
        assert_eq!(page.url, "docs/getting-started/");
        assert_eq!(page.output_path(), "docs/getting-started/index.html");
        assert_eq!(page.section(), "docs");
        assert!(page.html.contains("<h1 id=\"hello\">"), "{}", page.html);
    }

    #[test]
    fn title_falls_back_to_heading_then_file() {
        let page = parse(Path::new("x"), "faq.md", "# Questions\n").expect("parses");
        assert_eq!(page.title, "Questions");
        let page = parse(Path::new("x"), "docs/rate-limits.md", "Text\n").expect("parses");
        assert_eq!(page.title, "Rate Limits");
    }

    #[test]
    fn bad_front_matter_is_located() {
        let err = parse(
            Path::new("content/a.md"),
            "a.md",
            "---\ntitle: ok\norder: [1\n---\nbody\n",
        )
        .expect_err("bad yaml");
        let text = err.to_string();
        assert!(text.starts_with("content/a.md:3:"), "{text}");
        // The YAML parser's own `line L column C` (counted in the front matter) is not repeated.
        assert!(!text.contains(" column "), "{text}");
        assert!(text.contains(": invalid front matter: "), "{text}");
    }

    #[test]
    fn root_prefixes() {
        assert_eq!(root_prefix(""), "");
        assert_eq!(root_prefix("faq/"), "../");
        assert_eq!(root_prefix("docs/a/"), "../../");
    }
}
