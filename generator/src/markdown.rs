//! Markdown to safe HTML: pulldown-cmark (tables, footnotes, heading ids), code highlighted at
//! build time, links made relative, and every result sanitized with ammonia.
//!
//! Two policies: content pages (the portal's own Markdown: headings get ids and anchors, images
//! and classes allowed) and spec descriptions (untrusted: no ids, no images, nothing active).

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::OnceLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::highlight;

/// A heading of a content page, for tables of contents and the FAQ question list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// Plain text.
    pub text: String,
    /// The `id` attribute (unique in the page).
    pub id: String,
}

/// A rendered content page body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rendered {
    /// Sanitized HTML.
    pub html: String,
    /// Headings in order.
    pub headings: Vec<Heading>,
    /// Links (not images) in order, with where they are written.
    pub links: Vec<Link>,
}

/// Where a content page sits, to rewrite its links.
#[derive(Debug, Clone, Copy)]
pub struct LinkContext<'a> {
    /// The `../` prefix from the page to the site root.
    pub root: &'a str,
    /// The folder of the Markdown source, relative to `content/` (`docs`, or empty).
    pub source_dir: &'a str,
}

/// Ids the page templates use themselves; headings never take them.
const RESERVED_IDS: &[&str] = &[
    "main",
    "content",
    "top",
    "try",
    "op-data",
    "sidebar",
    "search",
    "nav",
    "footer",
    "toc",
    "questions",
];

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_TASKLISTS
}

/// A slug for heading ids: lowercase letters, digits and dashes.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    if out.is_empty() {
        out.push_str("section");
    }
    out
}

fn unique_id(base: String, used: &mut HashSet<String>) -> String {
    let mut id = base.clone();
    let mut n = 2;
    while used.contains(&id) || RESERVED_IDS.contains(&id.as_str()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    used.insert(id.clone());
    id
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Rewrite a content link: `/x` becomes root-relative, `other.md` becomes the other page's URL.
fn rewrite_link(dest: &str, ctx: &LinkContext<'_>) -> Option<String> {
    if dest.starts_with("//") || dest.contains("://") || dest.starts_with('#') {
        return None;
    }
    if dest.starts_with("mailto:") || dest.starts_with("tel:") {
        return None;
    }
    let (path, frag) = match dest.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (dest, None),
    };
    let frag = frag.map(|f| format!("#{f}")).unwrap_or_default();
    if let Some(rest) = path.strip_prefix('/') {
        let rest = match rest.strip_suffix(".md") {
            Some(stem) => content_url(stem),
            None => rest.to_string(),
        };
        return Some(format!("{}{rest}{frag}", ctx.root));
    }
    let stem = path.strip_suffix(".md")?;
    let mut parts: Vec<&str> = ctx
        .source_dir
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    for seg in stem.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    Some(format!(
        "{}{}{frag}",
        ctx.root,
        content_url(&parts.join("/"))
    ))
}

/// The URL (relative to the site root, ending in `/` or empty) of a content file's stem
/// (`docs/getting-started` -> `docs/getting-started/`, `index` -> ``, `docs/index` -> `docs/`).
pub fn content_url(stem: &str) -> String {
    let stem = stem.trim_matches('/');
    if stem == "index" || stem.is_empty() {
        return String::new();
    }
    match stem.strip_suffix("/index") {
        Some(dir) => format!("{dir}/"),
        None => format!("{stem}/"),
    }
}

/// A link of a Markdown text: where it is written, as written, and as the page will have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Byte offset of the link in the Markdown.
    pub offset: usize,
    /// The destination as written (`other.md#x`).
    pub written: String,
    /// The destination in the rendered page (`../other/#x`).
    pub href: String,
}

