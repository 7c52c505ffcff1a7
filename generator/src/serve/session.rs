//! The in-memory build behind `portal serve`: the last good [`Input`] and output files, and
//! [`Session::apply`], which re-reads only the inputs a batch of changes touched and re-renders
//! only the pages that depend on them. A failed rebuild leaves the last good build untouched.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use api_model::files::DiskFiles;
use api_model::{Api, Diagnostic, PortalConfig, Protocol, Severity};
use axum::body::Bytes;

use crate::content::ContentPage;
use crate::error::{Error, Result};
use crate::load::{self, Input};
use crate::render::{OutputFile, Renderer};
use crate::serve::classify::ChangeKind;
use crate::serve::watch::Changed;
use crate::site::{self, Change, PageSpec};

/// How the session builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOptions {
    /// The portal root.
    pub root: PathBuf,
    /// Where the sandbox runs (`http://127.0.0.1:4010`): the `sandbox` environment of the
    /// served site points there, so the Try console calls it.
    pub sandbox_url: Option<String>,
    /// Rendering threads.
    pub threads: usize,
}

/// What one [`Session::apply`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Pages rendered again.
    pub rendered: usize,
    /// APIs whose spec was read again (ids).
    pub apis: Vec<String>,
    /// The catalog (APIs or products) changed: the sandbox must be reloaded.
    pub catalog_changed: bool,
    /// `portal.toml` changed (the sandbox's mounts may move too).
    pub config_changed: bool,
    /// Every spec was read again (a file no API was known to read changed).
    pub all_specs: bool,
    /// Wall time.
    pub elapsed: Duration,
}

/// The last good build, in memory.
#[derive(Debug)]
pub struct Session {
    opts: SessionOptions,
    root: PathBuf,
    /// No build has succeeded yet ([`Session::pending`]): why; the next change builds everything.
    pending: Option<String>,
    /// Changes already in the input whose pages are not rendered yet (a render superseded by
    /// newer changes), and whether the theme assets must be written again too.
    unrendered: (BTreeSet<Change>, bool),
    input: Input,
    files: Arc<HashMap<String, Bytes>>,
    page_paths: HashSet<String>,
}

/// What was replaced in the input, to put back when rendering fails.
#[derive(Default)]
struct Undo {
    config: Option<PortalConfig>,
    pages: Option<Vec<ContentPage>>,
    theme: Option<crate::theme::Theme>,
    apis: Vec<(usize, Api)>,
    products: Option<Vec<api_model::Product>>,
    specs: Option<SpecsPart>,
    spec_files: Vec<(String, Option<Vec<u8>>)>,
}

type SpecsPart = (
    api_model::Catalog,
    std::collections::BTreeMap<String, Vec<u8>>,
    Vec<Diagnostic>,
);

/// Point the `sandbox` environment at the running sandbox.
pub fn point_sandbox(config: &mut PortalConfig, url: &str) {
    let env = config
        .environments
        .entry("sandbox".to_string())
        .or_insert_with(|| api_model::config::Environment {
            title: Some("Sandbox".into()),
            description: Some("The local sandbox started by `portal serve`.".into()),
            ..Default::default()
        });
    env.url = Some(url.trim_end_matches('/').to_string());
    env.apis.clear();
    env.live = false;
}

impl Session {
    /// Read the whole root and render every page (no search index: see [`super::search_index`]).
    pub fn new(opts: SessionOptions) -> Result<Session> {
        let root = opts.root.canonicalize().map_err(|source| Error::Io {
            path: opts.root.clone(),
            action: "cannot open the portal root",
            source,
        })?;
        let mut input = load::load_root(&root)?;
        if let Some(url) = &opts.sandbox_url {
            point_sandbox(&mut input.config, url);
        }
        let renderer = Renderer::new(&input, None)?;
        let pages = renderer.render_pages(opts.threads, &|| {})?;
        let page_paths = pages.iter().map(|f| f.path.clone()).collect();
        let mut files = HashMap::with_capacity(pages.len() + 16);
        for f in pages.into_iter().chain(renderer.assets()) {
            files.insert(f.path, Bytes::from(f.bytes));
        }
        drop(renderer);
        Ok(Session {
            opts,
            root,
            pending: None,
            unrendered: (BTreeSet::new(), false),
            input,
            files: Arc::new(files),
            page_paths,
        })
    }

