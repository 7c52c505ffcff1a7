//! OpenAPI 2.0 (Swagger), 3.0 and 3.1 documents, JSON or YAML, with `$ref`s across files.
//!
//! Why no typed OpenAPI crate: `openapiv3` reads only 3.0, and the 3.1 crates read only 3.1, while
//! we must read 2.0, 3.0, 3.1 (and 3.2 as a superset) *and* tolerate the defects of real specs
//! (a `$ref` that YAML read as a comment, a schema where a list was expected...). A typed
//! deserializer fails the whole document on the first such defect and loses the position of the
//! problem. So each file is parsed into a generic `serde_json::Value` (YAML through serde-saphyr)
//! and normalized here, field by field, into the [`crate::model`]: every defect becomes a located
//! diagnostic and the rest still loads. Swagger 2.0 is converted on the way (host/basePath/schemes
//! -> servers, consumes/produces -> media types, body/formData parameters -> request bodies,
//! definitions -> schemas, securityDefinitions -> security schemes, collectionFormat -> style).
//!
//! `$ref`s are followed through [`Files`] (which confines reads to the spec's folder tree), never
//! over the network. Named schemas become [`SchemaRef::Named`] entries of [`Api::schemas`], which
//! is what makes recursive schemas finite. Every walk has a depth or hop limit.

mod operations;
mod schema;
mod security;
pub(crate) mod source;
pub use source::yaml_value;

use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use indexmap::IndexMap;
use serde_json::Value;

use crate::error::{Diagnostic, Error, Location, Result, Severity};
use crate::files::{Files, join_relative};
use crate::model::{
    Api, ApiInfo, Contact, Link, Protocol, Schema, SchemaKind, SchemaRef, SpecKind, SpecSource, Tag,
};
use source::{Ptr, Source};

/// The most files one API may pull in through `$ref`s.
const MAX_FILES: usize = 256;
/// The most `$ref` hops followed for one reference chain.
const MAX_REF_HOPS: usize = 32;

/// An API read from a root file, with the files it reached and its warnings.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The API (its `id` is a slug of the title; the catalog makes it unique).
    pub api: Api,
    /// Warnings (and errors that did not stop the load), with absolute paths.
    pub diagnostics: Vec<Diagnostic>,
    /// Every file read: the root first, then referenced files (absolute paths).
    pub files: Vec<PathBuf>,
}

/// Which OpenAPI dialect the root document speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Version {
    /// Swagger 2.0.
    V2,
    /// OpenAPI 3.0.x.
    V30,
    /// OpenAPI 3.1.x (and 3.2, read as 3.1).
    V31,
}

/// Load an OpenAPI or Swagger document and everything it references.
pub fn load(path: &Path, files: &dyn Files) -> Result<Loaded> {
    load_text(path, files.read(path)?, files)
}

/// Like [`load`], for a root document whose text the caller has read already (through `files`,
/// which the references are read from).
pub fn load_text(path: &Path, text: String, files: &dyn Files) -> Result<Loaded> {
    let root = Source::parse(path, text)?;
    let value = Rc::clone(&root.value);
    let Some(obj) = value.as_object() else {
        return Err(Error::Invalid {
            loc: Location::at(path, 1, 1),
            message: "an OpenAPI document must be a mapping (object) at the top".into(),
        });
    };
    let (version, version_text, kind) = detect_version(&root, obj)?;
    let mut ctx = Ctx::new(files, root, version);
    if let Some(v) = obj.get("openapi").and_then(Value::as_str) {
        if v.starts_with("3.2") {
            ctx.warn(
                0,
                &Ptr::root().key("openapi"),
                format!(
                    "OpenAPI {v} is newer than this tool; read as 3.1 (new 3.2 fields are ignored)"
                ),
            );
        }
    }
    let api = ctx.build(obj, version_text, kind, path);
    drop(value);
    let files = ctx.docs.iter().map(|d| d.path.clone()).collect();
    free_documents(std::mem::take(&mut ctx.docs));
    Ok(Loaded {
        api,
        diagnostics: ctx.diags,
        files,
    })
}

/// Parsed documents larger than this (in bytes of text) are freed on a thread of their own.
const FREE_APART_BYTES: usize = 1 << 20;

/// Free the parsed documents once the model is built. A large description is millions of JSON
/// nodes, and freeing them one by one takes tens of milliseconds (a third of the GitHub
/// description's load) that nothing needs to wait for: a large set is handed to a thread of its
/// own, so the caller goes on (the sandbox starts listening) while it is freed.
fn free_documents(docs: Vec<Source>) {
    if docs.iter().map(|d| d.text.len()).sum::<usize>() < FREE_APART_BYTES {
        return;
    }
    // The trees are shared within the load only (`Rc`); by now each has one owner. The texts
    // are freed here: a large string is one call to the allocator.
    let trees: Vec<Value> = docs
        .into_iter()
        .filter_map(|d| Rc::try_unwrap(d.value).ok())
        .collect();
    // Without a thread (none can be had), they are freed here.
    let _ = std::thread::Builder::new()
        .name("portal-free-spec".into())
        .spawn(move || drop(trees));
}

/// Check a file that is not an API itself (a `$ref` target): it must parse.
pub fn check_fragment(path: &Path, text: &str) -> Vec<Diagnostic> {
    match source::parse_text(path, text) {
        Ok(_) => Vec::new(),
        Err(e) => vec![e.to_diagnostic()],
    }
}

