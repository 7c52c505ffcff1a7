#!/bin/sh
# REST conformance: schemathesis against `portal mock --auth off` for every OpenAPI file in the
# corpus (and the demo specs/), through /_sandbox/apis/<id>/openapi.json, in two passes.
#
# Usage: tests/conformance/schemathesis.sh [SPEC_FILE_OR_DIR...]
# Env:   PORTAL_BIN (default: target/debug/portal, built if missing), SCHEMATHESIS (default:
#        `schemathesis` on PATH), PORTAL_CORPUS, MAX_EXAMPLES (default 5), WORKERS (default 2).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/run_schemathesis.py" "$@"
