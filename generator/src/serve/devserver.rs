//! The development web server: serves the last good build from memory (folders -> `index.html`,
//! content types, the site's 404 page), pushes live-reload and error events over SSE at
//! `/__livereload`, and injects the small client script (and the error overlay, while a rebuild
//! is failing) into HTML responses at serve time only. `portal build` output never holds them.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::broadcast;

/// The SSE endpoint the injected script listens to.
pub const LIVERELOAD_PATH: &str = "/__livereload";

/// What open pages are told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveEvent {
    /// A rebuild succeeded: reload (this also clears any overlay).
    Reload,
    /// A rebuild failed: show this (`path:line:col: message` lines) over the page.
    Error(String),
    /// The server is stopping: close the stream so shutdown does not wait on it.
    Shutdown,
}

/// The site being served: the files of the last good build, the current error (if the last
/// rebuild failed) and the channel to open pages. Shared by the server and the rebuild loop.
#[derive(Debug)]
pub struct SiteStore {
    files: RwLock<Arc<HashMap<String, Bytes>>>,
    /// Files built apart from the site, served when the site has no such path (the search
    /// index, rebuilt in the background).
    extra: RwLock<Arc<HashMap<String, Bytes>>>,
    error: RwLock<Option<String>>,
    events: broadcast::Sender<LiveEvent>,
}

impl Default for SiteStore {
    fn default() -> Self {
        SiteStore::new(HashMap::new())
    }
}

impl SiteStore {
    /// A store serving `files` (paths relative to the site root, forward slashes).
    pub fn new(files: HashMap<String, Bytes>) -> SiteStore {
        let (events, _) = broadcast::channel(64);
        SiteStore {
            files: RwLock::new(Arc::new(files)),
            extra: RwLock::new(Arc::new(HashMap::new())),
            error: RwLock::new(None),
            events,
        }
    }

    /// The files being served now.
    pub fn files(&self) -> Arc<HashMap<String, Bytes>> {
        match self.files.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Swap in a new good build, clear the error and tell open pages to reload.
    pub fn publish(&self, files: Arc<HashMap<String, Bytes>>) {
        match self.files.write() {
            Ok(mut g) => *g = files,
            Err(poisoned) => *poisoned.into_inner() = files,
        }
        self.set_error(None);
        // No receiver (no open page) is fine.
        let _ = self.events.send(LiveEvent::Reload);
    }

    /// Swap in the files built apart from the site (the search index), without telling pages to
    /// reload: no open page shows them.
    pub fn publish_extra(&self, files: HashMap<String, Bytes>) {
        let files = Arc::new(files);
        match self.extra.write() {
            Ok(mut g) => *g = files,
            Err(poisoned) => *poisoned.into_inner() = files,
        }
    }

    /// The file at `path`: the site's, else the extra files'.
    pub fn get(&self, path: &str) -> Option<Bytes> {
        if let Some(b) = self.files().get(path) {
            return Some(b.clone());
        }
        let extra = match self.extra.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        };
        extra.get(path).cloned()
    }

    /// A rebuild failed: keep the files, show `message` on every page until the next publish.
    pub fn fail(&self, message: String) {
        self.set_error(Some(message.clone()));
        let _ = self.events.send(LiveEvent::Error(message));
    }

    /// The current error, if the last rebuild failed.
    pub fn error(&self) -> Option<String> {
        match self.error.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Close every live-reload stream (before a graceful shutdown).
    pub fn shutdown(&self) {
        let _ = self.events.send(LiveEvent::Shutdown);
    }

    fn set_error(&self, message: Option<String>) {
        match self.error.write() {
            Ok(mut g) => *g = message,
            Err(poisoned) => *poisoned.into_inner() = message,
        }
    }

    /// Listen to events.
    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.events.subscribe()
    }
}

/// The dev server as an axum application.
pub fn app(store: Arc<SiteStore>) -> Router {
    Router::new()
        .route(LIVERELOAD_PATH, get(livereload))
        .fallback(serve_file)
        .with_state(store)
}

