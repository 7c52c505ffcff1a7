//! `portal serve`.

use std::process::ExitCode;

/// Arguments of `portal serve`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run the command.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`portal serve` is not built yet")
}