fn detect_version(
    root: &Source,
    obj: &serde_json::Map<String, Value>,
) -> Result<(Version, String, SpecKind)> {
    let text_of = |v: &Value| match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    if let Some(v) = obj.get("openapi") {
        let loc = || root.locate("/openapi");
        let Some(s) = text_of(v) else {
            return Err(Error::Invalid {
                loc: loc(),
                message: "`openapi` must be a version string such as \"3.1.0\"".into(),
            });
        };
        let version = if s.starts_with("3.0") {
            Version::V30
        } else if s.starts_with("3.1") || s.starts_with("3.2") {
            Version::V31
        } else {
            return Err(Error::Unsupported {
                loc: loc(),
                message: format!("OpenAPI version {s} (this tool reads 2.0, 3.0, 3.1 and 3.2)"),
            });
        };
        return Ok((version, s, SpecKind::Openapi));
    }
    if let Some(v) = obj.get("swagger") {
        let s = text_of(v).unwrap_or_default();
        if s != "2.0" && s != "2" {
            return Err(Error::Unsupported {
                loc: root.locate("/swagger"),
                message: format!("Swagger version `{s}` (only \"2.0\" is read)"),
            });
        }
        return Ok((Version::V2, "2.0".into(), SpecKind::Swagger));
    }
    Err(Error::Invalid {
        loc: Location::at(&root.path, 1, 1),
        message: "not an OpenAPI document: no top-level `openapi` or `swagger` field".into(),
    })
}

/// A reference target: which document, and the JSON pointer in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Target {
    pub doc: usize,
    pub pointer: String,
}

/// Loading state of one API: its documents, the named schemas found so far, the diagnostics.
pub(crate) struct Ctx<'f> {
    files: &'f dyn Files,
    pub docs: Vec<Source>,
    by_path: HashMap<PathBuf, usize>,
    /// Documents that failed to load (reported once).
    failed: HashMap<PathBuf, ()>,
    pub version: Version,
    pub diags: Vec<Diagnostic>,
    /// Named schemas, in the order first met.
    pub schemas: IndexMap<String, Schema>,
    /// (doc, pointer) -> key in `schemas`.
    schema_keys: HashMap<Target, String>,
    /// Named schemas still to convert.
    queue: VecDeque<(Target, String)>,
    /// `$id` (and `$id#anchor`) -> target, per document (3.1), built on first need.
    ids: HashMap<usize, HashMap<String, String>>,
    /// Diagnostics already given (message + pointer), so a shared defect is reported once.
    seen: std::collections::HashSet<(usize, String, String)>,
    /// Global `produces` / `consumes` of a Swagger 2.0 document.
    pub produces: Vec<String>,
    /// Global `consumes`.
    pub consumes: Vec<String>,
    /// Inside callbacks and links, which are documented only (the sandbox neither calls nor
    /// follows them): an error there is a warning, and the rest of the API still loads.
    pub documentation_only: u32,
}

