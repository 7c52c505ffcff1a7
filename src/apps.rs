//! `portal apps`.

use std::process::ExitCode;

/// Arguments of `portal apps`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run the command.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`portal apps` is not built yet")
}
