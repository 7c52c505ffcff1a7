//! Helpers shared by the end-to-end tests: where the binary, the repository and the corpus are.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The `portal` binary under test.
pub fn portal_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_portal"))
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `shared/corpus`, found by walking up from the repository (it sits beside the clone).
pub fn corpus() -> PathBuf {
    if let Ok(dir) = std::env::var("PORTAL_CORPUS") {
        return PathBuf::from(dir);
    }
    let mut dir: &Path = &repo_root();
    loop {
        let candidate = dir.join("shared").join("corpus");
        if candidate.is_dir() {
            return candidate;
        }
        match dir.parent() {
            Some(parent) => dir = parent,
            None => panic!("shared/corpus not found above {}", repo_root().display()),
        }
    }
}

/// Whether tests that need an outside tool must run (CI) rather than skip.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some()
}

/// Run `portal build --root ROOT --out OUT [extra...]` and return its output; panics with the
/// command's stderr when it fails.
pub fn portal_build(root: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let output = portal_build_output(root, out, extra);
    assert!(
        output.status.success(),
        "portal build failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Run `portal build --root ROOT --out OUT [extra...]`, whatever its outcome.
pub fn portal_build_output(root: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    std::process::Command::new(portal_bin())
        .arg("build")
        .arg("--root")
        .arg(root)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .expect("run portal build")
}

/// Every file under `dir`, relative, with forward slashes, sorted.
pub fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else if let Ok(rel) = path.strip_prefix(base) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Copy a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    for rel in files_under(from) {
        let target = to.join(&rel);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::copy(from.join(&rel), &target).expect("copy");
    }
}

fn decode_entities(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2F;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A start tag: its lower-case name and its attributes (names lower-cased, values decoded).
#[derive(Debug, Clone)]
pub struct StartTag {
    /// Tag name.
    pub name: String,
    /// Attributes in order.
    pub attrs: Vec<(String, String)>,
}

/// The start tags of an HTML document, skipping comments and the contents of `<script>` and
/// `<style>` (a small tokenizer, enough for generated HTML).
pub fn start_tags(html: &str) -> Vec<StartTag> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        if html[start..].starts_with("<!--") {
            i = html[start..]
                .find("-->")
                .map_or(html.len(), |e| start + e + 3);
            continue;
        }
        let rest = &bytes[start + 1..];
        if rest.first().is_none_or(|b| !b.is_ascii_alphabetic()) {
            i = start + 1;
            continue;
        }
        // Tag name.
        let mut j = start + 1;
        while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'-') {
            j += 1;
        }
        let name = html[start + 1..j].to_ascii_lowercase();
        // Attributes until `>` (quotes respected).
        let mut attrs = Vec::new();
        loop {
            while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b'/') {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] == b'>' {
                break;
            }
            let a = j;
            while j < bytes.len()
                && !bytes[j].is_ascii_whitespace()
                && !matches!(bytes[j], b'=' | b'>' | b'/')
            {
                j += 1;
            }
            let attr = html[a..j].to_ascii_lowercase();
            let mut value = String::new();
            if j < bytes.len() && bytes[j] == b'=' {
                j += 1;
                if j < bytes.len() && (bytes[j] == b'"' || bytes[j] == b'\'') {
                    let q = bytes[j];
                    let v = j + 1;
                    j = v;
                    while j < bytes.len() && bytes[j] != q {
                        j += 1;
                    }
                    value = decode_entities(&html[v..j.min(html.len())]);
                    j += 1;
                } else {
                    let v = j;
                    while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' {
                        j += 1;
                    }
                    value = decode_entities(&html[v..j]);
                }
            }
            if attr.is_empty() {
                j += 1;
            } else {
                attrs.push((attr, value));
            }
        }
        i = (j + 1).min(html.len());
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            i = html[i..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or(html.len(), |e| i + e);
        }
        tags.push(StartTag { name, attrs });
    }
    tags
}