impl<'f> Ctx<'f> {
    fn new(files: &'f dyn Files, root: Source, version: Version) -> Ctx<'f> {
        let mut by_path = HashMap::new();
        by_path.insert(root.path.clone(), 0);
        Ctx {
            files,
            docs: vec![root],
            by_path,
            failed: HashMap::new(),
            version,
            diags: Vec::new(),
            schemas: IndexMap::new(),
            schema_keys: HashMap::new(),
            queue: VecDeque::new(),
            ids: HashMap::new(),
            seen: Default::default(),
            produces: Vec::new(),
            consumes: Vec::new(),
            documentation_only: 0,
        }
    }

    /// The value of a document (cheap clone of an `Rc`).
    pub fn doc_value(&self, doc: usize) -> Rc<Value> {
        Rc::clone(&self.docs[doc].value)
    }

    fn push(&mut self, doc: usize, at: &Ptr, severity: Severity, message: String) {
        let (severity, message) = if severity == Severity::Error && self.documentation_only > 0 {
            (
                Severity::Warning,
                format!("{message} (in a callback or link, documented without it)"),
            )
        } else {
            (severity, message)
        };
        let pointer = at.render();
        if !self.seen.insert((doc, pointer.clone(), message.clone())) {
            return;
        }
        let loc = self.docs[doc].locate(&pointer);
        self.diags.push(match severity {
            Severity::Error => Diagnostic::error(loc, message),
            Severity::Warning => Diagnostic::warning(loc, message),
        });
    }

    /// Report a warning at a node.
    pub fn warn(&mut self, doc: usize, at: &Ptr, message: impl Into<String>) {
        self.push(doc, at, Severity::Warning, message.into());
    }

    /// Report an error at a node (the load goes on without the broken part).
    pub fn error(&mut self, doc: usize, at: &Ptr, message: impl Into<String>) {
        self.push(doc, at, Severity::Error, message.into());
    }

    fn build(
        &mut self,
        obj: &serde_json::Map<String, Value>,
        version_text: String,
        kind: SpecKind,
        path: &Path,
    ) -> Api {
        let root = Ptr::root();
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let info = obj.get("info");
        if info.is_none() {
            self.error(0, &root, "missing `info` (with `title` and `version`)");
        }
        let info_ptr = root.key("info");
        let title = match info.and_then(|i| i.get("title")) {
            Some(Value::String(t)) if !t.trim().is_empty() => t.trim().to_string(),
            _ => {
                if info.is_some() {
                    self.warn(0, &info_ptr, "missing `info.title`; using the file name");
                }
                stem.clone()
            }
        };
        let version = info
            .and_then(|i| i.get("version"))
            .map(scalar_text)
            .unwrap_or_default();
        let description = info.and_then(|i| str_field(i, "description"));
        let api_info = ApiInfo {
            contact: info.and_then(|i| i.get("contact")).map(|c| Contact {
                name: str_field(c, "name"),
                email: str_field(c, "email"),
                url: str_field(c, "url"),
            }),
            license: info.and_then(|i| i.get("license")).map(|l| Link {
                name: str_field(l, "name"),
                url: str_field(l, "url").or_else(|| {
                    str_field(l, "identifier")
                        .map(|id| format!("https://spdx.org/licenses/{id}.html"))
                }),
            }),
            terms_of_service: info.and_then(|i| str_field(i, "termsOfService")),
            external_docs: obj.get("externalDocs").map(|d| Link {
                name: str_field(d, "description"),
                url: str_field(d, "url"),
            }),
        };

        if self.version == Version::V2 {
            self.produces = string_list(obj.get("produces"));
            self.consumes = string_list(obj.get("consumes"));
        }

        // Named schemas of the root document first, in document order.
        let schemas_ptr = if self.version == Version::V2 {
            "/definitions"
        } else {
            "/components/schemas"
        };
        let value = self.doc_value(0);
        if let Some(defs) = value.pointer(schemas_ptr).and_then(Value::as_object) {
            for name in defs.keys() {
                let target = Target {
                    doc: 0,
                    pointer: format!("{schemas_ptr}/{}", source::escape(name)),
                };
                self.schema_key(&target);
            }
        }

        let servers = security::servers(self, obj);
        let security_schemes = security::schemes(self, obj);
        let security = match obj.get("security") {
            Some(v) => security::requirements(self, 0, &root.key("security"), v, &security_schemes),
            None => Vec::new(),
        };

        let mut tags: Vec<Tag> = Vec::new();
        if let Some(list) = obj.get("tags").and_then(Value::as_array) {
            for t in list {
                if let Some(name) = t.get("name").and_then(Value::as_str) {
                    if !tags.iter().any(|x| x.name == name) {
                        tags.push(Tag {
                            name: name.to_string(),
                            description: str_field(t, "description"),
                        });
                    }
                }
            }
        }

        let mut ops = operations::OpBuilder::new(&security_schemes);
        let operations = ops.paths(self, obj);
        let webhooks = ops.webhooks(self, obj);
        if obj.get("paths").is_none() {
            if self.version == Version::V31 {
                if obj.get("webhooks").is_none() && obj.get("components").is_none() {
                    self.warn(
                        0,
                        &root,
                        "the document has no `paths`, `webhooks` or `components`",
                    );
                }
            } else {
                self.error(0, &root, "missing `paths` (required before OpenAPI 3.1)");
            }
        }
        for op in operations.iter().chain(&webhooks) {
            for t in &op.tags {
                if !tags.iter().any(|x| &x.name == t) {
                    tags.push(Tag {
                        name: t.clone(),
                        description: None,
                    });
                }
            }
        }

        self.drain_schemas();

        let id = {
            let s = crate::load::slug(&title);
            if s.is_empty() {
                let s = crate::load::slug(&stem);
                if s.is_empty() { "api".to_string() } else { s }
            } else {
                s
            }
        };
        Api {
            id,
            title,
            version,
            description,
            protocol: Protocol::Rest,
            source: SpecSource {
                kind,
                version: version_text,
                path: path.to_string_lossy().replace('\\', "/"),
                files: Vec::new(),
            },
            servers,
            security_schemes,
            security,
            tags,
            operations,
            webhooks,
            schemas: std::mem::take(&mut self.schemas),
            info: api_info,
        }
    }

    /// Convert every named schema met so far (and those they reach).
    pub fn drain_schemas(&mut self) {
        while let Some((target, key)) = self.queue.pop_front() {
            let value = self.doc_value(target.doc);
            let schema = match lookup(&value, &target.pointer) {
                Some(v) => {
                    let at = Ptr::base(&target.pointer);
                    match schema::convert(self, target.doc, &at, v, 0) {
                        SchemaRef::Inline(s) => *s,
                        SchemaRef::Named(other) => Schema {
                            kind: SchemaKind::Ref(other),
                            ..Schema::default()
                        },
                    }
                }
                None => Schema::default(),
            };
            if let Some(slot) = self.schemas.get_mut(&key) {
                *slot = schema;
            }
        }
    }

    /// The key of the named schema at a target, allocating one (and queueing its conversion).
    pub fn schema_key(&mut self, target: &Target) -> String {
        if let Some(k) = self.schema_keys.get(target) {
            return k.clone();
        }
        let base = self.key_name(target);
        let mut key = base.clone();
        let mut n = 2;
        while self.schemas.contains_key(&key) {
            key = format!("{base}-{n}");
            n += 1;
        }
        self.schemas.insert(key.clone(), Schema::default());
        self.schema_keys.insert(target.clone(), key.clone());
        self.queue.push_back((target.clone(), key.clone()));
        key
    }

    fn key_name(&self, target: &Target) -> String {
        let segs: Vec<String> = target
            .pointer
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        let named = match segs.as_slice() {
            [c, s, name] if c == "components" && s == "schemas" => Some(name.clone()),
            [d, name] if d == "definitions" || d == "$defs" => Some(name.clone()),
            _ => None,
        };
        if let Some(n) = named {
            return n;
        }
        let stem = self.docs[target.doc]
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        // A schema nested in a named one: `Pet.properties.id`.
        let segs: Vec<String> = match segs.as_slice() {
            [c, s, rest @ ..] if c == "components" && s == "schemas" => rest.to_vec(),
            [d, rest @ ..] if d == "definitions" => rest.to_vec(),
            _ => segs,
        };
        if target.doc == 0 {
            if segs.is_empty() {
                return stem;
            }
            return segs.join(".");
        }
        if segs.is_empty() {
            stem
        } else {
            format!("{stem}.{}", segs.join("."))
        }
    }

    /// Resolve a `$ref` written at `at` (the object holding it) in document `doc`. Reports and
    /// returns `None` when it cannot be followed.
    pub fn resolve(&mut self, doc: usize, at: &Ptr, reference: &str) -> Option<Target> {
        let reference = reference.trim();
        let here = at.key("$ref");
        if reference.is_empty() {
            self.error(doc, &here, "empty `$ref`");
            return None;
        }
        if let Some(fragment) = reference.strip_prefix('#') {
            return self.in_doc(doc, &here, doc, reference, fragment);
        }
        // `$id`-based references (3.1).
        if self.version == Version::V31 {
            if let Some(t) = self.by_id(reference) {
                return Some(t);
            }
        }
        if reference.contains("://") || reference.starts_with("//") {
            self.warn(
                doc,
                &here,
                format!("reference `{reference}` points to the network; it is not fetched"),
            );
            return None;
        }
        let (file, fragment) = match reference.split_once('#') {
            Some((f, frag)) => (f, frag),
            None => (reference, ""),
        };
        if file.starts_with('/') || file.starts_with('\\') || file.contains(':') {
            self.error(
                doc,
                &here,
                format!("cannot resolve reference `{reference}`: absolute paths are not allowed; use a path relative to this file"),
            );
            return None;
        }
        let path = join_relative(&self.docs[doc].path, file);
        match self.open(&path) {
            Ok(target_doc) => self.in_doc(doc, &here, target_doc, reference, fragment),
            Err(message) => {
                self.error(
                    doc,
                    &here,
                    format!("cannot resolve reference `{reference}`: {message}"),
                );
                None
            }
        }
    }

    fn in_doc(
        &mut self,
        writer: usize,
        here: &Ptr,
        doc: usize,
        reference: &str,
        fragment: &str,
    ) -> Option<Target> {
        let decoded = if fragment.contains('%') {
            percent_encoding::percent_decode_str(fragment).decode_utf8_lossy()
        } else {
            std::borrow::Cow::Borrowed(fragment)
        };
        let pointer = decoded.as_ref();
        if !pointer.is_empty() && !pointer.starts_with('/') {
            // A plain-name fragment: an `$anchor`.
            if let Some(t) = self.by_id(&format!("#{pointer}")).filter(|t| t.doc == doc) {
                return Some(t);
            }
            self.error(
                writer,
                here,
                format!("cannot resolve reference `{reference}`: `#{pointer}` is neither a JSON pointer nor a known anchor"),
            );
            return None;
        }
        let value = self.doc_value(doc);
        if lookup(&value, pointer).is_none() {
            let file = self.docs[doc]
                .path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default();
            self.error(
                writer,
                here,
                format!(
                    "cannot resolve reference `{reference}`: `{pointer}` does not exist in {file}"
                ),
            );
            return None;
        }
        Some(Target {
            doc,
            pointer: pointer.to_string(),
        })
    }

    /// Open (parse) a referenced file, or find it already open.
    fn open(&mut self, path: &Path) -> std::result::Result<usize, String> {
        if let Some(&d) = self.by_path.get(path) {
            return Ok(d);
        }
        if self.failed.contains_key(path) {
            return Err("the file could not be read (see above)".into());
        }
        if !self.files.allowed(path) {
            return Err(format!(
                "{} is outside the folder tree of the spec",
                path.display()
            ));
        }
        if self.docs.len() >= MAX_FILES {
            return Err(format!("more than {MAX_FILES} files referenced"));
        }
        let text = self.files.read(path).map_err(|e| {
            self.failed.insert(path.to_path_buf(), ());
            e.message()
        })?;
        match Source::parse(path, text) {
            Ok(src) => {
                let d = self.docs.len();
                self.docs.push(src);
                self.by_path.insert(path.to_path_buf(), d);
                Ok(d)
            }
            Err(e) => {
                self.failed.insert(path.to_path_buf(), ());
                self.diags.push(e.to_diagnostic());
                Err("the file does not parse (see its error)".into())
            }
        }
    }

    /// Look a reference up among the `$id`s and `$anchor`s of the loaded documents.
    fn by_id(&mut self, reference: &str) -> Option<Target> {
        let (base, fragment) = match reference.split_once('#') {
            Some((b, f)) => (b, f),
            None => (reference, ""),
        };
        for doc in 0..self.docs.len() {
            if !self.ids.contains_key(&doc) {
                let index = index_ids(&self.docs[doc].value, &self.docs[doc].text);
                self.ids.insert(doc, index);
            }
            let Some(index) = self.ids.get(&doc) else {
                continue;
            };
            let key = if fragment.is_empty() || fragment.starts_with('/') {
                base.to_string()
            } else {
                format!("{base}#{fragment}")
            };
            if let Some(p) = index.get(&key) {
                let pointer = if fragment.starts_with('/') {
                    format!("{p}{fragment}")
                } else {
                    p.clone()
                };
                if lookup(&self.docs[doc].value, &pointer).is_some() {
                    return Some(Target { doc, pointer });
                }
            }
        }
        None
    }

    /// Follow `$ref`s from a node until a node without one (at most [`MAX_REF_HOPS`]).
    /// Returns the final document and pointer, or `None` (reported) when a hop fails. A node
    /// without `$ref` returns `Some` of its own place (with `pointer` = `None`).
    pub fn deref(&mut self, doc: usize, at: &Ptr, value: &Value) -> Deref {
        let Some(r) = value.get("$ref") else {
            return Deref::Inline;
        };
        let Some(mut reference) = r.as_str().map(str::to_string) else {
            if r.is_null() {
                self.warn(doc, &at.key("$ref"), "`$ref` has no value (an unquoted `#...` is a YAML comment: quote the reference)");
            } else {
                self.error(doc, &at.key("$ref"), "`$ref` must be a string");
            }
            return Deref::Broken;
        };
        let mut from_doc = doc;
        let mut from_ptr: Option<String> = None;
        for _ in 0..MAX_REF_HOPS {
            let target = match &from_ptr {
                None => self.resolve(from_doc, at, &reference),
                Some(p) => self.resolve(from_doc, &Ptr::base(p), &reference),
            };
            let Some(target) = target else {
                return Deref::Broken;
            };
            let value = self.doc_value(target.doc);
            match lookup(&value, &target.pointer)
                .and_then(|n| n.get("$ref"))
                .and_then(Value::as_str)
            {
                Some(next) => {
                    reference = next.to_string();
                    from_doc = target.doc;
                    from_ptr = Some(target.pointer);
                }
                None => return Deref::Target(target),
            }
        }
        self.error(
            doc,
            &at.key("$ref"),
            format!("more than {MAX_REF_HOPS} `$ref` hops (a reference cycle?)"),
        );
        Deref::Broken
    }
}

impl Ctx<'_> {
    /// Run `f` on the node `v` at `at`, or on what its `$ref` points to. `None` when the
    /// reference is broken (already reported).
    pub fn with_node<R>(
        &mut self,
        doc: usize,
        at: &Ptr,
        v: &Value,
        f: impl FnOnce(&mut Ctx, usize, &Ptr, &Value) -> R,
    ) -> Option<R> {
        match self.deref(doc, at, v) {
            Deref::Inline => Some(f(self, doc, at, v)),
            Deref::Target(t) => {
                let value = self.doc_value(t.doc);
                let node = lookup(&value, &t.pointer)?;
                let p = Ptr::base(&t.pointer);
                Some(f(self, t.doc, &p, node))
            }
            Deref::Broken => None,
        }
    }
}