    /// A session whose first build failed with `err`: it serves a page that shows the error
    /// (the overlay does too) and builds everything on the next change, as [`Session::new`]
    /// would, so a portal that is broken when `portal serve` starts can be fixed while it runs.
    pub fn pending(opts: SessionOptions, err: &Error) -> Session {
        let root = opts
            .root
            .canonicalize()
            .unwrap_or_else(|_| opts.root.clone());
        let message = describe(&root, err);
        let page = pending_page(&message);
        let mut files = HashMap::new();
        files.insert("index.html".to_string(), Bytes::from(page.clone()));
        files.insert("404.html".to_string(), Bytes::from(page));
        Session {
            opts,
            root,
            pending: Some(message),
            unrendered: (BTreeSet::new(), false),
            input: Input {
                config: PortalConfig::default(),
                pages: Vec::new(),
                catalog: api_model::Catalog::default(),
                spec_files: std::collections::BTreeMap::new(),
                theme: crate::theme::Theme::embedded(),
                warnings: Vec::new(),
            },
            files: Arc::new(files),
            page_paths: HashSet::new(),
        }
    }

    /// Why no build has succeeded yet (`path:line:col: message` lines), if none has.
    pub fn pending_error(&self) -> Option<&str> {
        self.pending.as_deref()
    }

    /// The root (canonical).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The last good input.
    pub fn input(&self) -> &Input {
        &self.input
    }

    /// The last good output files.
    pub fn files(&self) -> Arc<HashMap<String, Bytes>> {
        Arc::clone(&self.files)
    }

    /// Rebuild after `batch`. On error the last good build is kept as it was.
    pub fn apply(&mut self, batch: &[Changed]) -> Result<Applied> {
        self.apply_with(batch, &mut |_, _| {}, &|| false)
    }

    /// [`Session::apply`], telling `on_read` as soon as a new catalog or config is in the input
    /// (before any page is rendered: the sandbox can serve it at once), and giving up the
    /// rendering with [`Error::Superseded`] when `superseded` says newer changes are waiting.
    /// A superseded apply keeps what it read; its pages are rendered by the next apply.
    pub fn apply_with(
        &mut self,
        batch: &[Changed],
        on_read: &mut dyn FnMut(&Input, &Applied),
        superseded: &(dyn Fn() -> bool + Sync),
    ) -> Result<Applied> {
        let start = Instant::now();
        if self.pending.is_some() {
            let next = Session::new(self.opts.clone())?;
            *self = next;
            let applied = Applied {
                rendered: self.page_paths.len(),
                apis: self
                    .input
                    .catalog
                    .apis
                    .iter()
                    .map(|a| a.id.clone())
                    .collect(),
                catalog_changed: true,
                config_changed: true,
                all_specs: true,
                elapsed: start.elapsed(),
            };
            on_read(&self.input, &applied);
            return Ok(applied);
        }
        let mut applied = Applied::default();
        let mut changes: BTreeSet<Change> = BTreeSet::new();
        let mut undo = Undo::default();
        let mut assets = false;

        // 1. Read what changed (fallible, nothing replaced yet).
        let kinds: BTreeSet<&ChangeKind> = batch.iter().map(|c| &c.kind).collect();
        let config_changed = kinds.contains(&ChangeKind::Config);
        let new_config = if config_changed {
            let mut c = PortalConfig::load(&self.root).map_err(Error::Config)?;
            if let Some(url) = &self.opts.sandbox_url {
                point_sandbox(&mut c, url);
            }
            Some(c)
        } else {
            None
        };
        let new_pages = self.read_content(&kinds, &mut changes)?;
        let theme_changed = kinds
            .iter()
            .any(|k| matches!(k, ChangeKind::Template(_) | ChangeKind::Asset(_)));
        let new_theme = if theme_changed {
            for k in &kinds {
                if let ChangeKind::Template(name) = k {
                    changes.insert(Change::Template(name.clone()));
                }
            }
            assets = true;
            Some(load::load_theme(&self.root)?)
        } else {
            None
        };
        let specs = self.read_specs(&kinds, &mut changes, &mut applied)?;

        // 2. Swap them in, remembering the old values.
        if let Some(c) = new_config {
            undo.config = Some(std::mem::replace(&mut self.input.config, c));
            changes.insert(Change::Config);
            applied.config_changed = true;
            assets = true;
        }
        if let Some(p) = new_pages {
            undo.pages = Some(std::mem::replace(&mut self.input.pages, p));
        }
        if let Some(t) = new_theme {
            undo.theme = Some(std::mem::replace(&mut self.input.theme, t));
        }
        match specs {
            SpecsRead::None => {}
            SpecsRead::All(part) => {
                let (catalog, spec_files, warnings) = part;
                let old = (
                    std::mem::replace(&mut self.input.catalog, catalog),
                    std::mem::replace(&mut self.input.spec_files, spec_files),
                    std::mem::replace(&mut self.input.warnings, warnings),
                );
                undo.specs = Some(old);
                changes.insert(Change::Config);
                applied.catalog_changed = true;
                assets = true;
            }
            SpecsRead::Some {
                apis,
                products,
                files,
            } => {
                for (i, api) in apis {
                    if let Some(slot) = self.input.catalog.apis.get_mut(i) {
                        undo.apis.push((i, std::mem::replace(slot, api)));
                    }
                }
                if let Some(p) = products {
                    undo.products = Some(std::mem::replace(&mut self.input.catalog.products, p));
                }
                for (rel, bytes) in files {
                    let old = match bytes {
                        Some(b) => self.input.spec_files.insert(rel.clone(), b),
                        None => self.input.spec_files.remove(&rel),
                    };
                    undo.spec_files.push((rel, old));
                }
                applied.catalog_changed = true;
                assets = true;
            }
        }

        if applied.catalog_changed || applied.config_changed {
            applied.elapsed = start.elapsed();
            on_read(&self.input, &applied);
        }

        // 3. Render what depends on the changes (and what a superseded render left); put
        //    everything back on failure.
        changes.extend(self.unrendered.0.iter().cloned());
        let assets = assets || self.unrendered.1;
        match self.render(&changes, assets, superseded) {
            Ok((files, page_paths, rendered)) => {
                self.files = Arc::new(files);
                self.page_paths = page_paths;
                self.unrendered = (BTreeSet::new(), false);
                applied.rendered = rendered;
                applied.elapsed = start.elapsed();
                Ok(applied)
            }
            Err(Error::Superseded) => {
                self.unrendered = (changes, assets);
                Err(Error::Superseded)
            }
            Err(e) => {
                self.restore(undo);
                Err(e)
            }
        }
    }

