//! `portal.toml`: the portal's title, links, environments and theme options, shared by the
//! generator (pages, Try console) and the sandbox (mount paths, CORS).

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::error::{Diagnostic, Error, Location, Result};
use crate::model::{Catalog, Protocol};

/// The whole `portal.toml`. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PortalConfig {
    /// Portal title (default "API Portal").
    pub title: Option<String>,
    /// One-line description shown on the generated home page and in meta tags.
    pub description: Option<String>,
    /// Logo path (relative to `site/static` or the output root) or URL.
    pub logo: Option<String>,
    /// Footer links.
    pub footer: Footer,
    /// Environments by name, in order (e.g. `sandbox`, `live`).
    pub environments: IndexMap<String, Environment>,
    /// The environment the Try console uses by default (default: `sandbox` if defined, else the
    /// first).
    pub default_environment: Option<String>,
    /// Theme overrides.
    pub theme: Theme,
    /// Sandbox options.
    pub sandbox: SandboxConfig,
    /// Search index options.
    pub search: SearchConfig,
}

/// Search index options.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    /// The most fragment files the index writes (default [`SearchConfig::DEFAULT_FRAGMENT_FILES`]).
    /// A fragment is what a search result shows of a page; past this many pages, neighbouring
    /// pages share fragment files, so a large API writes far fewer files and a result fetches a
    /// few kilobytes more.
    pub fragment_files: Option<u32>,
}

impl SearchConfig {
    /// The default of `search.fragment_files`.
    pub const DEFAULT_FRAGMENT_FILES: u32 = 256;

    /// `search.fragment_files` or its default.
    pub fn fragment_files(&self) -> u32 {
        self.fragment_files.unwrap_or(Self::DEFAULT_FRAGMENT_FILES)
    }
}

/// Footer links.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Footer {
    /// Support page or address.
    pub support: Option<String>,
    /// Forum.
    pub forum: Option<String>,
    /// Terms of use.
    pub terms: Option<String>,
    /// Privacy policy.
    pub privacy: Option<String>,
    /// Extra links.
    pub links: Vec<FooterLink>,
    /// Copyright or other small print.
    pub text: Option<String>,
}

/// A footer link.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FooterLink {
    /// Text.
    pub label: String,
    /// Target.
    pub url: String,
}

/// An environment: where the APIs are served.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Environment {
    /// Display name (default: the key).
    pub title: Option<String>,
    /// Base URL template for every API: `{base_path}` is the API's own server path, `{api}` its
    /// id. Without placeholders the API's server path is appended.
    pub url: Option<String>,
    /// Base URL per API id (wins over `url`).
    pub apis: IndexMap<String, String>,
    /// Calls here reach real systems (the Try console warns).
    pub live: bool,
    /// Description.
    pub description: Option<String>,
}

/// Theme overrides.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Theme {
    /// Accent colour (CSS colour).
    pub accent: Option<String>,
    /// Extra CSS file (relative to `site/static`).
    pub css: Option<String>,
}

/// Sandbox options.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SandboxConfig {
    /// Allowed CORS origins (empty = any).
    pub cors_origins: Vec<String>,
    /// Largest request body in bytes (default 1 MiB).
    pub max_body_bytes: Option<usize>,
    /// SOAP APIs (by id) whose calls must carry the client-ID headers.
    pub soap_client_id: Vec<String>,
}

impl PortalConfig {
    /// Parse `portal.toml` text: the first error, syntax or meaning, fails. Pure.
    pub fn parse(path: &Path, text: &str) -> Result<PortalConfig> {
        let (config, problems) = PortalConfig::read(path, text);
        match (config, problems.into_iter().next()) {
            (Some(config), None) => Ok(config),
            (_, Some(first)) => Err(Error::Invalid {
                loc: Location {
                    path: first.path,
                    line: first.line,
                    column: first.column,
                },
                message: first.message,
            }),
            (None, None) => Err(Error::Invalid {
                loc: Location::file(path),
                message: "cannot read the configuration".into(),
            }),
        }
    }