/// Render a content page (trusted, but still sanitized: no script, no handlers).
pub fn render_content(markdown: &str, ctx: &LinkContext<'_>) -> Rendered {
    // The links are noted (where written, as written, as rewritten) in the one parse.
    let mut links = Vec::new();
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, options())
        .into_offset_iter()
        .map(|(event, range)| {
            if let Event::Start(Tag::Link { dest_url, .. }) = &event {
                links.push(Link {
                    offset: range.start,
                    href: rewrite_link(dest_url, ctx).unwrap_or_else(|| dest_url.to_string()),
                    written: dest_url.to_string(),
                });
            }
            event
        })
        .collect();
    let mut used: HashSet<String> = HashSet::new();
    // Explicit `{#id}`s are taken first, so generated ones never steal them.
    for event in &events {
        if let Event::Start(Tag::Heading { id: Some(id), .. }) = event {
            used.insert(id.to_string());
        }
    }
    let mut out: Vec<Event<'_>> = Vec::with_capacity(events.len());
    let mut headings = Vec::new();
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let mut text = String::new();
                let mut j = i + 1;
                while j < events.len() {
                    match &events[j] {
                        Event::End(TagEnd::Heading(_)) => break,
                        Event::Text(t) | Event::Code(t) => text.push_str(t),
                        _ => {}
                    }
                    j += 1;
                }
                let id = match id {
                    Some(id) => id.to_string(),
                    None => unique_id(slug(&text), &mut used),
                };
                headings.push(Heading {
                    level: level_number(*level),
                    text: text.trim().to_string(),
                    id: id.clone(),
                });
                out.push(Event::Start(Tag::Heading {
                    level: *level,
                    id: Some(CowStr::from(id.clone())),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
                for event in &events[i + 1..j.min(events.len())] {
                    out.push(relink(event.clone(), ctx));
                }
                out.push(Event::Html(CowStr::from(format!(
                    " <a class=\"anchor\" href=\"#{}\"><span class=\"visually-hidden\">Link to this section</span>#</a>",
                    highlight::escape(&id)
                ))));
                if j < events.len() {
                    out.push(events[j].clone());
                }
                i = j + 1;
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split(|c: char| c.is_whitespace() || c == ',')
                        .next()
                        .unwrap_or("")
                        .to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                let mut code = String::new();
                let mut j = i + 1;
                while j < events.len() {
                    match &events[j] {
                        Event::End(TagEnd::CodeBlock) => break,
                        Event::Text(t) => code.push_str(t),
                        _ => {}
                    }
                    j += 1;
                }
                out.push(Event::Html(CowStr::from(highlight::code_block(
                    &code, &lang,
                ))));
                i = j + 1;
            }
            other => {
                out.push(relink(other.clone(), ctx));
                i += 1;
            }
        }
    }
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    // An image whose only attributes were unsafe comes out as a bare `<img>`: invalid HTML.
    let html = content_policy()
        .clean(&html)
        .to_string()
        .replace("<img>", "");
    Rendered {
        html,
        headings,
        links,
    }
}

fn relink<'a>(event: Event<'a>, ctx: &LinkContext<'_>) -> Event<'a> {
    match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = rewrite_link(&dest_url, ctx)
                .map(CowStr::from)
                .unwrap_or(dest_url);
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            })
        }
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let dest_url = match dest_url.strip_prefix('/') {
                Some(rest) if !rest.starts_with('/') => CowStr::from(format!("{}{rest}", ctx.root)),
                _ => dest_url,
            };
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            })
        }
        other => other,
    }
}

/// Render an untrusted description from a spec. Headings are demoted by `shift` levels (so a
/// description's `#` does not compete with the page's own headings) and get no ids.
pub fn render_untrusted(markdown: &str) -> String {
    if markdown.trim().is_empty() {
        return String::new();
    }
    let remembered = UNTRUSTED_MEMO.with(|memo| {
        memo.borrow()
            .as_ref()
            .map(|memo| memo.get(markdown).cloned())
    });
    match remembered {
        Some(Some(html)) => html,
        Some(None) => {
            let html = render_untrusted_now(markdown);
            UNTRUSTED_MEMO.with(|memo| {
                if let Some(memo) = memo.borrow_mut().as_mut() {
                    memo.insert(markdown.to_string(), html.clone());
                }
            });
            html
        }
        None => render_untrusted_now(markdown),
    }
}

thread_local! {
    /// The descriptions this thread has rendered, while [`with_memo`] runs.
    static UNTRUSTED_MEMO: RefCell<Option<HashMap<String, String>>> = const { RefCell::new(None) };
}

