//! Rendering: every page through tera into in-memory files, plus the static assets, the spec
//! downloads and the sitemap. Pure: nothing here touches the disk.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use tera::{Context, Tera};

use crate::error::{Error, Result};
use crate::highlight;
use crate::load::Input;
use crate::site::{self, PageId, PageSpec};
use crate::views::{self, Prepared};

/// One file of the output, in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path relative to the output folder, forward slashes.
    pub path: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// The template of one operation's link in an operation page's sidebar (context: `op`, an
/// operation row, and `current`), rendered once per operation and state per build.
const NAV_LINK: &str = "op-nav-link.html";

/// Templates compiled once, plus what every page shares.
#[derive(Debug)]
pub struct Renderer<'a> {
    input: &'a Input,
    tera: Tera,
    prepared: Prepared,
    pages: Vec<PageSpec>,
}

/// Compile a theme's templates. A template that does not parse is reported at its line and
/// column under `site/templates/`.
pub fn compile(theme: &crate::theme::Theme) -> Result<Tera> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    // Tera's default escapes `/` too, which makes every relative URL unreadable.
    tera.set_escape_fn(highlight::escape);
    tera.add_raw_templates(
        theme
            .templates
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str())),
    )
    .map_err(|e| Error::template("theme", &e))?;
    Ok(tera)
}

impl<'a> Renderer<'a> {
    /// Compile the theme's templates and list the pages.
    pub fn new(input: &'a Input, base_url: Option<&str>) -> Result<Renderer<'a>> {
        let tera = compile(&input.theme)?;
        let pages = site::pages(input);
        site::check_unique(&pages)?;
        let mut prepared = Prepared::new(input, base_url);
        prepared.render_nav_links(|op, current| {
            let mut ctx = Context::new();
            ctx.insert("op", op);
            ctx.insert("current", &current);
            let link = tera
                .render(NAV_LINK, &ctx)
                .map_err(|e| Error::template(NAV_LINK, &e))?;
            Ok::<String, Error>(link.trim_matches(['\r', '\n']).to_string())
        })?;
        Ok(Renderer {
            input,
            tera,
            prepared,
            pages,
        })
    }

    /// Every page, in a stable order.
    pub fn pages(&self) -> &[PageSpec] {
        &self.pages
    }

    /// Render one page.
    pub fn render_page(&self, page: &PageSpec) -> Result<OutputFile> {
        let mut ctx = Context::new();
        ctx.insert("site", &self.prepared.site);
        ctx.insert("page", &views::page_meta(&self.prepared, self.input, page));
        ctx.insert("view", &views::view(&self.prepared, self.input, page));
        let html = self.tera.render(page.template, &ctx).map_err(|e| {
            Error::template(&format!("{} ({})", page.template, page.id.label()), &e)
        })?;
        Ok(OutputFile {
            path: page.path.clone(),
            bytes: html.into_bytes(),
        })
    }

    /// Render the page with this id.
    pub fn render_id(&self, id: &PageId) -> Result<OutputFile> {
        let page = self
            .pages
            .iter()
            .find(|p| &p.id == id)
            .ok_or_else(|| Error::NoPage(id.label()))?;
        self.render_page(page)
    }

    /// Render every page, on up to `threads` threads; `progress` is called after each page.
    pub fn render_pages(
        &self,
        threads: usize,
        progress: &(dyn Fn() + Sync),
    ) -> Result<Vec<OutputFile>> {
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<(usize, Result<OutputFile>)>> =
            Mutex::new(Vec::with_capacity(self.pages.len()));
        std::thread::scope(|scope| {
            for _ in 0..threads.max(1) {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    crate::markdown::with_memo(|| {
                        loop {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(page) = self.pages.get(i) else { break };
                            mine.push((i, self.render_page(page)));
                            progress();
                        }
                    });
                    if let Ok(mut all) = results.lock() {
                        all.extend(mine);
                    }
                });
            }
        });
        let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
        results.sort_by_key(|(i, _)| *i);
        results.into_iter().map(|(_, r)| r).collect()
    }

    /// Render every page on `threads` threads and hand each to `sink` in page order as soon as
    /// it and the pages before it are done, so a build writes and indexes while it renders and
    /// never holds the whole site. Stops at the first error (in page order) of rendering or of
    /// `sink`.
    ///
    /// `prepare` runs on the rendering thread, right after a page is rendered, and its result
    /// goes to `sink` with the page: work on a page that need not be done in page order (such
    /// as preparing it for the search index) is done there, off the thread that runs `sink`.
    pub fn render_pages_into<T: Send>(
        &self,
        threads: usize,
        progress: &(dyn Fn() + Sync),
        prepare: &(dyn Fn(&OutputFile) -> T + Sync),
        sink: &mut dyn FnMut(OutputFile, T) -> Result<()>,
    ) -> Result<()> {
        let next = AtomicUsize::new(0);
        let stop = std::sync::atomic::AtomicBool::new(false);
        let threads = threads.max(1);
        let (tx, rx) =
            std::sync::mpsc::sync_channel::<(usize, Result<(OutputFile, T)>)>(threads * 16);
        std::thread::scope(|scope| {
            for _ in 0..threads {
                let tx = tx.clone();
                let (next, stop) = (&next, &stop);
                scope.spawn(move || {
                    crate::markdown::with_memo(|| {
                        while !stop.load(Ordering::Relaxed) {
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(page) = self.pages.get(i) else { break };
                            let result = self.render_page(page).map(|file| {
                                let extra = prepare(&file);
                                (file, extra)
                            });
                            progress();
                            if tx.send((i, result)).is_err() {
                                break;
                            }
                        }
                    })
                });
            }
            drop(tx);
            // Reorder: pages reach the sink in page order, whatever thread finished first.
            let mut waiting: std::collections::BTreeMap<usize, Result<(OutputFile, T)>> =
                std::collections::BTreeMap::new();
            let mut expected = 0;
            let mut outcome = Ok(());
            for (i, result) in rx.iter() {
                waiting.insert(i, result);
                while let Some(result) = waiting.remove(&expected) {
                    expected += 1;
                    if let Err(e) = result.and_then(|(file, extra)| sink(file, extra)) {
                        outcome = Err(e);
                        break;
                    }
                }
                if outcome.is_err() {
                    stop.store(true, Ordering::Relaxed);
                    break;
                }
            }
            // Unblock the renderers still sending, then let them end.
            drop(rx);
            outcome
        })
    }

    /// Static files, the highlighting stylesheet, the spec downloads and the sitemap.
    pub fn assets(&self) -> Vec<OutputFile> {
        let mut out: Vec<OutputFile> = self
            .input
            .theme
            .statics
            .iter()
            .map(|(path, bytes)| OutputFile {
                path: format!("static/{path}"),
                bytes: bytes.clone(),
            })
            .collect();
        out.push(OutputFile {
            path: "static/highlight.css".into(),
            bytes: highlight::stylesheet().into_bytes(),
        });
        for (path, bytes) in &self.input.spec_files {
            out.push(OutputFile {
                path: format!("specs/{path}"),
                bytes: bytes.clone(),
            });
        }
        if let Some(base) = &self.prepared.site.base_url {
            out.push(OutputFile {
                path: "sitemap.xml".into(),
                bytes: sitemap(base, &self.pages).into_bytes(),
            });
        }
        out
    }
}

