//! The search index: Pagefind (patched, in `vendor/pagefind`), used as a library, indexes the
//! rendered pages in memory, each parsed on any thread by a [`Reader`], and hands back its files
//! (index, fragments, WebAssembly and its UI), written under `pagefind/`.
//! No CDN: the search page loads `pagefind/pagefind-ui.js` from the site itself.

use pagefind::api::{PageReader, PagefindIndex, ReadPage};

use crate::error::{Error, Result};
use crate::render::OutputFile;

/// Pagefind's index, fed one page at a time (so a build need not hold every page).
pub struct Indexer {
    runtime: tokio::runtime::Runtime,
    index: PagefindIndex,
    reader: Reader,
}

impl std::fmt::Debug for Indexer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Indexer").finish_non_exhaustive()
    }
}

impl Indexer {
    /// An empty index that writes at most `fragment_files` fragment files (per language). A
    /// fragment holds what the search results show of a page; past this many pages, Pagefind
    /// bundles neighbouring pages' fragments into shared files, so a 1,200-operation API writes
    /// about 250 files rather than 1,200 (hosts and uploads count files) and a result fetches a
    /// few kilobytes more. `search.fragment_files` in `portal.toml`; 0 is taken as 1.
    pub fn new(fragment_files: u32) -> Result<Indexer> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Search(format!("cannot start the indexer: {e}")))?;
        let config = pagefind::options::PagefindServiceConfig::builder()
            .max_fragments(fragment_files.max(1))
            .build();
        let index =
            PagefindIndex::new(Some(config)).map_err(|e| Error::Search(format!("{e:#}")))?;
        let reader = index
            .page_reader()
            .map(Reader)
            .map_err(|e| Error::Search(format!("{e:#}")))?;
        Ok(Indexer {
            runtime,
            index,
            reader,
        })
    }

    /// Index `page` if it is an HTML page that opts in (`data-pagefind-body`). Pages must come
    /// in the same order every build for the index to be byte-identical.
    pub fn add(&mut self, page: &OutputFile) -> Result<()> {
        match self.reader.read(page) {
            Some(read) => self.add_read(read?),
            None => Ok(()),
        }
    }

    /// A reader that parses pages for this index on any thread ([`Reader::read`]): the
    /// parsing is most of what indexing costs, and only adding the parsed pages is sequential.
    pub fn reader(&self) -> Reader {
        self.reader.clone()
    }

    /// Add a page read by [`Reader::read`]. Pages must come in the same order every build for
    /// the index to be byte-identical.
    pub fn add_read(&mut self, page: ReadPage) -> Result<()> {
        self.index
            .add_read_page(page)
            .map(|_| ())
            .map_err(|e| Error::Search(format!("{e:#}")))
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

/// Parses pages for an [`Indexer`] on any thread.
#[derive(Clone)]
pub struct Reader(PageReader);

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader").finish_non_exhaustive()
    }
}

impl Reader {
    /// Parse `page` for the index (on any thread), when it is an HTML page that opts in.
    pub fn read(&self, page: &OutputFile) -> Option<Result<ReadPage>> {
        let IndexPage { path, html } = prepare(page)?;
        Some(
            self.0
                .read_html(None, Some(path.clone()), html)
                .map_err(|e| Error::Search(format!("{path}: {e:#}"))),
        )
    }
}

/// What Pagefind reads of one page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexPage {
    /// The page's path in the output.
    pub path: String,
    /// Its HTML, trimmed by [`trim_for_index`] where it can be.
    pub html: String,
}

/// What Pagefind is to read of `page`: `None` when it is not an HTML page that opts in
/// (`data-pagefind-body`). Pure; any thread.
pub fn prepare(page: &OutputFile) -> Option<IndexPage> {
    if !page.path.ends_with(".html") {
        return None;
    }
    // Rendered pages are UTF-8: checking that is much cheaper than the lossy conversion.
    let html = match std::str::from_utf8(&page.bytes) {
        Ok(html) => std::borrow::Cow::Borrowed(html),
        Err(_) => String::from_utf8_lossy(&page.bytes),
    };
    find(&html, "data-pagefind-body")?;
    let html = trim_for_index(&html).unwrap_or_else(|| html.into_owned());
    Some(IndexPage {
        path: page.path.clone(),
        html,
    })
}

/// The first `needle` in `hay` (SIMD search: a page is scanned several times).
fn find(hay: &str, needle: &str) -> Option<usize> {
    memchr::memmem::find(hay.as_bytes(), needle.as_bytes())
}