    fn restore(&mut self, undo: Undo) {
        if let Some(c) = undo.config {
            self.input.config = c;
        }
        if let Some(p) = undo.pages {
            self.input.pages = p;
        }
        if let Some(t) = undo.theme {
            self.input.theme = t;
        }
        for (i, api) in undo.apis {
            if let Some(slot) = self.input.catalog.apis.get_mut(i) {
                *slot = api;
            }
        }
        if let Some(p) = undo.products {
            self.input.catalog.products = p;
        }
        if let Some((catalog, files, warnings)) = undo.specs {
            self.input.catalog = catalog;
            self.input.spec_files = files;
            self.input.warnings = warnings;
        }
        for (rel, old) in undo.spec_files.into_iter().rev() {
            match old {
                Some(b) => self.input.spec_files.insert(rel, b),
                None => self.input.spec_files.remove(&rel),
            };
        }
    }

    /// New content pages when Markdown changed; records body-only or navigation changes.
    fn read_content(
        &self,
        kinds: &BTreeSet<&ChangeKind>,
        changes: &mut BTreeSet<Change>,
    ) -> Result<Option<Vec<ContentPage>>> {
        let tree = kinds
            .iter()
            .any(|k| matches!(k, ChangeKind::ContentTree(_)));
        let sources: Vec<&str> = kinds
            .iter()
            .filter_map(|k| match k {
                ChangeKind::Page(s) => Some(s.as_str()),
                ChangeKind::Faq => Some("faq.md"),
                _ => None,
            })
            .collect();
        if !tree && sources.is_empty() {
            return Ok(None);
        }
        if tree {
            changes.insert(Change::ContentNav);
            return load::load_content(&self.root).map(Some);
        }
        let mut pages = self.input.pages.clone();
        for source in sources {
            let path = self.root.join("content").join(source);
            let old = pages.iter().position(|p| p.source == source);
            if path.is_file() {
                let page = load::load_page(&path, source)?;
                match old {
                    Some(i) => {
                        let o = &pages[i];
                        if o.title != page.title || o.order != page.order || o.url != page.url {
                            changes.insert(Change::ContentNav);
                        } else {
                            changes.insert(Change::ContentBody(source.to_string()));
                        }
                        pages[i] = page;
                    }
                    None => {
                        changes.insert(Change::ContentNav);
                        pages.push(page);
                        pages.sort_by(|a, b| a.source.cmp(&b.source));
                    }
                }
            } else if let Some(i) = old {
                pages.remove(i);
                changes.insert(Change::ContentNav);
            }
        }
        Ok(Some(pages))
    }

