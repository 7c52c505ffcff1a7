//! The normalized model of APIs, operations, schemas, security and plans that every consumer reads.
//!
//! Loaders (OpenAPI, WSDL, products) produce these types; the generator and the mock server only
//! ever see these types, never the raw spec documents. Everything is ordered (`Vec`, `IndexMap`)
//! so that iterating the model is deterministic.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Everything read from a folder of specs: APIs, products, and what was wrong with the files.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Catalog {
    /// The APIs, sorted by id.
    pub apis: Vec<Api>,
    /// The API Connect products (with their plans), sorted by name.
    pub products: Vec<Product>,
}

/// Which protocol an API speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// HTTP+JSON (or XML, form...) described by OpenAPI or Swagger.
    Rest,
    /// SOAP 1.1 / 1.2 described by WSDL.
    Soap,
}

/// The format family of a spec file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpecKind {
    /// OpenAPI 3.x.
    Openapi,
    /// Swagger / OpenAPI 2.0.
    Swagger,
    /// WSDL 1.1 or 2.0.
    Wsdl,
    /// A standalone XML Schema.
    Xsd,
    /// An IBM API Connect product file.
    Product,
    /// A file only referenced by others (a schema fragment, parameters file...).
    Fragment,
    /// Not a file this tool reads.
    Unknown,
}

impl SpecKind {
    /// The lowercase name used in `portal check` output.
    pub fn as_str(self) -> &'static str {
        match self {
            SpecKind::Openapi => "openapi",
            SpecKind::Swagger => "swagger",
            SpecKind::Wsdl => "wsdl",
            SpecKind::Xsd => "xsd",
            SpecKind::Product => "product",
            SpecKind::Fragment => "fragment",
            SpecKind::Unknown => "unknown",
        }
    }
}

/// Where an API's description came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpecSource {
    /// Format family.
    pub kind: SpecKind,
    /// The version the file declares (`3.1.0`, `2.0`, `1.1` for WSDL 1.1, `2.0` for WSDL 2.0).
    pub version: String,
    /// The root file, relative to the folder the catalog was loaded from (forward slashes).
    pub path: String,
    /// Every file the API was read from (root first, then referenced files), relative like `path`.
    pub files: Vec<String>,
}

/// One API: a REST API from an OpenAPI document, or a SOAP service from a WSDL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Api {
    /// A URL-safe identifier, unique within a catalog (slug of the title, or of the file name).
    pub id: String,
    /// Human title (`info.title`, or the WSDL service / definitions name).
    pub title: String,
    /// Declared version (`info.version`), empty when none.
    pub version: String,
    /// Markdown description, untrusted.
    pub description: Option<String>,
    /// REST or SOAP.
    pub protocol: Protocol,
    /// Where it was read from.
    pub source: SpecSource,
    /// Servers (OpenAPI) or endpoint addresses (WSDL), in document order.
    pub servers: Vec<Server>,
    /// Security schemes by name, in document order.
    pub security_schemes: IndexMap<String, SecurityScheme>,
    /// The API-wide security requirements (alternatives); empty = none required.
    pub security: Vec<SecurityRequirement>,
    /// Tags in document order (declared ones first, then ones only used by operations).
    pub tags: Vec<Tag>,
    /// Operations in document order (paths order then method order; WSDL port type order).
    pub operations: Vec<Operation>,
    /// OpenAPI 3.1 webhooks: operations the API calls on the client.
    pub webhooks: Vec<Operation>,
    /// Named schemas that [`SchemaRef::Named`] points to (components, definitions, XSD types
    /// and elements). Keys are unique within the API.
    pub schemas: IndexMap<String, Schema>,
    /// Free-form extras useful for rendering (contact, license, external docs).
    pub info: ApiInfo,
}

/// Contact, license, terms.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ApiInfo {
    /// `info.contact` as name, email, url.
    pub contact: Option<Contact>,
    /// `info.license` name and url.
    pub license: Option<Link>,
    /// `info.termsOfService`.
    pub terms_of_service: Option<String>,
    /// Top-level `externalDocs`.
    pub external_docs: Option<Link>,
}

/// A contact.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// Name.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Web page.
    pub url: Option<String>,
}

/// A named link.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// Text.
    pub name: Option<String>,
    /// Target.
    pub url: Option<String>,
}

/// A tag.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    /// Name as used by operations.
    pub name: String,
    /// Markdown description.
    pub description: Option<String>,
}

/// A server (OpenAPI `servers[]`, Swagger `host`+`basePath`+`schemes`, WSDL port address).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Server {
    /// URL template, possibly relative (`/v1`) and with `{variables}`.
    pub url: String,
    /// Description.
    pub description: Option<String>,
    /// Variables with their defaults.
    pub variables: IndexMap<String, ServerVariable>,
}

impl Server {
    /// The URL with every `{variable}` replaced by its default.
    pub fn resolved_url(&self) -> String {
        let mut url = self.url.clone();
        for (name, var) in &self.variables {
            url = url.replace(&format!("{{{name}}}"), &var.default);
        }
        url
    }
}

