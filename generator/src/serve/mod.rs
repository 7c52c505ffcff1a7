//! `portal serve`'s engine: classify changed files ([`classify`]), watch the root ([`watch`]),
//! rebuild the least a change needs into memory ([`session`]), and serve the last good build
//! with live reload and an error overlay ([`devserver`]). The sandbox is not known here: the
//! binary wires it in through the `post_build` hook of [`run`].

pub mod classify;
pub mod devserver;
pub mod session;
pub mod watch;

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use tokio::net::TcpListener;

use crate::error::{Error, Result};
use crate::load::Input;
use crate::render::OutputFile;
use devserver::SiteStore;
use session::{Applied, Session};
use watch::Changed;

/// What a rebuild did, as the `post_build` hook sees it.
#[derive(Debug)]
pub enum BuildEvent<'a> {
    /// The rebuild succeeded and is about to be served (pages are told to reload right after
    /// the hook returns, so anything the new pages need, such as the sandbox's new routes, must
    /// be in place when it returns).
    Built {
        /// The session, holding the new input and files.
        session: &'a Session,
        /// What was rebuilt.
        applied: &'a Applied,
        /// The changes that caused it.
        changes: &'a [Changed],
    },
    /// A rebuild has read a new catalog or config and is about to render its pages: whatever
    /// serves the APIs (the sandbox) can switch to it now, before the pages are done.
    Read {
        /// The new input.
        input: &'a Input,
        /// What changed so far (`elapsed` is the time to read it).
        applied: &'a Applied,
    },
    /// The rebuild failed: the last good build stays; `message` is `path:line:col: message`
    /// lines.
    Failed {
        /// What to show.
        message: &'a str,
        /// The changes that caused it.
        changes: &'a [Changed],
        /// The input in force again (a `Read` of this rebuild was undone).
        input: &'a Input,
    },
    /// The search index was rebuilt in the background.
    Indexed {
        /// Files of the index.
        files: usize,
        /// Wall time.
        elapsed: std::time::Duration,
    },
    /// Indexing failed (the previous index stays).
    IndexFailed(String),
    /// The file watcher reported an error.
    WatchFailed(String),
}

/// The hook called after every rebuild (mdBook's `post_build`).
pub type PostBuild = Box<dyn FnMut(BuildEvent<'_>) + Send>;

/// Index the HTML pages of `files` for search (Pagefind), in at most `fragment_files` fragment
/// files (`search.fragment_files`).
pub fn search_index(
    files: &HashMap<String, Bytes>,
    fragment_files: u32,
) -> Result<Vec<OutputFile>> {
    let mut pages: Vec<OutputFile> = files
        .iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(p, b)| OutputFile {
            path: p.clone(),
            bytes: b.to_vec(),
        })
        .collect();
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    crate::search::index(&pages, fragment_files)
}

/// Rebuilds the search index in the background: requests made while it runs fold into one (the
/// last one's `search.fragment_files` wins).
fn spawn_indexer(
    store: Arc<SiteStore>,
    hook: Arc<Mutex<PostBuild>>,
) -> std::io::Result<mpsc::Sender<u32>> {
    let (tx, rx) = mpsc::channel::<u32>();
    std::thread::Builder::new()
        .name("portal-serve-search".into())
        .spawn(move || {
            while let Ok(mut fragment_files) = rx.recv() {
                while let Ok(newer) = rx.try_recv() {
                    fragment_files = newer;
                }
                let start = std::time::Instant::now();
                let files = store.files();
                let event = match search_index(&files, fragment_files) {
                    Ok(index) => {
                        let n = index.len();
                        store.publish_extra(
                            index
                                .into_iter()
                                .map(|f| (f.path, Bytes::from(f.bytes)))
                                .collect(),
                        );
                        BuildEvent::Indexed {
                            files: n,
                            elapsed: start.elapsed(),
                        }
                    }
                    Err(e) => BuildEvent::IndexFailed(e.to_string()),
                };
                if let Ok(mut h) = hook.lock() {
                    h(event);
                }
            }
        })?;
    Ok(tx)
}

fn io_at(root: &std::path::Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: root.to_path_buf(),
        action: "cannot start serving",
        source,
    }
}

