#!/usr/bin/env bash
# bench/minified.sh — a minified spec (the whole document on one line, as APIs.guru and many
# generators publish JSON) must cost what the same spec pretty-printed costs. `portal check`
# locates every node of a spec by line and column; counting each column from the start of its
# line made a one-line document quadratic (APIs.guru's chaingateway.io, 3.5 MB on one line, took
# 6.3 s to check and Stripe's 2.5 MB 8.4 s to build; 0.08 s and 2.2 s since, 2026-12-04).
#
# Runs `portal check` and `portal build` on the GitHub REST API description pretty-printed and
# minified, interleaved, and prints the medians and the ratios minified / pretty (goal: ~1).
#
#   bench/minified.sh [-r ROUNDS]        # default 3 rounds
#   GITHUB_SPEC=/path/api.github.com.json bench/minified.sh
#
# The description is looked for in /tmp/peers (shared/bench/peers/setup.sh) and /tmp/serve-bench,
# else installed with `npm install @octokit/openapi@23.0.2` under /tmp/serve-bench.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=3
while getopts "r:h" opt; do
  case $opt in
    r) ROUNDS=$OPTARG ;;
    *) sed -n '2,15p' "$0"; exit 2 ;;
  esac
done
BIN=${PORTAL_BIN:-${CARGO_TARGET_DIR:-$here/target}/release/portal}
[ -x "$BIN" ] || (cd "$here" && cargo build --release --bin portal)

spec=""
for f in "${GITHUB_SPEC:-}" /tmp/peers/node_modules/@octokit/openapi/generated/api.github.com.json \
         /tmp/serve-bench/node_modules/@octokit/openapi/generated/api.github.com.json; do
  [ -n "$f" ] && [ -f "$f" ] && { spec=$f; break; }
done
if [ -z "$spec" ]; then
  mkdir -p /tmp/serve-bench
  (cd /tmp/serve-bench && npm install --silent @octokit/openapi@23.0.2 >/dev/null)
  spec=/tmp/serve-bench/node_modules/@octokit/openapi/generated/api.github.com.json
fi

work=$(mktemp -d /tmp/portal-minified.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/pretty/specs" "$work/minified/specs"
python3 - "$spec" "$work" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
work = sys.argv[2]
with open(f"{work}/pretty/specs/github.json", "w", encoding="utf-8") as f:
    json.dump(doc, f, indent=2, ensure_ascii=False)
with open(f"{work}/minified/specs/github.json", "w", encoding="utf-8") as f:
    json.dump(doc, f, separators=(",", ":"), ensure_ascii=False)
PY
echo "spec: $spec ($(wc -l < "$work/pretty/specs/github.json") lines pretty, $(wc -l < "$work/minified/specs/github.json") minified)"

# seconds KIND FORM: wall time of one run.
seconds() {
  local root=$work/$2 s e
  s=$(date +%s%N)
  if [ "$1" = check ]; then
    "$BIN" check --root "$root" >/dev/null
  else
    rm -rf "$root/out"
    "$BIN" build --root "$root" --out "$root/out" >/dev/null
  fi
  e=$(date +%s%N)
  python3 -c "print(f'{($e - $s) / 1e9:.3f}')"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for kind in check build; do
  pretty=() minified=()
  for r in $(seq "$ROUNDS"); do
    pretty+=("$(seconds "$kind" pretty)")
    minified+=("$(seconds "$kind" minified)")
    echo "round $r $kind: pretty ${pretty[-1]} s, minified ${minified[-1]} s"
  done
  p=$(median "${pretty[@]}") m=$(median "${minified[@]}")
  echo "$kind: median pretty $p s, minified $m s, ratio minified/pretty $(python3 -c "print(f'{$m / $p:.2f}')")"
done