/// A server URL variable.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerVariable {
    /// Default value (required by OpenAPI).
    pub default: String,
    /// Allowed values, if restricted.
    pub enum_values: Vec<String>,
    /// Description.
    pub description: Option<String>,
}

/// One operation of an API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    /// Identifier unique within the API and safe in a URL path segment: the `operationId` when it
    /// is one, else derived from method and path (`get-pets-petid`) or from the SOAP operation
    /// name (with the port type when two port types share a name).
    pub id: String,
    /// The `operationId` as written, when there is one.
    pub operation_id: Option<String>,
    /// One-line summary.
    pub summary: Option<String>,
    /// Markdown description (OpenAPI) or `wsdl:documentation` text, untrusted.
    pub description: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Marked deprecated.
    pub deprecated: bool,
    /// How the operation is invoked.
    pub binding: Binding,
    /// Parameters (path-level ones merged in, operation-level ones winning).
    pub parameters: Vec<Parameter>,
    /// The request body (REST), or `None`.
    pub request_body: Option<RequestBody>,
    /// Responses in document order.
    pub responses: Vec<Response>,
    /// Security requirements; `None` means the API's default applies, `Some(vec![])` means none.
    pub security: Option<Vec<SecurityRequirement>>,
    /// OpenAPI callbacks: name -> expression -> operations.
    pub callbacks: Vec<Callback>,
    /// Servers that override the API's servers for this operation.
    pub servers: Vec<Server>,
}

impl Operation {
    /// The security that applies to this operation (its own or the API's).
    pub fn effective_security<'a>(&'a self, api: &'a Api) -> &'a [SecurityRequirement] {
        match &self.security {
            Some(own) => own,
            None => &api.security,
        }
    }

    /// HTTP method and path for REST operations.
    pub fn http(&self) -> Option<(HttpMethod, &str)> {
        match &self.binding {
            Binding::Http { method, path } => Some((*method, path.as_str())),
            Binding::Soap(_) => None,
        }
    }

    /// The SOAP side of the operation.
    pub fn soap(&self) -> Option<&SoapOperation> {
        match &self.binding {
            Binding::Soap(soap) => Some(soap),
            Binding::Http { .. } => None,
        }
    }
}

/// A callback of an operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Callback {
    /// Callback name (key under `callbacks`).
    pub name: String,
    /// Runtime expression (the path item key, e.g. `{$request.query.queryUrl}`).
    pub expression: String,
    /// Operations of the path item.
    pub operations: Vec<Operation>,
}

/// How an operation is invoked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
#[allow(clippy::large_enum_variant)] // one per operation; boxing would only add indirection
pub enum Binding {
    /// REST: an HTTP method on a path template (relative to the server URL).
    Http {
        /// HTTP method.
        method: HttpMethod,
        /// Path template, e.g. `/pets/{petId}`.
        path: String,
    },
    /// SOAP: an operation of a port type, bound by one or more SOAP bindings.
    Soap(SoapOperation),
}

/// HTTP methods OpenAPI knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// GET
    Get,
    /// PUT
    Put,
    /// POST
    Post,
    /// DELETE
    Delete,
    /// OPTIONS
    Options,
    /// HEAD
    Head,
    /// PATCH
    Patch,
    /// TRACE
    Trace,
}

impl HttpMethod {
    /// Every method, in the order OpenAPI's Path Item lists them.
    pub const ALL: [HttpMethod; 8] = [
        HttpMethod::Get,
        HttpMethod::Put,
        HttpMethod::Post,
        HttpMethod::Delete,
        HttpMethod::Options,
        HttpMethod::Head,
        HttpMethod::Patch,
        HttpMethod::Trace,
    ];

    /// Upper-case name (`GET`).
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Put => "PUT",
            HttpMethod::Post => "POST",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Head => "HEAD",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Trace => "TRACE",
        }
    }

    /// Lower-case key as used in an OpenAPI path item (`get`).
    pub fn key(self) -> &'static str {
        match self {
            HttpMethod::Get => "get",
            HttpMethod::Put => "put",
            HttpMethod::Post => "post",
            HttpMethod::Delete => "delete",
            HttpMethod::Options => "options",
            HttpMethod::Head => "head",
            HttpMethod::Patch => "patch",
            HttpMethod::Trace => "trace",
        }
    }

    /// Parse a method name in any case.
    pub fn parse(s: &str) -> Option<HttpMethod> {
        HttpMethod::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

/// A SOAP operation: one operation of one port type (WSDL 1.1) or interface (WSDL 2.0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoapOperation {
    /// Operation name.
    pub name: String,
    /// Port type (or interface) the operation belongs to.
    pub port_type: QName,
    /// The input message (absent for notification operations).
    pub input: Option<SoapMessage>,
    /// The output message (absent for one-way operations).
    pub output: Option<SoapMessage>,
    /// Declared faults.
    pub faults: Vec<SoapFault>,
    /// Every SOAP binding of the port type that binds this operation (often one SOAP 1.1 and one
    /// SOAP 1.2 binding). Empty when the WSDL has no SOAP binding for it.
    pub bindings: Vec<SoapBinding>,
}

/// A qualified XML name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct QName {
    /// Namespace URI, `None` for no namespace.
    pub namespace: Option<String>,
    /// Local part.
    pub local: String,
}