    /// Parse `portal.toml` text and check what its values mean (an existing default
    /// environment, http(s) URLs, a CSS colour, origins...), with every problem located; the
    /// config is `None` when the text does not deserialize. Pure.
    pub fn read(path: &Path, text: &str) -> (Option<PortalConfig>, Vec<Diagnostic>) {
        match toml::from_str::<PortalConfig>(text) {
            Ok(config) => {
                let problems = config.problems(path, text);
                (Some(config), problems)
            }
            Err(e) => {
                let loc = match e.span() {
                    Some(span) => {
                        let (line, column) = crate::error::line_col(text, span.start);
                        Location::at(path, line, column)
                    }
                    None => Location::file(path),
                };
                (None, vec![Diagnostic::error(loc, e.message().trim_end())])
            }
        }
    }

    /// What the values of a deserialized config get wrong, located in `text`. Pure.
    fn problems(&self, path: &Path, text: &str) -> Vec<Diagnostic> {
        let spans = Spans::new(path, text);
        let at = |keys: &[&str]| spans.key(keys);
        let mut out = Vec::new();
        if let Some(name) = &self.default_environment {
            if !self.environments.contains_key(name) {
                let known: Vec<&str> = self.environments.keys().map(String::as_str).collect();
                out.push(Diagnostic::error(
                    at(&["default_environment"]),
                    if known.is_empty() {
                        format!(
                            "default_environment `{name}`: no environment is defined (add \
                             [environments.{name}] with a url)"
                        )
                    } else {
                        format!(
                            "default_environment `{name}` is not one of the environments ({})",
                            known.join(", ")
                        )
                    },
                ));
            }
        }
        for (name, env) in &self.environments {
            if let Some(url) = &env.url {
                if let Some(problem) = base_url_problem(url, true) {
                    out.push(Diagnostic::error(
                        at(&["environments", name, "url"]),
                        format!("environments.{name}.url `{url}`: {problem}"),
                    ));
                }
            }
            for (api, url) in &env.apis {
                if let Some(problem) = base_url_problem(url, false) {
                    out.push(Diagnostic::error(
                        at(&["environments", name, "apis", api]),
                        format!("environments.{name}.apis.{api} `{url}`: {problem}"),
                    ));
                }
            }
        }
        if let Some(accent) = &self.theme.accent {
            if !is_css_colour(accent) {
                out.push(Diagnostic::error(
                    at(&["theme", "accent"]),
                    format!(
                        "theme.accent `{accent}` is not a CSS colour (e.g. #0b5cad, teal, \
                         rgb(11 92 173))"
                    ),
                ));
            }
        }
        let f = &self.footer;
        let named = [
            ("support", &f.support),
            ("forum", &f.forum),
            ("terms", &f.terms),
            ("privacy", &f.privacy),
        ];
        for (key, url) in named {
            if let Some(url) = url {
                if let Some(scheme) = script_scheme(url) {
                    out.push(Diagnostic::error(
                        at(&["footer", key]),
                        format!("footer.{key}: a `{scheme}:` link runs code; use an http(s) URL"),
                    ));
                }
            }
        }
        for (i, link) in f.links.iter().enumerate() {
            if let Some(scheme) = script_scheme(&link.url) {
                out.push(Diagnostic::error(
                    spans.at(&[
                        Step::Key("footer"),
                        Step::Key("links"),
                        Step::Item(i),
                        Step::Key("url"),
                    ]),
                    format!(
                        "footer link `{}`: a `{scheme}:` link runs code; use an http(s) URL",
                        link.label
                    ),
                ));
            }
        }
        if let Some(logo) = &self.logo {
            if let Some(scheme) = script_scheme(logo) {
                out.push(Diagnostic::error(
                    at(&["logo"]),
                    format!("logo: a `{scheme}:` URL runs code; use a file under site/static or an http(s) URL"),
                ));
            }
        }
        for (i, origin) in self.sandbox.cors_origins.iter().enumerate() {
            if let Some(problem) = origin_problem(origin) {
                out.push(Diagnostic::error(
                    spans.at(&[
                        Step::Key("sandbox"),
                        Step::Key("cors_origins"),
                        Step::Item(i),
                    ]),
                    format!("sandbox.cors_origins `{origin}`: {problem}"),
                ));
            }
        }
        if self.sandbox.max_body_bytes == Some(0) {
            out.push(Diagnostic::error(
                at(&["sandbox", "max_body_bytes"]),
                "sandbox.max_body_bytes = 0 would refuse every request body; leave it out for \
                 the default (1 MiB)",
            ));
        }
        if self.search.fragment_files == Some(0) {
            out.push(Diagnostic::error(
                at(&["search", "fragment_files"]),
                format!(
                    "search.fragment_files = 0 leaves no file for the search results; leave it \
                     out for the default ({})",
                    SearchConfig::DEFAULT_FRAGMENT_FILES
                ),
            ));
        }
        // In file order.
        out.sort_by_key(|d| (d.line, d.column));
        out
    }

