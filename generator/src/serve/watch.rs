//! Watching a portal root: `content/`, `specs/` and `site/` recursively, and the root itself
//! (not recursively) for `portal.toml` and for those folders appearing later. Events are
//! debounced (editors that save by rename, bursts, delete + re-create), classified, and handed
//! in batches to a callback. The watcher knows nothing of the server: the callback rebuilds and
//! then calls whatever `post_build` hook its owner gave it (mdBook style).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use crate::serve::classify::{ChangeKind, classify};

/// How long the watcher waits for a burst of events to settle.
pub const DEBOUNCE: Duration = Duration::from_millis(50);

/// The folders watched recursively.
pub const WATCHED_DIRS: &[&str] = &["content", "specs", "site"];

/// One classified change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Changed {
    /// What it feeds.
    pub kind: ChangeKind,
    /// The absolute path.
    pub path: PathBuf,
}

/// A running watcher; dropping it stops watching.
pub struct Watcher {
    _debouncer: Arc<Mutex<Debouncer<notify::RecommendedWatcher, RecommendedCache>>>,
}

impl std::fmt::Debug for Watcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watcher").finish_non_exhaustive()
    }
}

/// The classified, de-duplicated changes among `paths`, in a stable order.
pub fn changes(root: &Path, paths: impl IntoIterator<Item = PathBuf>) -> Vec<Changed> {
    let mut set = BTreeSet::new();
    for path in paths {
        if let Some(kind) = classify(root, &path) {
            set.insert(Changed { kind, path });
        }
    }
    set.into_iter().collect()
}

/// Start watching `root`; `on_change` is called (on the watcher's thread) with every non-empty
/// batch of changes. `on_error` gets watcher errors (as text).
pub fn watch<F, E>(root: &Path, mut on_change: F, on_error: E) -> notify::Result<Watcher>
where
    F: FnMut(Vec<Changed>) + Send + 'static,
    E: Fn(String) + Send + 'static,
{
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    // Weak: the debouncer owns this handler, so a strong reference would keep it alive forever.
    let slot: Arc<Mutex<Weak<Mutex<Debouncer<_, _>>>>> = Arc::new(Mutex::new(Weak::new()));
    let handler_root = root.clone();
    let handler_slot = Arc::clone(&slot);
    let debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
        match result {
            Ok(events) => {
                let mut paths = Vec::new();
                for ev in events {
                    // Reads (ours included: a rebuild opens files) change nothing.
                    if matches!(ev.event.kind, notify::EventKind::Access(_)) {
                        continue;
                    }
                    paths.extend(ev.event.paths.iter().cloned());
                }
                // A watched folder created (or re-created) after start: watch it now.
                for dir in WATCHED_DIRS {
                    let d = handler_root.join(dir);
                    if paths.iter().any(|p| p == &d) && d.is_dir() {
                        if let Ok(guard) = handler_slot.lock() {
                            if let Some(deb) = guard.upgrade() {
                                if let Ok(mut deb) = deb.lock() {
                                    let _ = deb.unwatch(&d);
                                    let _ = deb.watch(&d, RecursiveMode::Recursive);
                                }
                            }
                        }
                    }
                }
                let batch = changes(&handler_root, paths);
                if !batch.is_empty() {
                    on_change(batch);
                }
            }
            Err(errors) => {
                for e in errors {
                    on_error(e.to_string());
                }
            }
        }
    })?;
    let debouncer = Arc::new(Mutex::new(debouncer));
    {
        let mut deb = debouncer
            .lock()
            .map_err(|_| notify::Error::generic("watcher lock poisoned"))?;
        deb.watch(&root, RecursiveMode::NonRecursive)?;
        for dir in WATCHED_DIRS {
            let d = root.join(dir);
            if d.is_dir() {
                deb.watch(&d, RecursiveMode::Recursive)?;
            }
        }
    }
    if let Ok(mut s) = slot.lock() {
        *s = Arc::downgrade(&debouncer);
    }
    Ok(Watcher {
        _debouncer: debouncer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Instant;

    fn wait_for(rx: &mpsc::Receiver<Vec<Changed>>, want: &ChangeKind) -> Vec<Changed> {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            if let Ok(batch) = rx.recv_timeout(Duration::from_millis(100)) {
                seen.extend(batch);
                if seen.iter().any(|c| &c.kind == want) {
                    return seen;
                }
            }
        }
        panic!("no {want:?} within 10 s; saw {seen:?}");
    }

    #[test]
    fn sees_edits_renames_new_folders_and_config() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().canonicalize().expect("canonical");
        std::fs::create_dir_all(root.join("content/docs")).expect("mkdir");
        std::fs::write(root.join("content/docs/a.md"), "# A\n").expect("write");
        let (tx, rx) = mpsc::channel();
        let _w = watch(
            &root,
            move |batch| {
                let _ = tx.send(batch);
            },
            |_| {},
        )
        .expect("watch");
        std::thread::sleep(Duration::from_millis(100));

        std::fs::write(root.join("content/docs/a.md"), "# A2\n").expect("write");
        wait_for(&rx, &ChangeKind::Page("docs/a.md".into()));

        // Save by rename, as vim and many editors do.
        std::fs::write(root.join("content/docs/.a.md.tmp"), "# A3\n").expect("write");
        std::fs::rename(root.join("content/docs/.a.md.tmp"), root.join("content/docs/a.md"))
            .expect("rename");
        let seen = wait_for(&rx, &ChangeKind::Page("docs/a.md".into()));
        assert!(seen.iter().all(|c| !c.path.to_string_lossy().ends_with(".tmp")), "{seen:?}");

        std::fs::write(root.join("portal.toml"), "title = \"X\"\n").expect("write");
        wait_for(&rx, &ChangeKind::Config);

        // `specs/` did not exist at start.
        std::fs::create_dir_all(root.join("specs/pets")).expect("mkdir");
        std::thread::sleep(Duration::from_millis(300));
        std::fs::write(root.join("specs/pets/openapi.yaml"), "openapi: 3.0.3\n").expect("write");
        wait_for(&rx, &ChangeKind::Spec("pets/openapi.yaml".into()));

        // Delete and re-create.
        std::fs::remove_file(root.join("content/docs/a.md")).expect("rm");
        wait_for(&rx, &ChangeKind::Page("docs/a.md".into()));
        std::fs::write(root.join("content/docs/a.md"), "# back\n").expect("write");
        wait_for(&rx, &ChangeKind::Page("docs/a.md".into()));
    }

    #[test]
    fn batches_are_classified_and_deduplicated() {
        let root = Path::new("/p");
        let batch = changes(
            root,
            [
                PathBuf::from("/p/content/a.md"),
                PathBuf::from("/p/content/a.md"),
                PathBuf::from("/p/content/.a.md.swp"),
                PathBuf::from("/p/target/x"),
                PathBuf::from("/p/portal.toml"),
            ],
        );
        let kinds: Vec<&ChangeKind> = batch.iter().map(|c| &c.kind).collect();
        assert_eq!(kinds, [&ChangeKind::Page("a.md".into()), &ChangeKind::Config]);
    }
}