impl std::fmt::Display for QName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{{{ns}}}{}", self.local),
            None => f.write_str(&self.local),
        }
    }
}

/// SOAP version of a binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SoapVersion {
    /// SOAP 1.1 (`text/xml`, `SOAPAction` header).
    #[serde(rename = "1.1")]
    V11,
    /// SOAP 1.2 (`application/soap+xml; action=`).
    #[serde(rename = "1.2")]
    V12,
}

impl SoapVersion {
    /// The envelope namespace.
    pub fn envelope_ns(self) -> &'static str {
        match self {
            SoapVersion::V11 => "http://schemas.xmlsoap.org/soap/envelope/",
            SoapVersion::V12 => "http://www.w3.org/2003/05/soap-envelope",
        }
    }

    /// The media type of messages.
    pub fn content_type(self) -> &'static str {
        match self {
            SoapVersion::V11 => "text/xml",
            SoapVersion::V12 => "application/soap+xml",
        }
    }
}

/// SOAP binding style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SoapStyle {
    /// Body holds the part elements (wrapped or bare).
    Document,
    /// Body holds a wrapper element named after the operation.
    Rpc,
}

/// SOAP body use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SoapUse {
    /// Literal: the XSD describes the XML.
    Literal,
    /// Encoded: SOAP section 5 encoding (`xsi:type`, SOAP-ENC arrays).
    Encoded,
}

/// One SOAP binding of an operation, with the endpoints that expose it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoapBinding {
    /// The binding's name.
    pub name: QName,
    /// SOAP version.
    pub version: SoapVersion,
    /// `soapAction` (1.1) or `action` (1.2); `None` or empty when not declared.
    pub action: Option<String>,
    /// Style for this operation.
    pub style: SoapStyle,
    /// Body use (of the input; WSDL allows different uses but real WSDLs do not).
    pub body_use: SoapUse,
    /// Namespace of the rpc wrapper elements (`soap:body namespace=`), rpc only.
    pub namespace: Option<String>,
    /// `soap:body encodingStyle`, encoded only.
    pub encoding_style: Option<String>,
    /// Parts (names) bound to SOAP headers on input.
    pub input_headers: Vec<SoapHeader>,
    /// Parts bound to SOAP headers on output.
    pub output_headers: Vec<SoapHeader>,
    /// Endpoints (service ports) that use this binding.
    pub endpoints: Vec<SoapEndpoint>,
}

/// A header block of a SOAP message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoapHeader {
    /// The message the header part belongs to.
    pub message: QName,
    /// Part name.
    pub part: String,
    /// The element (or type) of the part, as schema.
    pub schema: Option<SchemaRef>,
    /// Element name of the header block.
    pub element: Option<QName>,
}

/// An endpoint (WSDL 1.1 port / WSDL 2.0 endpoint).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoapEndpoint {
    /// Service name.
    pub service: String,
    /// Port / endpoint name.
    pub port: String,
    /// Address URL as written (may be a placeholder).
    pub address: String,
}

/// A WSDL message as used by an operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoapMessage {
    /// The message's qualified name (WSDL 1.1) or the element (WSDL 2.0).
    pub name: QName,
    /// Parts, in order.
    pub parts: Vec<SoapPart>,
}

/// One message part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoapPart {
    /// Part name.
    pub name: String,
    /// What the part refers to.
    pub content: PartContent,
    /// The schema of the part (an element's or a type's), if it was resolved.
    pub schema: Option<SchemaRef>,
}

/// How a part is described.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartContent {
    /// `element="tns:X"`: the part is that global element.
    Element(QName),
    /// `type="xsd:T"`: the part is an element named after the part, of that type.
    Type(QName),
}

/// A declared SOAP fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoapFault {
    /// Fault name.
    pub name: String,
    /// The fault message (its single part is the detail).
    pub message: Option<SoapMessage>,
}

/// Where a parameter lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamLocation {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
}

impl ParamLocation {
    /// The OpenAPI `in` value.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
        }
    }
}

/// Parameter serialization style (OpenAPI 3 `style`; Swagger `collectionFormat` mapped onto it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ParamStyle {
    /// `simple` (path, header default): `a,b,c`.
    Simple,
    /// `form` (query, cookie default): `x=a,b,c` or `x=a&x=b`.
    Form,
    /// `matrix`: `;x=a,b`.
    Matrix,
    /// `label`: `.a.b`.
    Label,
    /// `spaceDelimited` (Swagger `ssv`).
    SpaceDelimited,
    /// `pipeDelimited` (Swagger `pipes`).
    PipeDelimited,
    /// `deepObject`: `x[a]=1`.
    DeepObject,
    /// Swagger `tsv`.
    TabDelimited,
}

/// A parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    /// Name.
    pub name: String,
    /// Location.
    pub location: ParamLocation,
    /// Markdown description.
    pub description: Option<String>,
    /// Required (always true for path parameters).
    pub required: bool,
    /// Deprecated.
    pub deprecated: bool,
    /// Schema of the value.
    pub schema: Option<SchemaRef>,
    /// Serialization style.
    pub style: ParamStyle,
    /// Explode.
    pub explode: bool,
    /// `allowEmptyValue`.
    pub allow_empty_value: bool,
    /// Example value given by the spec.
    pub example: Option<Value>,
    /// When the parameter is described by `content` instead of `schema`: its media type.
    pub content_type: Option<String>,
}

