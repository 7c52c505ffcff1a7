//! Logging set-up shared by every command: the `PORTAL_LOG` filter.
//!
//! A bare level (`PORTAL_LOG=debug`) applies to the portal's own crates only, so the steps of a
//! build or the sandbox's request lines are not buried under the debug output of the HTML
//! parser or the HTTP stack; anything else is an `EnvFilter` directive list used as written
//! (`PORTAL_LOG=debug,html5ever=trace`).

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

#[cfg(test)]
mod tests {
    use super::*;

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
