//! WSDL 1.1 and 2.0 documents with their XML Schemas, imports and includes.
//!
//! [`load`] reads the root WSDL and everything it reaches (`wsdl:import`, `xsd:import`,
//! `xsd:include`; relative locations only, each file once so circular chains end), converts the
//! schemas with [`xsd`], and maps port types (interfaces) and their SOAP bindings to the model:
//! one [`Operation`] per operation name per port type that some binding binds, whose
//! [`SoapOperation::bindings`] lists every SOAP binding of it. HTTP bindings are noted and not
//! served; imports of well-known namespaces (SOAP encoding, `xml.xsd`...) are built in and never
//! fetched. Schema keys are documented in [`xsd`].
//!
//! Not read (yet): `soap:body parts=` (every non-header part goes in the Body), substitution
//! groups and abstract elements, WSDL 2.0 interface `extends` and `wsoap:header`, MIME and DIME
//! bindings; `xsd:redefine`/`override` are read as includes.

pub mod xml;
pub mod xsd;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::error::{Diagnostic, Error, Location, Result, line_col};
use crate::files::{Files, join_relative, normalize};
use crate::model::{
    Api, ApiInfo, Binding, MediaType, Operation, PartContent, Protocol, QName, Response,
    ResponseStatus, SchemaRef, SecurityScheme, SecuritySchemeKind, Server, SoapBinding,
    SoapEndpoint, SoapFault, SoapHeader, SoapMessage, SoapOperation, SoapPart, SoapStyle, SoapUse,
    SoapVersion, SpecKind, SpecSource, Tag,
};
pub use crate::openapi::Loaded;
use xml::Element;
use xsd::{Converter, Ctx, Index, XSD_NS, element_key};

/// WSDL 1.1 namespace.
pub const WSDL11_NS: &str = "http://schemas.xmlsoap.org/wsdl/";
/// WSDL 2.0 namespace.
pub const WSDL20_NS: &str = "http://www.w3.org/ns/wsdl";
/// WSDL 1.1 SOAP 1.1 binding namespace.
pub const SOAP11_BINDING_NS: &str = "http://schemas.xmlsoap.org/wsdl/soap/";
/// WSDL 1.1 SOAP 1.2 binding namespace.
pub const SOAP12_BINDING_NS: &str = "http://schemas.xmlsoap.org/wsdl/soap12/";
/// WSDL 1.1 HTTP binding namespace.
pub const HTTP_BINDING_NS: &str = "http://schemas.xmlsoap.org/wsdl/http/";
/// WSDL 2.0 SOAP binding namespace (also the binding `type`).
pub const WSOAP_NS: &str = "http://www.w3.org/ns/wsdl/soap";
/// WSDL 2.0 HTTP binding type.
pub const WHTTP_NS: &str = "http://www.w3.org/ns/wsdl/http";
const WSAM_NS: &str = "http://www.w3.org/2007/05/addressing/metadata";
const WSAW_NS: &str = "http://www.w3.org/2006/05/addressing/wsdl";
const SOAP_HTTP_TRANSPORTS: [&str; 3] = [
    "http://schemas.xmlsoap.org/soap/http",
    "http://schemas.xmlsoap.org/soap/http/",
    "http://www.w3.org/2003/05/soap/bindings/HTTP/",
];

/// Most files one WSDL may pull in.
pub const MAX_FILES: usize = 256;

/// One parsed file of the tree.
struct Doc {
    path: PathBuf,
    text: String,
    root: Element,
    /// Target namespace given by a chameleon `xsd:include`.
    tns_override: Option<String>,
}

impl Doc {
    fn loc(&self, e: &Element) -> Location {
        let (line, column) = line_col(&self.text, e.offset);
        Location::at(&self.path, line, column)
    }
}

fn is_remote(location: &str) -> bool {
    let lower = location.to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://") || lower.contains("://")
}

/// A reference from one file to another, found before loading it.
struct Link {
    location: Option<String>,
    namespace: Option<String>,
    include: bool,
    offset: usize,
    includer_tns: Option<String>,
}

fn links_of(root: &Element) -> Vec<Link> {
    let mut out = Vec::new();
    let mut schema_links = |schema: &Element| {
        let tns = schema.attr("targetNamespace").map(str::to_string);
        for (include, ns, loc, el) in xsd::imports(schema) {
            out.push(Link {
                location: loc.map(str::to_string),
                namespace: ns.map(str::to_string),
                include,
                offset: el.offset,
                includer_tns: tns.clone(),
            });
        }
    };
    if root.is(XSD_NS, "schema") {
        schema_links(root);
    }
    for wsdl_ns in [WSDL11_NS, WSDL20_NS] {
        if root.ns.as_deref() != Some(wsdl_ns) {
            continue;
        }
        for types in root.children_named(wsdl_ns, "types") {
            for schema in types.children_named(XSD_NS, "schema") {
                schema_links(schema);
            }
        }
    }
    let mut wsdl_links = Vec::new();
    for wsdl_ns in [WSDL11_NS, WSDL20_NS] {
        if root.ns.as_deref() != Some(wsdl_ns) {
            continue;
        }
        for imp in root.children.iter().filter(|c| {
            c.ns.as_deref() == Some(wsdl_ns) && (c.local == "import" || c.local == "include")
        }) {
            wsdl_links.push(Link {
                location: imp.attr("location").map(str::to_string),
                namespace: imp.attr("namespace").map(str::to_string),
                include: false,
                offset: imp.offset,
                includer_tns: None,
            });
        }
    }
    wsdl_links.extend(out);
    wsdl_links
}

