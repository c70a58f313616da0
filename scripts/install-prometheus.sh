#!/usr/bin/env bash
# Builds Prometheus and promtool 3.x from the Go module proxy into ~/.cache/otelkit-tools/prometheus-<version>/, so the
# alert rules are unit-tested with the Prometheus the compose stack runs as well as Debian's 2.42 (left-open range
# selectors and other 3.x changes shift when an alert fires). Prometheus publishes 3.x releases as Go module
# versions v0.3xx.y (v0.316.0 is Prometheus 3.16.0); without the `builtinassets` tag the web UI is not embedded,
# which the tests do not need. A cold build takes minutes; idempotent; prints the directory holding both binaries.
set -euo pipefail
release=3.16.0
module_version="v0.${release%%.*}$(printf '%02d' "$(echo "$release" | cut -d. -f2)").$(echo "$release" | cut -d. -f3)"
dir="${OTELKIT_TOOLS_DIR:-$HOME/.cache/otelkit-tools}/prometheus-$release"
if [ ! -x "$dir/prometheus" ] || [ ! -x "$dir/promtool" ]; then
  command -v go >/dev/null || {
    echo "install-prometheus: the Go toolchain is required (go >= 1.25 on PATH)" >&2
    exit 1
  }
  echo "install-prometheus: building Prometheus and promtool $release ($module_version)" >&2
  GOBIN="$dir" GOFLAGS="${GOFLAGS:-} -buildvcs=false" go install \
    -ldflags="-X github.com/prometheus/common/version.Version=$release" \
    "github.com/prometheus/prometheus/cmd/prometheus@$module_version" \
    "github.com/prometheus/prometheus/cmd/promtool@$module_version" >&2
fi
echo "$dir"