impl Parameter {
    /// A header parameter OpenAPI says to ignore: `Accept`, `Content-Type` and `Authorization`
    /// are said by content negotiation, the body's media type and security instead.
    pub fn is_ignored_header(&self) -> bool {
        self.location == ParamLocation::Header
            && ["accept", "content-type", "authorization"]
                .iter()
                .any(|n| self.name.eq_ignore_ascii_case(n))
    }
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestBody {
    /// Markdown description.
    pub description: Option<String>,
    /// Required.
    pub required: bool,
    /// Media types in document order.
    pub content: IndexMap<String, MediaType>,
}

/// A media type entry (request or response content).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MediaType {
    /// Schema.
    pub schema: Option<SchemaRef>,
    /// The single `example`, if given.
    pub example: Option<Value>,
    /// Named examples.
    pub examples: IndexMap<String, Example>,
    /// Per-property encoding for form and multipart bodies: property -> content type.
    pub encoding: IndexMap<String, String>,
}

/// A named example.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Example {
    /// Short summary.
    pub summary: Option<String>,
    /// Markdown description.
    pub description: Option<String>,
    /// Inline value.
    pub value: Option<Value>,
    /// URL of an external value (never fetched).
    pub external_value: Option<String>,
}

/// A response status key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResponseStatus {
    /// An exact code (`200`).
    Code(u16),
    /// A range `2XX` (the leading digit).
    Range(u8),
    /// `default`.
    Default,
}

impl ResponseStatus {
    /// Parse a response key (`200`, `2XX`, `default`).
    pub fn parse(key: &str) -> Option<ResponseStatus> {
        let k = key.trim();
        if k.eq_ignore_ascii_case("default") {
            return Some(ResponseStatus::Default);
        }
        if k.len() == 3 && k[1..].eq_ignore_ascii_case("xx") {
            let d = k.as_bytes()[0];
            if (b'1'..=b'5').contains(&d) {
                return Some(ResponseStatus::Range(d - b'0'));
            }
            return None;
        }
        match k.parse::<u16>() {
            Ok(code) if (100..=599).contains(&code) => Some(ResponseStatus::Code(code)),
            _ => None,
        }
    }

    /// The key as written in a spec (`200`, `2XX`, `default`).
    pub fn label(self) -> String {
        match self {
            ResponseStatus::Code(c) => c.to_string(),
            ResponseStatus::Range(d) => format!("{d}XX"),
            ResponseStatus::Default => "default".to_string(),
        }
    }
}

/// A response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// Status key.
    pub status: ResponseStatus,
    /// What the response means (Markdown).
    pub description: String,
    /// Response headers.
    pub headers: IndexMap<String, Header>,
    /// Content by media type.
    pub content: IndexMap<String, MediaType>,
    /// OpenAPI links by name.
    pub links: IndexMap<String, ResponseLink>,
}

/// A response header.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Markdown description.
    pub description: Option<String>,
    /// Required.
    pub required: bool,
    /// Deprecated.
    pub deprecated: bool,
    /// Schema.
    pub schema: Option<SchemaRef>,
    /// Example.
    pub example: Option<Value>,
}

/// An OpenAPI link.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ResponseLink {
    /// Target `operationId`.
    pub operation_id: Option<String>,
    /// Target `operationRef`.
    pub operation_ref: Option<String>,
    /// Parameters: name -> runtime expression or value.
    pub parameters: IndexMap<String, Value>,
    /// Description.
    pub description: Option<String>,
}

/// A security requirement: every named scheme must be satisfied (with these scopes).
/// An empty requirement means "no authentication" is an accepted alternative.
pub type SecurityRequirement = IndexMap<String, Vec<String>>;

/// A security scheme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityScheme {
    /// Markdown description.
    pub description: Option<String>,
    /// What the scheme is.
    pub kind: SecuritySchemeKind,
}

/// Kinds of security schemes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
#[allow(clippy::large_enum_variant)] // a handful per API
pub enum SecuritySchemeKind {
    /// An API key in a header, query parameter or cookie (e.g. `X-IBM-Client-Id`).
    ApiKey {
        /// Header / parameter / cookie name.
        name: String,
        /// Where.
        location: ApiKeyLocation,
    },
    /// HTTP authentication (`Authorization` header).
    Http {
        /// The scheme.
        scheme: HttpAuthScheme,
        /// Bearer format hint.
        bearer_format: Option<String>,
    },
    /// OAuth 2.0.
    #[serde(rename = "oauth2")]
    OAuth2 {
        /// Flows.
        flows: OAuthFlows,
    },
    /// OpenID Connect discovery.
    OpenIdConnect {
        /// Discovery URL.
        url: String,
    },
    /// Mutual TLS (OpenAPI 3.1).
    #[serde(rename = "mutualTLS")]
    MutualTls,
    /// WS-Security UsernameToken in the SOAP header.
    WsSecurityUsernameToken,
}