/// Read the root and every file it reaches.
fn load_tree(path: &Path, files: &dyn Files, diags: &mut Vec<Diagnostic>) -> Result<Vec<Doc>> {
    let text = files.read(path)?;
    let root = xml::parse(path, &text)?;
    let mut docs = vec![Doc {
        path: normalize(path),
        text,
        root,
        tns_override: None,
    }];
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    seen.insert(normalize(path));
    let mut i = 0;
    while i < docs.len() {
        let links = links_of(&docs[i].root);
        for link in links {
            let loc_of = |d: &Doc| {
                let (line, column) = line_col(&d.text, link.offset);
                Location::at(&d.path, line, column)
            };
            let Some(location) = link.location.as_deref().filter(|l| !l.trim().is_empty()) else {
                continue;
            };
            if link.namespace.as_deref().is_some_and(xsd::is_well_known) {
                continue;
            }
            if is_remote(location) {
                diags.push(Diagnostic::warning(
                    loc_of(&docs[i]),
                    format!(
                        "`{location}` is not fetched (no network access); types from it are unknown"
                    ),
                ));
                continue;
            }
            let target = join_relative(&docs[i].path, location.trim());
            if !seen.insert(target.clone()) {
                continue;
            }
            if docs.len() >= MAX_FILES {
                diags.push(Diagnostic::error(
                    loc_of(&docs[i]),
                    format!("more than {MAX_FILES} imported files; `{location}` is not read"),
                ));
                continue;
            }
            if !files.allowed(&target) {
                diags.push(Diagnostic::error(
                    loc_of(&docs[i]),
                    format!(
                        "cannot resolve reference `{location}`: not found, or outside the spec folder"
                    ),
                ));
                continue;
            }
            let text = match files.read(&target) {
                Ok(t) => t,
                Err(e) => {
                    diags.push(Diagnostic::error(
                        loc_of(&docs[i]),
                        format!("cannot resolve reference `{location}`: {}", e.message()),
                    ));
                    continue;
                }
            };
            match xml::parse(&target, &text) {
                Ok(root) => docs.push(Doc {
                    path: target,
                    text,
                    root,
                    tns_override: if link.include {
                        link.includer_tns.clone()
                    } else {
                        None
                    },
                }),
                Err(e) => diags.push(e.to_diagnostic()),
            }
        }
        i += 1;
    }
    Ok(docs)
}

/// Every `<xsd:schema>` of the tree with its context.
fn schemas_of(docs: &[Doc]) -> Vec<(&Element, Ctx<'_>)> {
    let mut out = Vec::new();
    for d in docs {
        let ctx = |s: &Element| Ctx::of_schema(s, &d.path, &d.text, d.tns_override.as_deref());
        if d.root.is(XSD_NS, "schema") {
            out.push((&d.root, ctx(&d.root)));
        }
        for wsdl_ns in [WSDL11_NS, WSDL20_NS] {
            for types in d.root.children_named(wsdl_ns, "types") {
                for s in types.children_named(XSD_NS, "schema") {
                    out.push((s, ctx(s)));
                }
            }
        }
    }
    out
}

