//! Loading a set of spec files or folders into a [`Catalog`]: walk, detect, parse each API with
//! its loader, resolve products against the APIs, and report every file (for `portal check`).
//!
//! This is the IO edge of the crate: it lists folders and hands [`DiskFiles`] to the loaders.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::detect;
use crate::error::{Diagnostic, Error, Location, Severity};
use crate::files::{DiskFiles, Files, normalize};
use crate::model::{Api, Catalog, SpecKind};
use crate::{openapi, product, wsdl};

/// What `portal check` says about one file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FileReport {
    /// The file as reached from the argument it was found under.
    pub path: PathBuf,
    /// Its kind.
    pub kind: SpecKind,
    /// Declared version (spec version for APIs, product version for products).
    pub version: Option<String>,
    /// Title of the API or product.
    pub title: Option<String>,
    /// Operation count of the file's API (0 for other kinds).
    pub operations: usize,
    /// The id the API got in the catalog.
    pub api_id: Option<String>,
    /// Errors and warnings, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    /// Errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }

    /// Warnings only.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }
}

/// The catalog and a report per file.
#[derive(Debug, Clone, Default)]
pub struct LoadOutcome {
    /// What loaded.
    pub catalog: Catalog,
    /// One report per file, in path order.
    pub files: Vec<FileReport>,
}

impl LoadOutcome {
    /// Every error diagnostic.
    pub fn errors(&self) -> Vec<&Diagnostic> {
        self.files.iter().flat_map(|f| f.errors()).collect()
    }

    /// Every warning diagnostic.
    pub fn warnings(&self) -> Vec<&Diagnostic> {
        self.files.iter().flat_map(|f| f.warnings()).collect()
    }
}

/// Load everything under a specs folder (the generator's and sandbox's entry point).
/// Files with errors are left out of the catalog; the caller decides whether errors are fatal.
pub fn load_dir(dir: &Path) -> LoadOutcome {
    load_paths(&[dir.to_path_buf()])
}

/// One file to load: where it is, and the tree its references may reach.
struct Entry {
    path: PathBuf,
    root: PathBuf,
}

/// Load files and folders (folders recursively). Never panics on bad input: every problem is a
/// diagnostic on its file.
pub fn load_paths(paths: &[PathBuf]) -> LoadOutcome {
    let mut entries = Vec::new();
    let mut reports = Vec::new();
    for arg in paths {
        if arg.is_dir() {
            let mut found = Vec::new();
            walk(arg, &mut found, 0);
            found.sort();
            for path in found {
                entries.push(Entry {
                    path,
                    root: arg.clone(),
                });
            }
        } else if arg.is_file() {
            let root = file_root(arg);
            entries.push(Entry {
                path: arg.clone(),
                root,
            });
        } else {
            reports.push(FileReport {
                path: arg.clone(),
                kind: SpecKind::Unknown,
                version: None,
                title: None,
                operations: 0,
                api_id: None,
                diagnostics: vec![Diagnostic::error(
                    Location::file(arg),
                    "no such file or folder",
                )],
            });
        }
    }
    load_entries(entries, reports)
}

/// The folder the relative file names ([`SpecSource`](crate::SpecSource) `path` and `files`) of
/// the APIs read from `path` (a `--specs` argument) are relative to: a folder is its own root;
/// a file's root is the working folder when it lies under it, else its own folder.
pub fn spec_root(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.to_path_buf()
    } else {
        file_root(path)
    }
}

fn file_root(path: &Path) -> PathBuf {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    if path.is_relative() {
        // A relative file inside the working folder may reach anything under it; one that
        // climbs out of it (`../shared/petstore.yaml`) reaches its own folder.
        let escapes = matches!(
            normalize(path).components().next(),
            Some(std::path::Component::ParentDir)
        );
        return if escapes { parent } else { PathBuf::from(".") };
    }
    // So may an absolute one inside the working folder (`$PWD/specs/x/openapi.yaml` reaches
    // `specs/common/` like `specs/x/openapi.yaml` does); elsewhere, its own folder.
    let cwd = std::env::current_dir().and_then(|d| d.canonicalize());
    match (cwd, path.canonicalize()) {
        (Ok(cwd), Ok(file)) if file.starts_with(&cwd) => cwd,
        _ => parent,
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 32 {
        return;
    }
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in read.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            walk(&path, out, depth + 1);
        } else if ft.is_file() && detect::is_candidate(&path) {
            out.push(path);
        }
    }
}

fn relative_to(path: &Path, root: &Path) -> String {
    let p = normalize(path);
    let r = normalize(root);
    let rel = p.strip_prefix(&r).map_or(p.as_path(), |x| x);
    rel.to_string_lossy().replace('\\', "/")
}

