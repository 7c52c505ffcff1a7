//! The search index: Pagefind, used as a library, indexes the rendered pages in memory and
//! hands back its files (index, fragments, WebAssembly and its UI), written under `pagefind/`.
//! No CDN: the search page loads `pagefind/pagefind-ui.js` from the site itself.

use pagefind::api::PagefindIndex;

use crate::error::{Error, Result};
use crate::render::OutputFile;

/// Index the HTML files that opt in (`data-pagefind-body`) and return Pagefind's files.
pub fn index(pages: &[OutputFile]) -> Result<Vec<OutputFile>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Search(format!("cannot start the indexer: {e}")))?;
    runtime.block_on(async {
        let mut index = PagefindIndex::new(None).map_err(|e| Error::Search(format!("{e:#}")))?;
        for page in pages {
            if !page.path.ends_with(".html") {
                continue;
            }
            let html = String::from_utf8_lossy(&page.bytes);
            if !html.contains("data-pagefind-body") {
                continue;
            }
            index
                .add_html_file(None, Some(page.path.clone()), html.into_owned())
                .await
                .map_err(|e| Error::Search(format!("{}: {e:#}", page.path)))?;
        }
        let files = index
            .get_files()
            .await
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
    })
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
