//! `portal mock`.

use std::process::ExitCode;

/// Arguments of `portal mock`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run the command.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`portal mock` is not built yet")
}
