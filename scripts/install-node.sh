#!/usr/bin/env bash
# Installs Node.js from the npm registry's `node` package into a tools folder outside the project and prints the
# folder holding its `node` binary. Usage: install-node.sh <major or exact version>, e.g. 22 or 24.21.0. Cached
# across runs: a binary whose version matches is reused.
set -euo pipefail
want="${1:?usage: install-node.sh <major or exact version>}"
if ! [[ "$want" =~ ^[0-9]+(\.[0-9]+\.[0-9]+)?$ ]]; then
  echo "install-node.sh: '$want' is neither a major version nor an exact x.y.z version" >&2
  exit 2
fi
tools="${OTELKIT_TOOLS_DIR:-$HOME/.cache/otelkit-tools}"
dir="$tools/node$want"
bin="$dir/node_modules/node/bin"
# A major matches any of its releases (v22.x.y), an exact version only itself.
pattern="^v${want//./\\.}\\."
[[ "$want" == *.* ]] && pattern="^v${want//./\\.}\$"
if [ ! -x "$bin/node" ] || ! "$bin/node" --version | grep -q "$pattern"; then
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "node@$want" >&2
fi
"$bin/node" --version >&2
echo "$bin"