    /// What the config says about APIs that the catalog does not have: warnings, located in
    /// `text` (the `portal.toml` the config was read from). Pure.
    pub fn catalog_warnings(&self, path: &Path, text: &str, catalog: &Catalog) -> Vec<Diagnostic> {
        let spans = Spans::new(path, text);
        let at = |keys: &[&str]| spans.key(keys);
        let soap_client_id = |i: usize| {
            spans.at(&[
                Step::Key("sandbox"),
                Step::Key("soap_client_id"),
                Step::Item(i),
            ])
        };
        let ids = || {
            catalog
                .apis
                .iter()
                .map(|a| a.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut out = Vec::new();
        for (name, env) in &self.environments {
            for api in env.apis.keys() {
                if !catalog.apis.iter().any(|a| a.id == *api) {
                    out.push(Diagnostic::warning(
                        at(&["environments", name, "apis", api]),
                        format!(
                            "environments.{name}.apis: no API `{api}` in the specs (APIs: {})",
                            ids()
                        ),
                    ));
                }
            }
        }
        for (i, id) in self.sandbox.soap_client_id.iter().enumerate() {
            match catalog.apis.iter().find(|a| a.id == *id) {
                None => out.push(Diagnostic::warning(
                    soap_client_id(i),
                    format!(
                        "sandbox.soap_client_id: no API `{id}` in the specs (APIs: {})",
                        ids()
                    ),
                )),
                Some(api) if api.protocol != Protocol::Soap => out.push(Diagnostic::warning(
                    soap_client_id(i),
                    format!(
                        "sandbox.soap_client_id: `{id}` is a REST API; its keys come from its \
                         spec's security schemes"
                    ),
                )),
                Some(_) => {}
            }
        }
        out
    }

    /// Read `portal.toml` from a root folder; a missing file is the default config.
    pub fn load(root: &Path) -> Result<PortalConfig> {
        ConfigFile::load(root).map(|file| file.config)
    }

    /// The portal title.
    pub fn title(&self) -> &str {
        self.title.as_deref().unwrap_or("API Portal")
    }

    /// The name of the default environment.
    pub fn default_environment(&self) -> Option<&str> {
        if let Some(name) = &self.default_environment {
            return Some(name);
        }
        if self.environments.contains_key("sandbox") {
            return Some("sandbox");
        }
        self.environments.keys().next().map(String::as_str)
    }

    /// The base URL of `api_id` (whose own server path is `base_path`) in environment `env`.
    pub fn api_url(&self, env: &str, api_id: &str, base_path: &str) -> Option<String> {
        let environment = self.environments.get(env)?;
        if let Some(url) = environment.apis.get(api_id) {
            return Some(url.clone());
        }
        let template = environment.url.as_ref()?;
        if template.contains("{base_path}") || template.contains("{api}") {
            Some(
                template
                    .replace("{base_path}", base_path.trim_end_matches('/'))
                    .replace("{api}", api_id),
            )
        } else {
            Some(format!(
                "{}{}",
                template.trim_end_matches('/'),
                base_path.trim_end_matches('/')
            ))
        }
    }
}

/// `portal.toml` as read from a root, kept with its text so that what it says of the catalog
/// can be located once the specs are loaded.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// The config (the default one when the file is absent).
    pub config: PortalConfig,
    path: PathBuf,
    /// The file's text; `None` when there is no file.
    text: Option<String>,
}

impl ConfigFile {
    /// Read and check `ROOT/portal.toml`; a missing file is the default config.
    pub fn load(root: &Path) -> Result<ConfigFile> {
        let path = root.join("portal.toml");
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(ConfigFile {
                config: PortalConfig::parse(&path, &text)?,
                path,
                text: Some(text),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ConfigFile {
                config: PortalConfig::default(),
                path,
                text: None,
            }),
            Err(source) => Err(Error::Io {
                loc: Location::file(path),
                source,
            }),
        }
    }

