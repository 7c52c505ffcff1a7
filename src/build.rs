//! `portal build`.

use std::process::ExitCode;

/// Arguments of `portal build`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run the command.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`portal build` is not built yet")
}
