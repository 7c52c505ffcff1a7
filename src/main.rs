//! The `portal` command line: parses arguments and hands each subcommand to its module.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

// The renderer and the sandbox allocate many small strings per page and per request; mimalloc
// serves them markedly faster than glibc's allocator, above all across threads.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod apps;
mod build;
mod check;
mod logging;
mod memory;
mod mock;
mod serve;

/// Developer portal generator and sandbox for REST and SOAP APIs.
#[derive(Debug, Parser)]
#[command(name = "portal", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the static developer portal.
    Build(build::Args),
    /// Run the sandbox: every operation of every spec, with apps, keys and rate limits.
    Mock(mock::Args),
    /// Build, serve with live reload, rebuild on change, and run the sandbox beside it.
    Serve(serve::Args),
    /// Validate specs, products, content pages, templates and `portal.toml`, with
    /// `file:line:col` errors.
    Check(check::Args),
    /// Administer sandbox apps and subscriptions.
    Apps(apps::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Build(_) | Command::Check(_)) {
        memory::purge_promptly();
    }
    let result = match cli.command {
        Command::Build(args) => build::run(args),
        Command::Mock(args) => mock::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Check(args) => check::run(args),
        Command::Apps(args) => apps::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
