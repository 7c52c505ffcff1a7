#!/usr/bin/env bash
# bench/serve.sh — `portal serve`'s edit loop: time from saving a file to the change being served.
#
#   Markdown: save content/docs/<page>.md  ->  GET of that page shows the new text
#   Spec:     save a spec with one more operation  ->  the sandbox answers that operation (200)
#
# On the demo portal (this repository) and on a portal holding the GitHub REST API description
# (@octokit/openapi, 13 MB, ~1,200 operations). Medians (and p90) of N edits (default 20).
#
#   bench/serve.sh                 # builds target/release/portal if needed
#   PORTAL_BIN=... EDITS=20 bench/serve.sh
#   GITHUB_SPEC=/path/api.github.com.json bench/serve.sh
#
# The GitHub description is looked for in /tmp/peers (bench/peers/setup.sh) and /tmp/serve-bench,
# else installed with `npm install @octokit/openapi@23.0.2` under /tmp/serve-bench.
# Only 127.0.0.1 is contacted; the servers started are stopped by their PID.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
EDITS=${EDITS:-20}
BIN=${PORTAL_BIN:-${CARGO_TARGET_DIR:-$here/target}/release/portal}
if [ ! -x "$BIN" ]; then
  (cd "$here" && cargo build --release --bin portal)
fi

find_github() {
  for f in "${GITHUB_SPEC:-}" /tmp/peers/node_modules/@octokit/openapi/generated/api.github.com.json \
           /tmp/serve-bench/node_modules/@octokit/openapi/generated/api.github.com.json; do
    [ -n "$f" ] && [ -f "$f" ] && { echo "$f"; return; }
  done
  mkdir -p /tmp/serve-bench
  (cd /tmp/serve-bench && npm install --no-audit --no-fund @octokit/openapi@23.0.2 >/dev/null 2>&1) || true
  f=/tmp/serve-bench/node_modules/@octokit/openapi/generated/api.github.com.json
  [ -f "$f" ] && echo "$f"
}

work=$(mktemp -d /tmp/serve-bench-run.XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# run_case LABEL ROOT SPEC_REL SPEC_FORMAT(yaml|json) MOUNT_PREFIX
run_case() {
  local label=$1 root=$2 spec=$3 format=$4 prefix=$5
  local port mport log
  port=$(free_port); mport=$(free_port); log=$work/$label.log
  local t0; t0=$(date +%s%N)
  "$BIN" serve --root "$root" --port "$port" --mock-port "$mport" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1200); do grep -q '^watching ' "$log" && break; kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }; sleep 0.1; done
  local started=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "== $label: started in ${started} ms ($(head -1 "$log"))"
  python3 - "$root" "$port" "$mport" "$spec" "$format" "$prefix" "$EDITS" "$label" <<'PY'
import json, statistics, sys, time, urllib.request, urllib.error
root, port, mport, spec, fmt, prefix, edits, label = sys.argv[1:]
edits = int(edits)
site = f"http://127.0.0.1:{port}"
sandbox = f"http://127.0.0.1:{mport}"

def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError:
        return 0, b""

def wait(check, limit=120.0):
    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        if check():
            return True
        time.sleep(0.002)
    return False

def report(what, times):
    times = sorted(times)
    p90 = times[min(len(times) - 1, int(round(0.9 * (len(times) - 1))))]
    print(f"{label:>8} {what:<10} median {statistics.median(times):8.1f} ms   p90 {p90:8.1f} ms   min {times[0]:8.1f} ms   (n={len(times)})")

# Markdown edits.
page = f"{root}/content/docs/bench.md"
md = []
for i in range(edits):
    marker = f"BENCH-MARKER-{i}-{time.time_ns()}"
    text = f"---\ntitle: Bench\n---\n\nEdit {i}: {marker}\n"
    t0 = time.perf_counter()
    with open(page, "w") as f:
        f.write(text)
    if not wait(lambda: marker.encode() in get(f"{site}/docs/bench/")[1]):
        sys.exit(f"{label}: markdown edit {i} never served")
    md.append((time.perf_counter() - t0) * 1000)
    time.sleep(0.1)
report("markdown", md)

# Spec edits: one more operation each time.
path = f"{root}/specs/{spec}"
original = open(path).read()
op = {"get": {"operationId": "benchOp", "summary": "Bench", "security": [],
              "responses": {"200": {"description": "ok", "content": {"application/json": {
                  "schema": {"type": "object", "properties": {"n": {"type": "integer"}}}}}}}}}
if fmt == "json":
    doc = json.loads(original)
sp = []
for i in range(edits):
    route = f"/bench-{i}-{time.time_ns() % 100000}"
    o = json.loads(json.dumps(op))
    o["get"]["operationId"] = f"benchOp{i}"
    if fmt == "json":
        doc["paths"] = {route: o, **doc["paths"]}
        text = json.dumps(doc)
        del doc["paths"][route]
    else:
        item = (f"  {route}:\n    get:\n      operationId: benchOp{i}\n      security: []\n"
                "      responses:\n        \"200\":\n          description: ok\n")
        text = original.replace("paths:\n", "paths:\n" + item, 1)
    t0 = time.perf_counter()
    with open(path, "w") as f:
        f.write(text)
    if not wait(lambda: get(f"{sandbox}{prefix}{route}")[0] == 200):
        sys.exit(f"{label}: spec edit {i} never answered at {prefix}{route}")
    sp.append((time.perf_counter() - t0) * 1000)
    time.sleep(0.2)
report("spec", sp)
with open(path, "w") as f:
    f.write(original)
PY
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=""
}

echo "portal serve edit loop: $BIN, $EDITS edits each, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

demo=$work/demo
mkdir -p "$demo"
cp -r "$here/content" "$here/specs" "$here/portal.toml" "$demo/"
[ -d "$here/site" ] && cp -r "$here/site" "$demo/"
printf -- '---\ntitle: Bench\n---\n\nStart.\n' > "$demo/content/docs/bench.md"
run_case demo "$demo" bill-payment/openapi.yaml yaml /bill-payment/v1

gh=$(find_github || true)
if [ -n "$gh" ]; then
  g=$work/github
  mkdir -p "$g/specs/github" "$g/content/docs"
  cp "$gh" "$g/specs/github/api.github.com.json"
  printf '# GitHub portal\n\nThe GitHub REST API.\n' > "$g/content/index.md"
  printf -- '---\ntitle: Bench\n---\n\nStart.\n' > "$g/content/docs/bench.md"
  printf 'title = "GitHub"\n' > "$g/portal.toml"
  run_case github "$g" github/api.github.com.json json ""
else
  echo "github: skipped (no @octokit/openapi; run bench/peers/setup.sh or set GITHUB_SPEC)"
fi
echo "goals: markdown <= 150 ms, spec <= 1000 ms on the GitHub-sized portal"
