#!/usr/bin/env bash
# API conformance: runs schemathesis (default checks, default phases) against
# the OpenAPI document of a freshly started obcina server.
#
# Usage (from anywhere; paths are resolved against the repository root):
#   OBCINA_BIN=target/debug/obcina conformance/schemathesis.sh BUILD_DIR
#
# BUILD_DIR/venv is the Python venv with conformance/requirements.txt; it is
# created (or brought up to the pinned version) when needed. The server runs
# on a fresh temporary data directory and a free loopback port, and is
# stopped on exit. Reports (JUnit, JSON) and schemathesis' own state
# (.hypothesis, .schemathesis) go to BUILD_DIR/schemathesis.
#
# Environment:
#   OBCINA_BIN              server binary (default: target/debug/obcina)
#   SCHEMATHESIS_MAX_EXAMPLES  examples per operation and phase (default: 50)
#   SCHEMATHESIS_SEED       seed for a reproducible run (default: random)
#
# Exit status: schemathesis' own (non-zero on any failure or error), or 2 if
# the server could not be started.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

if [ $# -ne 1 ]; then
  echo "usage: OBCINA_BIN=path/to/obcina $0 BUILD_DIR" >&2
  exit 2
fi
mkdir -p "$1"
BUILD=$(cd "$1" && pwd)

OBCINA_BIN=${OBCINA_BIN:-$ROOT/target/debug/obcina}
case "$OBCINA_BIN" in /*) ;; *) OBCINA_BIN=$PWD/$OBCINA_BIN ;; esac
if [ ! -x "$OBCINA_BIN" ]; then
  echo "schemathesis.sh: $OBCINA_BIN is not an executable (build it: cargo build -p obcina)" >&2
  exit 2
fi

MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-50}

# --- the venv -----------------------------------------------------------------
VENV=$BUILD/venv
if [ ! -x "$VENV/bin/python" ]; then
  echo "schemathesis.sh: creating $VENV"
  python3 -m venv "$VENV"
fi
# A no-op (and no network) when the pinned version is already there; upgrades
# a venv made from an older requirements.txt.
"$VENV/bin/pip" install -q --disable-pip-version-check -r "$HERE/requirements.txt"
ST=$VENV/bin/schemathesis

# --- the server ---------------------------------------------------------------
WORK=$BUILD/schemathesis
mkdir -p "$WORK"
DATA=$(mktemp -d "${TMPDIR:-/tmp}/obcina-schemathesis.XXXXXX")
SERVER_LOG=$WORK/server.log
SERVER_PID=""

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
BASE=http://127.0.0.1:$PORT

"$OBCINA_BIN" serve --data-dir "$DATA" --listen "127.0.0.1:$PORT" --mqtt-listen 127.0.0.1:0 >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

ready=0
for _ in $(seq 600); do # up to 60 s
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    break
  fi
  if grep -q "obcina is ready at" "$SERVER_LOG" &&
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz" || true)" = 200 ]; then
    ready=1
    break
  fi
  sleep 0.1
done
if [ "$ready" != 1 ]; then
  echo "schemathesis.sh: obcina did not become ready at $BASE; its log:" >&2
  tail -n 50 "$SERVER_LOG" >&2 || true
  exit 2
fi
echo "schemathesis.sh: obcina is up at $BASE (pid $SERVER_PID, data $DATA, log $SERVER_LOG)"

# --- the document itself must be valid OpenAPI 3.1 ------------------------------
"$VENV/bin/python" - "$BASE/api/openapi.json" <<'PY'
import json, sys, urllib.request
from openapi_spec_validator import validate
doc = json.load(urllib.request.urlopen(sys.argv[1]))
assert doc["openapi"].startswith("3.1"), doc["openapi"]
validate(doc)
print(f"schemathesis.sh: /api/openapi.json is valid OpenAPI {doc['openapi']}")
PY

# --- a signed-in citizen, so the operations behind sign-in are exercised too ----
EMAIL="conformance.$$@example.si"
PASS="vinska klet ob dravi 1908"
curl -sf -o /dev/null -X POST -H 'content-type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"password\":\"$PASS\"}" "$BASE/api/v1/accounts"
LINK=""
for _ in $(seq 100); do
  LINK=$(grep -o "$BASE/confirm?token=[A-Za-z0-9_-]*" "$SERVER_LOG" | tail -n 1 || true)
  [ -n "$LINK" ] && break
  sleep 0.1
done
curl -sf -o /dev/null "$LINK"
COOKIE=$(curl -sf -D - -o /dev/null -X POST -H 'content-type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"password\":\"$PASS\"}" "$BASE/api/v1/session" |
  grep -i '^set-cookie: obcina_session=' | sed 's/^[Ss]et-[Cc]ookie: //; s/;.*//' | tr -d '\r')
[ -n "$COOKIE" ] || { echo "schemathesis.sh: could not sign in a test citizen" >&2; exit 2; }

# --- schemathesis --------------------------------------------------------------
JUNIT=$WORK/junit.xml
JSON=$WORK/report.json
rm -f "$JUNIT" "$JSON"

args=(
  --config-file "$ROOT/schemathesis.toml"
  run "$BASE/api/openapi.json"
  --url "$BASE"
  --header "Cookie: $COOKIE"
  --max-examples "$MAX_EXAMPLES"
  --no-color
  # Throwaway server and data: show real passwords/tokens in the curl lines.
  --output-sanitize false
  --report junit,json
  --report-junit-path "$JUNIT"
  --report-json-path "$JSON"
)
if [ -n "${SCHEMATHESIS_SEED:-}" ]; then
  args+=(--seed "$SCHEMATHESIS_SEED")
fi

echo "schemathesis.sh: $ST ${args[*]}"
set +e
# Run from WORK so that .hypothesis/ and .schemathesis/ stay out of the tree.
(cd "$WORK" && "$ST" "${args[@]}")
rc=$?
set -e

# --- per-operation totals ---------------------------------------------------------
if [ -s "$JUNIT" ]; then
  "$VENV/bin/python" - "$JUNIT" <<'EOF' || true
import sys
import xml.etree.ElementTree as ET

passed = failed = skipped = 0
for case in ET.parse(sys.argv[1]).iter("testcase"):
    tags = {child.tag for child in case}
    if tags & {"failure", "error"}:
        failed += 1
    elif "skipped" in tags:
        skipped += 1
    else:
        passed += 1
line = f"schemathesis: {passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
EOF
fi

exit "$rc"