fn load_entries(entries: Vec<Entry>, mut reports: Vec<FileReport>) -> LoadOutcome {
    let mut apis: Vec<Api> = Vec::new();
    let mut product_files = Vec::new();
    // Files some API read (normalized path -> titles of the APIs that read them).
    let mut touched: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    let mut pending: Vec<(Entry, SpecKind, String)> = Vec::new();
    // Index of the report of each API, to fill in the id once ids are unique.
    let mut api_reports: Vec<usize> = Vec::new();

    for entry in entries {
        let files = DiskFiles::new(absolute(&entry.root));
        let text = match files.read(&absolute(&entry.path)) {
            Ok(t) => t,
            Err(e) => {
                reports.push(error_report(&entry.path, SpecKind::Unknown, &e));
                continue;
            }
        };
        let kind = detect::detect(&entry.path, &text);
        match kind {
            SpecKind::Openapi | SpecKind::Swagger | SpecKind::Wsdl => {
                let result = if kind == SpecKind::Wsdl {
                    wsdl::load(&absolute(&entry.path), &files)
                } else {
                    // The text is parsed where it is (a large spec is not read twice).
                    openapi::load_text(&absolute(&entry.path), text, &files)
                };
                match result {
                    Ok(mut loaded) => {
                        loaded.api.source.path = relative_to(&entry.path, &entry.root);
                        let abs_root = absolute(&entry.root);
                        loaded.api.source.files = loaded
                            .files
                            .iter()
                            .map(|f| relative_to(f, &abs_root))
                            .collect();
                        for f in &loaded.files {
                            touched
                                .entry(normalize(f))
                                .or_default()
                                .insert(loaded.api.title.clone());
                        }
                        let diagnostics = loaded
                            .diagnostics
                            .into_iter()
                            .map(|d| display_path(d, &entry))
                            .collect();
                        api_reports.push(reports.len());
                        reports.push(FileReport {
                            path: entry.path.clone(),
                            kind,
                            version: Some(loaded.api.source.version.clone()),
                            title: Some(loaded.api.title.clone()),
                            operations: loaded.api.operations.len(),
                            api_id: None,
                            diagnostics,
                        });
                        apis.push(loaded.api);
                    }
                    Err(e) => {
                        let e = display_error(e, &entry);
                        reports.push(error_report(&entry.path, kind, &e));
                    }
                }
            }
            SpecKind::Product => match product::parse(&entry.path, &text) {
                Ok(p) => product_files.push((entry, p)),
                Err(e) => reports.push(error_report(&entry.path, kind, &e)),
            },
            other => pending.push((entry, other, text)),
        }
    }

    // A spec that another API reads and that has no operation of its own (a WSDL another WSDL
    // imports for its messages and port types, say) is a part of that API, not an API: it is
    // reported as used by it, as a fragment is, and not listed, documented or served alone.
    let mut parts = Vec::new();
    for (i, (api, report_index)) in apis.iter().zip(&api_reports).enumerate() {
        if !api.operations.is_empty() || !api.webhooks.is_empty() {
            continue;
        }
        let Some(report) = reports.get(*report_index) else {
            continue;
        };
        let users: Vec<&String> = touched
            .get(&normalize(&absolute(&report.path)))
            .map(|users| users.iter().filter(|u| **u != api.title).collect())
            .unwrap_or_default();
        if !users.is_empty() {
            let users: Vec<&str> = users.into_iter().map(String::as_str).collect();
            parts.push((i, format!("used by {}", users.join(", "))));
        }
    }
    for (i, title) in parts.into_iter().rev() {
        let part = apis.remove(i);
        let report_index = api_reports.remove(i);
        if let Some(report) = reports.get_mut(report_index) {
            report.title = Some(title);
        }
        // What the part read was read for its importer: only real APIs are named as users.
        if apis.iter().all(|a| a.title != part.title) {
            for users in touched.values_mut() {
                users.remove(&part.title);
            }
        }
    }

    // Unique ids, in path order so they are stable.
    let mut used = BTreeSet::new();
    for (api, report_index) in apis.iter_mut().zip(&api_reports) {
        let base = if api.id.is_empty() {
            "api".to_string()
        } else {
            api.id.clone()
        };
        let mut id = base.clone();
        let mut n = 2;
        while used.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        used.insert(id.clone());
        api.id = id.clone();
        if let Some(report) = reports.get_mut(*report_index) {
            report.api_id = Some(id);
        }
    }

    // Fragments and schemas: imported by an API, or standalone.
    for (entry, kind, text) in pending {
        let abs = normalize(&absolute(&entry.path));
        let mut diagnostics = Vec::new();
        let kind = match kind {
            SpecKind::Xsd => {
                if !touched.contains_key(&abs) {
                    diagnostics.extend(wsdl::check_xsd(&entry.path, &text));
                }
                SpecKind::Xsd
            }
            SpecKind::Fragment => {
                if !touched.contains_key(&abs) {
                    diagnostics.extend(openapi::check_fragment(&entry.path, &text));
                }
                SpecKind::Fragment
            }
            _ => SpecKind::Unknown,
        };
        let title = touched.get(&abs).map(|users| {
            format!(
                "used by {}",
                users.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        });
        reports.push(FileReport {
            path: entry.path.clone(),
            kind,
            version: None,
            title,
            operations: 0,
            api_id: None,
            diagnostics,
        });
    }

    // Products, resolved against the APIs.
    let mut products = Vec::new();
    for (entry, file) in product_files {
        let (mut product, diagnostics) = product::resolve(&file, &entry.path, &apis);
        product.path = relative_to(&entry.path, &entry.root);
        reports.push(FileReport {
            path: entry.path.clone(),
            kind: SpecKind::Product,
            version: Some(product.version.clone()),
            title: Some(product.title.clone()),
            operations: 0,
            api_id: None,
            diagnostics,
        });
        products.push(product);
    }

    apis.sort_by(|a, b| a.id.cmp(&b.id));
    products.sort_by(|a, b| a.name.cmp(&b.name));
    reports.sort_by(|a, b| a.path.cmp(&b.path));
    LoadOutcome {
        catalog: Catalog { apis, products },
        files: reports,
    }
}

fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        normalize(path)
    } else {
        match std::env::current_dir() {
            Ok(cwd) => normalize(&cwd.join(path)),
            Err(_) => normalize(path),
        }
    }
}

