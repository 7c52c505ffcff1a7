//! `portal check`: load every spec under the given paths, and the config, content pages and
//! template overrides of each portal root among them, and report each file, as text or JSON.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use api_model::{Diagnostic, FileReport, LoadOutcome, Severity};
use generator::check::SiteFile;
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
    /// The portal root to check (`specs/`, `content/`, `site/`, `portal.toml`), as `build`,
    /// `serve` and `mock` take it. The default, without PATHs, is the current folder.
    #[arg(long, conflicts_with = "paths")]
    root: Option<PathBuf>,
    /// Spec files or folders (recursive). A folder that is a portal root (with `portal.toml`,
    /// `content/` or `site/templates/`) also has its config, pages and templates checked.
    /// Without a PATH: the portal in `--root` or the current folder.
    paths: Vec<PathBuf>,
}

/// Everything checked: the spec files, then each portal root's own files.
struct Checked {
    specs: LoadOutcome,
    site: Vec<SiteFile>,
}

impl Checked {
    fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.specs
            .files
            .iter()
            .flat_map(|f| f.diagnostics.iter())
            .chain(self.site.iter().flat_map(|f| f.diagnostics.iter()))
    }

    fn count(&self, severity: Severity) -> usize {
        self.diagnostics()
            .filter(|d| d.severity == severity)
            .count()
    }

    fn files(&self) -> usize {
        self.specs.files.len() + self.site.len()
    }

    fn operations(&self) -> usize {
        self.specs
            .catalog
            .apis
            .iter()
            .map(|a| a.operations.len())
            .sum()
    }
}

/// Run the command: exit 0 when no errors, 1 when any.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let checked = if args.paths.is_empty() {
        let root = args.root.clone().unwrap_or_else(|| PathBuf::from("."));
        let specs = root.join("specs");
        if !specs.is_dir() && !generator::check::is_portal_root(&root) {
            // As when PATH was required: a usage error.
            let place = match &args.root {
                Some(root) => format!("in {}", root.display()),
                None => "in the current folder".to_string(),
            };
            eprintln!(
                "error: nothing to check: no specs/, content/, site/templates/ or portal.toml \
                 {place}; name the spec files or folders to check"
            );
            return Ok(ExitCode::from(2));
        }
        let outcome = if specs.is_dir() {
            api_model::load_paths(&[specs])
        } else {
            LoadOutcome::default()
        };
        let site = generator::check::check_root(&root, &outcome.catalog);
        Checked {
            specs: outcome,
            site,
        }
    } else {
        let outcome = api_model::load_paths(&args.paths);
        let mut site = Vec::new();
        for root in args
            .paths
            .iter()
            .filter(|p| generator::check::is_portal_root(p))
        {
            let catalog = own_catalog(root, &outcome);
            site.extend(generator::check::check_root(root, &catalog));
        }
        Checked {
            specs: outcome,
            site,
        }
    };
    let text = match args.format {
        Format::Text => render_text(&checked),
        Format::Json => serde_json::to_string_pretty(&render_json(&checked))? + "\n",
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(if checked.count(Severity::Error) == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The APIs a portal root's pages and config may name: those the scan read from its `specs/`.
fn own_catalog(root: &Path, outcome: &LoadOutcome) -> api_model::Catalog {
    let specs = root.join("specs");
    let ids: Vec<&str> = outcome
        .files
        .iter()
        .filter(|f| f.path.starts_with(&specs))
        .filter_map(|f| f.api_id.as_deref())
        .collect();
    api_model::Catalog {
        apis: outcome
            .catalog
            .apis
            .iter()
            .filter(|a| ids.contains(&a.id.as_str()))
            .cloned()
            .collect(),
        ..api_model::Catalog::default()
    }
}

fn render_text(checked: &Checked) -> String {
    let mut s = String::new();
    for file in &checked.specs.files {
        s.push_str(&file_line(file));
        s.push('\n');
        for d in &file.diagnostics {
            s.push_str(&format!("  {d}\n"));
        }
    }
    for file in &checked.site {
        s.push_str(&format!("{} [{}]", file.path.display(), file.kind.as_str()));
        if let Some(t) = &file.title {
            s.push_str(&format!(" {t}"));
        }
        s.push('\n');
        for d in &file.diagnostics {
            s.push_str(&format!("  {d}\n"));
        }
    }
    s.push_str(&format!(
        "{} files, {} APIs, {} operations, {} errors, {} warnings\n",
        checked.files(),
        checked.specs.catalog.apis.len(),
        checked.operations(),
        checked.count(Severity::Error),
        checked.count(Severity::Warning),
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

fn render_json(checked: &Checked) -> serde_json::Value {
    let diag = |diagnostics: &[Diagnostic], sev: Severity| -> Vec<serde_json::Value> {
        diagnostics
            .iter()
            .filter(|d| d.severity == sev)
            .map(|d| json!({"message": d.message, "line": d.line, "column": d.column}))
            .collect()
    };
    let specs = checked.specs.files.iter().map(|f| {
        json!({
            "path": f.path.to_string_lossy(),
            "kind": f.kind.as_str(),
            "version": f.version,
            "title": f.title,
            "operations": f.operations,
            "errors": diag(&f.diagnostics, Severity::Error),
            "warnings": diag(&f.diagnostics, Severity::Warning),
        })
    });
    let site = checked.site.iter().map(|f| {
        json!({
            "path": f.path.to_string_lossy(),
            "kind": f.kind.as_str(),
            "version": null,
            "title": f.title,
            "operations": 0,
            "errors": diag(&f.diagnostics, Severity::Error),
            "warnings": diag(&f.diagnostics, Severity::Warning),
        })
    });
    let files: Vec<_> = specs.chain(site).collect();
    json!({
        "files": files,
        "summary": {
            "files": checked.files(),
            "apis": checked.specs.catalog.apis.len(),
            "operations": checked.operations(),
            "errors": checked.count(Severity::Error),
            "warnings": checked.count(Severity::Warning),
        }
    })
}
