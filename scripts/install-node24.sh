#!/usr/bin/env bash
# Installs Node.js 24 LTS from the npm registry's `node` package into a tools folder outside the project
# (not a project dependency) and prints the folder holding its `node` binary. Cached across runs.
set -euo pipefail
tools="${OTELKIT_TOOLS_DIR:-$HOME/.cache/otelkit-tools}"
bin="$tools/node24/node_modules/node/bin"
if [ ! -x "$bin/node" ] || ! "$bin/node" --version | grep -q '^v24\.'; then
  mkdir -p "$tools/node24"
  npm install --prefix "$tools/node24" --no-audit --no-fund --loglevel=error node@24 >&2
fi
"$bin/node" --version >&2
echo "$bin"
