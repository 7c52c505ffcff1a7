#!/usr/bin/env bash
# bench/soap.sh — SOAP sandbox throughput: the corpus calculator's Add (POST, SOAP 1.1,
# document/literal, validated and answered with a generated envelope) on `portal mock`, against
# the axum ceiling (GET /pets/1) in the same run. Prints req/s, p50/p99 and ours/ceiling.
#
# Usage: bench/soap.sh [-c "32 128"] [-r ROUNDS] [-d SECS]   (env PORTAL_LOG: default warn)
# Needs: wrk, curl (bench/peers/setup.sh installs them and builds the ceiling), a release build
# of portal (built here). Only 127.0.0.1 is used; servers are stopped by their recorded PIDs.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEERS=${PEERS:-$ROOT/../shared/bench/peers}
PEERS_DIR=${PEERS_DIR:-/tmp/peers}
. "$PEERS/lib.sh"

CONNS="32 128" RUNS=3 DUR=10
while getopts "c:r:d:h" opt; do
  case $opt in
    c) CONNS=$OPTARG ;;
    r) RUNS=$OPTARG ;;
    d) DUR=$OPTARG ;;
    *) sed -n '2,10p' "$0"; exit 2 ;;
  esac
done
command -v wrk >/dev/null || die "wrk not found (run $PEERS/setup.sh)"
CEILING=$PEERS_DIR/ceiling/target/release/ceiling
[ -x "$CEILING" ] || die "the ceiling is not built (run $PEERS/setup.sh)"

TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
(cd "$ROOT" && cargo build --release -q --bin portal)
PORTAL=$TARGET/release/portal
WSDL=$ROOT/../shared/corpus/wsdl/wsdl-to-postman/calculator-soap11and12.wsdl

TMP=$(mktemp -d /tmp/soap-bench.XXXXXX)
trap 'stop_all_servers; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

cat > "$TMP/add.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
wrk.headers["SOAPAction"] = '"http://tempuri.org/Add"'
wrk.body = '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><Add xmlns="http://tempuri.org/"><intA>4</intA><intB>5</intB></Add></soap:Body></soap:Envelope>'
LUA

start_server ceiling "$TMP/ceiling.log" "PORT=4610 exec $CEILING"
wait_ready ceiling http://127.0.0.1:4610/pets/1 60 || die "ceiling did not start"
# Like bench/mock.sh, the sandbox runs without its per-request log line (the ceiling logs
# nothing); PORTAL_LOG=info bench/soap.sh measures it with the log.
start_server ours "$TMP/ours.log" "PORTAL_LOG=${PORTAL_LOG:-warn} exec $PORTAL mock --auth off --port 4611 --specs $WSDL"
wait_ready ours "http://127.0.0.1:4611/calculator.asmx?wsdl" 60 || die "portal mock did not start"

check=$(curl -s -X POST -H 'Content-Type: text/xml' -H 'SOAPAction: "http://tempuri.org/Add"' \
  --data-binary "$(sed -n 's/^wrk.body = .\(.*\).$/\1/p' "$TMP/add.lua")" http://127.0.0.1:4611/calculator.asmx)
echo "# ours POST /calculator.asmx Add -> $(head -c 200 <<<"$check")" >&2

run() { # label url extra-args...
  local label=$1 url=$2 c=$3; shift 3
  wrk -t1 -c"$c" -d"${DUR}s" --latency "$@" "$url" | wrk_parse
}

echo "conns  server   req/s      p50ms   p99ms  non2xx  ratio"
for c in $CONNS; do
  declare -a ratios=() ours_rps=() ceil_rps=()
  for _ in $(seq "$RUNS"); do
    read -r crps cp50 cp99 cnon cerr < <(run ceiling http://127.0.0.1:4610/pets/1 "$c")
    read -r orps op50 op99 onon oerr < <(run ours http://127.0.0.1:4611/calculator.asmx "$c" -s "$TMP/add.lua")
    ratios+=("$(awk -v a="$orps" -v b="$crps" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')")
    ours_rps+=("$orps"); ceil_rps+=("$crps")
    echo "  $c  ceiling  $crps  $cp50  $cp99  $cnon" >&2
    echo "  $c  ours     $orps  $op50  $op99  $onon" >&2
  done
  printf "%5s  ceiling  %9s\n" "$c" "$(printf '%s\n' "${ceil_rps[@]}" | median)"
  printf "%5s  ours     %9s  (Add, validated)  ratio %s\n" "$c" "$(printf '%s\n' "${ours_rps[@]}" | median)" "$(printf '%s\n' "${ratios[@]}" | median)"
done
echo "idle RSS after load: ours $(tree_rss_kb "${SRV_PID[ours]}") KiB, ceiling $(tree_rss_kb "${SRV_PID[ceiling]}") KiB"
