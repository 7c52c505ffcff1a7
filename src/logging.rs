//! Logging set-up shared by every command: the `PORTAL_LOG` filter, and the batched sink the
//! sandbox logs its request lines through.
//!
//! A bare level (`PORTAL_LOG=debug`) applies to the portal's own crates only, so the steps of a
//! build or the sandbox's request lines are not buried under the debug output of the HTML
//! parser or the HTTP stack; anything else is an `EnvFilter` directive list used as written
//! (`PORTAL_LOG=debug,html5ever=trace`).

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use tracing_subscriber::EnvFilter;

/// The portal's crates (log targets are module paths).
const OWN: &[&str] = &["portal", "generator", "mock_server", "api_model"];

/// The directives for `PORTAL_LOG`'s value, or `default` when it is unset or empty. Pure.
pub fn directives(value: Option<&str>, default: &str) -> String {
    let value = value.map(str::trim).unwrap_or_default();
    if value.is_empty() {
        return default.to_string();
    }
    let bare = matches!(
        value.to_ascii_lowercase().as_str(),
        "off" | "error" | "warn" | "info" | "debug" | "trace"
    );
    if !bare {
        return value.to_string();
    }
    let mut out = String::from("warn");
    for target in OWN {
        out.push_str(&format!(",{target}={value}"));
    }
    out
}

/// The filter for this process (`PORTAL_LOG`, else `default`). An invalid directive list is
/// reported on standard error and `default` is used.
pub fn filter(default: &str) -> EnvFilter {
    let value = std::env::var("PORTAL_LOG").ok();
    let directives = directives(value.as_deref(), default);
    EnvFilter::try_new(&directives).unwrap_or_else(|e| {
        eprintln!(
            "portal: PORTAL_LOG={directives:?} is not a valid filter ({e}); using {default:?}"
        );
        EnvFilter::new(default)
    })
}

/// Log to standard error with the `PORTAL_LOG` filter (else `default`), colours only on a
/// terminal (`portal build` and `portal serve`; `portal mock` writes from a background thread).
pub fn init_stderr(default: &str) {
    let result = tracing_subscriber::fmt()
        .with_env_filter(filter(default))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
    // Already initialised (tests): keep that subscriber.
    drop(result);
}

/// How long the first line of a batch waits for others before the batch is written.
const BATCH_WINDOW: Duration = Duration::from_millis(10);
/// Queued bytes past which a logging thread waits for the writer (lines are never dropped).
const QUEUE_LIMIT: usize = 4 * 1024 * 1024;

/// A log sink for a busy server: each line is appended to a queue in memory, and a background
/// thread writes the queue out in one `write` per batch. Only the first line of a batch wakes
/// that thread, which then lets lines gather for [`BATCH_WINDOW`]; so a request does not pay a
/// thread wake-up (a system call, and a context switch for the writer) for its log line, which
/// a channel with a blocking receiver costs whenever the writer has gone to sleep between two
/// lines. A line waits at most the window plus the write. Lines are never dropped: past
/// [`QUEUE_LIMIT`] queued bytes, logging waits for the writer. Lines are written whole and in
/// order (the fmt layer writes each event with one `write_all`).
#[derive(Clone)]
pub struct Batched {
    shared: Arc<Shared>,
}

struct Shared {
    queue: Mutex<Queue>,
    /// Signalled when the queue gets its first line, and on shutdown.
    filled: Condvar,
    /// Signalled when the writer has taken the queue.
    drained: Condvar,
}

#[derive(Default)]
struct Queue {
    bytes: Vec<u8>,
    closed: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A panic while holding the lock leaves whole lines only: keep logging.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Writes what is still queued and stops the writer thread when dropped: keep it until the
/// process is done logging.
pub struct BatchedGuard {
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for BatchedGuard {
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.filled.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Batched {
    /// A sink writing to `out` from a thread named `name`.
    pub fn spawn<W: Write + Send + 'static>(
        name: &str,
        out: W,
    ) -> std::io::Result<(Batched, BatchedGuard)> {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue::default()),
            filled: Condvar::new(),
            drained: Condvar::new(),
        });
        let thread = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name(name.to_string())
                .spawn(move || write_batches(&shared, out))?
        };
        Ok((
            Batched {
                shared: Arc::clone(&shared),
            },
            BatchedGuard {
                shared,
                thread: Some(thread),
            },
        ))
    }
}