/// Where an API key goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiKeyLocation {
    /// Request header.
    Header,
    /// Query parameter.
    Query,
    /// Cookie.
    Cookie,
}

/// HTTP authentication schemes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HttpAuthScheme {
    /// Basic.
    Basic,
    /// Bearer.
    Bearer,
    /// Digest.
    Digest,
    /// Anything else, lower-cased.
    Other(String),
}

/// OAuth 2.0 flows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OAuthFlows {
    /// Client credentials.
    pub client_credentials: Option<OAuthFlow>,
    /// Authorization code.
    pub authorization_code: Option<OAuthFlow>,
    /// Implicit.
    pub implicit: Option<OAuthFlow>,
    /// Resource owner password.
    pub password: Option<OAuthFlow>,
}

/// One OAuth 2.0 flow.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OAuthFlow {
    /// Authorization URL (code, implicit).
    pub authorization_url: Option<String>,
    /// Token URL (code, password, client credentials).
    pub token_url: Option<String>,
    /// Refresh URL.
    pub refresh_url: Option<String>,
    /// Scopes and their descriptions.
    pub scopes: IndexMap<String, String>,
}

/// A schema: a node of JSON Schema (from OpenAPI) or of XSD (from WSDL), in one form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Schema {
    /// Title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Markdown description (or `xsd:documentation`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The type and its rules.
    pub kind: SchemaKind,
    /// `null` is also accepted (3.0 `nullable`, 3.1 `type: [.., "null"]`, XSD `nillable`).
    #[serde(skip_serializing_if = "is_false")]
    pub nullable: bool,
    /// Allowed values (`enum`, XSD enumeration facets).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub enum_values: Vec<Value>,
    /// `const` (or XSD `fixed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub const_value: Option<Value>,
    /// `default` (or XSD `default`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// `example` and `examples`, in that order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Value>,
    /// Deprecated.
    #[serde(skip_serializing_if = "is_false")]
    pub deprecated: bool,
    /// Read only (responses only).
    #[serde(skip_serializing_if = "is_false")]
    pub read_only: bool,
    /// Write only (requests only).
    #[serde(skip_serializing_if = "is_false")]
    pub write_only: bool,
    /// XML naming (OpenAPI `xml`, or the XSD element/attribute this schema is).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xml: Option<XmlInfo>,
    /// JSON Schema assertions that the kind does not break down (tuples, `contains`, `not`,
    /// conditionals, pattern and dependent properties...), in document order. Validation and
    /// the exported description enforce them as the spec wrote them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assertions: Vec<Assertion>,
}

/// One JSON Schema keyword kept as written (its subschemas converted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assertion {
    /// The keyword.
    pub keyword: Keyword,
    /// Its value.
    pub value: AssertionValue,
}

/// The JSON Schema 2020-12 keywords an [`Assertion`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Keyword {
    /// Item schemas by position (`items` as a list in drafts 4-7).
    PrefixItems,
    /// Some item must match.
    Contains,
    /// At least this many items match `contains`.
    MinContains,
    /// At most this many items match `contains`.
    MaxContains,
    /// Property schemas by name pattern.
    PatternProperties,
    /// Every property name must match.
    PropertyNames,
    /// Properties a present property needs.
    DependentRequired,
    /// Schemas a present property brings in.
    DependentSchemas,
    /// The value must not match.
    Not,
    /// Condition of `then`/`else`.
    If,
    /// Must match when `if` does.
    Then,
    /// Must match when `if` does not.
    Else,
    /// Properties no other keyword evaluated.
    UnevaluatedProperties,
    /// Items no other keyword evaluated.
    UnevaluatedItems,
}

impl Keyword {
    /// Every keyword, in the order they are read and written.
    pub const ALL: [Keyword; 14] = [
        Keyword::PrefixItems,
        Keyword::Contains,
        Keyword::MinContains,
        Keyword::MaxContains,
        Keyword::PatternProperties,
        Keyword::PropertyNames,
        Keyword::DependentRequired,
        Keyword::DependentSchemas,
        Keyword::Not,
        Keyword::If,
        Keyword::Then,
        Keyword::Else,
        Keyword::UnevaluatedProperties,
        Keyword::UnevaluatedItems,
    ];

    /// The keyword as JSON Schema 2020-12 writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Keyword::PrefixItems => "prefixItems",
            Keyword::Contains => "contains",
            Keyword::MinContains => "minContains",
            Keyword::MaxContains => "maxContains",
            Keyword::PatternProperties => "patternProperties",
            Keyword::PropertyNames => "propertyNames",
            Keyword::DependentRequired => "dependentRequired",
            Keyword::DependentSchemas => "dependentSchemas",
            Keyword::Not => "not",
            Keyword::If => "if",
            Keyword::Then => "then",
            Keyword::Else => "else",
            Keyword::UnevaluatedProperties => "unevaluatedProperties",
            Keyword::UnevaluatedItems => "unevaluatedItems",
        }
    }
}

