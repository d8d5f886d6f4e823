#!/usr/bin/env bash
# Fuzzes the REST compatibility layer of a running gateway against its own OpenAPI document
# (`GET /openapi.json`) with schemathesis, for a bounded time: no answer may be a 5xx, have a status
# the document does not list for the operation, or a body or content type that violates it.
#
#   GATEWAY_URL    http://127.0.0.1:PORT of a running gateway (`hostplane demo`, or one with simulators)
#   GATEWAY_TOKEN  an admin JWT (or API key) of that gateway
#   SCHEMATHESIS   the schemathesis executable (default: `st` on PATH); the pinned version:
#                  python3 -m venv /tmp/st && /tmp/st/bin/pip install 'schemathesis==4.32.5'
#   SCHEMATHESIS_MAX_EXAMPLES  test cases per operation and phase (default 30)
#   SCHEMATHESIS_SEED          to replay a run (the seed is printed at the end of every run)
#
# Exits non-zero on any failure, on a schemathesis error, or when the run overstays its bound.
# Destructive operations (deletes, terminations) are exercised too: run it against simulators only.
set -euo pipefail

: "${GATEWAY_URL:?GATEWAY_URL must name the gateway, e.g. http://127.0.0.1:8080}"
: "${GATEWAY_TOKEN:?GATEWAY_TOKEN must be an admin credential of that gateway}"
st="${SCHEMATHESIS:-st}"
base="${GATEWAY_URL%/}"
if ! st=$(command -v "$st"); then
  echo "schemathesis.sh: no schemathesis executable at \`${SCHEMATHESIS:-st}\` (set SCHEMATHESIS)" >&2
  exit 2
fi

work=$(mktemp -d /tmp/hostplane-schemathesis.XXXXXX)
trap 'rm -rf "$work"' EXIT

# With a credential the document names the connections that credential may use, one concrete path
# per route, so the run calls real routes rather than `{connection}` names that do not exist.
doc="$work/openapi.json"
python3 - "$base/openapi.json" "$GATEWAY_TOKEN" "$doc" <<'EOF'
import json, sys, urllib.request
url, token, out = sys.argv[1:4]
req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
with urllib.request.urlopen(req, timeout=30) as r:
    body = json.load(r)
concrete = [p for p in body.get("paths", {}) if "{connection}" not in p]
if not concrete:
    sys.exit("schemathesis.sh: the document names no connection: is GATEWAY_TOKEN valid?")
with open(out, "w") as f:
    json.dump(body, f)
print(f"schemathesis.sh: {len(concrete)} paths of {url}")
EOF

# Each API reads the gateway credential from its own header: `Authorization: Bearer` serves HosterAPI,
# Orchestrix and WPCS alike, and Patchstack reads `HostToken`; each ignores the other header.
# One worker: hypothesis's lambda inspection is not thread-safe on CPython 3.11 and fails runs at
# random with several. Health checks judge the data generator, not the gateway, so they are off.
args=(
  run "$doc"
  --url "$base"
  -H "Authorization: Bearer $GATEWAY_TOKEN"
  -H "HostToken: $GATEWAY_TOKEN"
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
  --phases examples,coverage,fuzzing
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-30}"
  --workers 1
  --request-timeout 30
  --suppress-health-check all
)
if [ -n "${SCHEMATHESIS_SEED:-}" ]; then
  args+=(--seed "$SCHEMATHESIS_SEED")
fi

# A hard bound: a run still going after ten minutes fails (timeout exits 124). It runs in the scratch
# directory, where schemathesis and hypothesis keep their caches, so the work tree stays clean.
cd "$work"
status=0
timeout --kill-after=30 600 "$st" "${args[@]}" || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
  echo "schemathesis.sh: the run did not finish within 600 s" >&2
fi
exit "$status"
