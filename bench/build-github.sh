#!/usr/bin/env bash
# build-github.sh — `portal build` on the GitHub REST API description (@octokit/openapi,
# ~13 MB, 1,223 operations) against `redocly build-docs` on the same file, in the same run:
# wall time and peak RSS of each, and the ratios ours/redocly (goal: both <= 0.5).
#
# Usage: bench/build-github.sh [-r RUNS] [-o DIR]   (default 3 rounds, interleaved)
#   -o DIR  where both tools write (default $PEERS_DIR/out). The harness deletes each output
#           before each run. On an ext4 file system without a journal (some VM disks: see
#           /sys/fs/ext4/*/journal_task) the kernel then avoids reusing the just-deleted inodes
#           (for 60 s, or 360 s while their inode table is not yet written back) by checking
#           them one by one, from the start of the block group, for every inode it creates. A
#           build that creates N files and folders after M were deleted pays about N x M such
#           checks, in system time that a journaled disk or tmpfs does not charge, and M grows
#           with every run of this script within a few minutes of the last. Portal's ~2,750
#           files and folders pay it; Redocly's one file does not. `-o /dev/shm/x` measures both
#           tools without it. On 2026-12-05 (2 cores): tmpfs 0.40; this VM's disk 0.43 in a
#           first run, then 0.45, 0.53 and 0.56 in runs that followed each other.
# Needs: the peers installed by shared/bench/peers/setup.sh (under $PEERS_DIR, default /tmp/peers)
# and a release build of portal (built here if missing).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
PEERS=${PEERS:-$(cd "$REPO/../shared/bench/peers" 2>/dev/null && pwd || echo /work/shared/bench/peers)}
P=${PEERS_DIR:-/tmp/peers}
RUNS=3
OUT=$P/out
while getopts "r:o:h" opt; do
  case $opt in
    r) RUNS=$OPTARG ;;
    o) OUT=$OPTARG ;;
    *) sed -n '2,17p' "$0"; exit 2 ;;
  esac
done

"$PEERS/setup.sh" >/dev/null
SPEC=$(ls "$P"/node_modules/@octokit/openapi/generated/api.github.com.json 2>/dev/null || true)
[ -n "$SPEC" ] || { echo "GitHub description not found under $P/node_modules/@octokit/openapi" >&2; exit 1; }

BIN=${PORTAL_BIN:-${CARGO_TARGET_DIR:-$REPO/target}/release/portal}
if [ ! -x "$BIN" ]; then
  (cd "$REPO" && cargo build --release --bin portal)
fi

ROOT=$(mktemp -d /tmp/portal-github.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT/specs" "$OUT"
cp "$SPEC" "$ROOT/specs/github.json"

# Redocly first: it is the reference, so the printed wall ratio is ours / redocly.
"$PEERS/build-bench.sh" -r "$RUNS" -w 1 -T 900 -o "$ROOT/raw.tsv" \
  -b "redocly|$OUT/redoc-github.html|$P/node_modules/.bin/redocly build-docs $SPEC -o $OUT/redoc-github.html" \
  -b "portal|$OUT/portal-github|$BIN build --root $ROOT --out $OUT/portal-github"

python3 - "$ROOT/raw.tsv" <<'PY'
import csv, statistics, sys
rows = [r for r in csv.DictReader(open(sys.argv[1]), delimiter="\t") if r["exit"] == "0"]
def med(label, key):
    v = [float(r[key]) for r in rows if r["label"] == label]
    return statistics.median(v) if v else float("nan")
w_ours, w_red = med("portal", "wall_s"), med("redocly", "wall_s")
m_ours, m_red = med("portal", "maxrss_kb") / 1024, med("redocly", "maxrss_kb") / 1024
print()
print(f"portal : wall {w_ours:.2f} s, peak RSS {m_ours:.0f} MiB")
print(f"redocly: wall {w_red:.2f} s, peak RSS {m_red:.0f} MiB")
print(f"ratios (portal / redocly): wall {w_ours / w_red:.2f}, peak RSS {m_ours / m_red:.2f}  (goal: both <= 0.50)")
PY
echo "outputs written under $OUT ($(df -T "$OUT" | awk 'NR == 2 {print $2}'))"