    /// [`PortalConfig::catalog_warnings`], located in the file read. Pure.
    pub fn catalog_warnings(&self, catalog: &Catalog) -> Vec<Diagnostic> {
        match &self.text {
            Some(text) => self.config.catalog_warnings(&self.path, text, catalog),
            None => Vec::new(),
        }
    }
}

/// One step of a path into a TOML document: a key, or an array's element.
#[derive(Debug, Clone, Copy)]
enum Step<'k> {
    Key(&'k str),
    Item(usize),
}

/// Where values sit in `portal.toml`: the document parsed once for its spans.
struct Spans<'t> {
    path: &'t Path,
    text: &'t str,
    doc: Option<toml::Spanned<toml::de::DeTable<'t>>>,
}

impl<'t> Spans<'t> {
    fn new(path: &'t Path, text: &'t str) -> Spans<'t> {
        Spans {
            path,
            text,
            doc: toml::de::DeTable::parse(text).ok(),
        }
    }

    /// Where the value at `steps` starts; the file alone when it cannot be found. Pure.
    fn at(&self, steps: &[Step<'_>]) -> Location {
        let Some((Step::Key(first), rest)) = steps.split_first() else {
            return Location::file(self.path);
        };
        let mut value = self.doc.as_ref().and_then(|doc| {
            doc.get_ref()
                .iter()
                .find(|(k, _)| k.get_ref() == first)
                .map(|(_, v)| v)
        });
        for step in rest {
            value = value.and_then(|v| match step {
                Step::Key(key) => v.get_ref().get(*key),
                Step::Item(index) => v.get_ref().get(*index),
            });
        }
        match value {
            Some(v) => {
                let (line, column) = crate::error::line_col(self.text, v.span().start);
                Location::at(self.path, line, column)
            }
            None => Location::file(self.path),
        }
    }

    /// [`Spans::at`] for a path of keys only.
    fn key(&self, keys: &[&str]) -> Location {
        let steps: Vec<Step<'_>> = keys.iter().map(|k| Step::Key(k)).collect();
        self.at(&steps)
    }
}

/// Why `url` cannot be an environment's base URL (`None`: it can). `templated`: `{base_path}`
/// and `{api}` may appear.
fn base_url_problem(url: &str, templated: bool) -> Option<String> {
    let mut rest = url;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        let Some(close) = after.find('}') else {
            return Some("an unclosed `{`".into());
        };
        let name = &after[..=close];
        if !templated {
            return Some(format!("`{name}`: a per-API URL takes no placeholder"));
        }
        if name != "{base_path}" && name != "{api}" {
            return Some(format!(
                "unknown placeholder `{name}` (the URL may use {{base_path}} and {{api}})"
            ));
        }
        rest = &after[close + 1..];
    }
    if url.contains(char::is_whitespace) {
        return Some("a URL cannot contain spaces".into());
    }
    let plain = url.replace("{base_path}", "").replace("{api}", "a");
    if plain.starts_with('/') && !plain.starts_with("//") {
        return None;
    }
    let Some((scheme, rest)) = plain.split_once("://") else {
        return Some("not an absolute http(s) URL (nor a path starting with /)".into());
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Some(format!(
            "`{scheme}://` URLs cannot be called from a browser; use http(s)"
        ));
    }
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() {
        return Some("the URL has no host".into());
    }
    None
}