    /// Re-read the specs a change touched: only the APIs that read a changed file, and the
    /// products (re-resolved against the new APIs); every spec when a file no API read changed.
    fn read_specs(
        &self,
        kinds: &BTreeSet<&ChangeKind>,
        changes: &mut BTreeSet<Change>,
        applied: &mut Applied,
    ) -> Result<SpecsRead> {
        let specs: Vec<&str> = kinds
            .iter()
            .filter_map(|k| match k {
                ChangeKind::Spec(s) => Some(s.as_str()),
                _ => None,
            })
            .collect();
        let products_changed = kinds.iter().any(|k| matches!(k, ChangeKind::Product(_)));
        if specs.is_empty() && !products_changed {
            return Ok(SpecsRead::None);
        }
        let specs_dir = self.root.join("specs");
        let mut targets: BTreeSet<usize> = BTreeSet::new();
        let mut unknown = false;
        for rel in &specs {
            let users: Vec<usize> = self
                .input
                .catalog
                .apis
                .iter()
                .enumerate()
                .filter(|(_, a)| a.source.path == *rel || a.source.files.iter().any(|f| f == rel))
                .map(|(i, _)| i)
                .collect();
            if users.is_empty() {
                unknown = true;
            }
            targets.extend(users);
        }
        let known_products: BTreeSet<&str> = self
            .input
            .catalog
            .products
            .iter()
            .map(|p| p.path.as_str())
            .collect();
        for k in kinds {
            if let ChangeKind::Product(rel) = k {
                if !known_products.contains(rel.as_str()) {
                    unknown = true;
                }
            }
        }
        if unknown {
            applied.all_specs = true;
            let part = load::load_specs(&self.root)?;
            applied.apis = part.0.apis.iter().map(|a| a.id.clone()).collect();
            return Ok(SpecsRead::All(part));
        }
        let mut apis = Vec::new();
        let mut files: Vec<(String, Option<Vec<u8>>)> = Vec::new();
        for i in targets {
            let old = &self.input.catalog.apis[i];
            let Some(api) = reload_api(&specs_dir, old)? else {
                // Its id would change (new title): read everything, as a fresh build would.
                applied.all_specs = true;
                let part = load::load_specs(&self.root)?;
                applied.apis = part.0.apis.iter().map(|a| a.id.clone()).collect();
                return Ok(SpecsRead::All(part));
            };
            for rel in std::iter::once(&api.source.path).chain(&api.source.files) {
                let bytes = std::fs::read(specs_dir.join(rel)).ok();
                files.push((rel.clone(), bytes));
            }
            changes.insert(Change::Api(api.id.clone()));
            applied.apis.push(api.id.clone());
            apis.push((i, api));
        }
        // Products: re-resolved against the new APIs whenever an API or a product changed.
        let mut all: Vec<&Api> = self.input.catalog.apis.iter().collect();
        for (i, api) in &apis {
            all[*i] = api;
        }
        let owned: Vec<Api> = if self.input.catalog.products.is_empty() {
            Vec::new()
        } else {
            all.iter().map(|a| (*a).clone()).collect()
        };
        let mut products = Vec::new();
        for old in &self.input.catalog.products {
            let path = specs_dir.join(&old.path);
            let text = std::fs::read_to_string(&path).map_err(|source| Error::Io {
                path: path.clone(),
                action: "cannot read",
                source,
            })?;
            let file = api_model::product::parse(&path, &text)
                .map_err(|e| Error::Specs(vec![e.to_diagnostic()]))?;
            let (mut product, diagnostics) = api_model::product::resolve(&file, &path, &owned);
            let errors: Vec<Diagnostic> = diagnostics
                .into_iter()
                .filter(|d| d.severity == Severity::Error)
                .collect();
            if !errors.is_empty() {
                return Err(Error::Specs(errors));
            }
            product.path = old.path.clone();
            if products_changed {
                files.push((old.path.clone(), Some(text.into_bytes())));
            }
            products.push(product);
        }
        products.sort_by(|a, b| a.name.cmp(&b.name));
        // An API's own pages (and the plans page) are already covered by `Change::Api`; other
        // APIs' pages only show plans, which change only when a product file does.
        if products_changed {
            changes.insert(Change::Products);
        }
        Ok(SpecsRead::Some {
            apis,
            products: Some(products),
            files,
        })
    }