/// The value of an [`Assertion`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AssertionValue {
    /// One subschema (`not`, `if`, `contains`...).
    Schema(SchemaRef),
    /// Subschemas by position (`prefixItems`).
    Schemas(Vec<SchemaRef>),
    /// Subschemas by name or pattern (`patternProperties`, `dependentSchemas`).
    SchemaMap(IndexMap<String, SchemaRef>),
    /// A plain value (`minContains`, `dependentRequired`).
    Value(Value),
}

impl Schema {
    /// Whether no value matches the schema (JSON Schema's `false`, read as `not: {}`).
    pub fn matches_nothing(&self) -> bool {
        matches!(
            self.assertion(Keyword::Not),
            Some(AssertionValue::Schema(SchemaRef::Inline(inner)))
                if inner.kind == SchemaKind::Any && inner.assertions.is_empty()
        )
    }

    /// The value of `keyword` among the schema's [`Assertion`]s.
    pub fn assertion(&self, keyword: Keyword) -> Option<&AssertionValue> {
        self.assertions
            .iter()
            .find(|a| a.keyword == keyword)
            .map(|a| &a.value)
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The type of a schema and the rules that go with it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SchemaKind {
    /// No constraint (`{}`, `anyType`).
    #[default]
    Any,
    /// Only `null`.
    Null,
    /// `true` / `false`.
    Boolean,
    /// Integers.
    Integer(NumberRules),
    /// Numbers.
    Number(NumberRules),
    /// Strings.
    String(StringRules),
    /// Arrays (and XSD repeated elements).
    Array(ArrayRules),
    /// Objects (and XSD complex types: properties are child elements and attributes, in order).
    Object(ObjectRules),
    /// Exactly one of (XSD `choice`).
    OneOf(Composite),
    /// Any of.
    AnyOf(Composite),
    /// All of (XSD `sequence` of groups / extension: the parts in order).
    AllOf(Composite),
    /// A type union (3.1 `type: [string, integer]`): one of the simple kinds.
    /// Serialized as `{type: union, kinds: [...]}` (an internally tagged enum cannot hold a
    /// bare sequence).
    #[serde(serialize_with = "ser_union", deserialize_with = "de_union")]
    Union(Vec<SchemaKind>),
    /// A reference to a named schema (recursion stops here). Found inline when a `$ref` carries
    /// its own annotations (a property's description, `nullable`, example...): the wrapper
    /// holds them; [`SchemaRef::resolve`] and [`SchemaRef::name`] see through it.
    /// Serialized as `{type: ref, ref: key}` (an internally tagged enum cannot hold a bare string).
    #[serde(serialize_with = "ser_ref", deserialize_with = "de_ref")]
    Ref(String),
}

#[derive(Serialize, Deserialize)]
struct RefRepr {
    #[serde(rename = "ref")]
    key: String,
}

fn ser_ref<S: serde::Serializer>(key: &str, s: S) -> Result<S::Ok, S::Error> {
    RefRepr {
        key: key.to_string(),
    }
    .serialize(s)
}

fn de_ref<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(RefRepr::deserialize(d)?.key)
}

#[derive(Serialize, Deserialize)]
struct UnionRepr {
    kinds: Vec<SchemaKind>,
}

fn ser_union<S: serde::Serializer>(kinds: &[SchemaKind], s: S) -> Result<S::Ok, S::Error> {
    UnionRepr {
        kinds: kinds.to_vec(),
    }
    .serialize(s)
}

fn de_union<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<SchemaKind>, D::Error> {
    Ok(UnionRepr::deserialize(d)?.kinds)
}

/// A numeric bound as the spec writes it. Integers stay exact: an `int64` maximum of
/// 9223372036854775807 is that number, not 2^63 as an `f64` would make it (and then print,
/// validate and export it). Other numbers are `f64`s; an integral float small enough to be exact
/// (`1.0`) is kept as the integer it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Bound(serde_json::Number);

impl Bound {
    /// From a JSON number (anything else: `None`).
    pub fn from_value(value: &serde_json::Value) -> Option<Bound> {
        match value {
            serde_json::Value::Number(n) => Some(Bound::from_number(n.clone())),
            _ => None,
        }
    }

    /// From a JSON number, integral floats below 2^53 made integers.
    pub fn from_number(n: serde_json::Number) -> Bound {
        match n.as_f64() {
            Some(f) if !n.is_i64() && !n.is_u64() => Bound::from_f64(f).unwrap_or(Bound(n)),
            _ => Bound(n),
        }
    }

    /// From a float (`None` for NaN or an infinity).
    pub fn from_f64(f: f64) -> Option<Bound> {
        if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 {
            #[allow(clippy::cast_possible_truncation)]
            return Some(Bound(serde_json::Number::from(f as i64)));
        }
        serde_json::Number::from_f64(f).map(Bound)
    }

    /// From the text of an XSD facet: an integer exactly, else a float.
    pub fn parse(text: &str) -> Option<Bound> {
        let t = text.trim();
        if let Ok(i) = t.parse::<i64>() {
            return Some(Bound(i.into()));
        }
        if let Ok(u) = t.parse::<u64>() {
            return Some(Bound(u.into()));
        }
        t.parse::<f64>().ok().and_then(Bound::from_f64)
    }