/// Loaders see absolute paths; reports show paths as the user reached them.
fn display_path(mut d: Diagnostic, entry: &Entry) -> Diagnostic {
    d.path = shown(&d.path, entry);
    d
}

fn shown(path: &Path, entry: &Entry) -> PathBuf {
    if entry.path.is_absolute() {
        return path.to_path_buf();
    }
    let abs_root = absolute(&entry.root);
    match path.strip_prefix(&abs_root) {
        Ok(rel) => normalize(&entry.root.join(rel)),
        Err(_) => path.to_path_buf(),
    }
}

fn display_error(e: Error, entry: &Entry) -> Error {
    let mut d = e.to_diagnostic();
    d.path = shown(&d.path, entry);
    let loc = Location {
        path: d.path,
        line: d.line,
        column: d.column,
    };
    match e {
        Error::Io { source, .. } => Error::Io { loc, source },
        Error::Syntax { message, .. } => Error::Syntax { loc, message },
        Error::Reference {
            reference, message, ..
        } => Error::Reference {
            loc,
            reference,
            message,
        },
        Error::Invalid { message, .. } => Error::Invalid { loc, message },
        Error::Unsupported { message, .. } => Error::Unsupported { loc, message },
        Error::Limit { message, .. } => Error::Limit { loc, message },
    }
}

fn error_report(path: &Path, kind: SpecKind, e: &Error) -> FileReport {
    FileReport {
        path: path.to_path_buf(),
        kind,
        version: None,
        title: None,
        operations: 0,
        api_id: None,
        diagnostics: vec![e.to_diagnostic()],
    }
}

/// A URL-safe slug: lowercase ASCII letters, digits and single dashes.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            slug("Swagger Petstore - OpenAPI 3.0"),
            "swagger-petstore-openapi-3-0"
        );
        assert_eq!(slug("  __x__ "), "x");
    }

    /// A WSDL that another imports for its messages and port type is part of that API: one API
    /// in the catalog, and the imported file reported as used by it. Alone, it is an API.
    #[test]
    fn an_imported_wsdl_without_operations_is_part_of_its_importer() {
        let dir = tempfile::tempdir().expect("temp dir");
        let part = r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:tns="urn:q" xmlns:xsd="http://www.w3.org/2001/XMLSchema" name="Parts" targetNamespace="urn:q">
  <message name="In"><part name="symbol" type="xsd:string"/></message>
  <message name="Out"><part name="price" type="xsd:float"/></message>
  <portType name="Quotes"><operation name="Price"><input message="tns:In"/><output message="tns:Out"/></operation></portType>
</definitions>"#;
        let main = r#"<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:tns="urn:q" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/" name="Quote" targetNamespace="urn:q">
  <import namespace="urn:q" location="part.wsdl"/>
  <binding name="QuotesSoap" type="tns:Quotes">
    <soap:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Price"><soap:operation soapAction="urn:q#Price"/>
      <input><soap:body use="literal" namespace="urn:q"/></input>
      <output><soap:body use="literal" namespace="urn:q"/></output>
    </operation>
  </binding>
  <service name="QuoteService"><port name="QuotesPort" binding="tns:QuotesSoap"><soap:address location="http://example.com/quote"/></port></service>
</definitions>"#;
        std::fs::write(dir.path().join("part.wsdl"), part).expect("write part");
        std::fs::write(dir.path().join("main.wsdl"), main).expect("write main");
        let outcome = load_paths(&[dir.path().to_path_buf()]);
        let titles: Vec<&str> = outcome
            .catalog
            .apis
            .iter()
            .map(|a| a.title.as_str())
            .collect();
        assert_eq!(titles, ["QuoteService"], "{:?}", outcome.files);
        assert_eq!(outcome.catalog.apis[0].operations.len(), 1);
        let report = outcome
            .files
            .iter()
            .find(|f| f.path.ends_with("part.wsdl"))
            .expect("part reported");
        assert_eq!(report.title.as_deref(), Some("used by QuoteService"));
        assert_eq!(report.api_id, None);
        // Alone it is nobody's part: an API of its own (with no operation to serve).
        std::fs::remove_file(dir.path().join("main.wsdl")).expect("remove main");
        let alone = load_paths(&[dir.path().to_path_buf()]);
        assert_eq!(alone.catalog.apis.len(), 1);
    }
}
