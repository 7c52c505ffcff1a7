//! Reading a portal root: `portal.toml`, `content/` Markdown, `specs/` (through `api-model`),
//! the portal's own `site/` theme files, and the spec files to offer for download.
//!
//! This is the reading edge of the crate; everything after it is pure.

use std::collections::BTreeMap;
use std::path::Path;

use api_model::{Catalog, ConfigFile, Diagnostic, PortalConfig};

use crate::content::{self, ContentPage};
use crate::error::{Error, Result};
use crate::theme::Theme;

/// Everything a build reads, in memory.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// `portal.toml` (default when absent).
    pub config: PortalConfig,
    /// Content pages, sorted by source path.
    pub pages: Vec<ContentPage>,
    /// APIs and products.
    pub catalog: Catalog,
    /// Spec files to copy for download: path relative to `specs/` -> bytes.
    pub spec_files: BTreeMap<String, Vec<u8>>,
    /// The theme (default with overrides).
    pub theme: Theme,
    /// Warnings: the spec loaders', the config's about APIs the specs lack, and the content
    /// pages' dead links.
    pub warnings: Vec<Diagnostic>,
}

fn io<'a>(path: &'a Path, action: &'static str) -> impl FnOnce(std::io::Error) -> Error + 'a {
    move |source| Error::Io {
        path: path.to_path_buf(),
        action,
        source,
    }
}

/// Files under `dir` (recursively, skipping dot files), as paths relative to `dir` with forward
/// slashes, sorted. A missing folder is empty.
pub(crate) fn list_files(dir: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    walk(dir, dir, &mut out, 0)?;
    out.sort();
    Ok(out)
}

fn walk(base: &Path, dir: &Path, out: &mut Vec<String>, depth: usize) -> Result<()> {
    if depth > 32 {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).map_err(io(dir, "cannot list folder"))? {
        let entry = entry.map_err(io(dir, "cannot list folder"))?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let ft = entry.file_type().map_err(io(&path, "cannot stat"))?;
        if ft.is_dir() {
            walk(base, &path, out, depth + 1)?;
        } else if ft.is_file() || ft.is_symlink() {
            if let Ok(rel) = path.strip_prefix(base) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    Ok(())
}

/// Read and parse every content page under `root/content`.
pub fn load_content(root: &Path) -> Result<Vec<ContentPage>> {
    let dir = root.join("content");
    let mut pages = Vec::new();
    for rel in list_files(&dir)? {
        if !rel.ends_with(".md") {
            continue;
        }
        let path = dir.join(&rel);
        pages.push(load_page(&path, &rel)?);
    }
    Ok(pages)
}

/// Read and parse one content page (`rel` is relative to `content/`).
pub fn load_page(path: &Path, rel: &str) -> Result<ContentPage> {
    let bytes = std::fs::read(path).map_err(io(path, "cannot read"))?;
    let text = String::from_utf8(bytes).map_err(|_| Error::Content {
        path: path.to_path_buf(),
        message: "not UTF-8 text".into(),
    })?;
    content::parse(path, rel, &text)
}

/// Read the theme overrides under `root/site`.
pub fn load_theme(root: &Path) -> Result<Theme> {
    let mut templates = BTreeMap::new();
    let tdir = root.join("site").join("templates");
    for rel in list_files(&tdir)? {
        let path = tdir.join(&rel);
        let text = std::fs::read_to_string(&path).map_err(io(&path, "cannot read"))?;
        templates.insert(rel, text);
    }
    let mut statics = BTreeMap::new();
    let sdir = root.join("site").join("static");
    for rel in list_files(&sdir)? {
        let path = sdir.join(&rel);
        let bytes = std::fs::read(&path).map_err(io(&path, "cannot read"))?;
        statics.insert(rel, bytes);
    }
    Ok(Theme::embedded().overlay(templates, statics))
}

/// What [`load_specs`] returns: the catalog, the files to offer for download, the warnings.
pub type LoadedSpecs = (Catalog, BTreeMap<String, Vec<u8>>, Vec<Diagnostic>);

/// Load the specs folder: errors fail (all of them listed), warnings are returned.
pub fn load_specs(root: &Path) -> Result<LoadedSpecs> {
    let dir = root.join("specs");
    if !dir.is_dir() {
        return Ok((Catalog::default(), BTreeMap::new(), Vec::new()));
    }
    let outcome = api_model::load_dir(&dir);
    let errors: Vec<Diagnostic> = outcome.errors().into_iter().cloned().collect();
    if !errors.is_empty() {
        return Err(Error::Specs(errors));
    }
    let warnings = outcome.warnings().into_iter().cloned().collect();
    let mut wanted: Vec<String> = Vec::new();
    for api in &outcome.catalog.apis {
        wanted.push(api.source.path.clone());
        wanted.extend(api.source.files.iter().cloned());
    }
    for product in &outcome.catalog.products {
        wanted.push(product.path.clone());
    }
    let mut files = BTreeMap::new();
    for rel in wanted {
        if rel.is_empty()
            || rel.starts_with("..")
            || rel.starts_with('/')
            || files.contains_key(&rel)
        {
            continue;
        }
        let path = dir.join(&rel);
        let bytes = std::fs::read(&path).map_err(io(&path, "cannot read"))?;
        files.insert(rel, bytes);
    }
    Ok((outcome.catalog, files, warnings))
}

/// Read a whole portal root.
pub fn load_root(root: &Path) -> Result<Input> {
    let config = ConfigFile::load(root).map_err(Error::Config)?;
    let pages = load_content(root)?;
    let theme = load_theme(root)?;
    let (catalog, spec_files, mut warnings) = load_specs(root)?;
    // What the config says of APIs the specs do not have (a misspelt id in `environments` or
    // `sandbox.soap_client_id`) is worth a warning, not a failed build.
    warnings.extend(config.catalog_warnings(&catalog));
    let mut input = Input {
        config: config.config,
        pages,
        catalog,
        spec_files,
        theme,
        warnings,
    };
    let dead = crate::check::dead_links(root, &input);
    input.warnings.extend(dead);
    Ok(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_content_theme_and_empty_specs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("content/docs")).expect("mkdir");
        std::fs::create_dir_all(root.join("site/templates")).expect("mkdir");
        std::fs::write(root.join("content/index.md"), "# Home\n").expect("write");
        std::fs::write(root.join("content/docs/a.md"), "---\ntitle: A\n---\nx\n").expect("write");
        std::fs::write(root.join("content/.hidden.md"), "x").expect("write");
        std::fs::write(root.join("site/templates/404.html"), "gone").expect("write");
        std::fs::write(root.join("portal.toml"), "title = \"Bank\"\n").expect("write");
        let input = load_root(root).expect("loads");
        assert_eq!(input.config.title(), "Bank");
        let sources: Vec<&str> = input.pages.iter().map(|p| p.source.as_str()).collect();
        assert_eq!(sources, ["docs/a.md", "index.md"]);
        assert_eq!(input.theme.templates["404.html"], "gone");
        assert!(input.catalog.apis.is_empty());
    }

    #[test]
    fn bad_config_fails_with_location() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("portal.toml"), "nope = 1\n").expect("write");
        let err = load_root(dir.path()).expect_err("bad config").to_string();
        assert!(err.contains("portal.toml:1:"), "{err}");
    }
}
