//! How promptly the allocator gives freed memory back to the system, for the commands that
//! build a whole site or catalog in one go.
//!
//! mimalloc (v3) keeps the memory it frees for a second before it returns it to the system. A
//! build frees its parsed specs early and reaches its peak later, while it writes the search
//! index, so the freed trees still count then: with a 10 ms delay the GitHub description's build
//! peaks at about 140 MB instead of 190 MB, for a few per cent more time. mimalloc reads its
//! options only when the process starts, so [`purge_promptly`] runs the command again, once,
//! with `MIMALLOC_PURGE_DELAY` set. A value the user has set is kept. The sandbox and
//! `portal serve` are long-running and keep mimalloc's default.

/// mimalloc's option, read from the environment at start-up.
pub const PURGE_DELAY_VAR: &str = "MIMALLOC_PURGE_DELAY";

/// The delay (milliseconds) a build runs with.
const BUILD_PURGE_DELAY: &str = "10";

/// Run this same command again with [`PURGE_DELAY_VAR`] set, unless it is set already. Returns
/// only when the command could not be run again; the caller then goes on as it is.
#[cfg(unix)]
pub fn purge_promptly() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os(PURGE_DELAY_VAR).is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut args = std::env::args_os();
    let mut command = std::process::Command::new(exe);
    if let Some(arg0) = args.next() {
        command.arg0(arg0);
    }
    // `exec` replaces this process and returns only its error.
    let _ = command
        .args(args)
        .env(PURGE_DELAY_VAR, BUILD_PURGE_DELAY)
        .exec();
}

/// Elsewhere the build runs with mimalloc's defaults.
#[cfg(not(unix))]
pub fn purge_promptly() {}

/// The delay in force, for the debug log.
pub fn purge_delay() -> String {
    std::env::var(PURGE_DELAY_VAR).unwrap_or_else(|_| "default".into())
}