/// The part of a page Pagefind reads: the document up to `<body>`, the one `<main>` that has
/// `data-pagefind-body`, without its `data-pagefind-ignore` elements (which Pagefind would parse
/// and then drop), so the indexer parses a fraction of each page and indexes the same text.
/// `None` (index the whole page) when the page is not shaped that way. Pure.
pub fn trim_for_index(html: &str) -> Option<String> {
    const BODY: &str = "data-pagefind-body";
    let marker = find(html, BODY)?;
    if find(&html[marker + BODY.len()..], BODY).is_some() {
        return None;
    }
    let main_start = html[..marker].rfind('<')?;
    if !html[main_start..].starts_with("<main") {
        return None;
    }
    let main_end = memchr::memmem::rfind(html.as_bytes(), b"</main>")? + "</main>".len();
    let body_start = find(&html[..main_start], "<body")?;
    let body_tag_end = body_start + html[body_start..].find('>')? + 1;
    if html[body_start..body_tag_end].contains("data-pagefind") || main_end <= main_start {
        return None;
    }
    let mut out = String::with_capacity(body_tag_end + (main_end - main_start) + 16);
    out.push_str(&html[..body_tag_end]);
    let mut rest = &html[main_start..main_end];
    while let Some(at) = find(rest, " data-pagefind-ignore") {
        let Some(open) = rest[..at].rfind('<') else {
            break;
        };
        let name_end = rest[open + 1..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .map_or(rest.len(), |n| open + 1 + n);
        let name = &rest[open + 1..name_end];
        let end = element_end(rest, open, name);
        match end {
            // An ignored element that carries filters or metadata stays: Pagefind reads those.
            Some(end) if rest[open..end].matches("data-pagefind-").count() == 1 => {
                out.push_str(&rest[..open]);
                rest = &rest[end..];
            }
            _ => {
                let keep = at + " data-pagefind-ignore".len();
                out.push_str(&rest[..keep]);
                rest = &rest[keep..];
            }
        }
    }
    out.push_str(rest);
    out.push_str("</body></html>");
    Some(out)
}

/// The end (just past its closing tag) of the `name` element opening at `open`, counting the
/// same-named elements nested in it. `None` when it does not close. Linear: each opening and
/// closing tag is searched for once.
fn element_end(html: &str, open: usize, name: &str) -> Option<usize> {
    if name.is_empty() {
        return None;
    }
    let opening = format!("<{name}");
    let closing = format!("</{name}>");
    let find = |pattern: &str, from: usize| find(&html[from..], pattern).map(|n| from + n);
    let mut depth = 0usize;
    let mut next_open = find(&opening, open);
    let mut next_close = find(&closing, open);
    loop {
        let c = next_close?;
        match next_open {
            Some(o) if o < c => {
                // `<divx` is not a `div`.
                let after = html[o + opening.len()..].chars().next();
                if after.is_some_and(|ch| ch == '>' || ch.is_whitespace() || ch == '/') {
                    depth += 1;
                }
                next_open = find(&opening, o + opening.len());
            }
            _ => {
                depth = depth.checked_sub(1)?;
                let end = c + closing.len();
                if depth == 0 {
                    return Some(end);
                }
                next_close = find(&closing, end);
            }
        }
    }
}

/// Index the HTML files that opt in (`data-pagefind-body`) and return Pagefind's files, with at
/// most `fragment_files` fragment files ([`Indexer::new`]).
pub fn index(pages: &[OutputFile], fragment_files: u32) -> Result<Vec<OutputFile>> {
    let mut indexer = Indexer::new(fragment_files)?;
    for page in pages {
        indexer.add(page)?;
    }
    indexer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULT_FRAGMENTS: u32 = api_model::config::SearchConfig::DEFAULT_FRAGMENT_FILES;

    /// A Pagefind file's contents: gzip of `pagefind_dcd` and the data.
    fn unpack(file: &OutputFile) -> Vec<u8> {
        use std::io::Read;
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(&file.bytes[..])
            .read_to_end(&mut bytes)
            .unwrap_or_else(|e| panic!("{} is not gzip: {e}", file.path));
        let Some(data) = bytes.strip_prefix(b"pagefind_dcd") else {
            panic!("{} lacks Pagefind's marker", file.path)
        };
        data.to_vec()
    }

    #[test]
    fn past_the_fragment_limit_neighbouring_pages_share_fragment_files() {
        let pages: Vec<OutputFile> = (0..30)
            .map(|i| OutputFile {
                path: format!("op{i:02}/index.html"),
                bytes: format!(
                    "<html lang=\"en\"><body><main data-pagefind-body><h1>Operation {i}</h1>\
                     <p>Word{i}unique lists things.</p></main></body></html>"
                )
                .into_bytes(),
            })
            .collect();
        let fragments = |files: &[OutputFile]| -> Vec<String> {
            files
                .iter()
                .filter(|f| f.path.starts_with("pagefind/fragment/"))
                .map(|f| String::from_utf8(unpack(f)).expect("a fragment is JSON"))
                .collect()
        };
        let one_each = index(&pages, DEFAULT_FRAGMENTS).expect("indexes");
        assert_eq!(fragments(&one_each).len(), 30);
        let shared = index(&pages, 4).expect("indexes");
        let bundles = fragments(&shared);
        assert_eq!(bundles.len(), 4, "30 pages in groups of 8");
        // Every page's text is in exactly one bundle, neighbours together.
        for i in 0..30 {
            let word = format!("Word{i}unique");
            let holders: Vec<usize> = (0..bundles.len())
                .filter(|&b| bundles[b].contains(&word))
                .collect();
            assert_eq!(holders.len(), 1, "{word} in {holders:?}");
        }
        assert!(
            bundles
                .iter()
                .any(|b| b.contains("Word0unique") && b.contains("Word7unique"))
        );
        // Every compressed file of the index reads back.
        for file in shared.iter().filter(|f| f.path.contains(".pf_")) {
            assert!(!unpack(file).is_empty(), "{}", file.path);
        }
        assert_eq!(shared, index(&pages, 4).expect("indexes"), "deterministic");
    }

    #[test]
    fn trimming_keeps_the_head_and_the_indexed_main_only() {
        let page = "<!DOCTYPE html><html lang=\"fr\"><head><title>T</title></head><body class=\"x\">\
            <nav><a href=\"/\">Home</a></nav><main id=\"main\" data-pagefind-body><h1>Pets</h1>\
            <div class=\"samples\" data-pagefind-ignore><div><pre>curl</pre></div><div>x</div></div>\
            <p>List <divx>pets</divx>.</p><div data-pagefind-ignore><span data-pagefind-filter=\"k\">v</span></div>\
            </main><footer>F</footer></body></html>";
        let trimmed = trim_for_index(page).expect("trimmed");
        assert_eq!(
            trimmed,
            "<!DOCTYPE html><html lang=\"fr\"><head><title>T</title></head><body class=\"x\">\
            <main id=\"main\" data-pagefind-body><h1>Pets</h1>\
            <p>List <divx>pets</divx>.</p><div data-pagefind-ignore><span data-pagefind-filter=\"k\">v</span></div>\
            </main></body></html>"
        );
        // Shapes it does not know are indexed whole.
        assert!(
            trim_for_index("<html><body><article data-pagefind-body>a</article></body></html>")
                .is_none()
        );
        assert!(trim_for_index("<html><body><main data-pagefind-body><div data-pagefind-body></div></main></body></html>").is_none());
        // An ignored element that never closes is kept.
        let open =
            "<html><body><main data-pagefind-body><div data-pagefind-ignore>x</main></body></html>";
        assert_eq!(trim_for_index(open).expect("trimmed"), open);
    }

    #[test]
    fn element_end_counts_the_nested_elements_of_its_name() {
        let html = "<div a><p><div>x</div></p><divx>y</divx></div>tail";
        assert_eq!(element_end(html, 0, "div"), Some(html.len() - "tail".len()));
        let deep = format!("{}{}</div>", "<div>".repeat(2000), "</div>".repeat(2000));
        assert_eq!(
            element_end(&deep, 0, "div"),
            Some(deep.len() - "</div>".len())
        );
        assert_eq!(
            element_end(&deep, 5, "div"),
            Some(deep.len() - 2 * "</div>".len())
        );
        assert_eq!(element_end("<div><div></div>", 0, "div"), None);
        assert_eq!(element_end("<div>", 0, ""), None);
    }

    #[test]
    fn a_trimmed_page_indexes_to_the_same_files() {
        let page = OutputFile {
            path: "a/index.html".into(),
            bytes: b"<html lang=\"en\"><head><title>Pets</title></head><body><nav>Menu words</nav><main data-pagefind-body><h1 id=\"pets\">Pets</h1><p>List every pet.</p><div data-pagefind-ignore><pre>curl noise</pre></div><h2 id=\"more\">More</h2><p>Details.</p></main><footer>Footer</footer></body></html>".to_vec(),
        };
        let whole = {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("rt");
            runtime.block_on(async {
                let mut index = PagefindIndex::new(None).expect("index");
                index
                    .add_html_file(
                        None,
                        Some(page.path.clone()),
                        String::from_utf8_lossy(&page.bytes).into_owned(),
                    )
                    .await
                    .expect("add");
                let mut files: Vec<(String, Vec<u8>)> = index
                    .get_files()
                    .await
                    .expect("files")
                    .into_iter()
                    .map(|f| {
                        (
                            format!("pagefind/{}", f.filename.to_string_lossy()),
                            f.contents,
                        )
                    })
                    .collect();
                files.sort();
                files
            })
        };
        let trimmed: Vec<(String, Vec<u8>)> = index(&[page], DEFAULT_FRAGMENTS)
            .expect("indexes")
            .into_iter()
            .map(|f| (f.path, f.bytes))
            .collect();
        assert_eq!(whole, trimmed);
    }

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
        let files = index(&pages, DEFAULT_FRAGMENTS).expect("indexes");
        let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert!(names.contains(&"pagefind/pagefind.js"), "{names:?}");
        assert!(names.contains(&"pagefind/pagefind-ui.js"), "{names:?}");
        assert!(
            names.iter().any(|n| n.starts_with("pagefind/fragment/")),
            "{names:?}"
        );
        let again = index(&pages, DEFAULT_FRAGMENTS).expect("indexes");
        assert_eq!(files, again, "deterministic");
    }
}