/// Run `f` with [`render_untrusted`] remembering what it rendered on this thread, and forget it
/// all when `f` returns. Specs repeat descriptions across operations (a shared parameter or
/// schema is described once and shown on hundreds of pages), and rendering one is a Markdown
/// parse plus a sanitizer pass; the result depends on the text alone. Scoped rather than
/// global, so a long `portal serve` session does not keep every description it ever saw.
pub fn with_memo<R>(f: impl FnOnce() -> R) -> R {
    /// Puts back the state `with_memo` found, also when `f` panics.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            if !self.0 {
                UNTRUSTED_MEMO.with(|memo| *memo.borrow_mut() = None);
            }
        }
    }
    let nested = UNTRUSTED_MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        let nested = memo.is_some();
        if !nested {
            *memo = Some(HashMap::new());
        }
        nested
    });
    let _restore = Restore(nested);
    f()
}

fn render_untrusted_now(markdown: &str) -> String {
    // Only absolute web links survive: a spec's `#anchor` or relative link points into a
    // document layout this site does not have, and footnote ids are stripped by the policy.
    let keep = |dest: &str| {
        let lower = dest.trim().to_ascii_lowercase();
        lower.starts_with("https://")
            || lower.starts_with("http://")
            || lower.starts_with("mailto:")
    };
    let mut dropped_links = Vec::new();
    let opts = options() - Options::ENABLE_FOOTNOTES - Options::ENABLE_HEADING_ATTRIBUTES;
    let events = Parser::new_ext(markdown, opts).filter_map(|event| match event {
        Event::Start(Tag::Link { ref dest_url, .. }) => {
            let drop = !keep(dest_url);
            dropped_links.push(drop);
            (!drop).then_some(event)
        }
        Event::End(TagEnd::Link) => match dropped_links.pop() {
            Some(true) => None,
            _ => Some(event),
        },
        other => Some(other),
    });
    let events = events.map(|event| match event {
        Event::Start(Tag::Heading {
            level,
            classes,
            attrs,
            ..
        }) => Event::Start(Tag::Heading {
            level: demote(level),
            id: None,
            classes,
            attrs,
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demote(level))),
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events);
    untrusted_policy().clean(&html).to_string()
}

/// Render an untrusted one-liner (a summary): inline Markdown only, no paragraph wrapper.
pub fn render_untrusted_inline(markdown: &str) -> String {
    let html = render_untrusted(markdown);
    let trimmed = html.trim();
    match trimmed
        .strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
    {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => trimmed.to_string(),
    }
}

fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 | HeadingLevel::H2 | HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        HeadingLevel::H5 | HeadingLevel::H6 => HeadingLevel::H6,
    }
}

fn content_policy() -> &'static ammonia::Builder<'static> {
    static POLICY: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    POLICY.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_generic_attributes(["class", "id"]);
        b.add_tags(["details", "summary", "figure", "figcaption", "kbd", "mark"]);
        b.add_tag_attributes("pre", ["data-lang"]);
        b.add_tag_attributes("img", ["width", "height", "loading"]);
        b.add_tag_attributes("td", ["style"]);
        b.add_tag_attributes("th", ["style"]);
        b.filter_style_properties(BTreeSet::from(["text-align"]).into_iter().collect());
        b.link_rel(None);
        b
    })
}