/// The outcome of following a `$ref`.
pub(crate) enum Deref {
    /// The node had no `$ref`.
    Inline,
    /// The node pointed (possibly through several hops) to this target.
    Target(Target),
    /// The reference could not be followed (already reported).
    Broken,
}

/// Every `$id` (and `$id#anchor`, `#anchor`) in a document, with the pointer of its schema.
fn index_ids(value: &Value, text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    if !text.contains("$id") && !text.contains("$anchor") {
        return out;
    }
    fn walk(v: &Value, ptr: &mut Vec<String>, id: &str, out: &mut HashMap<String, String>) {
        if ptr.len() > source::MAX_NESTING {
            return;
        }
        let render = |ptr: &Vec<String>| {
            ptr.iter()
                .map(|s| format!("/{}", source::escape(s)))
                .collect::<String>()
        };
        match v {
            Value::Object(map) => {
                let mut id = id.to_string();
                if let Some(i) = map.get("$id").and_then(Value::as_str) {
                    id = i.trim_end_matches('#').to_string();
                    out.entry(id.clone()).or_insert_with(|| render(ptr));
                }
                if let Some(a) = map.get("$anchor").and_then(Value::as_str) {
                    let p = render(ptr);
                    out.entry(format!("{id}#{a}")).or_insert_with(|| p.clone());
                    out.entry(format!("#{a}")).or_insert(p);
                }
                for (k, child) in map {
                    ptr.push(k.clone());
                    walk(child, ptr, &id, out);
                    ptr.pop();
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    ptr.push(i.to_string());
                    walk(child, ptr, id, out);
                    ptr.pop();
                }
            }
            _ => {}
        }
    }
    walk(value, &mut Vec::new(), "", &mut out);
    out
}

