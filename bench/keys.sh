#!/usr/bin/env bash
# keys.sh — what keys and rate limits cost: requests per second of a keyed, rate-limited call
# (registered app, X-IBM-Client-Id + Secret, a plan whose limits are counted on every call but
# never reached) against the same call on a sandbox with `--auth off`, in one run, rounds
# interleaved. Both sandboxes get the very same request, credentials included, so the ratio is
# what checking keys and counting limits costs, not what sending two more headers costs.
# Prints both medians and the ratio (issue 7 goal: the keyed call costs <= 5 %).
#
# Usage: bench/keys.sh [-r ROUNDS] [-d SECONDS] [-c CONNECTIONS] [-s redis://HOST:PORT]
# Needs: wrk (Debian), a release build of portal (built if missing).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
ROUNDS=5 DUR=8 CONNS=32 STORE=""
while getopts "r:d:c:s:h" opt; do
  case $opt in
    r) ROUNDS=$OPTARG ;; d) DUR=$OPTARG ;; c) CONNS=$OPTARG ;; s) STORE=$OPTARG ;;
    *) sed -n '2,10p' "$0"; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk not found (apt-get install wrk)" >&2; exit 1; }
BIN=${PORTAL_BIN:-${CARGO_TARGET_DIR:-$REPO/target}/release/portal}
[ -x "$BIN" ] || (cd "$REPO" && cargo build --release --bin portal)

ROOT=$(mktemp -d /tmp/portal-keys.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$ROOT"; }
trap cleanup EXIT
cp -r "$REPO/specs" "$REPO/portal.toml" "$ROOT/"
cat > "$ROOT/specs/products/bench.yaml" <<'YAML'
product: 1.0.0
info: {name: bench, title: Bench, version: 1.0.0}
apis:
  title-fetch: {$ref: ../title-fetch/openapi.yaml}
plans:
  bench:
    title: Bench
    approval: false
    rate-limits:
      default: {value: 1000000000/1hour}
    burst-limits:
      burst: {value: 1000000000/1second}
YAML

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
KEYED=$(free_port); OPEN=$(free_port)
store_args=(); [ -n "$STORE" ] && store_args=(--store "$STORE")
"$BIN" mock --root "$ROOT" --port "$KEYED" --data "$ROOT/data" "${store_args[@]}" >"$ROOT/keyed.log" 2>&1 & PIDS+=($!)
"$BIN" mock --root "$ROOT" --port "$OPEN" --auth off --data "$ROOT/data-open" >"$ROOT/open.log" 2>&1 & PIDS+=($!)
for port in "$KEYED" "$OPEN"; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/_sandbox/health" >/dev/null && break; sleep 0.1; done
done

APP=$(curl -sf -X POST "http://127.0.0.1:$KEYED/_sandbox/apps" -H 'content-type: application/json' -d '{"name":"bench"}')
ID=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])' <<<"$APP")
SECRET=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])' <<<"$APP")
curl -sf -X POST "http://127.0.0.1:$KEYED/_sandbox/apps/$ID/subscriptions" -H 'content-type: application/json' \
  -H "X-IBM-Client-Id: $ID" -H "X-IBM-Client-Secret: $SECRET" -d '{"plan":"bench:bench"}' >/dev/null
PATH_=/title-fetch/v1/ibans/PK36SCBL0000001123456702/title
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$KEYED$PATH_" -H "X-IBM-Client-Id: $ID" -H "X-IBM-Client-Secret: $SECRET")
[ "$code" = 200 ] || { echo "keyed call answered $code" >&2; exit 1; }

rps() { awk '/Requests\/sec/ {print $2}'; }
load() { wrk -t1 -c"$CONNS" -d"${DUR}s" -H "X-IBM-Client-Id: $ID" -H "X-IBM-Client-Secret: $SECRET" "http://127.0.0.1:$1$PATH_" | rps; }
keyed=() open=() ratios=()
for r in $(seq "$ROUNDS"); do
  # Which sandbox goes first alternates, so neither gains from its place in a round.
  if [ $((r % 2)) = 1 ]; then
    k=$(load "$KEYED"); o=$(load "$OPEN")
  else
    o=$(load "$OPEN"); k=$(load "$KEYED")
  fi
  keyed+=("$k"); open+=("$o")
  ratios+=("$(python3 -c "print(f'{$k/$o:.3f}')")")
  echo "round $r: keyed $k req/s, auth off $o req/s, ratio $(python3 -c "print(f'{$k/$o:.3f}')")"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
after=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$KEYED$PATH_" -H "X-IBM-Client-Id: $ID" -H "X-IBM-Client-Secret: $SECRET")
echo "store: ${STORE:-sqlite}; connections: $CONNS; ${DUR}s x $ROUNDS rounds; last keyed call: HTTP $after"
echo "median keyed: $(median "${keyed[@]}") req/s; median auth off: $(median "${open[@]}") req/s"
lowest=$(printf '%s\n' "${ratios[@]}" | sort -g | head -1)
highest=$(printf '%s\n' "${ratios[@]}" | sort -g | tail -1)
# The spread of the rounds says how far this machine's noise reaches: a median within it of the
# goal is not a clear result either way.
echo "median ratio keyed/off: $(median "${ratios[@]}") (rounds $lowest-$highest; goal >= 0.95)"