fn untrusted_policy() -> &'static ammonia::Builder<'static> {
    static POLICY: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    POLICY.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        // Images would be requests to hosts the portal does not control.
        b.rm_tags(["img"]);
        b.add_generic_attributes(["class"]);
        b.add_tag_attributes("pre", ["data-lang"]);
        b.link_rel(Some("noopener noreferrer nofollow"));
        b.url_relative(ammonia::UrlRelative::Deny);
        b
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: LinkContext<'static> = LinkContext {
        root: "../../",
        source_dir: "docs",
    };

    #[test]
    fn headings_get_unique_ids_and_anchors() {
        let r = render_content("# Intro\n\n## Setup\n\n## Setup\n\n## Try\n", &ROOT);
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["intro", "setup", "setup-2", "try-2"]);
        assert!(r.html.contains("<h2 id=\"setup-2\">"), "{}", r.html);
        assert!(r.html.contains("href=\"#setup-2\""), "{}", r.html);
    }

    #[test]
    fn explicit_ids_win() {
        let r = render_content("## A {#auth}\n\n## Auth\n", &ROOT);
        let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["auth", "auth-2"]);
    }

    #[test]
    fn tables_footnotes_and_code() {
        let r = render_content(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\nText[^n].\n\n[^n]: Note.\n\n```python\nimport os\n```\n",
            &ROOT,
        );
        assert!(r.html.contains("<table>"), "{}", r.html);
        assert!(r.html.contains("<th>a</th>"), "{}", r.html);
        assert!(r.html.contains("footnote-definition"), "{}", r.html);
        assert!(r.html.contains("class=\"hl-"), "{}", r.html);
    }

    #[test]
    fn links_become_relative() {
        let r = render_content(
            "[a](/apis/) [b](other.md#x) [c](../faq.md) [d](https://e.test/) [e](index.md)",
            &ROOT,
        );
        assert!(r.html.contains("href=\"../../apis/\""), "{}", r.html);
        assert!(
            r.html.contains("href=\"../../docs/other/#x\""),
            "{}",
            r.html
        );
        assert!(r.html.contains("href=\"../../faq/\""), "{}", r.html);
        assert!(r.html.contains("href=\"https://e.test/\""), "{}", r.html);
        assert!(r.html.contains("href=\"../../docs/\""), "{}", r.html);
    }

    #[test]
    fn content_urls() {
        assert_eq!(content_url("index"), "");
        assert_eq!(content_url("faq"), "faq/");
        assert_eq!(content_url("docs/index"), "docs/");
        assert_eq!(content_url("docs/getting-started"), "docs/getting-started/");
    }

    #[test]
    fn content_pages_never_carry_script() {
        let r = render_content(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[x](javascript:alert(3))\n",
            &ROOT,
        );
        assert!(!r.html.contains("<script"), "{}", r.html);
        assert!(!r.html.contains("onerror"), "{}", r.html);
        assert!(!r.html.contains("javascript:"), "{}", r.html);
    }

    #[test]
    fn untrusted_descriptions_are_sanitized() {
        let html = render_untrusted(
            "# Big\n\n<script>alert(1)</script><img src=https://x.test/a.png onerror=alert(1)>\n\n<a href=\"javascript:alert(1)\" onclick=\"x()\">y</a> **bold**",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("<h4>Big</h4>"), "{html}");
        assert!(html.contains("<strong>bold</strong>"), "{html}");
    }

    #[test]
    fn the_memo_gives_what_rendering_gives_and_ends_with_its_scope() {
        let texts = [
            "A *shared* description <script>x()</script>",
            "",
            "Another, [with a link](https://example.test/a).",
        ];
        let direct: Vec<String> = texts.iter().map(|t| render_untrusted(t)).collect();
        let memo_len = || UNTRUSTED_MEMO.with(|m| m.borrow().as_ref().map(HashMap::len));
        let remembered = with_memo(|| {
            // Twice each: the second reads the memo.
            let twice: Vec<String> = texts
                .iter()
                .chain(texts.iter())
                .map(|t| render_untrusted(t))
                .collect();
            // Nested scopes share the outer memo and leave it in place.
            with_memo(|| render_untrusted(texts[0]));
            assert_eq!(memo_len(), Some(2), "blank text is not remembered");
            twice
        });
        assert_eq!(remembered[..3], direct[..]);
        assert_eq!(remembered[3..], direct[..]);
        assert_eq!(memo_len(), None, "the memo ends with with_memo");
    }
    #[test]
    fn untrusted_relative_and_fragment_links_become_text() {
        let html = render_untrusted(
            "[a](#tag/pets) [b](docs/x.md) [c](https://e.test/) [d](mailto:x@e.test) <a href=\"#raw\">r</a>",
        );
        assert!(!html.contains("href=\"#"), "{html}");
        assert!(!html.contains("docs/x.md"), "{html}");
        assert!(html.contains(">a<") || html.contains("a "), "{html}");
        assert!(html.contains("href=\"https://e.test/\""), "{html}");
        assert!(html.contains("href=\"mailto:x@e.test\""), "{html}");
    }

    #[test]
    fn inline_summary_has_no_paragraph() {
        assert_eq!(
            render_untrusted_inline("List `pets`"),
            "List <code>pets</code>"
        );
    }
}