/// Load a WSDL document and everything it imports.
pub fn load(path: &Path, files: &dyn Files) -> Result<Loaded> {
    let mut diags = Vec::new();
    let docs = load_tree(path, files, &mut diags)?;
    let root = &docs[0].root;
    let version = if root.is(WSDL11_NS, "definitions") {
        "1.1"
    } else if root.is(WSDL20_NS, "description") {
        "2.0"
    } else {
        return Err(Error::Invalid {
            loc: docs[0].loc(root),
            message: format!(
                "root element <{}> is neither a WSDL 1.1 `definitions` ({WSDL11_NS}) nor a WSDL 2.0 `description` ({WSDL20_NS})",
                root.local
            ),
        });
    };
    let schemas = schemas_of(&docs);
    let mut index = Index::default();
    for (s, ctx) in &schemas {
        index.add_schema(s, ctx);
    }
    let mut conv = Converter::new(&index);
    conv.convert_all();
    let mut b = ApiBuilder {
        docs: &docs,
        conv,
        diags: Vec::new(),
        ops: Vec::new(),
        servers: Vec::new(),
        services: Vec::new(),
    };
    if version == "1.1" {
        b.wsdl11();
    } else {
        b.wsdl20();
    }
    let ApiBuilder {
        conv,
        diags: model_diags,
        ops,
        servers,
        services,
        ..
    } = b;
    diags.extend(conv.diagnostics);
    diags.extend(model_diags);

    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let title = services
        .first()
        .cloned()
        .or_else(|| root.attr("name").map(str::to_string))
        .filter(|t| !t.trim().is_empty())
        .unwrap_or(stem);
    let wsdl_ns = if version == "1.1" {
        WSDL11_NS
    } else {
        WSDL20_NS
    };
    let description = root
        .child(wsdl_ns, "documentation")
        .map(|d| d.deep_text().trim().to_string())
        .filter(|d| !d.is_empty())
        .or_else(|| {
            root.children_named(wsdl_ns, "service")
                .find_map(|s| s.child(wsdl_ns, "documentation"))
                .map(|d| d.deep_text().trim().to_string())
                .filter(|d| !d.is_empty())
        });

    let mut security_schemes = IndexMap::new();
    let mut security = Vec::new();
    if docs.iter().any(|d| d.text.contains("UsernameToken")) {
        security_schemes.insert(
            "UsernameToken".to_string(),
            SecurityScheme {
                description: Some("WS-Security UsernameToken in the SOAP header".into()),
                kind: SecuritySchemeKind::WsSecurityUsernameToken,
            },
        );
        let mut req = IndexMap::new();
        req.insert("UsernameToken".to_string(), Vec::new());
        security.push(req);
    }

    let mut tags: Vec<Tag> = Vec::new();
    for op in &ops {
        for t in &op.tags {
            if !tags.iter().any(|x| &x.name == t) {
                tags.push(Tag {
                    name: t.clone(),
                    description: None,
                });
            }
        }
    }
    let api = Api {
        id: crate::load::slug(&title),
        title,
        version: String::new(),
        description,
        protocol: Protocol::Soap,
        source: SpecSource {
            kind: SpecKind::Wsdl,
            version: version.to_string(),
            path: String::new(),
            files: Vec::new(),
        },
        servers,
        security_schemes,
        security,
        tags,
        operations: ops,
        webhooks: Vec::new(),
        schemas: conv.schemas,
        info: ApiInfo::default(),
    };
    Ok(Loaded {
        api,
        diagnostics: diags,
        files: docs.iter().map(|d| d.path.clone()).collect(),
    })
}

/// Builds the operations of a WSDL from its parsed tree.
struct ApiBuilder<'d, 'i> {
    docs: &'d [Doc],
    conv: Converter<'i, 'd>,
    diags: Vec<Diagnostic>,
    ops: Vec<Operation>,
    servers: Vec<Server>,
    /// Service names in document order (the first is the title).
    services: Vec<String>,
}

/// A named top-level WSDL component with the file it is in.
type Comp<'d> = (&'d Element, usize);