/// Owns the session: applies each batch (with any that queued meanwhile), publishes the result
/// and tells the hook.
fn spawn_builder(
    mut session: Session,
    queue: mpsc::Receiver<Vec<Changed>>,
    generation: Arc<AtomicU64>,
    store: Arc<SiteStore>,
    hook: Arc<Mutex<PostBuild>>,
    indexer: mpsc::Sender<u32>,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("portal-serve-build".into())
        .spawn(move || {
            while let Ok(first) = queue.recv() {
                let mut batch = first;
                while let Ok(more) = queue.try_recv() {
                    batch.extend(more);
                }
                // Read after draining: a batch counted later is still in the queue, so a
                // superseded render is always followed by the apply that renders its pages.
                let seen = generation.load(Ordering::SeqCst);
                batch.sort();
                batch.dedup();
                let superseded = || generation.load(Ordering::SeqCst) != seen;
                let mut on_read = |input: &Input, applied: &Applied| {
                    if let Ok(mut h) = hook.lock() {
                        h(BuildEvent::Read { input, applied });
                    }
                };
                match session.apply_with(&batch, &mut on_read, &superseded) {
                    Ok(applied) => {
                        if let Ok(mut h) = hook.lock() {
                            h(BuildEvent::Built {
                                session: &session,
                                applied: &applied,
                                changes: &batch,
                            });
                        }
                        store.publish(session.files());
                        let _ = indexer.send(session.input().config.search.fragment_files());
                    }
                    // The next batch is queued: it renders these pages too.
                    Err(Error::Superseded) => {}
                    Err(e) => {
                        let message = session.describe(&e);
                        if let Ok(mut h) = hook.lock() {
                            h(BuildEvent::Failed {
                                message: &message,
                                changes: &batch,
                                input: session.input(),
                            });
                        }
                        store.fail(message);
                    }
                }
            }
        })
        .map(|_| ())
}

/// Serve `session`'s site on `listener` until `shutdown` resolves, rebuilding on every change
/// under the root and calling `post_build` after each rebuild.
pub async fn run<S>(
    session: Session,
    listener: TcpListener,
    post_build: PostBuild,
    shutdown: S,
) -> Result<()>
where
    S: Future<Output = ()> + Send + 'static,
{
    let store = Arc::new(SiteStore::new((*session.files()).clone()));
    if let Some(message) = session.pending_error() {
        store.fail(message.to_string());
    }
    let hook = Arc::new(Mutex::new(post_build));
    let indexer =
        spawn_indexer(Arc::clone(&store), Arc::clone(&hook)).map_err(io_at(session.root()))?;
    let _ = indexer.send(session.input().config.search.fragment_files());
    let root = session.root().to_path_buf();
    // The watcher hands batches to a builder thread; a batch that arrives while pages are being
    // rendered supersedes that render (its input, and the sandbox, are current already), so a
    // burst of saves costs one render, not one each.
    let generation = Arc::new(AtomicU64::new(0));
    let (batches, queue) = mpsc::channel::<Vec<Changed>>();
    spawn_builder(
        session,
        queue,
        Arc::clone(&generation),
        Arc::clone(&store),
        Arc::clone(&hook),
        indexer,
    )
    .map_err(io_at(&root))?;
    let error_hook = Arc::clone(&hook);
    let watcher = watch::watch(
        &root,
        move |batch| {
            generation.fetch_add(1, Ordering::SeqCst);
            let _ = batches.send(batch);
        },
        move |e| {
            if let Ok(mut h) = error_hook.lock() {
                h(BuildEvent::WatchFailed(e));
            }
        },
    )
    .map_err(|e| Error::Io {
        path: root.clone(),
        action: "cannot watch",
        source: std::io::Error::other(e.to_string()),
    })?;
    let stop_store = Arc::clone(&store);
    let result = axum::serve(listener, devserver::app(store))
        .with_graceful_shutdown(async move {
            shutdown.await;
            stop_store.shutdown();
        })
        .await;
    drop(watcher);
    result.map_err(|source| Error::Io {
        path: root,
        action: "dev server failed",
        source,
    })
}