    /// The value as a float, for arithmetic (rounded beyond 2^53).
    pub fn value(&self) -> f64 {
        self.0.as_f64().unwrap_or(0.0)
    }

    /// The value when it is an integer, exactly.
    pub fn integer(&self) -> Option<i128> {
        self.0
            .as_i64()
            .map(i128::from)
            .or_else(|| self.0.as_u64().map(i128::from))
    }

    /// The least integer at or above the bound (exact for integers).
    pub fn ceil(&self) -> i128 {
        #[allow(clippy::cast_possible_truncation)]
        self.integer()
            .unwrap_or_else(|| self.value().ceil() as i128)
    }

    /// The greatest integer at or below the bound (exact for integers).
    pub fn floor(&self) -> i128 {
        #[allow(clippy::cast_possible_truncation)]
        self.integer()
            .unwrap_or_else(|| self.value().floor() as i128)
    }

    /// The JSON number.
    pub fn number(&self) -> &serde_json::Number {
        &self.0
    }
}

impl From<i64> for Bound {
    fn from(i: i64) -> Bound {
        Bound(i.into())
    }
}

impl From<u64> for Bound {
    fn from(u: u64) -> Bound {
        Bound(u.into())
    }
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// Number rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NumberRules {
    /// Format (`int32`, `int64`, `float`, `double`, XSD built-in name...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Inclusive minimum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<Bound>,
    /// Inclusive maximum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<Bound>,
    /// Exclusive minimum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusive_minimum: Option<Bound>,
    /// Exclusive maximum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusive_maximum: Option<Bound>,
    /// Multiple of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multiple_of: Option<Bound>,
    /// XSD `totalDigits`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_digits: Option<u32>,
    /// XSD `fractionDigits`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fraction_digits: Option<u32>,
}

/// String formats the example generator and validators understand.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StringFormat {
    /// RFC 3339 date-time (XSD `dateTime`).
    DateTime,
    /// Full date (XSD `date`).
    Date,
    /// Time (XSD `time`).
    Time,
    /// Duration (XSD `duration`).
    Duration,
    /// Email.
    Email,
    /// UUID.
    Uuid,
    /// URI (XSD `anyURI`).
    Uri,
    /// URI reference.
    UriReference,
    /// Hostname.
    Hostname,
    /// IPv4.
    Ipv4,
    /// IPv6.
    Ipv6,
    /// Base64 (`byte`, XSD `base64Binary`).
    Byte,
    /// Hex-encoded binary (XSD `hexBinary`).
    HexBinary,
    /// Raw binary (`binary`, file upload).
    Binary,
    /// Password (masked).
    Password,
    /// Any other format name, kept as written.
    Other(String),
}

impl StringFormat {
    /// Map a format name (OpenAPI `format`) to the enum.
    pub fn parse(s: &str) -> StringFormat {
        match s {
            "date-time" => StringFormat::DateTime,
            "date" => StringFormat::Date,
            "time" => StringFormat::Time,
            "duration" => StringFormat::Duration,
            "email" | "idn-email" => StringFormat::Email,
            "uuid" => StringFormat::Uuid,
            "uri" | "url" | "iri" => StringFormat::Uri,
            "uri-reference" | "iri-reference" => StringFormat::UriReference,
            "hostname" | "idn-hostname" => StringFormat::Hostname,
            "ipv4" => StringFormat::Ipv4,
            "ipv6" => StringFormat::Ipv6,
            "byte" | "base64" => StringFormat::Byte,
            "binary" => StringFormat::Binary,
            "password" => StringFormat::Password,
            other => StringFormat::Other(other.to_string()),
        }
    }

    /// The format name as OpenAPI writes it.
    pub fn as_str(&self) -> &str {
        match self {
            StringFormat::DateTime => "date-time",
            StringFormat::Date => "date",
            StringFormat::Time => "time",
            StringFormat::Duration => "duration",
            StringFormat::Email => "email",
            StringFormat::Uuid => "uuid",
            StringFormat::Uri => "uri",
            StringFormat::UriReference => "uri-reference",
            StringFormat::Hostname => "hostname",
            StringFormat::Ipv4 => "ipv4",
            StringFormat::Ipv6 => "ipv6",
            StringFormat::Byte => "byte",
            StringFormat::HexBinary => "hex-binary",
            StringFormat::Binary => "binary",
            StringFormat::Password => "password",
            StringFormat::Other(s) => s,
        }
    }
}

/// String rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StringRules {
    /// Format.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<StringFormat>,
    /// Minimum length in characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u64>,
    /// Maximum length in characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    /// Regular expression (ECMA-262 for JSON Schema, XSD regex for XSD; anchored for XSD).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// The XSD built-in type this string came from (`xsd:token`, `xsd:QName`...), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xsd_type: Option<String>,
}

/// Array rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArrayRules {
    /// Item schema (`None` = anything).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<SchemaRef>>,
    /// Minimum items (XSD `minOccurs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u64>,
    /// Maximum items (XSD `maxOccurs`, `None` for unbounded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u64>,
    /// Unique items.
    #[serde(skip_serializing_if = "is_false")]
    pub unique_items: bool,
}