/// The scheme of a link that would run script (`javascript:`, `vbscript:`, `data:`), as
/// browsers read it: case-insensitive, ignoring whitespace and control characters.
fn script_scheme(url: &str) -> Option<&'static str> {
    let squeezed: String = url
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript", "vbscript", "data"]
        .into_iter()
        .find(|s| squeezed.starts_with(&format!("{s}:")))
}

/// Whether `value` is a CSS colour the theme can put in a custom property: a hex colour, a
/// keyword, or a colour function with numbers only (nothing that could close the rule).
fn is_css_colour(value: &str) -> bool {
    let v = value.trim();
    if let Some(hex) = v.strip_prefix('#') {
        return matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_alphabetic()) {
        return true;
    }
    let Some((name, args)) = v.split_once('(') else {
        return false;
    };
    let functions = [
        "rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch",
    ];
    functions.contains(&name.to_ascii_lowercase().as_str())
        && args.strip_suffix(')').is_some_and(|inner| {
            inner
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b" .,%/+-".contains(&b))
        })
}

/// Why `origin` is not a CORS origin a browser would send (`None`: it is one).
fn origin_problem(origin: &str) -> Option<String> {
    if origin == "*" {
        return None;
    }
    let Some((scheme, rest)) = origin.split_once("://") else {
        return Some("an origin is `scheme://host[:port]` (or `*` for any)".into());
    };
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    {
        return Some("an origin is `scheme://host[:port]` (or `*` for any)".into());
    }
    if rest.is_empty() {
        return Some("the origin has no host".into());
    }
    if let Some(cut) = rest.find(['/', '?', '#']) {
        return Some(format!(
            "browsers send origins without a path or a trailing slash: use `{scheme}://{}`",
            &rest[..cut]
        ));
    }
    if rest.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return Some("an origin cannot contain spaces".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_environments_in_order() {
        let cfg = PortalConfig::parse(
            Path::new("portal.toml"),
            "title = \"X\"\n[environments.sandbox]\nurl = \"http://127.0.0.1:4010\"\n[environments.live]\nurl = \"https://api.example.test{base_path}\"\nlive = true\n",
        )
        .expect("valid");
        assert_eq!(cfg.default_environment(), Some("sandbox"));
        assert_eq!(
            cfg.api_url("live", "ft", "/ft/v1/").as_deref(),
            Some("https://api.example.test/ft/v1")
        );
        assert_eq!(
            cfg.api_url("sandbox", "ft", "/ft/v1").as_deref(),
            Some("http://127.0.0.1:4010/ft/v1")
        );
    }

    #[test]
    fn unknown_key_is_located() {
        let err =
            PortalConfig::parse(Path::new("portal.toml"), "title = 1\n").expect_err("bad title");
        assert!(err.to_string().starts_with("portal.toml:1:"), "{err}");
    }
    #[test]
    fn values_are_checked_and_located() {
        let text = "default_environment = \"prod\"\nlogo = \" JavaScript:alert(1)\"\n\
                    [environments.sandbox]\nurl = \"ftp://x.test\"\n\
                    [environments.live]\nurl = \"https://api.test/{basePath}\"\n\
                    apis = { ft = \"https://ft.test\", bp = \"https://{api}.test\" }\n\
                    [theme]\naccent = \"red; } body { display: none\"\n\
                    [footer]\nterms = \"data:text/html,x\"\n\
                    links = [{ label = \"Ok\", url = \"/ok\" }, { label = \"Bad\", url = \"vbscript:x\" }]\n\
                    [sandbox]\ncors_origins = [\"https://ok.test\", \"https://slash.test/\"]\n\
                    max_body_bytes = 0\n\
                    [search]\nfragment_files = 0\n";
        let (config, problems) = PortalConfig::read(Path::new("portal.toml"), text);
        assert!(config.is_some());
        let lines: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
        let expected = [
            "portal.toml:1:23: error: default_environment `prod` is not one of the environments (sandbox, live)",
            "portal.toml:2:8: error: logo: a `javascript:` URL runs code; use a file under site/static or an http(s) URL",
            "portal.toml:4:7: error: environments.sandbox.url `ftp://x.test`: `ftp://` URLs cannot be called from a browser; use http(s)",
            "portal.toml:6:7: error: environments.live.url `https://api.test/{basePath}`: unknown placeholder `{basePath}` (the URL may use {base_path} and {api})",
            "portal.toml:7:39: error: environments.live.apis.bp `https://{api}.test`: `{api}`: a per-API URL takes no placeholder",
            "portal.toml:9:10: error: theme.accent `red; } body { display: none` is not a CSS colour (e.g. #0b5cad, teal, rgb(11 92 173))",
            "portal.toml:11:9: error: footer.terms: a `data:` link runs code; use an http(s) URL",
            "portal.toml:12:64: error: footer link `Bad`: a `vbscript:` link runs code; use an http(s) URL",
            "portal.toml:14:36: error: sandbox.cors_origins `https://slash.test/`: browsers send origins without a path or a trailing slash: use `https://slash.test`",
            "portal.toml:15:18: error: sandbox.max_body_bytes = 0 would refuse every request body; leave it out for the default (1 MiB)",
            "portal.toml:17:18: error: search.fragment_files = 0 leaves no file for the search results; leave it out for the default (256)",
        ];
        assert_eq!(lines, expected);
        // The first problem fails a plain parse, located.
        let err = PortalConfig::parse(Path::new("portal.toml"), text).expect_err("invalid");
        assert_eq!(err.to_string(), expected[0].replace(" error:", ""));
    }

    #[test]
    fn good_values_pass() {
        let text = "default_environment = \"live\"\nlogo = \"logo.svg\"\n\
                    [environments.sandbox]\nurl = \"/sandbox{base_path}\"\n\
                    [environments.live]\nurl = \"https://{api}.bank.test{base_path}\"\n\
                    apis = { ft = \"https://ft.test/v1\" }\n\
                    [theme]\naccent = \"oklch(55% 0.15 250 / 90%)\"\n\
                    [footer]\nsupport = \"help@bank.test\"\n\
                    [sandbox]\ncors_origins = [\"*\", \"http://localhost:3000\"]\n\
                    [search]\nfragment_files = 8\n";
        let (config, problems) = PortalConfig::read(Path::new("portal.toml"), text);
        assert_eq!(config.as_ref().map(|c| c.search.fragment_files()), Some(8));
        assert_eq!(problems, []);
        for colour in [
            "#abc",
            "#0b5cadff",
            "teal",
            "rgb(1, 2, 3)",
            "hsl(210deg 50% 40%)",
        ] {
            assert!(is_css_colour(colour), "{colour}");
        }
        for colour in ["#abcde", "", "url(x)", "rgb(1,2,3)) ; x", "red;"] {
            assert!(!is_css_colour(colour), "{colour}");
        }
    }

    #[test]
    fn catalog_warnings_name_unknown_and_rest_apis() {
        let text = "[environments.live]\nurl = \"https://x.test\"\napis = { nope = \"https://n.test\" }\n\
                    [sandbox]\nsoap_client_id = [\"rest\", \"ghost\"]\n";
        let config = PortalConfig::parse(Path::new("portal.toml"), text).expect("valid");
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("rest.yaml"),
            "openapi: 3.0.3\ninfo: {title: Rest, version: '1'}\npaths: {}\n",
        )
        .expect("write");
        let catalog = crate::load_dir(dir.path()).catalog;
        assert_eq!(catalog.apis[0].protocol, Protocol::Rest);
        let lines: Vec<String> = config
            .catalog_warnings(Path::new("portal.toml"), text, &catalog)
            .iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(
            lines,
            [
                "portal.toml:3:17: warning: environments.live.apis: no API `nope` in the specs (APIs: rest)",
                "portal.toml:5:19: warning: sandbox.soap_client_id: `rest` is a REST API; its keys come from its spec's security schemes",
                "portal.toml:5:27: warning: sandbox.soap_client_id: no API `ghost` in the specs (APIs: rest)",
            ]
        );
    }
}