impl<'d> ApiBuilder<'d, '_> {
    fn warn(&mut self, doc: usize, e: &Element, message: String) {
        let loc = self.docs[doc].loc(e);
        self.diags.push(Diagnostic::warning(loc, message));
    }

    fn qname_attr(&mut self, doc: usize, e: &Element, attr: &str) -> Option<QName> {
        let v = e.attr(attr)?;
        let q = e.resolve_qname(v);
        if q.is_none() {
            self.warn(doc, e, format!("namespace prefix of `{v}` is not declared"));
        }
        q
    }

    /// Resolve a QName attribute that names a component of `map`. An unprefixed name that is not
    /// found in the default namespace is also looked up in the file's target namespace (some
    /// WSDLs write `type="portje"` with the WSDL namespace as default); that is warned about.
    fn component_ref<T>(
        &mut self,
        doc: usize,
        e: &Element,
        attr: &str,
        map: &IndexMap<QName, T>,
    ) -> Option<QName> {
        let q = self.qname_attr(doc, e, attr)?;
        if map.contains_key(&q) {
            return Some(q);
        }
        let raw = e.attr(attr).unwrap_or("");
        if !raw.contains(':') {
            let tns = self.docs[doc]
                .root
                .attr("targetNamespace")
                .map(str::to_string);
            let alt = QName {
                namespace: tns,
                local: q.local.clone(),
            };
            if map.contains_key(&alt) {
                self.warn(
                    doc,
                    e,
                    format!("`{raw}` has no prefix and the default namespace is not the target namespace; read as `{alt}`"),
                );
                return Some(alt);
            }
        }
        Some(q)
    }

    /// Named components of kind `local` in every WSDL file (`ns`), first declaration wins.
    fn components(&mut self, ns: &'static str, local: &'static str) -> IndexMap<QName, Comp<'d>> {
        let mut out: IndexMap<QName, Comp<'d>> = IndexMap::new();
        let docs = self.docs;
        for (i, d) in docs.iter().enumerate() {
            if d.root.ns.as_deref() != Some(ns) {
                continue;
            }
            let tns = d.root.attr("targetNamespace").map(str::to_string);
            for c in d.root.children_named(ns, local) {
                let Some(name) = c.attr("name") else {
                    self.warn(i, c, format!("<{local}> without a name is ignored"));
                    continue;
                };
                let q = QName {
                    namespace: tns.clone(),
                    local: name.to_string(),
                };
                if out.contains_key(&q) {
                    self.warn(
                        i,
                        c,
                        format!(
                            "{local} `{name}` is declared twice; the first declaration is used"
                        ),
                    );
                    continue;
                }
                out.insert(q, (c, i));
            }
        }
        out
    }

    fn services(&self, ns: &'static str) -> Vec<Comp<'d>> {
        let mut out = Vec::new();
        for (i, d) in self.docs.iter().enumerate() {
            if d.root.ns.as_deref() == Some(ns) {
                out.extend(d.root.children_named(ns, "service").map(|s| (s, i)));
            }
        }
        out
    }

    fn add_server(&mut self, address: &str) {
        if !address.is_empty() && !self.servers.iter().any(|s| s.url == address) {
            self.servers.push(Server {
                url: address.to_string(),
                ..Server::default()
            });
        }
    }

    fn part_schema(
        &mut self,
        doc: usize,
        part: &Element,
        content: &PartContent,
    ) -> Option<SchemaRef> {
        match content {
            PartContent::Element(q) => {
                let key = element_key(q);
                if self.conv.schemas.contains_key(&key) {
                    Some(SchemaRef::Named(key))
                } else {
                    self.warn(doc, part, format!("unknown element `{q}` in part"));
                    None
                }
            }
            PartContent::Type(q) => {
                let d = &self.docs[doc];
                let ctx = Ctx {
                    tns: None,
                    elements_qualified: false,
                    attributes_qualified: false,
                    path: &d.path,
                    text: &d.text,
                };
                let mut s = self.conv.type_ref(q, part, &ctx);
                let xml = s.xml.get_or_insert_with(Default::default);
                xml.name = part.attr("name").map(str::to_string);
                xml.namespace = None;
                Some(SchemaRef::Inline(Box::new(s)))
            }
        }
    }

    // ---------------------------------------------------------------- WSDL 1.1

    fn message11(
        &mut self,
        messages: &IndexMap<QName, Comp<'d>>,
        doc: usize,
        at: &Element,
    ) -> Option<SoapMessage> {
        let q = self.component_ref(doc, at, "message", messages)?;
        let Some(&(msg, mdoc)) = messages.get(&q) else {
            self.warn(doc, at, format!("unknown message `{q}`"));
            return None;
        };
        let mut parts = Vec::new();
        for part in msg.children_named(WSDL11_NS, "part") {
            let name = part.attr("name").unwrap_or("").to_string();
            let content = if part.attr("element").is_some() {
                self.qname_attr(mdoc, part, "element")
                    .map(PartContent::Element)
            } else if part.attr("type").is_some() {
                self.qname_attr(mdoc, part, "type").map(PartContent::Type)
            } else {
                self.warn(
                    mdoc,
                    part,
                    format!("part `{name}` has neither element nor type"),
                );
                None
            };
            let Some(content) = content else { continue };
            let schema = self.part_schema(mdoc, part, &content);
            parts.push(SoapPart {
                name,
                content,
                schema,
            });
        }
        Some(SoapMessage { name: q, parts })
    }

    fn wsdl11(&mut self) {
        // Transports, checked on every binding (duplicates included).
        let docs = self.docs;
        for (i, d) in docs.iter().enumerate() {
            if d.root.ns.as_deref() != Some(WSDL11_NS) {
                continue;
            }
            for b in d.root.children_named(WSDL11_NS, "binding") {
                let sb = b
                    .child(SOAP11_BINDING_NS, "binding")
                    .or_else(|| b.child(SOAP12_BINDING_NS, "binding"));
                if let Some(t) = sb.and_then(|sb| sb.attr("transport")) {
                    if !SOAP_HTTP_TRANSPORTS.contains(&t.trim()) {
                        let name = b.attr("name").unwrap_or("");
                        self.warn(
                            i,
                            sb.unwrap_or(b),
                            format!(
                                "binding `{name}` uses transport `{t}`, not SOAP over HTTP (the sandbox answers over HTTP only)"
                            ),
                        );
                    }
                }
            }
        }
        let messages = self.components(WSDL11_NS, "message");
        let port_types = self.components(WSDL11_NS, "portType");
        let bindings = self.components(WSDL11_NS, "binding");
        let services = self.services(WSDL11_NS);

        // Endpoints per binding, and service names.
        let mut endpoints: BTreeMap<QName, Vec<SoapEndpoint>> = BTreeMap::new();
        for &(svc, sdoc) in &services {
            let sname = svc.attr("name").unwrap_or("").to_string();
            if !sname.is_empty() {
                self.services.push(sname.clone());
            }
            for port in svc.children_named(WSDL11_NS, "port") {
                let pname = port.attr("name").unwrap_or("").to_string();
                let Some(bq) = self.component_ref(sdoc, port, "binding", &bindings) else {
                    if port.attr("binding").is_none() {
                        self.warn(
                            sdoc,
                            port,
                            format!("port `{pname}` names no binding; it is ignored"),
                        );
                    }
                    continue;
                };
                if !bindings.contains_key(&bq) {
                    self.warn(
                        sdoc,
                        port,
                        format!("port `{pname}` refers to unknown binding `{bq}`; it is ignored"),
                    );
                    continue;
                }
                let address = port
                    .child(SOAP11_BINDING_NS, "address")
                    .or_else(|| port.child(SOAP12_BINDING_NS, "address"))
                    .and_then(|a| a.attr("location"));
                let Some(address) = address else { continue };
                endpoints.entry(bq).or_default().push(SoapEndpoint {
                    service: sname.clone(),
                    port: pname,
                    address: address.to_string(),
                });
            }
        }

        // Which port types are bound, and by which SOAP bindings.
        let mut bound: BTreeSet<QName> = BTreeSet::new();
        let mut soap_bindings: Vec<(QName, &'d Element, usize, SoapVersion, QName)> = Vec::new();
        for (bq, &(b, bdoc)) in &bindings {
            let Some(ptq) = self.component_ref(bdoc, b, "type", &port_types) else {
                self.warn(
                    bdoc,
                    b,
                    format!("binding `{}` has no type (portType)", bq.local),
                );
                continue;
            };
            if !port_types.contains_key(&ptq) {
                self.warn(
                    bdoc,
                    b,
                    format!("binding `{}` refers to unknown portType `{ptq}`", bq.local),
                );
                continue;
            }
            bound.insert(ptq.clone());
            let soap = b
                .child(SOAP11_BINDING_NS, "binding")
                .map(|s| (s, SoapVersion::V11))
                .or_else(|| {
                    b.child(SOAP12_BINDING_NS, "binding")
                        .map(|s| (s, SoapVersion::V12))
                });
            match soap {
                Some((_, version)) => {
                    soap_bindings.push((bq.clone(), b, bdoc, version, ptq));
                }
                None if b.child(HTTP_BINDING_NS, "binding").is_some() => self.warn(
                    bdoc,
                    b,
                    format!(
                        "binding `{}` is an HTTP (non-SOAP) binding; its operations are listed but not served",
                        bq.local
                    ),
                ),
                None => self.warn(
                    bdoc,
                    b,
                    format!("binding `{}` is neither SOAP 1.1, SOAP 1.2 nor HTTP; it is ignored", bq.local),
                ),
            }
        }
        for eps in endpoints.values() {
            for ep in eps {
                let addr = ep.address.clone();
                self.add_server(&addr);
            }
        }

        if port_types.is_empty() {
            let d = &self.docs[0];
            let loc = d.loc(&d.root);
            self.diags.push(Diagnostic::warning(
                loc,
                "the WSDL declares no portType, so it has no operations".to_string(),
            ));
        }

        // Operations, in port type order.
        let mut raw: Vec<(QName, Operation, bool)> = Vec::new();
        for (ptq, &(pt, pdoc)) in &port_types {
            if !bound.contains(ptq) {
                self.warn(
                    pdoc,
                    pt,
                    format!(
                        "portType `{}` is not bound by any binding; its operations are not counted",
                        ptq.local
                    ),
                );
                continue;
            }
            let mut names: BTreeSet<String> = BTreeSet::new();
            for op in pt.children_named(WSDL11_NS, "operation") {
                let Some(name) = op.attr("name") else {
                    continue;
                };
                if !names.insert(name.to_string()) {
                    self.warn(pdoc, op, format!("operation `{name}` is overloaded in portType `{}`; only the first is used", ptq.local));
                    continue;
                }
                let input = op
                    .child(WSDL11_NS, "input")
                    .and_then(|i| self.message11(&messages, pdoc, i));
                let output = op
                    .child(WSDL11_NS, "output")
                    .and_then(|o| self.message11(&messages, pdoc, o));
                let mut faults = Vec::new();
                for f in op.children_named(WSDL11_NS, "fault") {
                    let message = self.message11(&messages, pdoc, f);
                    faults.push(SoapFault {
                        name: f.attr("name").unwrap_or("").to_string(),
                        message,
                    });
                }
                let mut soap = Vec::new();
                for (bq, b, bdoc, version, bpt) in &soap_bindings {
                    if bpt != ptq {
                        continue;
                    }
                    let Some(bop) = b
                        .children_named(WSDL11_NS, "operation")
                        .find(|o| o.attr("name") == Some(name))
                    else {
                        continue;
                    };
                    let sb = soap_binding11(
                        self,
                        &messages,
                        bq,
                        b,
                        bop,
                        *bdoc,
                        *version,
                        endpoints.get(bq).cloned().unwrap_or_default(),
                    );
                    soap.push(sb);
                }
                // The port type's documentation, else a binding operation's.
                let description = op
                    .child(WSDL11_NS, "documentation")
                    .map(|d| d.deep_text().trim().to_string())
                    .filter(|d| !d.is_empty())
                    .or_else(|| {
                        soap_bindings
                            .iter()
                            .filter(|(_, _, _, _, bpt)| bpt == ptq)
                            .flat_map(|(_, b, _, _, _)| b.children_named(WSDL11_NS, "operation"))
                            .filter(|o| o.attr("name") == Some(name))
                            .filter_map(|o| o.child(WSDL11_NS, "documentation"))
                            .map(|d| d.deep_text().trim().to_string())
                            .find(|d| !d.is_empty())
                    });
                let has_soap = !soap.is_empty();
                let operation = make_operation(name, ptq, description, input, output, faults, soap);
                raw.push((ptq.clone(), operation, has_soap));
            }
        }
        self.ops = unique_ids(raw);
    }

    // ---------------------------------------------------------------- WSDL 2.0

    fn wsdl20(&mut self) {
        let interfaces = self.components(WSDL20_NS, "interface");
        let bindings = self.components(WSDL20_NS, "binding");
        let services = self.services(WSDL20_NS);

        let mut endpoints: BTreeMap<QName, Vec<SoapEndpoint>> = BTreeMap::new();
        for &(svc, sdoc) in &services {
            let sname = svc.attr("name").unwrap_or("").to_string();
            if !sname.is_empty() {
                self.services.push(sname.clone());
            }
            for ep in svc.children_named(WSDL20_NS, "endpoint") {
                let ename = ep.attr("name").unwrap_or("").to_string();
                let Some(bq) = self.component_ref(sdoc, ep, "binding", &bindings) else {
                    continue;
                };
                if !bindings.contains_key(&bq) {
                    self.warn(
                        sdoc,
                        ep,
                        format!("endpoint `{ename}` refers to unknown binding `{bq}`"),
                    );
                    continue;
                }
                if let Some(address) = ep.attr("address") {
                    endpoints.entry(bq).or_default().push(SoapEndpoint {
                        service: sname.clone(),
                        port: ename,
                        address: address.to_string(),
                    });
                }
            }
        }

        let mut bound: BTreeSet<QName> = BTreeSet::new();
        let mut soap_bindings = Vec::new();
        for (bq, &(b, bdoc)) in &bindings {
            let Some(iq) = self.component_ref(bdoc, b, "interface", &interfaces) else {
                self.warn(
                    bdoc,
                    b,
                    format!("binding `{}` names no interface", bq.local),
                );
                continue;
            };
            if !interfaces.contains_key(&iq) {
                self.warn(
                    bdoc,
                    b,
                    format!("binding `{}` refers to unknown interface `{iq}`", bq.local),
                );
                continue;
            }
            bound.insert(iq.clone());
            match b.attr("type").map(str::trim) {
                Some(WSOAP_NS) => {
                    let version = match b.attr_ns(WSOAP_NS, "version").map(str::trim) {
                        Some("1.1") => SoapVersion::V11,
                        _ => SoapVersion::V12,
                    };
                    soap_bindings.push((bq.clone(), b, bdoc, version, iq));
                    if let Some(eps) = endpoints.get(bq) {
                        for ep in eps.clone() {
                            self.add_server(&ep.address);
                        }
                    }
                }
                Some(WHTTP_NS) => self.warn(
                    bdoc,
                    b,
                    format!("binding `{}` is an HTTP (non-SOAP) binding; its operations are listed but not served", bq.local),
                ),
                other => self.warn(
                    bdoc,
                    b,
                    format!("binding `{}` has unknown type `{}`; it is ignored", bq.local, other.unwrap_or("")),
                ),
            }
        }

        // Interface faults by name.
        let mut raw = Vec::new();
        for (iq, &(itf, idoc)) in &interfaces {
            if !bound.contains(iq) {
                self.warn(idoc, itf, format!("interface `{}` is not bound by any binding; its operations are not counted", iq.local));
                continue;
            }
            let mut faults_by_name: BTreeMap<String, Option<QName>> = BTreeMap::new();
            for f in itf.children_named(WSDL20_NS, "fault") {
                let el = self.qname_attr(idoc, f, "element");
                faults_by_name.insert(f.attr("name").unwrap_or("").to_string(), el);
            }
            let mut names = BTreeSet::new();
            for op in itf.children_named(WSDL20_NS, "operation") {
                let Some(name) = op.attr("name") else {
                    continue;
                };
                if !names.insert(name.to_string()) {
                    continue;
                }
                let input = op
                    .child(WSDL20_NS, "input")
                    .and_then(|i| self.message20(idoc, i));
                let output = op
                    .child(WSDL20_NS, "output")
                    .and_then(|o| self.message20(idoc, o));
                let mut faults = Vec::new();
                for f in op
                    .children
                    .iter()
                    .filter(|c| c.is(WSDL20_NS, "infault") || c.is(WSDL20_NS, "outfault"))
                {
                    let Some(r) = self.qname_attr(idoc, f, "ref") else {
                        continue;
                    };
                    if faults.iter().any(|x: &SoapFault| x.name == r.local) {
                        continue;
                    }
                    let message = match faults_by_name.get(&r.local).cloned().flatten() {
                        Some(el) => {
                            let content = PartContent::Element(el.clone());
                            let schema = self.part_schema(idoc, f, &content);
                            Some(SoapMessage {
                                name: el.clone(),
                                parts: vec![SoapPart {
                                    name: el.local.clone(),
                                    content,
                                    schema,
                                }],
                            })
                        }
                        None => None,
                    };
                    faults.push(SoapFault {
                        name: r.local.clone(),
                        message,
                    });
                }
                let op_action = op
                    .child(WSDL20_NS, "input")
                    .and_then(|i| {
                        i.attr_ns(WSAM_NS, "Action")
                            .or_else(|| i.attr_ns(WSAW_NS, "Action"))
                    })
                    .map(str::to_string);
                let mut soap = Vec::new();
                for (bq, b, _bdoc, version, biq) in &soap_bindings {
                    if biq != iq {
                        continue;
                    }
                    let bop = b.children_named(WSDL20_NS, "operation").find(|o| {
                        o.attr("ref")
                            .and_then(|r| o.resolve_qname(r))
                            .is_some_and(|r| r.local == name)
                    });
                    let action = bop
                        .and_then(|o| o.attr_ns(WSOAP_NS, "action"))
                        .map(str::to_string)
                        .or_else(|| op_action.clone());
                    soap.push(SoapBinding {
                        name: bq.clone(),
                        version: *version,
                        action,
                        style: SoapStyle::Document,
                        body_use: SoapUse::Literal,
                        namespace: None,
                        encoding_style: None,
                        input_headers: Vec::new(),
                        output_headers: Vec::new(),
                        endpoints: endpoints.get(bq).cloned().unwrap_or_default(),
                    });
                }
                let description = op
                    .child(WSDL20_NS, "documentation")
                    .map(|d| d.deep_text().trim().to_string())
                    .filter(|d| !d.is_empty());
                let has_soap = !soap.is_empty();
                raw.push((
                    iq.clone(),
                    make_operation(name, iq, description, input, output, faults, soap),
                    has_soap,
                ));
            }
        }
        self.ops = unique_ids(raw);
    }

    fn message20(&mut self, doc: usize, io: &Element) -> Option<SoapMessage> {
        let el = io.attr("element")?;
        if el.starts_with('#') {
            // #any, #none, #other: no schema.
            return Some(SoapMessage {
                name: QName {
                    namespace: None,
                    local: el.to_string(),
                },
                parts: Vec::new(),
            });
        }
        let q = self.qname_attr(doc, io, "element")?;
        let content = PartContent::Element(q.clone());
        let schema = self.part_schema(doc, io, &content);
        Some(SoapMessage {
            name: q.clone(),
            parts: vec![SoapPart {
                name: q.local,
                content,
                schema,
            }],
        })
    }
}

/// The SOAP side of one WSDL 1.1 binding operation.
#[allow(clippy::too_many_arguments)]
fn soap_binding11(
    b: &mut ApiBuilder<'_, '_>,
    messages: &IndexMap<QName, Comp<'_>>,
    bq: &QName,
    binding: &Element,
    bop: &Element,
    bdoc: usize,
    version: SoapVersion,
    endpoints: Vec<SoapEndpoint>,
) -> SoapBinding {
    let ns = match version {
        SoapVersion::V11 => SOAP11_BINDING_NS,
        SoapVersion::V12 => SOAP12_BINDING_NS,
    };
    let sop = bop.child(ns, "operation");
    let style = sop
        .and_then(|o| o.attr("style"))
        .or_else(|| binding.child(ns, "binding").and_then(|x| x.attr("style")));
    let style = match style.map(str::trim) {
        Some("rpc") => SoapStyle::Rpc,
        _ => SoapStyle::Document,
    };
    let action = sop.and_then(|o| o.attr("soapAction")).map(str::to_string);
    let input = bop.child(WSDL11_NS, "input");
    let body = input.and_then(|i| i.child(ns, "body"));
    let body_use = match body.and_then(|x| x.attr("use")).map(str::trim) {
        Some("encoded") => SoapUse::Encoded,
        _ => SoapUse::Literal,
    };
    let namespace = body
        .and_then(|x| x.attr("namespace"))
        .or_else(|| {
            bop.child(WSDL11_NS, "output")
                .and_then(|o| o.child(ns, "body"))
                .and_then(|x| x.attr("namespace"))
        })
        .map(str::to_string);
    let encoding_style = body
        .and_then(|x| x.attr("encodingStyle"))
        .map(str::to_string);
    let mut headers = |io: Option<&Element>| -> Vec<SoapHeader> {
        let mut out = Vec::new();
        let Some(io) = io else { return out };
        for h in io.children_named(ns, "header") {
            let Some(mq) = b.component_ref(bdoc, h, "message", messages) else {
                continue;
            };
            let part = h.attr("part").unwrap_or("").to_string();
            let msg = messages.get(&mq).copied();
            let (schema, element) = match msg.and_then(|(m, mdoc)| {
                m.children_named(WSDL11_NS, "part")
                    .find(|p| p.attr("name") == Some(part.as_str()))
                    .map(|p| (p, mdoc))
            }) {
                Some((p, mdoc)) => {
                    let content = if p.attr("element").is_some() {
                        b.qname_attr(mdoc, p, "element").map(PartContent::Element)
                    } else {
                        b.qname_attr(mdoc, p, "type").map(PartContent::Type)
                    };
                    match content {
                        Some(c) => {
                            let element = match &c {
                                PartContent::Element(q) => Some(q.clone()),
                                PartContent::Type(_) => Some(QName {
                                    namespace: None,
                                    local: part.clone(),
                                }),
                            };
                            (b.part_schema(mdoc, p, &c), element)
                        }
                        None => (None, None),
                    }
                }
                None => {
                    b.warn(
                        bdoc,
                        h,
                        format!("soap:header refers to unknown part `{part}` of `{mq}`"),
                    );
                    (None, None)
                }
            };
            out.push(SoapHeader {
                message: mq,
                part,
                schema,
                element,
            });
        }
        out
    };
    let input_headers = headers(input);
    let output_headers = headers(bop.child(WSDL11_NS, "output"));
    SoapBinding {
        name: bq.clone(),
        version,
        action,
        style,
        body_use,
        namespace,
        encoding_style,
        input_headers,
        output_headers,
        endpoints,
    }
}

fn make_operation(
    name: &str,
    port_type: &QName,
    description: Option<String>,
    input: Option<SoapMessage>,
    output: Option<SoapMessage>,
    faults: Vec<SoapFault>,
    bindings: Vec<SoapBinding>,
) -> Operation {
    let mut versions: Vec<SoapVersion> = Vec::new();
    for b in &bindings {
        if !versions.contains(&b.version) {
            versions.push(b.version);
        }
    }
    if versions.is_empty() {
        versions.push(SoapVersion::V11);
    }
    let content = |msg: Option<&SoapMessage>| -> IndexMap<String, MediaType> {
        let schema = msg
            .and_then(|m| m.parts.first())
            .and_then(|p| p.schema.clone());
        versions
            .iter()
            .map(|v| {
                (
                    v.content_type().to_string(),
                    MediaType {
                        schema: schema.clone(),
                        ..MediaType::default()
                    },
                )
            })
            .collect()
    };
    let mut responses = Vec::new();
    match &output {
        Some(out) => responses.push(Response {
            status: ResponseStatus::Code(200),
            description: format!("SOAP response `{}`", out.name.local),
            headers: IndexMap::new(),
            content: content(Some(out)),
            links: IndexMap::new(),
        }),
        None => responses.push(Response {
            status: ResponseStatus::Code(202),
            description: "Accepted (one-way operation, no response body)".into(),
            headers: IndexMap::new(),
            content: IndexMap::new(),
            links: IndexMap::new(),
        }),
    }
    let fault_names: Vec<&str> = faults.iter().map(|f| f.name.as_str()).collect();
    responses.push(Response {
        status: ResponseStatus::Code(500),
        description: if fault_names.is_empty() {
            "SOAP Fault".into()
        } else {
            format!("SOAP Fault (declared: {})", fault_names.join(", "))
        },
        headers: IndexMap::new(),
        content: content(faults.first().and_then(|f| f.message.as_ref())),
        links: IndexMap::new(),
    });
    Operation {
        id: name.to_string(),
        operation_id: Some(name.to_string()),
        summary: None,
        description,
        tags: vec![port_type.local.clone()],
        deprecated: false,
        binding: Binding::Soap(SoapOperation {
            name: name.to_string(),
            port_type: port_type.clone(),
            input,
            output,
            faults,
            bindings,
        }),
        parameters: Vec::new(),
        request_body: None,
        responses,
        security: None,
        callbacks: Vec::new(),
        servers: Vec::new(),
    }
}

/// URL-safe, unique ids: the operation name, prefixed with the port type when several port types
/// share it (the first port type with SOAP bindings keeps the bare name).
fn unique_ids(raw: Vec<(QName, Operation, bool)>) -> Vec<Operation> {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for (_, op, _) in &raw {
        *count.entry(op.id.clone()).or_default() += 1;
    }
    let mut bare_owner: BTreeMap<String, usize> = BTreeMap::new();
    for (i, (_, op, has_soap)) in raw.iter().enumerate() {
        if *has_soap {
            bare_owner.entry(op.id.clone()).or_insert(i);
        }
    }
    for (i, (_, op, _)) in raw.iter().enumerate() {
        bare_owner.entry(op.id.clone()).or_insert(i);
    }
    let mut used = BTreeSet::new();
    let mut out = Vec::with_capacity(raw.len());
    for (i, (pt, mut op, _)) in raw.into_iter().enumerate() {
        let shared = count.get(&op.id).copied().unwrap_or(0) > 1;
        let base = if shared && bare_owner.get(&op.id) != Some(&i) {
            format!("{}-{}", url_safe(&pt.local), url_safe(&op.id))
        } else {
            url_safe(&op.id)
        };
        let base = if base.is_empty() {
            "operation".to_string()
        } else {
            base
        };
        let mut id = base.clone();
        let mut n = 2;
        while used.contains(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        used.insert(id.clone());
        op.id = id;
        out.push(op);
    }
    out
}

fn url_safe(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if out == "." || out == ".." {
        out.replace('.', "-")
    } else {
        out
    }
}

/// Check a standalone XSD that no WSDL imports: it must be well-formed and read as a schema.
/// Imports are not followed, so types from other namespaces are not reported as unknown.
pub fn check_xsd(path: &Path, text: &str) -> Vec<Diagnostic> {
    let root = match xml::parse(path, text) {
        Ok(r) => r,
        Err(e) => return vec![e.to_diagnostic()],
    };
    if !root.is(XSD_NS, "schema") {
        let (line, column) = line_col(text, root.offset);
        return vec![Diagnostic::error(
            Location::at(path, line, column),
            format!(
                "root element <{}> is not an XML Schema `schema` ({XSD_NS})",
                root.local
            ),
        )];
    }
    let ctx = Ctx::of_schema(&root, path, text, None);
    let own = ctx.tns.clone();
    xsd::check(&[(&root, ctx)])
        .into_iter()
        .filter(|d| {
            // Unknown names from namespaces this file imports are expected here.
            !d.message.starts_with("unknown")
                || own
                    .as_ref()
                    .is_some_and(|ns| d.message.contains(&format!("{{{ns}}}")))
        })
        .collect()
}

#[cfg(test)]
mod tests;
