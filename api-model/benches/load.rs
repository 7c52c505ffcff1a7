//! Load time and peak memory of the OpenAPI loader against a plain `serde_json` parse of the same
//! bytes, in the same run: Discord's 1.2 MB spec (from the shared corpus) and a synthetic
//! 10,000-operation spec. Run with `cargo bench -p api-model --bench load`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use api_model::files::MemoryFiles;

/// A `/proc/self/status` field in kB (Linux only).
fn status_kb(field: &str) -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Peak resident memory added by one call of `f`, in bytes: the kernel's high-water mark is
/// reset first (`clear_refs` 5), so parse and load are measured apart in the same process.
fn peak_memory<T>(f: impl FnOnce() -> T) -> Option<usize> {
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    let base = status_kb("VmRSS:")?;
    let out = f();
    let peak = status_kb("VmHWM:")?;
    drop(out);
    Some(peak.saturating_sub(base) * 1024)
}

/// Median time of `runs` calls, each including the drop of its result (the loader drops its
/// parsed document too, so both sides pay for freeing what they built).
fn measure<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let out = f();
        drop(out);
        times.push(start.elapsed());
    }
    times.sort();
    times[times.len() / 2]
}

fn synthetic(ops: usize) -> String {
    let mut paths = serde_json::Map::new();
    for i in 0..ops / 2 {
        paths.insert(
            format!("/resources{i}/{{id}}"),
            serde_json::json!({
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "get": {
                    "operationId": format!("getResource{i}"),
                    "tags": ["resources"],
                    "parameters": [{"name": "expand", "in": "query", "schema": {"type": "boolean"}}],
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/Resource{}", i % 100)}}}},
                        "404": {"description": "missing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                    }
                },
                "put": {
                    "operationId": format!("putResource{i}"),
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/Resource{}", i % 100)}}}},
                    "responses": {"204": {"description": "saved"}}
                }
            }),
        );
    }
    let mut schemas = serde_json::Map::new();
    for i in 0..100 {
        schemas.insert(
            format!("Resource{i}"),
            serde_json::json!({
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "name": {"type": "string", "maxLength": 64},
                    "amount": {"type": "number", "minimum": 0},
                    "children": {"type": "array", "items": {"$ref": format!("#/components/schemas/Resource{i}")}}
                }
            }),
        );
    }
    schemas.insert(
        "Error".into(),
        serde_json::json!({"type": "object", "properties": {"code": {"type": "integer"}, "message": {"type": "string"}}}),
    );
    serde_json::to_string_pretty(&serde_json::json!({
        "openapi": "3.1.0",
        "info": {"title": "Synthetic", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas}
    }))
    .expect("serializes")
}

fn corpus_file(rel: &str) -> Option<PathBuf> {
    let mut dir = Some(Path::new(env!("CARGO_MANIFEST_DIR")));
    while let Some(d) = dir {
        let p = d.join("shared/corpus").join(rel);
        if p.is_file() {
            return Some(p);
        }
        dir = d.parent();
    }
    None
}

fn bench(name: &str, text: &str, runs: usize) {
    let path = Path::new("/bench/spec.json");
    let mut files = MemoryFiles::new();
    files.insert(path, text);
    // Memory in fresh processes: a heap that already holds freed pages hides the peak.
    let parse_mem = child_peak(name, "parse");
    let load_mem = child_peak(name, "load");
    let parse_t = measure(runs, || {
        serde_json::from_str::<serde_json::Value>(text).expect("valid JSON")
    });
    let load_t = measure(runs, || {
        api_model::openapi::load(path, &files).expect("loads")
    });
    let ops = api_model::openapi::load(path, &files)
        .map(|l| l.api.operations.len())
        .unwrap_or(0);
    let mb =
        |m: Option<usize>| m.map_or("n/a".to_string(), |b| format!("{:.1} MB", b as f64 / 1e6));
    let mem_ratio = match (parse_mem, load_mem) {
        (Some(p), Some(l)) if p > 0 => format!("{:.2}x", l as f64 / p as f64),
        _ => "n/a".into(),
    };
    println!(
        "{name}: {} KB, {ops} operations\n  serde_json parse: {:>8.2} ms  peak RSS +{}\n  model load:       {:>8.2} ms  peak RSS +{}\n  ratio load/parse: time {:.2}x, memory {mem_ratio}",
        text.len() / 1024,
        parse_t.as_secs_f64() * 1e3,
        mb(parse_mem),
        load_t.as_secs_f64() * 1e3,
        mb(load_mem),
        load_t.as_secs_f64() / parse_t.as_secs_f64(),
    );
}

/// Run this benchmark again as a child that measures one thing, and read its answer.
fn child_peak(case: &str, what: &str) -> Option<usize> {
    let exe = std::env::current_exe().ok()?;
    let out = std::process::Command::new(exe)
        .args(["--peak", case, what])
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

fn case_text(case: &str) -> Option<String> {
    if case.starts_with("discord") {
        std::fs::read_to_string(corpus_file("openapi/real-world/discord/openapi.json")?).ok()
    } else {
        // Written once by the parent, so the child's heap never held the generator's values.
        std::fs::read_to_string(synthetic_path()).ok()
    }
}

fn synthetic_path() -> PathBuf {
    std::env::temp_dir().join("portal-bench-synthetic-10000.json")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, case, what] = args.as_slice() {
        if flag == "--peak" {
            let Some(text) = case_text(case) else { return };
            let path = Path::new("/bench/spec.json");
            let mut files = MemoryFiles::new();
            files.insert(path, text.as_str());
            let peak = if what == "parse" {
                peak_memory(|| {
                    serde_json::from_str::<serde_json::Value>(&text).expect("valid JSON")
                })
            } else {
                peak_memory(|| api_model::openapi::load(path, &files).expect("loads"))
            };
            println!("{}", peak.unwrap_or(0));
            return;
        }
    }
    let runs = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(15);
    match case_text("discord") {
        Some(text) => bench("discord openapi.json", &text, runs),
        None => println!("discord spec not found (shared corpus missing); skipped"),
    }
    if std::env::var("DISCORD_ONLY").is_ok() {
        return;
    }
    let text = synthetic(10_000);
    std::fs::write(synthetic_path(), &text).expect("write synthetic spec to the temp folder");
    bench("synthetic 10,000 operations", &text, runs.min(7));
}