/// Live script in a page: `<script>` elements other than the site's own (`src` under
/// `static/` or `pagefind/`, or `type="application/json"`), `on*=` handlers, `javascript:` URLs.
pub fn live_script(html: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for tag in start_tags(html) {
        if tag.name == "script" {
            let src = tag
                .attrs
                .iter()
                .find(|(k, _)| k == "src")
                .map(|(_, v)| v.as_str());
            let ty = tag
                .attrs
                .iter()
                .find(|(k, _)| k == "type")
                .map(|(_, v)| v.as_str());
            // The theme's own scripts (site, Try console, Apps page, search UI) are the only
            // script files a page may load; anything else came from content.
            let ours = src.is_some_and(|s| {
                [
                    "static/site.js",
                    "static/try.js",
                    "static/apps.js",
                    "pagefind/",
                ]
                .iter()
                .any(|own| s.contains(own))
            }) || ty == Some("application/json");
            if !ours {
                problems.push(format!("<script {:?}>", tag.attrs));
            }
        }
        for (k, v) in &tag.attrs {
            if k.starts_with("on") {
                problems.push(format!("<{} {k}={v:?}>", tag.name));
            }
            if matches!(
                k.as_str(),
                "href" | "src" | "action" | "formaction" | "xlink:href"
            ) && v.trim().to_ascii_lowercase().starts_with("javascript:")
            {
                problems.push(format!("<{} {k}={v:?}>", tag.name));
            }
        }
    }
    problems
}

/// Check every internal `href`/`src` of every HTML file under `out`: the target file exists and
/// its `#fragment`, if any, is an `id` in it. Returns one line per broken link.
pub fn broken_links(out: &Path) -> Vec<String> {
    use std::collections::{HashMap, HashSet};
    let files = files_under(out);
    let set: HashSet<&str> = files.iter().map(String::as_str).collect();
    let mut ids: HashMap<String, HashSet<String>> = HashMap::new();
    let mut links: Vec<(String, String)> = Vec::new();
    for f in files.iter().filter(|f| f.ends_with(".html")) {
        let html = std::fs::read_to_string(out.join(f)).expect("read html");
        let mut mine = HashSet::new();
        for tag in start_tags(&html) {
            for (k, v) in &tag.attrs {
                match k.as_str() {
                    "id" if !mine.insert(v.clone()) => {
                        links.push((f.clone(), format!("duplicate id {v}")));
                    }
                    "href" | "src" if tag.name != "base" => links.push((f.clone(), v.clone())),
                    _ => {}
                }
            }
        }
        ids.insert(f.clone(), mine);
    }
    let mut broken = Vec::new();
    for (from, link) in links {
        if let Some(dup) = link.strip_prefix("duplicate id ") {
            broken.push(format!("{from}: duplicate id `{dup}`"));
            continue;
        }
        let lower = link.to_ascii_lowercase();
        if lower.contains("://")
            || lower.starts_with("mailto:")
            || lower.starts_with("//")
            || lower.starts_with("tel:")
            || lower.starts_with("data:")
        {
            continue;
        }
        let (path, frag) = match link.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (link.as_str(), None),
        };
        let path = path.split('?').next().unwrap_or("");
        let target = if path.is_empty() {
            from.clone()
        } else {
            let mut parts: Vec<&str> = from.split('/').collect();
            parts.pop();
            for seg in path.split('/') {
                match seg {
                    "" | "." => {}
                    ".." => {
                        if parts.pop().is_none() {
                            broken.push(format!("{from}: `{link}` leaves the site"));
                        }
                    }
                    s => parts.push(s),
                }
            }
            let mut t = parts.join("/");
            if path.ends_with('/')
                || path == "."
                || path.ends_with("/.")
                || set.contains(format!("{t}/index.html").as_str()) && !set.contains(t.as_str())
            {
                t = if t.is_empty() {
                    "index.html".into()
                } else {
                    format!("{t}/index.html")
                };
            }
            t
        };
        if !set.contains(target.as_str()) {
            broken.push(format!("{from}: `{link}` -> missing {target}"));
            continue;
        }
        if let Some(frag) = frag.filter(|f| !f.is_empty()) {
            if let Some(target_ids) = ids.get(&target) {
                if !target_ids.contains(frag) {
                    broken.push(format!("{from}: `{link}` -> no id `{frag}` in {target}"));
                }
            }
        }
    }
    broken
}
