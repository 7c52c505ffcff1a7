//! A sandbox whose APIs can be swapped while it runs (`portal serve`): every request is answered
//! by the application current when it arrived, so a swap never drops a request in flight, and the
//! access gate (apps, keys, usage) is carried over to the new state untouched.

use std::convert::Infallible;
use std::sync::{Arc, RwLock};

use api_model::{Catalog, PortalConfig};
use axum::Router;
use axum::extract::Request;
use tower::ServiceExt;

use crate::rest::validate::Validators;
use crate::router::Routes;
use crate::state::AppState;

impl AppState {
    /// The same sandbox (options, gate, apps) serving another catalog and config: routes are
    /// mounted again and the validator cache starts empty.
    pub fn reload(&self, catalog: Catalog, config: PortalConfig) -> AppState {
        let mut next = self.clone();
        let routes = Routes::build(&catalog, &config);
        let mut soap = crate::soap::SoapSandbox::new(&catalog, &routes);
        soap.read_files(&catalog, &self.soap_paths);
        next.soap = Arc::new(soap);
        next.routes = Arc::new(routes);
        next.validators = Arc::new(Validators::with_resident_ops(
            &catalog,
            self.options.validator_cache_ops,
        ));
        next.bodies = Arc::new(crate::bodies::Bodies::new(
            self.options.response_cache_bytes,
        ));
        next.catalog = Arc::new(catalog);
        next.config = Arc::new(config);
        next
    }
}

/// The running sandbox's current state and application, swapped atomically.
#[derive(Clone)]
pub struct LiveSandbox {
    current: Arc<RwLock<(AppState, crate::Sandbox)>>,
}

impl std::fmt::Debug for LiveSandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveSandbox")
            .field("state", &self.state())
            .finish()
    }
}

impl LiveSandbox {
    /// Start from `state`.
    pub fn new(state: AppState) -> LiveSandbox {
        let router = crate::app(state.clone());
        LiveSandbox {
            current: Arc::new(RwLock::new((state, router))),
        }
    }

    /// The state serving new requests now.
    pub fn state(&self) -> AppState {
        match self.current.read() {
            Ok(g) => g.0.clone(),
            Err(poisoned) => poisoned.into_inner().0.clone(),
        }
    }

    fn router(&self) -> crate::Sandbox {
        match self.current.read() {
            Ok(g) => g.1.clone(),
            Err(poisoned) => poisoned.into_inner().1.clone(),
        }
    }

    /// Serve `catalog` and `config` from the next request on (requests in flight finish on the
    /// state they started with). Returns the new state.
    pub fn reload(&self, catalog: Catalog, config: PortalConfig) -> AppState {
        let next = self.state().reload(catalog, config);
        let router = crate::app(next.clone());
        match self.current.write() {
            Ok(mut g) => *g = (next.clone(), router),
            Err(poisoned) => *poisoned.into_inner() = (next.clone(), router),
        }
        next
    }

    /// An application that hands each request to the current sandbox.
    pub fn app(&self) -> Router {
        let live = self.clone();
        Router::new().fallback_service(tower::service_fn(move |request: Request| {
            let router = live.router();
            async move {
                let response = router.oneshot(request).await;
                Ok::<_, Infallible>(match response {
                    Ok(r) => r,
                    Err(never) => match never {},
                })
            }
        }))
    }
}

/// Serve `live` on `listener` until `shutdown` resolves (requests in flight finish).
pub async fn serve<F>(
    listener: tokio::net::TcpListener,
    live: &LiveSandbox,
    shutdown: F,
) -> std::io::Result<()>
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    axum::serve(listener, live.app())
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::OpenGate;
    use crate::state::MockOptions;
    use axum::body::Body;
    use http::StatusCode;

    fn catalog(paths: &[&str]) -> Catalog {
        let mut spec = String::from(
            "openapi: 3.0.3\ninfo: {title: Pets, version: '1'}\nservers: [{url: /v1}]\npaths:\n",
        );
        for p in paths {
            spec.push_str(&format!(
                "  {p}:\n    get:\n      operationId: op{}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{type: object, properties: {{id: {{type: integer}}}}}}\n",
                p.len()
            ));
        }
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("openapi.yaml"), spec).expect("write");
        let outcome = api_model::load_dir(dir.path());
        assert!(outcome.errors().is_empty(), "{:?}", outcome.errors());
        outcome.catalog
    }

    async fn status(app: &Router, path: &str) -> StatusCode {
        app.clone()
            .oneshot(
                Request::builder()
                    .uri(path)
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("infallible")
            .status()
    }

    #[tokio::test]
    async fn reload_swaps_routes_and_keeps_the_gate() {
        let state = AppState::new(
            catalog(&["/pets"]),
            PortalConfig::default(),
            MockOptions::default(),
            Arc::new(OpenGate),
        );
        let live = LiveSandbox::new(state);
        let app = live.app();
        let gate_before = Arc::as_ptr(&live.state().gate) as *const u8;
        assert_eq!(status(&app, "/v1/pets").await, StatusCode::OK);
        assert_eq!(status(&app, "/v1/owners").await, StatusCode::NOT_FOUND);
        live.reload(catalog(&["/pets", "/owners"]), PortalConfig::default());
        assert_eq!(status(&app, "/v1/owners").await, StatusCode::OK);
        assert_eq!(status(&app, "/v1/pets").await, StatusCode::OK);
        let gate_after = Arc::as_ptr(&live.state().gate) as *const u8;
        assert_eq!(gate_before, gate_after);
    }
}