/// A scalar as text (versions are sometimes numbers in YAML).
pub(crate) fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

/// A string field of an object.
pub(crate) fn str_field(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// A list of strings (non-strings skipped).
pub(crate) fn string_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// `Value::pointer` without allocating for segments that need no unescaping.
pub(crate) fn lookup<'v>(value: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return Some(value);
    }
    let rest = pointer.strip_prefix('/')?;
    let mut cur = value;
    for seg in rest.split('/') {
        let unescaped;
        let key = if seg.contains('~') {
            unescaped = seg.replace("~1", "/").replace("~0", "~");
            unescaped.as_str()
        } else {
            seg
        };
        cur = match cur {
            Value::Object(map) => map.get(key)?,
            Value::Array(items) => {
                if key.len() > 1 && key.starts_with('0') || key.starts_with('+') {
                    return None;
                }
                items.get(key.parse::<usize>().ok()?)?
            }
            _ => return None,
        };
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::MemoryFiles;
    use crate::model::{
        ApiKeyLocation, HttpAuthScheme, ParamStyle, SchemaKind, SecuritySchemeKind, StringFormat,
    };

    fn load_text(name: &str, text: &str) -> Result<Loaded> {
        let mut files = MemoryFiles::new();
        let path = format!("/spec/{name}");
        files.insert(&path, text);
        load(Path::new(&path), &files)
    }

    const SWAGGER: &str = r##"
swagger: "2.0"
info: {title: Uploads, version: "1"}
host: api.example.com
basePath: /v1
schemes: [https, http]
consumes: [application/json]
securityDefinitions:
  basic: {type: basic}
  key: {type: apiKey, name: X-Key, in: header}
  app: {type: oauth2, flow: application, tokenUrl: "https://auth/token", scopes: {read: Read}}
  code: {type: oauth2, flow: accessCode, authorizationUrl: "https://auth/a", tokenUrl: "https://auth/t", scopes: {}}
security: [{key: []}]
paths:
  /files:
    post:
      consumes: [multipart/form-data]
      parameters:
        - {name: file, in: formData, type: file, required: true}
        - {name: note, in: formData, type: string}
        - {name: tags, in: query, type: array, items: {type: string}, collectionFormat: pipes}
      responses:
        "201":
          description: created
          schema: {$ref: "#/definitions/File"}
          headers: {X-Rate: {type: integer}}
          examples: {application/json: {id: 1}}
definitions:
  File:
    type: object
    x-nullable: true
    properties:
      id: {type: integer, minimum: 0, exclusiveMinimum: true}
"##;

    #[test]
    fn a_large_spec_loads_the_same_when_its_documents_are_freed_apart() {
        // Over FREE_APART_BYTES: the parsed tree is freed on its own thread.
        let description = "d".repeat(FREE_APART_BYTES);
        let mut paths = serde_json::Map::new();
        for i in 0..50 {
            paths.insert(
                format!("/r{i}"),
                serde_json::json!({"get": {"operationId": format!("get{i}"), "responses": {"200": {
                    "description": "ok",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/R"}}}
                }}}}),
            );
        }
        let doc = serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "Big", "version": "1", "description": description},
            "paths": paths,
            "components": {"schemas": {"R": {"type": "object", "properties": {"id": {"type": "integer"}}}}}
        });
        let text = doc.to_string();
        assert!(text.len() > FREE_APART_BYTES);
        let loaded = load_text("big.json", &text).expect("loads");
        assert_eq!(loaded.api.operations.len(), 50);
        assert!(loaded.api.schemas.contains_key("R"));
        assert_eq!(
            loaded.api.description.as_deref().map(str::len),
            Some(FREE_APART_BYTES)
        );
    }

    #[test]
    fn swagger_2_is_converted() {
        let loaded = load_text("swagger.yaml", SWAGGER).expect("loads");
        let api = &loaded.api;
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let urls: Vec<_> = api.servers.iter().map(|s| s.url.as_str()).collect();
        assert_eq!(
            urls,
            ["https://api.example.com/v1", "http://api.example.com/v1"]
        );
        let op = &api.operations[0];
        let body = op.request_body.as_ref().expect("form body");
        assert_eq!(
            body.content.keys().collect::<Vec<_>>(),
            ["multipart/form-data"]
        );
        assert!(body.required);
        assert_eq!(op.parameters[0].style, ParamStyle::PipeDelimited);
        let resp = &op.responses[0];
        assert_eq!(
            resp.content["application/json"].example,
            Some(serde_json::json!({"id": 1}))
        );
        assert!(resp.headers["X-Rate"].schema.is_some());
        let file = &api.schemas["File"];
        assert!(file.nullable);
        let SchemaKind::Object(o) = &file.kind else {
            panic!("object")
        };
        let Some(SchemaRef::Inline(id)) = o.properties.get("id") else {
            panic!("id")
        };
        let SchemaKind::Integer(rules) = &id.kind else {
            panic!("integer")
        };
        assert_eq!(
            (rules.minimum.clone(), rules.exclusive_minimum.clone()),
            (None, Some(0i64.into()))
        );
        let kinds: Vec<_> = api.security_schemes.values().map(|s| &s.kind).collect();
        assert!(matches!(
            kinds[0],
            SecuritySchemeKind::Http {
                scheme: HttpAuthScheme::Basic,
                ..
            }
        ));
        assert!(matches!(
            kinds[1],
            SecuritySchemeKind::ApiKey {
                location: ApiKeyLocation::Header,
                ..
            }
        ));
        match kinds[2] {
            SecuritySchemeKind::OAuth2 { flows } => assert!(flows.client_credentials.is_some()),
            other => panic!("{other:?}"),
        }
        match kinds[3] {
            SecuritySchemeKind::OAuth2 { flows } => assert!(flows.authorization_code.is_some()),
            other => panic!("{other:?}"),
        }
        let multipart = body.content["multipart/form-data"]
            .schema
            .as_ref()
            .expect("schema");
        let Some(s) = multipart.resolve(api) else {
            panic!("inline")
        };
        let SchemaKind::Object(form) = &s.kind else {
            panic!("object")
        };
        let Some(SchemaRef::Inline(f)) = form.properties.get("file") else {
            panic!("file")
        };
        assert!(matches!(&f.kind, SchemaKind::String(r) if r.format == Some(StringFormat::Binary)));
    }

    const V31: &str = r##"