/// The writer thread: waits for a first line, lets others gather, writes them all at once.
fn write_batches<W: Write>(shared: &Shared, mut out: W) {
    let mut batch = Vec::new();
    loop {
        let mut queue = shared.lock();
        while queue.bytes.is_empty() && !queue.closed {
            queue = shared.filled.wait(queue).unwrap_or_else(|e| e.into_inner());
        }
        if queue.bytes.is_empty() {
            // Closed, and nothing left to write.
            break;
        }
        if !queue.closed && queue.bytes.len() < QUEUE_LIMIT / 2 {
            queue = shared
                .filled
                .wait_timeout(queue, BATCH_WINDOW)
                .map(|(queue, _)| queue)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        std::mem::swap(&mut queue.bytes, &mut batch);
        drop(queue);
        shared.drained.notify_all();
        // Nowhere to report a failed write of the log itself.
        let _ = out.write_all(&batch).and_then(|()| out.flush());
        batch.clear();
    }
    let _ = out.flush();
}

/// One event's writer: appends to the queue.
pub struct BatchedLine<'a>(&'a Shared);

impl Write for BatchedLine<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let shared = self.0;
        let mut queue = shared.lock();
        while queue.bytes.len() >= QUEUE_LIMIT && !queue.closed {
            queue = shared
                .drained
                .wait(queue)
                .unwrap_or_else(|e| e.into_inner());
        }
        let first = queue.bytes.is_empty();
        queue.bytes.extend_from_slice(buf);
        let full = queue.bytes.len() >= QUEUE_LIMIT / 2;
        drop(queue);
        if first || full {
            shared.filled.notify_one();
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Batched {
    type Writer = BatchedLine<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        BatchedLine(&self.shared)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `Write` the test can read while the writer thread holds it.
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<(Vec<u8>, usize)>>);

    impl Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let mut inner = self.0.lock().expect("sink");
            inner.0.extend_from_slice(buf);
            inner.1 += 1;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn batched_lines_arrive_whole_in_order_and_all_by_the_guards_drop() {
        use tracing_subscriber::fmt::MakeWriter;
        let sink = Sink::default();
        let (batched, guard) = Batched::spawn("test-log", sink.clone()).expect("spawn");
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let batched = batched.clone();
                std::thread::spawn(move || {
                    for i in 0..2_000 {
                        let line = format!("thread {t} line {i}\n");
                        batched
                            .make_writer()
                            .write_all(line.as_bytes())
                            .expect("write");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("join");
        }
        drop(guard);
        let (bytes, writes) = sink.0.lock().expect("sink").clone();
        let text = String::from_utf8(bytes).expect("utf-8");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 8_000, "every line is written");
        for t in 0..4 {
            let mine: Vec<usize> = lines
                .iter()
                .filter_map(|l| l.strip_prefix(&format!("thread {t} line ")))
                .map(|n| n.parse().expect("whole line"))
                .collect();
            assert_eq!(mine, (0..2_000).collect::<Vec<_>>(), "thread {t} in order");
        }
        assert!(
            writes < 8_000,
            "lines are written in batches ({writes} writes)"
        );
    }

    #[test]
    fn a_lone_line_is_written_without_waiting_for_more() {
        use tracing_subscriber::fmt::MakeWriter;
        let sink = Sink::default();
        let (batched, _guard) = Batched::spawn("test-log", sink.clone()).expect("spawn");
        batched.make_writer().write_all(b"alone\n").expect("write");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while sink.0.lock().expect("sink").0.is_empty() {
            assert!(std::time::Instant::now() < deadline, "the line never came");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(sink.0.lock().expect("sink").0, b"alone\n");
    }

    #[test]
    fn a_bare_level_is_for_the_portals_own_crates() {
        let d = directives(Some("debug"), "warn");
        assert!(d.starts_with("warn,"), "{d}");
        for target in OWN {
            assert!(d.contains(&format!("{target}=debug")), "{d}");
        }
        assert!(EnvFilter::try_new(&d).is_ok());
        assert_eq!(
            directives(Some(" INFO "), "warn"),
            directives(Some("INFO"), "warn")
        );
    }

    #[test]
    fn directive_lists_are_used_as_written_and_unset_means_default() {
        assert_eq!(
            directives(Some("debug,html5ever=trace"), "warn"),
            "debug,html5ever=trace"
        );
        assert_eq!(
            directives(None, "warn,portal::mock=info"),
            "warn,portal::mock=info"
        );
        assert_eq!(directives(Some(""), "warn"), "warn");
    }
}
