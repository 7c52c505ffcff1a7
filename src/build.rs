//! `portal build`: render the static developer portal from a root folder into an output folder.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

/// Arguments of `portal build`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The portal root: optional `portal.toml`, `content/`, `specs/` and `site/`.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Where to write the site.
    #[arg(long, default_value = "public")]
    out: PathBuf,
    /// The absolute URL the site is published at. Only the sitemap (written only with this
    /// option, since sitemaps need absolute URLs) and canonical links use it.
    #[arg(long)]
    base_url: Option<String>,
}

/// Run the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // `PORTAL_LOG=debug` shows how long each step took.
    crate::logging::init_stderr("warn");
    tracing::debug!(
        "allocator: {}={}",
        crate::memory::PURGE_DELAY_VAR,
        crate::memory::purge_delay()
    );
    if let Some(base) = &args.base_url {
        anyhow::ensure!(
            base.starts_with("http://") || base.starts_with("https://"),
            "--base-url must be an absolute http(s) URL, got `{base}`"
        );
    }
    let opts = generator::BuildOptions {
        root: args.root.clone(),
        out: args.out.clone(),
        base_url: args.base_url.clone(),
        progress: std::io::stderr().is_terminal() && std::io::stdout().is_terminal(),
    };
    let report = generator::build(&opts)
        .with_context(|| format!("cannot build the portal in {}", args.root.display()))?;
    for warning in &report.warnings {
        // `path:line:col: warning: message`, as compilers print them.
        eprintln!("{warning}");
    }
    println!(
        "built {} pages, {} APIs, {} operations into {} in {:.2}s ({} files, {:.1} MB{})",
        report.pages,
        report.apis,
        report.operations,
        args.out.display(),
        report.elapsed.as_secs_f64(),
        report.files,
        report.bytes as f64 / 1_000_000.0,
        if report.sitemap {
            ""
        } else {
            "; no sitemap without --base-url"
        }
    );
    Ok(ExitCode::SUCCESS)
}
