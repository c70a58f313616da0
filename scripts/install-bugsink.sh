#!/usr/bin/env bash
# Installs Bugsink (PyPI `bugsink`, a self-hosted server that ingests Sentry's envelope protocol) into a virtualenv
# under ~/.cache/otelkit-tools/bugsink for the Sentry end-to-end tests (test/harness/bugsink.ts), outside the
# project's dependencies. Idempotent; prints the virtualenv's bin directory.
set -euo pipefail
version="2.6.2"
dir="${OTELKIT_TOOLS_DIR:-$HOME/.cache/otelkit-tools}/bugsink"
if [ ! -x "$dir/venv/bin/bugsink-manage" ] || [ "$(cat "$dir/version" 2>/dev/null)" != "$version" ]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  python3 -m venv "$dir/venv"
  "$dir/venv/bin/pip" install --quiet --disable-pip-version-check "bugsink==$version" >&2
  echo "$version" >"$dir/version"
fi
echo "$dir/venv/bin"