    /// Render the pages that depend on `changes` over the last good files.
    fn render(
        &self,
        changes: &BTreeSet<Change>,
        assets: bool,
        superseded: &(dyn Fn() -> bool + Sync),
    ) -> Result<(HashMap<String, Bytes>, HashSet<String>, usize)> {
        let renderer = Renderer::new(&self.input, None)?;
        let pages: Vec<&PageSpec> = renderer
            .pages()
            .iter()
            .filter(|p| changes.iter().any(|c| site::depends_on(p, c)))
            .collect();
        let rendered = render_many(&renderer, &pages, self.opts.threads, superseded)?;
        let count = rendered.len();
        let page_paths: HashSet<String> = renderer.pages().iter().map(|p| p.path.clone()).collect();
        let mut files = (*self.files).clone();
        for gone in self.page_paths.difference(&page_paths) {
            files.remove(gone);
        }
        for f in rendered {
            files.insert(f.path, Bytes::from(f.bytes));
        }
        if assets {
            for f in renderer.assets() {
                files.insert(f.path, Bytes::from(f.bytes));
            }
        }
        Ok((files, page_paths, count))
    }

    /// Describe an error for the overlay and the terminal: `path:line:col: message` lines, paths
    /// relative to the root.
    pub fn describe(&self, err: &Error) -> String {
        describe(&self.root, err)
    }
}

enum SpecsRead {
    None,
    All(SpecsPart),
    Some {
        apis: Vec<(usize, Api)>,
        products: Option<Vec<api_model::Product>>,
        files: Vec<(String, Option<Vec<u8>>)>,
    },
}

/// Read one API again from its spec file (with its references), keeping its id. `None` when its
/// id would change (a new title), which only a full read gets right.
fn reload_api(specs_dir: &Path, old: &Api) -> Result<Option<Api>> {
    let path = specs_dir.join(&old.source.path);
    let files = DiskFiles::new(specs_dir.to_path_buf());
    let loaded = match old.protocol {
        Protocol::Soap => api_model::wsdl::load(&path, &files),
        Protocol::Rest => api_model::openapi::load(&path, &files),
    }
    .map_err(|e| Error::Specs(vec![e.to_diagnostic()]))?;
    let errors: Vec<Diagnostic> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    if !errors.is_empty() {
        return Err(Error::Specs(errors));
    }
    let mut api = loaded.api;
    let same_id = old.id == api.id
        || old
            .id
            .strip_prefix(&api.id)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|n| n.parse::<u32>().is_ok());
    if !same_id {
        return Ok(None);
    }
    api.id = old.id.clone();
    api.source.path = old.source.path.clone();
    api.source.files = loaded
        .files
        .iter()
        .map(|f| {
            f.strip_prefix(specs_dir)
                .unwrap_or(f)
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    Ok(Some(api))
}

/// Render `pages` on up to `threads` threads, in order.
fn render_many(
    r: &Renderer<'_>,
    pages: &[&PageSpec],
    threads: usize,
    superseded: &(dyn Fn() -> bool + Sync),
) -> Result<Vec<OutputFile>> {
    let render = |p: &PageSpec| {
        if superseded() {
            Err(Error::Superseded)
        } else {
            r.render_page(p)
        }
    };
    if pages.len() < 8 || threads <= 1 {
        return pages.iter().map(|p| render(p)).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, Result<OutputFile>)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(page) = pages.get(i) else { break };
                    let result = render(page);
                    let stop = result.is_err();
                    mine.push((i, result));
                    if stop {
                        break;
                    }
                }
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

/// The page served while no build has succeeded: the error, and a note that saving a fix
/// rebuilds (the live-reload script and overlay are added when it is served).
fn pending_page(message: &str) -> String {
    let escaped = crate::highlight::escape(message);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>The portal does not build</title></head>\n<body><main>\
         <h1>The portal does not build yet</h1>\
         <p>Fix the error below and save: <code>portal serve</code> rebuilds and this page \
         reloads by itself.</p>\n<pre>{escaped}</pre></main></body></html>\n"
    )
}

