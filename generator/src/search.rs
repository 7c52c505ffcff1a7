//! The search index: Pagefind, used as a library, indexes the rendered pages in memory and
//! hands back its files (index, fragments, WebAssembly and its UI), written under `pagefind/`.
//! No CDN: the search page loads `pagefind/pagefind-ui.js` from the site itself.

use pagefind::api::PagefindIndex;

use crate::error::{Error, Result};
use crate::render::OutputFile;

/// Pagefind's index, fed one page at a time (so a build need not hold every page).
pub struct Indexer {
    runtime: tokio::runtime::Runtime,
    index: PagefindIndex,
}

impl std::fmt::Debug for Indexer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Indexer").finish_non_exhaustive()
    }
}

impl Indexer {
    /// An empty index.
    pub fn new() -> Result<Indexer> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Search(format!("cannot start the indexer: {e}")))?;
        let index = PagefindIndex::new(None).map_err(|e| Error::Search(format!("{e:#}")))?;
        Ok(Indexer { runtime, index })
    }

    /// Index `page` if it is an HTML page that opts in (`data-pagefind-body`). Pages must come
    /// in the same order every build for the index to be byte-identical.
    pub fn add(&mut self, page: &OutputFile) -> Result<()> {
        if !page.path.ends_with(".html") {
            return Ok(());
        }
        let html = String::from_utf8_lossy(&page.bytes);
        if !html.contains("data-pagefind-body") {
            return Ok(());
        }
        let html = html.into_owned();
        let path = page.path.clone();
        let index = &mut self.index;
        self.runtime
            .block_on(async { index.add_html_file(None, Some(path), html).await })
            .map(|_| ())
            .map_err(|e| Error::Search(format!("{}: {e:#}", page.path)))
    }

    /// Pagefind's files (index, fragments, WebAssembly, UI) under `pagefind/`, sorted.
    pub fn finish(mut self) -> Result<Vec<OutputFile>> {
        let index = &mut self.index;
        let files = self
            .runtime
            .block_on(async { index.get_files().await })
            .map_err(|e| Error::Search(format!("{e:#}")))?;
        let mut out: Vec<OutputFile> = files
            .into_iter()
            .map(|f| OutputFile {
                path: format!(
                    "pagefind/{}",
                    f.filename.to_string_lossy().replace('\\', "/")
                ),
                bytes: f.contents,
            })
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }
}

/// Index the HTML files that opt in (`data-pagefind-body`) and return Pagefind's files.
pub fn index(pages: &[OutputFile]) -> Result<Vec<OutputFile>> {
    let mut indexer = Indexer::new()?;
    for page in pages {
        indexer.add(page)?;
    }
    indexer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_opted_in_pages() {
        let pages = vec![
            OutputFile {
                path: "a/index.html".into(),
                bytes: b"<html lang=\"en\"><body><main data-pagefind-body><h1>Pets</h1><p>List every pet.</p></main></body></html>".to_vec(),
            },
            OutputFile {
                path: "404.html".into(),
                bytes: b"<html lang=\"en\"><body><main><h1>Gone</h1></main></body></html>".to_vec(),
            },
        ];
        let files = index(&pages).expect("indexes");
        let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert!(names.contains(&"pagefind/pagefind.js"), "{names:?}");
        assert!(names.contains(&"pagefind/pagefind-ui.js"), "{names:?}");
        assert!(
            names.iter().any(|n| n.starts_with("pagefind/fragment/")),
            "{names:?}"
        );
        let again = index(&pages).expect("indexes");
        assert_eq!(files, again, "deterministic");
    }
}