async fn livereload(State(store): State<Arc<SiteStore>>) -> impl IntoResponse {
    let rx = store.subscribe();
    // A page opened while a rebuild is failing gets the error at once.
    let first = store.error().map(LiveEvent::Error);
    let stream = futures::stream::unfold((rx, first), |(mut rx, first)| async move {
        if let Some(ev) = first {
            return Some((Ok::<Event, Infallible>(sse_event(&ev)), (rx, None)));
        }
        match rx.recv().await {
            Ok(LiveEvent::Shutdown) | Err(broadcast::error::RecvError::Closed) => None,
            Ok(ev) => Some((Ok(sse_event(&ev)), (rx, None))),
            // Missed events: a reload covers whatever they were.
            Err(broadcast::error::RecvError::Lagged(_)) => {
                Some((Ok(sse_event(&LiveEvent::Reload)), (rx, None)))
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

fn sse_event(ev: &LiveEvent) -> Event {
    match ev {
        LiveEvent::Reload | LiveEvent::Shutdown => Event::default().event("reload").data("reload"),
        LiveEvent::Error(message) => Event::default().event("build-error").data(message),
    }
}

/// The file a request path names: `/` and `/docs/` -> `index.html`, percent-decoded, no `..`.
pub fn file_for(path: &str) -> Option<String> {
    let decoded = percent_decode(path.trim_start_matches('/'))?;
    if decoded.split('/').any(|s| s == ".." || s == ".") || decoded.contains('\\') {
        return None;
    }
    if decoded.is_empty() || decoded.ends_with('/') {
        Some(format!("{decoded}index.html"))
    } else {
        Some(decoded)
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `Content-Type` of a file, by extension.
pub fn content_type(path: &str) -> &'static str {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" | "wsdl" | "xsd" => "application/xml",
        "yaml" | "yml" => "application/yaml",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

async fn serve_file(State(store): State<Arc<SiteStore>>, request: Request) -> Response {
    let method = request.method().clone();
    if method != axum::http::Method::GET && method != axum::http::Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response();
    }
    let files = store.files();
    let error = store.error();
    let uri_path = request.uri().path().to_string();
    let Some(name) = file_for(&uri_path) else {
        return not_found(&files, error.as_deref());
    };
    if let Some(bytes) = store.get(&name) {
        return file_response(StatusCode::OK, &name, &bytes, error.as_deref());
    }
    // `/docs/intro` -> `/docs/intro/`, so the page's relative links resolve.
    if files.contains_key(&format!("{name}/index.html")) {
        let target = format!("{uri_path}/");
        if let Ok(v) = HeaderValue::from_str(&target) {
            return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, v)]).into_response();
        }
    }
    not_found(&files, error.as_deref())
}

fn not_found(files: &HashMap<String, Bytes>, error: Option<&str>) -> Response {
    match files.get("404.html") {
        Some(bytes) => file_response(StatusCode::NOT_FOUND, "404.html", bytes, error),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

fn file_response(status: StatusCode, name: &str, bytes: &Bytes, error: Option<&str>) -> Response {
    let ctype = content_type(name);
    let body = if ctype.starts_with("text/html") {
        Bytes::from(inject(bytes, error))
    } else {
        bytes.clone()
    };
    (
        status,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(ctype)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}

/// The live-reload client: reloads on `reload`, shows the overlay on `build-error`.
const CLIENT_SCRIPT: &str = r#"<script data-portal-serve>(function(){
var es=new EventSource("/__livereload");
function overlay(msg){var o=document.getElementById("portal-serve-overlay");
if(!o){o=document.createElement("div");o.id="portal-serve-overlay";o.setAttribute("role","alert");
o.style.cssText="position:fixed;inset:0 0 auto 0;max-height:60vh;overflow:auto;z-index:2147483647;background:#2b0d0d;color:#ffdede;border-bottom:3px solid #e5484d;padding:1rem 1.25rem;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap";
document.body.appendChild(o);}
o.innerHTML="";var h=document.createElement("strong");h.textContent="portal serve: the last change did not build (still showing the last good build)";
var p=document.createElement("pre");p.style.margin=".5rem 0 0";p.style.whiteSpace="pre-wrap";p.textContent=msg;o.appendChild(h);o.appendChild(p);}
es.addEventListener("reload",function(){location.reload();});
es.addEventListener("build-error",function(e){overlay(e.data);});
})();</script>"#;

/// Insert the live-reload script (and, while a rebuild fails, the overlay) before `</body>`,
/// or at the end when there is none.
pub fn inject(html: &[u8], error: Option<&str>) -> Vec<u8> {
    let mut snippet = String::new();
    if let Some(message) = error {
        snippet.push_str(
            "<div id=\"portal-serve-overlay\" role=\"alert\" style=\"position:fixed;inset:0 0 auto 0;max-height:60vh;overflow:auto;z-index:2147483647;background:#2b0d0d;color:#ffdede;border-bottom:3px solid #e5484d;padding:1rem 1.25rem;font:14px/1.5 ui-monospace,monospace\"><strong>portal serve: the last change did not build (still showing the last good build)</strong><pre style=\"margin:.5rem 0 0;white-space:pre-wrap\">",
        );
        snippet.push_str(&escape_html(message));
        snippet.push_str("</pre></div>");
    }
    snippet.push_str(CLIENT_SCRIPT);
    let at = find_last(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .rposition(|w| w.eq_ignore_ascii_case(needle))
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use tower::ServiceExt;

    fn store() -> Arc<SiteStore> {
        let mut files = HashMap::new();
        files.insert(
            "index.html".to_string(),
            Bytes::from_static(b"<!DOCTYPE html><html><body><h1>Home</h1></body></html>"),
        );
        files.insert(
            "docs/intro/index.html".to_string(),
            Bytes::from_static(b"<html><body>Intro</body></html>"),
        );
        files.insert(
            "404.html".to_string(),
            Bytes::from_static(b"<html><body>Gone</body></html>"),
        );
        files.insert(
            "static/style.css".to_string(),
            Bytes::from_static(b"body{}"),
        );
        Arc::new(SiteStore::new(files))
    }

    async fn get(store: &Arc<SiteStore>, path: &str) -> (StatusCode, String, String) {
        let res = app(Arc::clone(store))
            .oneshot(
                Request::builder()
                    .uri(path)
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("infallible");
        let status = res.status();
        let ctype = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let loc = res
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .expect("body");
        let text = loc.unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
        (status, ctype, text)
    }

    #[test]
    fn request_paths_map_to_files() {
        assert_eq!(file_for("/").as_deref(), Some("index.html"));
        assert_eq!(file_for("/docs/").as_deref(), Some("docs/index.html"));
        assert_eq!(file_for("/a%20b.css").as_deref(), Some("a b.css"));
        assert_eq!(file_for("/../etc/passwd"), None);
        assert_eq!(file_for("/a/%2e%2e/b"), None);
        assert_eq!(file_for("/%zz"), None);
    }

    #[test]
    fn injects_before_the_last_body_end() {
        let out = String::from_utf8(inject(b"<body>x</body>", None)).expect("utf-8");
        assert!(
            out.starts_with("<body>x<script data-portal-serve>"),
            "{out}"
        );
        assert!(out.ends_with("</script></body>"), "{out}");
        let out =
            String::from_utf8(inject(b"<p>no body", Some("a.yaml:3:1: <bad>"))).expect("utf-8");
        assert!(
            out.starts_with("<p>no body<div id=\"portal-serve-overlay\""),
            "{out}"
        );
        assert!(out.contains("a.yaml:3:1: &lt;bad&gt;"), "{out}");
    }

    #[tokio::test]
    async fn serves_pages_assets_redirects_and_404() {
        let s = store();
        let (st, ct, body) = get(&s, "/").await;
        assert_eq!(st, StatusCode::OK);
        assert_eq!(ct, "text/html; charset=utf-8");
        assert!(
            body.contains("<h1>Home</h1><script data-portal-serve>"),
            "{body}"
        );
        assert!(body.contains(LIVERELOAD_PATH), "{body}");
        let (st, ct, body) = get(&s, "/static/style.css").await;
        assert_eq!(
            (st, ct.as_str(), body.as_str()),
            (StatusCode::OK, "text/css; charset=utf-8", "body{}")
        );
        let (st, _, loc) = get(&s, "/docs/intro").await;
        assert_eq!(
            (st, loc.as_str()),
            (StatusCode::MOVED_PERMANENTLY, "/docs/intro/")
        );
        let (st, _, body) = get(&s, "/docs/intro/").await;
        assert_eq!(st, StatusCode::OK);
        assert!(body.contains("Intro"), "{body}");
        let (st, _, body) = get(&s, "/nope/").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
        assert!(body.contains("Gone"), "{body}");
    }

    #[tokio::test]
    async fn failed_rebuild_keeps_the_site_and_shows_the_error_until_the_next_publish() {
        let s = store();
        let mut rx = s.subscribe();
        s.fail("specs/a.yaml:4:7: bad indentation".into());
        assert_eq!(
            rx.recv().await.expect("event"),
            LiveEvent::Error("specs/a.yaml:4:7: bad indentation".into())
        );
        let (st, _, body) = get(&s, "/").await;
        assert_eq!(st, StatusCode::OK);
        assert!(body.contains("<h1>Home</h1>"), "{body}");
        assert!(body.contains("specs/a.yaml:4:7: bad indentation"), "{body}");
        let mut files = (*s.files()).clone();
        files.insert(
            "index.html".into(),
            Bytes::from_static(b"<html><body><h1>New</h1></body></html>"),
        );
        s.publish(Arc::new(files));
        assert_eq!(rx.recv().await.expect("event"), LiveEvent::Reload);
        let (_, _, body) = get(&s, "/").await;
        assert!(body.contains("<h1>New</h1>"), "{body}");
        assert!(!body.contains("portal-serve-overlay\" role"), "{body}");
    }
}