/// What an object allows beyond its declared properties.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Additional {
    /// Anything (JSON Schema's default).
    #[default]
    Any,
    /// Nothing (`additionalProperties: false`, XSD without `any`).
    Forbidden,
    /// Values of this schema.
    Schema(Box<SchemaRef>),
}

/// Object rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ObjectRules {
    /// Properties in document order (for XSD: attributes first, then elements in sequence order).
    pub properties: IndexMap<String, SchemaRef>,
    /// Required property names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<String>,
    /// Additional properties.
    pub additional: Additional,
    /// Minimum property count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_properties: Option<u64>,
    /// Maximum property count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_properties: Option<u64>,
}

/// Members of a oneOf / anyOf / allOf.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Composite {
    /// The member schemas, in order.
    pub members: Vec<SchemaRef>,
    /// Discriminator (oneOf / anyOf).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discriminator: Option<Discriminator>,
}

/// A discriminator.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Discriminator {
    /// The property that names the variant.
    pub property_name: String,
    /// Value -> named schema key.
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub mapping: IndexMap<String, String>,
}

/// Either a named schema of the API (by key in [`Api::schemas`]) or an inline one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SchemaRef {
    /// A key of [`Api::schemas`].
    Named(String),
    /// An inline schema.
    Inline(Box<Schema>),
}

impl SchemaRef {
    /// Resolve to a schema, following named references (at most 64 hops, so a cycle of pure
    /// aliases cannot loop). Returns `None` for a dangling name.
    pub fn resolve<'a>(&'a self, api: &'a Api) -> Option<&'a Schema> {
        let schema = match self {
            SchemaRef::Inline(schema) => schema.as_ref(),
            SchemaRef::Named(name) => api.schemas.get(name)?,
        };
        match &schema.kind {
            SchemaKind::Ref(name) => resolve_alias(name, api),
            _ => Some(schema),
        }
    }

    /// The schema name when this is a named reference.
    pub fn name(&self) -> Option<&str> {
        match self {
            SchemaRef::Named(n) => Some(n),
            SchemaRef::Inline(s) => match &s.kind {
                SchemaKind::Ref(n) => Some(n),
                _ => None,
            },
        }
    }
}

fn resolve_alias<'a>(start: &str, api: &'a Api) -> Option<&'a Schema> {
    let mut name = start;
    for _ in 0..64 {
        let schema = api.schemas.get(name)?;
        match &schema.kind {
            SchemaKind::Ref(next) => name = next,
            _ => return Some(schema),
        }
    }
    None
}

/// XML naming of a schema node.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct XmlInfo {
    /// Element or attribute name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Namespace URI (for XSD: set when the element/attribute is qualified).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Preferred prefix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Rendered as an attribute of the parent.
    #[serde(skip_serializing_if = "is_false")]
    pub attribute: bool,
    /// Arrays: wrapped in an element of the array's name.
    #[serde(skip_serializing_if = "is_false")]
    pub wrapped: bool,
    /// The text content of the parent element (XSD simpleContent).
    #[serde(skip_serializing_if = "is_false")]
    pub text: bool,
    /// An XSD `list`: the text holds whitespace-separated values of this (item) type. One
    /// value is a list too, so examples hold a single item.
    #[serde(skip_serializing_if = "is_false")]
    pub list: bool,
    /// An abstract XSD type's first concrete derived type (in document order, through other
    /// abstract types): an element of the abstract type is written as this type, named by
    /// `xsi:type`, since the abstract one cannot appear itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substitute: Option<QName>,
    /// The XSD type name, for `xsi:type` in encoded messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub xsd_type: Option<QName>,
}

/// An API Connect product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Product {
    /// `info.name`.
    pub name: String,
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// Description (Markdown).
    pub description: Option<String>,
    /// The file it came from, relative to the catalog root.
    pub path: String,
    /// The API ids (in the catalog) the product includes.
    pub apis: Vec<String>,
    /// Plans in document order.
    pub plans: Vec<Plan>,
}

/// A plan of a product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Plan key (name under `plans:`).
    pub name: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Subscriptions need approval.
    pub approval: bool,
    /// Common limits (rate and burst), applied to every call the plan grants.
    pub limits: Vec<RateLimit>,
    /// The operations the plan grants, resolved against the catalog.
    pub operations: Vec<PlanOperation>,
}

/// An operation granted by a plan, with its own limits if any.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanOperation {
    /// API id.
    pub api: String,
    /// Operation id (see [`Operation::id`]).
    pub operation: String,
    /// Operation-specific limits (these replace nothing: both common and own apply).
    pub limits: Vec<RateLimit>,
}

/// A rate or burst limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateLimit {
    /// Limit name (key in the product file, e.g. `default`).
    pub name: String,
    /// Rate or burst.
    pub kind: LimitKind,
    /// Maximum calls in the window.
    pub max: u64,
    /// Window length in seconds.
    pub window_seconds: u64,
    /// Hard (reject) or soft (log only).
    pub hard: bool,
}

/// Rate or burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LimitKind {
    /// `rate-limits`.
    Rate,
    /// `burst-limits`.
    Burst,
}
