#!/usr/bin/env bash
# Builds Alertmanager and amtool from the Go module proxy into ~/.cache/otelkit-tools/alertmanager-<version>/, for
# test/e2e/alertmanager-routes.test.ts: Debian's Alertmanager (0.25) predates the Microsoft Teams receivers
# (msteams_configs 0.26, msteamsv2_configs for Teams Workflows 0.28) the stack's configuration uses.
#
# v0.31.1 is the newest release that builds from the module proxy: from v0.32.0 on, the web UI is embedded from
# ui/app/dist, a build output that is not part of the published module, so `go install` fails on the missing
# files. Idempotent (an existing build is kept); prints the directory holding both binaries.
set -euo pipefail
version=v0.31.1
dir="${OTELKIT_TOOLS_DIR:-$HOME/.cache/otelkit-tools}/alertmanager-${version#v}"
if [ ! -x "$dir/alertmanager" ] || [ ! -x "$dir/amtool" ]; then
  command -v go >/dev/null || {
    echo "install-alertmanager: the Go toolchain is required (go >= 1.25 on PATH)" >&2
    exit 1
  }
  echo "install-alertmanager: building Alertmanager and amtool $version" >&2
  GOBIN="$dir" GOFLAGS="${GOFLAGS:-} -buildvcs=false" go install \
    -ldflags="-X github.com/prometheus/common/version.Version=${version#v}" \
    "github.com/prometheus/alertmanager/cmd/alertmanager@$version" \
    "github.com/prometheus/alertmanager/cmd/amtool@$version" >&2
fi
echo "$dir"