/// `path:line:col: message` lines for an error, paths relative to `root`.
pub fn describe(root: &Path, err: &Error) -> String {
    let prefix = format!("{}/", root.display());
    let text = match err {
        Error::Specs(diags) => diags
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n"),
        Error::Template { name, message } => {
            // Render errors name the page's template (`page.html` or `page.html for ...`).
            let file = name.split_whitespace().next().unwrap_or(name);
            if root.join("site/templates").join(file).is_file() {
                format!("site/templates/{file}: {message}")
            } else {
                format!("{file} (default theme): {message}")
            }
        }
        // Parse errors are located already (`site/templates/<name>:line:col: ...`).
        other => other.to_string(),
    };
    text.replace(&prefix, "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::serve::watch::changes;

    const SPEC: &str = "openapi: 3.0.3\ninfo: {title: Pets, version: '1'}\nservers: [{url: /v1}]\npaths:\n  /pets:\n    get:\n      operationId: listPets\n      summary: List pets\n      responses:\n        '200': {description: ok}\n";

    fn site() -> (tempfile::TempDir, Session) {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/docs")).expect("mkdir");
        std::fs::create_dir_all(root.join("specs/pets")).expect("mkdir");
        std::fs::write(root.join("content/index.md"), "# Home\n").expect("write");
        std::fs::write(
            root.join("content/docs/a.md"),
            "---\ntitle: A\n---\nalpha\n",
        )
        .expect("write");
        std::fs::write(root.join("content/docs/b.md"), "---\ntitle: B\n---\nbeta\n")
            .expect("write");
        std::fs::write(root.join("specs/pets/openapi.yaml"), SPEC).expect("write");
        let s = Session::new(SessionOptions {
            root: root.to_path_buf(),
            sandbox_url: Some("http://127.0.0.1:4999".into()),
            threads: 2,
        })
        .expect("builds");
        (dir, s)
    }

    fn page(s: &Session, path: &str) -> String {
        String::from_utf8_lossy(s.files().get(path).unwrap_or_else(|| panic!("no {path}")))
            .into_owned()
    }

    fn apply(s: &mut Session, rel: &str) -> Result<Applied> {
        let root = s.root().to_path_buf();
        let batch = changes(&root, [root.join(rel)]);
        assert!(!batch.is_empty(), "{rel} classified");
        s.apply(&batch)
    }

    #[test]
    fn markdown_edit_renders_only_that_page() {
        let (dir, mut s) = site();
        let b_before = page(&s, "docs/b/index.html");
        std::fs::write(
            dir.path().join("content/docs/a.md"),
            "---\ntitle: A\n---\nalpha two\n",
        )
        .expect("write");
        let applied = apply(&mut s, "content/docs/a.md").expect("rebuilds");
        assert_eq!(applied.rendered, 1);
        assert!(page(&s, "docs/a/index.html").contains("alpha two"));
        assert_eq!(page(&s, "docs/b/index.html"), b_before);
        // A new title moves the navigation: every page that lists it.
        std::fs::write(
            dir.path().join("content/docs/a.md"),
            "---\ntitle: Alpha\n---\nx\n",
        )
        .expect("write");
        let applied = apply(&mut s, "content/docs/a.md").expect("rebuilds");
        assert!(applied.rendered > 1, "{applied:?}");
        // A deleted page disappears.
        std::fs::remove_file(dir.path().join("content/docs/a.md")).expect("rm");
        apply(&mut s, "content/docs/a.md").expect("rebuilds");
        assert!(!s.files().contains_key("docs/a/index.html"));
    }

    #[test]
    fn spec_edit_reloads_that_api_and_a_broken_spec_keeps_the_last_good_build() {
        let (dir, mut s) = site();
        let spec = dir.path().join("specs/pets/openapi.yaml");
        let added = format!(
            "{SPEC}  /pets/{{id}}:\n    get:\n      operationId: getPet\n      parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]\n      responses:\n        '200': {{description: ok}}\n"
        );
        std::fs::write(&spec, added).expect("write");
        let applied = apply(&mut s, "specs/pets/openapi.yaml").expect("rebuilds");
        assert_eq!(applied.apis, ["pets"]);
        assert!(applied.catalog_changed && !applied.all_specs, "{applied:?}");
        assert!(s.files().contains_key("apis/pets/getPet/index.html"));
        assert_eq!(s.input().catalog.apis[0].operations.len(), 2);

        std::fs::write(&spec, "openapi: 3.0.3\ninfo: [\n").expect("write");
        let err = apply(&mut s, "specs/pets/openapi.yaml").expect_err("broken");
        let text = s.describe(&err);
        assert!(text.starts_with("specs/pets/openapi.yaml:"), "{text}");
        assert!(s.files().contains_key("apis/pets/getPet/index.html"));
        assert_eq!(s.input().catalog.apis[0].operations.len(), 2);
    }

    #[test]
    fn a_superseded_render_keeps_the_new_input_and_the_next_apply_renders_its_pages() {
        let (dir, mut s) = site();
        let spec = dir.path().join("specs/pets/openapi.yaml");
        let added = format!(
            "{SPEC}  /pets/{{id}}:\n    get:\n      operationId: getPet\n      parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]\n      responses:\n        '200': {{description: ok}}\n"
        );
        std::fs::write(&spec, added).expect("write");
        let root = s.root().to_path_buf();
        let batch = changes(&root, [spec.clone()]);
        let mut read = Vec::new();
        let err = s
            .apply_with(
                &batch,
                &mut |input, applied| {
                    read.push((input.catalog.apis[0].operations.len(), applied.apis.clone()));
                },
                &|| true,
            )
            .expect_err("superseded");
        assert!(matches!(err, Error::Superseded), "{err}");
        // The sandbox was told of the new operation before any page was rendered.
        assert_eq!(read, [(2, vec!["pets".to_string()])]);
        assert_eq!(s.input().catalog.apis[0].operations.len(), 2);
        assert!(!s.files().contains_key("apis/pets/getPet/index.html"));

        // The next change (a Markdown page) renders the pages the superseded one left.
        std::fs::write(
            dir.path().join("content/docs/a.md"),
            "---\ntitle: A\n---\nalpha again\n",
        )
        .expect("write");
        let applied = apply(&mut s, "content/docs/a.md").expect("rebuilds");
        assert!(applied.rendered > 1, "{applied:?}");
        assert!(s.files().contains_key("apis/pets/getPet/index.html"));
        assert!(page(&s, "docs/a/index.html").contains("alpha again"));
    }

    #[test]
    fn a_pending_session_builds_everything_once_the_error_is_fixed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("specs/pets")).expect("mkdir");
        std::fs::write(
            root.join("specs/pets/openapi.yaml"),
            "openapi: 3.0.3\ninfo: [\n",
        )
        .expect("write");
        let opts = SessionOptions {
            root: root.to_path_buf(),
            sandbox_url: None,
            threads: 1,
        };
        let err = Session::new(opts.clone()).expect_err("broken");
        let mut s = Session::pending(opts, &err);
        let shown = s.pending_error().expect("pending").to_string();
        assert!(shown.starts_with("specs/pets/openapi.yaml:"), "{shown}");
        assert!(page(&s, "index.html").contains("specs/pets/openapi.yaml:"));
        std::fs::write(root.join("specs/pets/openapi.yaml"), SPEC).expect("write");
        let mut read = 0;
        let applied = s
            .apply_with(
                &changes(s.root(), [s.root().join("specs/pets/openapi.yaml")]),
                &mut |_, _| read += 1,
                &|| false,
            )
            .expect("builds");
        assert!(
            applied.catalog_changed && applied.rendered > 1,
            "{applied:?}"
        );
        assert_eq!(read, 1);
        assert!(s.pending_error().is_none());
        assert!(s.files().contains_key("apis/pets/listPets/index.html"));
    }

    #[test]
    fn template_error_points_at_the_file_and_line() {
        let (dir, mut s) = site();
        std::fs::create_dir_all(dir.path().join("site/templates")).expect("mkdir");
        std::fs::write(
            dir.path().join("site/templates/page.html"),
            "{% extends \"base.html\" %}\n{% block main %}\n{% if %}\n{% endblock main %}\n",
        )
        .expect("write");
        let err = apply(&mut s, "site/templates/page.html").expect_err("broken template");
        let text = s.describe(&err);
        assert!(text.starts_with("site/templates/page.html:3:"), "{text}");
        std::fs::remove_file(dir.path().join("site/templates/page.html")).expect("rm");
        apply(&mut s, "site/templates/page.html").expect("default theme again");
    }

    #[test]
    fn sandbox_environment_points_at_the_sandbox() {
        let (_dir, s) = site();
        let env = &s.input().config.environments["sandbox"];
        assert_eq!(env.url.as_deref(), Some("http://127.0.0.1:4999"));
    }
}