/// A sitemap of every page but the 404 and search pages (absolute URLs, so `--base-url` only).
pub fn sitemap(base: &str, pages: &[PageSpec]) -> String {
    let mut urls: Vec<&str> = pages
        .iter()
        .filter(|p| !matches!(p.id, PageId::NotFound | PageId::Search))
        .map(|p| p.url.as_str())
        .collect();
    urls.sort_unstable();
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for url in urls {
        s.push_str(&format!(
            "  <url><loc>{}/{}</loc></url>\n",
            highlight::escape(base.trim_end_matches('/')),
            highlight::escape(url)
        ));
    }
    s.push_str("</urlset>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::sample_input;

    fn main_of(html: &str) -> &str {
        let start = html.find("<main").expect("<main>");
        let end = html.find("</main>").expect("</main>") + "</main>".len();
        &html[start..end]
    }

    fn render(path: &str) -> String {
        let input = sample_input();
        let r = Renderer::new(&input, None).expect("templates compile");
        let page = r
            .pages()
            .iter()
            .find(|p| p.path == path)
            .unwrap_or_else(|| panic!("no page {path}"));
        String::from_utf8(r.render_page(page).expect("renders").bytes).expect("utf-8")
    }

    /// A security requirement may name a scheme the API does not declare (a spec mistake, a
    /// load warning): its name is shown, never linked to a section the API page does not have.
    #[test]
    fn undeclared_schemes_are_named_not_linked() {
        let mut input = sample_input();
        let api = input
            .catalog
            .apis
            .iter_mut()
            .find(|a| a.id == "petstore")
            .expect("petstore");
        api.security = vec![[("ghost".to_string(), Vec::new())].into_iter().collect()];
        for op in &mut api.operations {
            op.security = None;
        }
        let r = Renderer::new(&input, None).expect("templates compile");
        for path in [
            "apis/petstore/index.html",
            "apis/petstore/listPets/index.html",
        ] {
            let page = r.pages().iter().find(|p| p.path == path).expect("page");
            let html =
                String::from_utf8(r.render_page(page).expect("renders").bytes).expect("utf-8");
            assert!(html.contains("<code>ghost</code>"), "{path}");
            assert!(!html.contains("#auth-ghost"), "{path}");
        }
    }

    #[test]
    fn every_page_renders() {
        let input = sample_input();
        let r = Renderer::new(&input, Some("https://dev.example.test/portal/")).expect("compile");
        let files = r.render_pages(2, &|| {}).expect("renders");
        assert_eq!(files.len(), r.pages().len());
        for f in &files {
            let html = String::from_utf8_lossy(&f.bytes);
            assert!(html.starts_with("<!DOCTYPE html>"), "{}", f.path);
            assert!(html.contains("<main"), "{}", f.path);
        }
        let assets = r.assets();
        let sitemap = assets
            .iter()
            .find(|f| f.path == "sitemap.xml")
            .expect("sitemap");
        let text = String::from_utf8_lossy(&sitemap.bytes);
        assert!(
            text.contains("<loc>https://dev.example.test/portal/apis/petstore/listPets/</loc>"),
            "{text}"
        );
        assert!(!text.contains("404"), "{text}");
    }

    #[test]
    fn no_sitemap_without_base_url() {
        let input = sample_input();
        let r = Renderer::new(&input, None).expect("compile");
        assert!(!r.assets().iter().any(|f| f.path == "sitemap.xml"));
    }

    /// Search finds an operation by what sets it apart (title, path, description, parameters,
    /// responses), not by the sections every operation page repeats.
    #[test]
    fn operation_pages_index_what_sets_them_apart() {
        let html = render("apis/petstore/createPet/index.html");
        let indexed = crate::search::trim_for_index(&html).expect("trimmed");
        for kept in ["Create a pet", "/pets", "Responses", "The pet is invalid."] {
            assert!(indexed.contains(kept), "{kept:?} not indexed: {indexed}");
        }
        for repeated in [
            "Where to send it",
            "Authentication",
            "Plans",
            "Code samples",
            "op-data",
            "Breadcrumbs",
        ] {
            assert!(html.contains(repeated), "{repeated:?} not on the page");
            assert!(
                !indexed.contains(repeated),
                "{repeated:?} indexed: {indexed}"
            );
        }
    }

    /// The sidebar lists the API's operations once each, the page's own marked current: links
    /// are rendered once per build and copied into every page.
    #[test]
    fn operation_sidebar_marks_only_its_own_page() {
        for (path, own) in [
            ("apis/petstore/createPet/index.html", "createPet"),
            ("apis/petstore/listPets/index.html", "listPets"),
        ] {
            let html = render(path);
            let start = html.find("<nav class=\"sidebar\"").expect("sidebar");
            let nav = &html[start..start + html[start..].find("</nav>").expect("end")];
            for op in ["createPet", "listPets"] {
                assert_eq!(
                    nav.matches(&format!("href=\"../{op}/\"")).count(),
                    1,
                    "{nav}"
                );
            }
            assert_eq!(nav.matches("aria-current=\"page\"").count(), 1, "{nav}");
            assert!(
                nav.contains(&format!("href=\"../{own}/\" aria-current=\"page\"")),
                "{nav}"
            );
            assert!(
                nav.contains("<span class=\"method method-post\">POST</span>"),
                "{nav}"
            );
            assert!(nav.contains("<ul>\n<li><a href=\"../listPets/\""), "{nav}");
        }
    }

    #[test]
    fn operation_page_has_try_hooks() {
        let html = render("apis/petstore/createPet/index.html");
        assert!(
            html.contains("<script type=\"application/json\" id=\"op-data\" data-pagefind-ignore>"),
            "{html}"
        );
        assert!(html.contains("<section id=\"try\""), "{html}");
        assert!(
            html.contains("href=\"../../../static/style.css\""),
            "{html}"
        );
    }

    #[test]
    fn script_in_descriptions_never_goes_live() {
        for path in [
            "apis/petstore/index.html",
            "apis/petstore/listPets/index.html",
            "apis/index.html",
            "docs/getting-started/index.html",
        ] {
            let html = render(path);
            assert!(!html.contains("<script>alert"), "{path}");
            assert!(!html.contains("onerror="), "{path}");
            if let Some(i) = html.find("javascript:") {
                panic!(
                    "{path}: {}",
                    &html[i.saturating_sub(300)..(i + 100).min(html.len())]
                );
            }
        }
    }

    #[test]
    fn snapshot_rest_op_with_one_of() {
        insta::assert_snapshot!(main_of(&render("apis/petstore/createPet/index.html")));
    }

    #[test]
    fn snapshot_soap_op() {
        insta::assert_snapshot!(main_of(&render("apis/bank/GetBalance/index.html")));
    }

    #[test]
    fn snapshot_plans() {
        insta::assert_snapshot!(main_of(&render("plans/index.html")));
    }
}