openapi: 3.1.0
info: {title: "Cycles & Types", version: "1"}
webhooks:
  ping:
    post:
      responses: {"200": {description: ok}}
components:
  responses:
    Loop: {$ref: "#/components/responses/Loop"}
  schemas:
    A: {$ref: "#/components/schemas/B"}
    B: {$ref: "#/components/schemas/A"}
    Maybe: {type: [string, "null"], examples: [x]}
    Multi: {type: [string, integer]}
    Fixed: {const: 3}
paths:
  /a:
    get:
      responses:
        "200": {$ref: "#/components/responses/Loop"}
        "201":
          description: cycle
          content:
            application/json:
              schema: {$ref: "#/components/schemas/A"}
"##;

    #[test]
    fn cycles_end_and_31_types_read() {
        let loaded = load_text("v31.yaml", V31).expect("loads");
        let api = &loaded.api;
        assert_eq!(api.webhooks.len(), 1);
        assert_eq!(
            api.operations[0].responses.len(),
            1,
            "the looping response is dropped"
        );
        assert!(
            loaded
                .diagnostics
                .iter()
                .any(|d| d.message.contains("hops") && d.line.is_some()),
            "{:?}",
            loaded.diagnostics
        );
        assert!(matches!(api.schemas["A"].kind, SchemaKind::Ref(_)));
        assert!(
            SchemaRef::Named("A".into()).resolve(api).is_none(),
            "alias cycle"
        );
        let maybe = &api.schemas["Maybe"];
        assert!(maybe.nullable && matches!(maybe.kind, SchemaKind::String(_)));
        assert!(matches!(&api.schemas["Multi"].kind, SchemaKind::Union(k) if k.len() == 2));
        assert_eq!(api.schemas["Fixed"].const_value, Some(serde_json::json!(3)));
        // Examples of an alias cycle come out empty, not as a hang.
        let ex = crate::example::json_example(
            api,
            &SchemaRef::Named("A".into()),
            crate::example::Seed(1),
        );
        assert!(ex.is_null());
    }

    #[test]
    fn annotations_next_to_a_ref_are_kept() {
        let text = r##"
openapi: 3.0.3
info: {title: Refs, version: "1"}
paths: {}
components:
  schemas:
    Category: {type: object, properties: {id: {type: integer}}}
    Pet:
      type: object
      properties:
        category: {$ref: "#/components/schemas/Category", description: Pet category, nullable: true}
        plain: {$ref: "#/components/schemas/Category"}
"##;
        let api = load_text("refs.yaml", text).expect("loads").api;
        let SchemaKind::Object(pet) = &api.schemas["Pet"].kind else {
            panic!("object")
        };
        let category = &pet.properties["category"];
        assert_eq!(category.name(), Some("Category"));
        let SchemaRef::Inline(s) = category else {
            panic!("inline wrapper")
        };
        assert_eq!(s.description.as_deref(), Some("Pet category"));
        assert!(s.nullable);
        assert!(
            category
                .resolve(&api)
                .is_some_and(|c| matches!(c.kind, SchemaKind::Object(_)))
        );
        assert_eq!(pet.properties["plain"], SchemaRef::Named("Category".into()));
    }

    #[test]
    fn hostile_documents_are_refused_cleanly() {
        let deep_json = format!("{}{}", "{\"a\":".repeat(5000), "}".repeat(5000));
        assert!(load_text("deep.json", &deep_json).is_err());
        let deep_yaml = format!(
            "openapi: 3.1.0\ninfo: {{title: x, version: '1'}}\nx: {}1{}",
            "[".repeat(3000),
            "]".repeat(3000)
        );
        assert!(load_text("deep.yaml", &deep_yaml).is_err());
        let bomb = "openapi: 3.1.0\ninfo: {title: x, version: '1'}\na: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\n";
        let start = std::time::Instant::now();
        let refused = load_text("bomb.yaml", bomb).expect_err("alias bomb refused");
        assert!(refused.to_string().contains("alias"), "{refused}");
        assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
        assert!(load_text("list.yaml", "- 1").is_err());
        assert!(load_text("v.yaml", "openapi: 4.0.0").is_err());
        assert!(load_text("none.yaml", "info: {}").is_err());
    }

    #[test]
    fn truncated_documents_never_panic() {
        for text in [SWAGGER, V31] {
            for cut in (0..text.len()).step_by(3) {
                if text.is_char_boundary(cut) {
                    let _ = load_text("cut.yaml", &text[..cut]);
                }
            }
        }
    }

    #[test]
    fn tuples_of_every_draft_and_other_assertions_are_kept() {
        use crate::model::{AssertionValue, Keyword};
        let spec = r##"
openapi: 3.0.3
info: {title: T, version: "1"}
paths: {}
components:
  schemas:
    Old:
      type: array
      items: [{type: integer}, {type: string}]
      additionalItems: {type: boolean}
    New:
      type: array
      prefixItems: [{type: integer}]
      contains: {const: 7}
      minContains: 2
    Odd:
      not: {type: string}
      dependentRequired: {a: [b]}
      patternProperties: {"^x": {type: integer}}
    Bad:
      minContains: -1
"##;
        let loaded = load_text("t.yaml", spec).expect("loads");
        let schemas = &loaded.api.schemas;
        let old = &schemas["Old"];
        let SchemaKind::Array(rules) = &old.kind else {
            panic!("array: {old:?}")
        };
        let rest = rules.items.as_deref().and_then(|r| r.resolve(&loaded.api));
        assert!(
            matches!(rest.map(|s| &s.kind), Some(SchemaKind::Boolean)),
            "{old:?}"
        );
        assert!(
            matches!(old.assertion(Keyword::PrefixItems), Some(AssertionValue::Schemas(l)) if l.len() == 2),
            "{old:?}"
        );
        let new = &schemas["New"];
        let SchemaKind::Array(rules) = &new.kind else {
            panic!("array: {new:?}")
        };
        assert!(rules.items.is_none(), "items after the tuple are free");
        let keywords: Vec<Keyword> = new.assertions.iter().map(|a| a.keyword).collect();
        assert_eq!(
            keywords,
            [
                Keyword::PrefixItems,
                Keyword::Contains,
                Keyword::MinContains
            ]
        );
        let odd: Vec<&str> = schemas["Odd"]
            .assertions
            .iter()
            .map(|a| a.keyword.as_str())
            .collect();
        assert_eq!(odd, ["not", "dependentRequired", "patternProperties"]);
        assert!(schemas["Bad"].assertions.is_empty());
        for k in Keyword::ALL {
            assert_eq!(schema::assertion_keyword(k.as_str()), Some(k));
        }
        assert!(
            loaded
                .diagnostics
                .iter()
                .any(|d| d.message.contains("minContains")),
            "{:?}",
            loaded.diagnostics
        );
    }

    /// Callbacks and links are documented only (the sandbox neither calls nor follows them): a
    /// broken reference there is a warning and the API loads; in the operation itself it is an
    /// error.
    #[test]
    fn broken_references_in_callbacks_and_links_are_warnings() {
        let spec = r##"
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /streams:
    post:
      callbacks:
        onData:
          "{$request.query.callbackUrl}/data":
            post:
              requestBody:
                content:
                  application/json:
                    schema: {$ref: "#/components/schemas/Gone"}
              responses:
                "202": {description: OK}
      responses:
        "201":
          description: Created
          links:
            next: {$ref: "#/components/links/Gone"}
"##;
        let loaded = load_text("a.yaml", spec).expect("loads");
        let op = &loaded.api.operations[0];
        assert_eq!(op.callbacks.len(), 1);
        assert_eq!(op.callbacks[0].operations.len(), 1);
        let severities: Vec<(Severity, bool)> = loaded
            .diagnostics
            .iter()
            .map(|d| (d.severity, d.message.contains("documented without it")))
            .collect();
        assert_eq!(
            severities,
            [(Severity::Warning, true), (Severity::Warning, true)],
            "{:?}",
            loaded.diagnostics
        );
        // The same reference in the operation's own response is an error.
        let broken = spec.replace("links:\n            next: {$ref: \"#/components/links/Gone\"}", "content:\n            application/json:\n              schema: {$ref: \"#/components/schemas/Gone\"}");
        let loaded = load_text("b.yaml", &broken).expect("loads");
        assert!(
            loaded
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error),
            "{:?}",
            loaded.diagnostics
        );
    }

    #[test]
    fn an_operation_without_responses_before_31_is_a_warning_and_kept() {
        for (version, warned) in [
            ("swagger: \"2.0\"", true),
            ("openapi: 3.0.3", true),
            ("openapi: 3.1.0", false),
        ] {
            let spec = format!(
                "{version}\ninfo: {{title: T, version: \"1\"}}\npaths:\n  /a:\n    get:\n      summary: None documented\n"
            );
            let loaded = load_text("a.yaml", &spec).expect("loads");
            let op = &loaded.api.operations[0];
            assert_eq!(op.summary.as_deref(), Some("None documented"));
            assert!(op.responses.is_empty());
            let warnings: Vec<&Diagnostic> = loaded
                .diagnostics
                .iter()
                .filter(|d| d.message.contains("needs `responses`"))
                .collect();
            assert_eq!(
                warnings.len(),
                usize::from(warned),
                "{version}: {:?}",
                loaded.diagnostics
            );
            assert!(
                warnings
                    .iter()
                    .all(|d| d.severity == crate::error::Severity::Warning)
            );
        }
    }

    #[test]
    fn an_assertion_beside_a_31_ref_constrains() {
        use crate::model::Keyword;
        let spec = r##"
openapi: 3.1.0
info: {title: T, version: "1"}
paths: {}
components:
  schemas:
    Base: {type: string}
    Narrow:
      $ref: "#/components/schemas/Base"
      not: {const: forbidden}
"##;
        let loaded = load_text("r.yaml", spec).expect("loads");
        let narrow = &loaded.api.schemas["Narrow"];
        let SchemaKind::AllOf(c) = &narrow.kind else {
            panic!("a $ref with a constraining sibling is an allOf: {narrow:?}")
        };
        let sibling = c.members[1].resolve(&loaded.api).expect("inline");
        assert!(sibling.assertion(Keyword::Not).is_some(), "{sibling:?}");
    }
}
