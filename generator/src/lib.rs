//! The static developer-portal generator: a portal root (`portal.toml`, `content/`, `specs/`,
//! `site/`) -> view models -> tera templates -> files.
//!
//! IO happens at the edges: [`load`] reads the root, [`output`] writes the files. In between,
//! [`render_site`] is pure and works in memory, so `portal serve` can keep a site in memory and
//! re-render one page ([`Renderer::render_id`]) or the pages a change touches
//! ([`site::depends_on`]).
#![warn(missing_docs)]

pub mod check;
pub mod content;
pub mod error;
pub mod highlight;
pub mod load;
pub mod markdown;
pub mod output;
pub mod render;
pub mod samples;
pub mod schema;
pub mod search;
pub mod serve;
pub mod site;
pub mod theme;
pub mod views;

#[cfg(test)]
mod testdata;

use std::path::PathBuf;
use std::time::{Duration, Instant};

pub use error::{Error, Result};
pub use load::Input;
pub use render::{OutputFile, Renderer};
pub use site::{Change, PageId, PageSpec};

/// What `portal build` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildOptions {
    /// The portal root.
    pub root: PathBuf,
    /// The output folder.
    pub out: PathBuf,
    /// Absolute URL the site is published at (sitemap and canonical links only).
    pub base_url: Option<String>,
    /// Show a progress bar (the caller checks that stderr is a terminal).
    pub progress: bool,
}

/// What a build produced.
#[derive(Debug, Clone, PartialEq)]
pub struct BuildReport {
    /// HTML pages.
    pub pages: usize,
    /// APIs.
    pub apis: usize,
    /// Operations (webhooks included).
    pub operations: usize,
    /// Files written in all.
    pub files: usize,
    /// Bytes written in all.
    pub bytes: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// Spec warnings (`path:line:col: message`).
    pub warnings: Vec<api_model::Diagnostic>,
    /// Whether a sitemap was written (only with a base URL).
    pub sitemap: bool,
}

/// Options of [`render_site`].
pub struct RenderOptions<'a> {
    /// `--base-url`.
    pub base_url: Option<&'a str>,
    /// Rendering threads.
    pub threads: usize,
    /// Build the Pagefind search index.
    pub search: bool,
    /// Called once per rendered page.
    pub progress: &'a (dyn Fn() + Sync),
}

/// Render the whole site in memory: pages, assets, spec downloads, sitemap, search index.
pub fn render_site(input: &Input, opts: &RenderOptions<'_>) -> Result<Vec<OutputFile>> {
    let renderer = Renderer::new(input, opts.base_url)?;
    let mut files = renderer.render_pages(opts.threads, opts.progress)?;
    if opts.search {
        let index = search::index(&files, input.config.search.fragment_files())?;
        files.extend(index);
    }
    files.extend(renderer.assets());
    Ok(files)
}

/// The number of rendering threads to use.
pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8)
}

/// Build a portal: read the root, render everything, write the output folder.
pub fn build(opts: &BuildOptions) -> Result<BuildReport> {
    let start = Instant::now();
    let mut input = load::load_root(&opts.root)?;
    // The spec downloads go to the writer first and are not kept: the renderer does not need
    // them, and a 13 MB spec held to the end of the build is 13 MB more at its peak.
    let spec_files = std::mem::take(&mut input.spec_files);
    tracing::debug!(ms = start.elapsed().as_millis(), "read the root");
    let page_count = site::pages(&input).len();
    let bar = if opts.progress {
        let bar = indicatif::ProgressBar::new(page_count as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} pages {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(bar)
    } else {
        None
    };
    let tick = || {
        if let Some(bar) = &bar {
            bar.inc(1);
        }
    };
    // Render, write and index in one pass: pages go to disk and to the search index in page
    // order as they are rendered, and are dropped at once.
    let renderer = Renderer::new(&input, opts.base_url.as_deref())?;
    tracing::debug!(ms = start.elapsed().as_millis(), "prepared the views");
    let mut indexer = search::Indexer::new(input.config.search.fragment_files())?;
    // Each rendering thread also parses its pages for the index (the costly half of indexing);
    // this thread only adds them, in page order.
    let reader = indexer.reader();
    let read = |file: &render::OutputFile| reader.read(file);
    let mut files = 0usize;
    let mut bytes = 0u64;
    let mut sitemap = false;
    // A writer thread puts files on disk while this one feeds the search index.
    let (to_disk, queue) = std::sync::mpsc::sync_channel::<render::OutputFile>(64);
    let out = opts.out.clone();
    let writer = std::thread::Builder::new()
        .name("portal-write".into())
        .spawn(move || -> Result<output::Writer> {
            let mut writer = output::Writer::open(&out)?;
            for file in queue {
                writer.put(&file)?;
            }
            Ok(writer)
        })
        .map_err(|source| Error::Io {
            path: opts.out.clone(),
            action: "cannot start the writer",
            source,
        })?;
    let writer_gone = || Error::Io {
        path: opts.out.clone(),
        action: "cannot write",
        source: std::io::Error::other("the writer stopped"),
    };
    // Every file goes to the writer through here, counted for the summary.
    let mut send = |file: render::OutputFile| {
        files += 1;
        bytes += file.bytes.len() as u64;
        sitemap |= file.path == "sitemap.xml";
        to_disk.send(file).map_err(|_| writer_gone())
    };
    let specs_sent = spec_files.into_iter().try_for_each(|(path, content)| {
        send(render::OutputFile {
            path: format!("specs/{path}"),
            bytes: content,
        })
    });
    let rendered = specs_sent.and_then(|()| {
        renderer.render_pages_into(default_threads(), &tick, &read, &mut |file, page| {
            send(file)?;
            match page {
                Some(page) => indexer.add_read(page?),
                None => Ok(()),
            }
        })
    });
    tracing::debug!(
        ms = start.elapsed().as_millis(),
        "rendered, wrote and indexed the pages"
    );
    // The search index is built last and needs the most memory: the views, the catalog and
    // the pages' sources are freed first, and the assets are handed to the writer before it.
    let assets = renderer.assets();
    drop(renderer);
    let apis = input.catalog.apis.len();
    let operations = input
        .catalog
        .apis
        .iter()
        .map(|a| a.operations.len() + a.webhooks.len())
        .sum();
    let Input {
        catalog,
        pages,
        warnings,
        ..
    } = input;
    drop((catalog, pages));
    if let Some(bar) = &bar {
        bar.set_message("writing the search index");
    }
    let rest = rendered.and_then(|()| {
        for file in assets {
            send(file)?;
        }
        let index = indexer.finish()?;
        tracing::debug!(ms = start.elapsed().as_millis(), "built the search index");
        for file in index {
            send(file)?;
        }
        Ok(())
    });
    drop(to_disk);
    // The writer's own error explains a send that failed, so it comes first.
    let written = writer.join().unwrap_or_else(|_| Err(writer_gone()))?;
    rest?;
    tracing::debug!(ms = start.elapsed().as_millis(), "wrote every file");
    // Only a build that rendered everything removes the last build's stale files and records
    // its manifest: a failed one leaves the folder's previous files in place.
    written.finish()?;
    tracing::debug!(
        ms = start.elapsed().as_millis(),
        "wrote the search index and assets"
    );
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    Ok(BuildReport {
        pages: page_count,
        apis,
        operations,
        files,
        bytes,
        elapsed: start.elapsed(),
        warnings,
        sitemap,
    })
}
