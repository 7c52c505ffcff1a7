#!/usr/bin/env bash
# Benchmark `portal mock` (issue 5): the petstore example against the axum hello-world ceiling
# and Prism, GET /pets/1 and /pets at 32 and 128 connections, in one run, with the ratios.
#
# Goals: >= 0.5 of the ceiling's req/s with validation on, p99 <= 2x the ceiling's,
# idle RSS <= 30 MiB, start to first answer <= 300 ms (also with the GitHub spec loaded).
#
# Usage: bench/mock.sh [mock-bench.sh options, e.g. -r 3 -d 10]
# Env:   PEERS (default ../shared/bench/peers), PEERS_DIR (default /tmp/peers),
#        NO_PRISM=1 to leave Prism out, SKIP_SETUP=1 when setup.sh already ran.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS=${PEERS:-$ROOT/../shared/bench/peers}
[ -d "$PEERS" ] || PEERS=$(cd "$ROOT/../.." && pwd)/shared/bench/peers
P=${PEERS_DIR:-/tmp/peers}
export PEERS_DIR=$P

[ "${SKIP_SETUP:-0}" = 1 ] || "$PEERS/setup.sh"
(cd "$ROOT" && cargo build --release --bin portal)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
PORTAL=$TARGET/release/portal
SPEC=$P/petstore.yaml
[ -f "$SPEC" ] || SPEC=$ROOT/../shared/corpus/openapi/oai/v3.0/petstore.yaml

servers=(
  -s "ceiling|http://127.0.0.1:4010|PORT=4010 $P/ceiling/target/release/ceiling"
  # The petstore's server is http://petstore.swagger.io/v1: the sandbox mounts it under /v1.
  -s "portal|http://127.0.0.1:4020/v1|PORTAL_LOG=warn $PORTAL mock --auth off --port 4020 --specs $SPEC"
  # The same with the memo of generated responses off: every request generates its data again
  # (what a sandbox pays for requests it has not seen before).
  -s "portal-nomemo|http://127.0.0.1:4022/v1|PORTAL_LOG=warn $PORTAL mock --auth off --port 4022 --response-cache-mib 0 --specs $SPEC"
)
if [ "${NO_PRISM:-0}" != 1 ] && [ -x "$P/node_modules/.bin/prism" ]; then
  servers+=(-s "prism|http://127.0.0.1:4011|$P/node_modules/.bin/prism mock -h 127.0.0.1 -p 4011 $SPEC")
fi
"$PEERS/mock-bench.sh" -p /pets/1 -p /pets "${servers[@]}" "$@"

# Start-up with the largest spec at hand (the GitHub description when setup.sh fetched it).
GITHUB=$(find "$P/node_modules/@octokit/openapi" -name 'api.github.com.json' 2>/dev/null | head -1 || true)
if [ -n "$GITHUB" ] && [ -x "$PEERS/startup-bench.sh" ]; then
  "$PEERS/startup-bench.sh" -p /_sandbox/health -s "portal-github|http://127.0.0.1:4021|$PORTAL mock --auth off --port 4021 --specs $GITHUB" || true
fi
