//! `portal.toml`: the portal's title, links, environments and theme options, shared by the
//! generator (pages, Try console) and the sandbox (mount paths, CORS).

use std::path::Path;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Location, Result};

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
    /// Parse `portal.toml` text. Pure.
    pub fn parse(path: &Path, text: &str) -> Result<PortalConfig> {
        toml::from_str(text).map_err(|e| {
            let loc = match e.span() {
                Some(span) => {
                    let (line, column) = crate::error::line_col(text, span.start);
                    Location::at(path, line, column)
                }
                None => Location::file(path),
            };
            Error::Invalid {
                loc,
                message: e.message().to_string(),
            }
        })
    }

    /// Read `portal.toml` from a root folder; a missing file is the default config.
    pub fn load(root: &Path) -> Result<PortalConfig> {
        let path = root.join("portal.toml");
        match std::fs::read_to_string(&path) {
            Ok(text) => PortalConfig::parse(&path, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(PortalConfig::default()),
            Err(source) => Err(Error::Io {
                loc: Location::file(path),
                source,
            }),
        }
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
}
