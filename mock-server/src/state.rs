//! The shared state of the sandbox: the catalog, the config, the options, the access gate, the
//! compiled routes and the cache of compiled validators. Cheap to clone (a struct of `Arc`s).

use std::sync::Arc;

use api_model::{Catalog, PortalConfig};

use crate::gate::Gate;
use crate::rest::validate::Validators;
use crate::router::Routes;
use crate::soap::SoapSandbox;

/// Default largest request body: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// How the sandbox was started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockOptions {
    /// Changes every generated value of the whole sandbox.
    pub seed: u64,
    /// Largest request body in bytes (413 above).
    pub max_body_bytes: usize,
    /// Allowed CORS origins; empty = any.
    pub cors_origins: Vec<String>,
    /// Credentials are checked (`--auth on`). With `--auth off` the published OpenAPI
    /// documents drop their security requirements, since this sandbox asks for none.
    pub auth: bool,
    /// The URL clients reach the sandbox at (`http://127.0.0.1:4010`), when known; otherwise
    /// each request's `Host` is used.
    pub public_url: Option<String>,
    /// Bytes of generated responses kept to answer repeated requests (0: none kept).
    pub response_cache_bytes: u64,
    /// Operations whose compiled request and response validators are kept (at least one).
    pub validator_cache_ops: usize,
}

impl Default for MockOptions {
    fn default() -> Self {
        MockOptions {
            seed: 0,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            cors_origins: Vec::new(),
            auth: true,
            public_url: None,
            response_cache_bytes: crate::bodies::DEFAULT_BYTES,
            validator_cache_ops: crate::rest::validate::DEFAULT_VALIDATOR_CACHE_OPS,
        }
    }
}

/// Everything a handler needs.
#[derive(Clone)]
pub struct AppState {
    /// The APIs and products served.
    pub catalog: Arc<Catalog>,
    /// `portal.toml`.
    pub config: Arc<PortalConfig>,
    /// Command-line options.
    pub options: Arc<MockOptions>,
    /// Credentials, subscriptions and rate limits.
    pub gate: Arc<dyn Gate>,
    /// Mounts and compiled path templates.
    pub routes: Arc<Routes>,
    /// Request validators and the choice of response examples, each worked out on first use.
    pub validators: Arc<Validators>,
    /// Responses already generated, by what decides their bytes.
    pub bodies: Arc<crate::bodies::Bodies>,
    /// The SOAP APIs' mounts and WSDL files.
    pub soap: Arc<SoapSandbox>,
    /// Where the WSDL files are read from (kept so a reload can read them again).
    pub soap_paths: Arc<Vec<std::path::PathBuf>>,
    /// Routes served beside the APIs, inside the same CORS, request-id and logging layers: the
    /// apps API and the OAuth2 token endpoints (see [`crate::apps::attach`]).
    pub extra: Option<axum::Router>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("apis", &self.catalog.apis.len())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// Mount the catalog and prepare the (empty) validator cache. Fast: nothing is compiled
    /// until an operation is first called.
    pub fn new(
        catalog: Catalog,
        config: PortalConfig,
        options: MockOptions,
        gate: Arc<dyn Gate>,
    ) -> AppState {
        let routes = Routes::build(&catalog, &config);
        let validators = Validators::with_resident_ops(&catalog, options.validator_cache_ops);
        let soap = SoapSandbox::new(&catalog, &routes);
        let bodies = Arc::new(crate::bodies::Bodies::new(options.response_cache_bytes));
        AppState {
            catalog: Arc::new(catalog),
            config: Arc::new(config),
            options: Arc::new(options),
            gate,
            routes: Arc::new(routes),
            validators: Arc::new(validators),
            bodies,
            soap: Arc::new(soap),
            soap_paths: Arc::new(Vec::new()),
            extra: None,
        }
    }

    /// Serve `router` beside the APIs (its routes win over API paths).
    pub fn with_routes(mut self, router: axum::Router) -> AppState {
        self.extra = Some(match self.extra.take() {
            Some(existing) => existing.merge(router),
            None => router,
        });
        self
    }

    /// Read the SOAP APIs' WSDL files from `spec_paths` (what the catalog was loaded from), so
    /// that `?wsdl` serves them.
    pub fn with_soap_files(mut self, spec_paths: &[std::path::PathBuf]) -> AppState {
        let mut soap = (*self.soap).clone();
        soap.read_files(&self.catalog, spec_paths);
        self.soap = Arc::new(soap);
        self.soap_paths = Arc::new(spec_paths.to_vec());
        self
    }
}
