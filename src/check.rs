//! `portal check`: load every spec under the given paths and report each file, as text or JSON.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use api_model::{FileReport, LoadOutcome, Severity};
use serde_json::json;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per file, then `path:line:col: message` lines.
    Text,
    /// One JSON document.
    Json,
}

/// Arguments of `portal check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Spec files or folders (recursive).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

/// Run the command: exit 0 when no errors, 1 when any.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let outcome = api_model::load_paths(&args.paths);
    let text = match args.format {
        Format::Text => render_text(&outcome),
        Format::Json => serde_json::to_string_pretty(&render_json(&outcome))? + "\n",
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(if outcome.errors().is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn render_text(outcome: &LoadOutcome) -> String {
    let mut s = String::new();
    for file in &outcome.files {
        s.push_str(&file_line(file));
        s.push('\n');
        for d in &file.diagnostics {
            s.push_str(&format!("  {d}\n"));
        }
    }
    let (errors, warnings) = (outcome.errors().len(), outcome.warnings().len());
    s.push_str(&format!(
        "{} files, {} APIs, {} operations, {errors} errors, {warnings} warnings\n",
        outcome.files.len(),
        outcome.catalog.apis.len(),
        outcome
            .catalog
            .apis
            .iter()
            .map(|a| a.operations.len())
            .sum::<usize>(),
    ));
    s
}

fn file_line(file: &FileReport) -> String {
    let mut line = format!("{} [{}", file.path.display(), file.kind.as_str());
    if let Some(v) = &file.version {
        line.push(' ');
        line.push_str(v);
    }
    line.push(']');
    if let Some(t) = &file.title {
        line.push_str(&format!(" {t}"));
    }
    if matches!(
        file.kind,
        api_model::SpecKind::Openapi | api_model::SpecKind::Swagger | api_model::SpecKind::Wsdl
    ) {
        line.push_str(&format!(", {} operations", file.operations));
    }
    line
}

fn render_json(outcome: &LoadOutcome) -> serde_json::Value {
    let diag = |file: &FileReport, sev: Severity| -> Vec<serde_json::Value> {
        file.diagnostics
            .iter()
            .filter(|d| d.severity == sev)
            .map(|d| json!({"message": d.message, "line": d.line, "column": d.column}))
            .collect()
    };
    let files: Vec<_> = outcome
        .files
        .iter()
        .map(|f| {
            json!({
                "path": f.path.to_string_lossy(),
                "kind": f.kind.as_str(),
                "version": f.version,
                "title": f.title,
                "operations": f.operations,
                "errors": diag(f, Severity::Error),
                "warnings": diag(f, Severity::Warning),
            })
        })
        .collect();
    json!({
        "files": files,
        "summary": {
            "files": outcome.files.len(),
            "apis": outcome.catalog.apis.len(),
            "operations": outcome.catalog.apis.iter().map(|a| a.operations.len()).sum::<usize>(),
            "errors": outcome.errors().len(),
            "warnings": outcome.warnings().len(),
        }
    })
}
