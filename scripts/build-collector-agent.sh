#!/usr/bin/env bash
# Builds the otelkit agent (the scale-out set-up's node-local collector) from
# collector/scale-out/agent-builder-config.yaml into collector/_build/agent/otelkit-agent, the same way
# scripts/build-collector.sh builds the collector: the builder at the manifest's core version, strict versioning,
# modules from the Go module proxy, and a sha256 stamp so an unchanged manifest returns at once (--force rebuilds).
# Prints the binary's path on stdout; progress and timings go to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

manifest=collector/scale-out/agent-builder-config.yaml
build_dir=collector/_build/agent
binary="$build_dir/otelkit-agent"
stamp="$build_dir/.build-stamp"
force=false
[ "${1:-}" = "--force" ] && force=true

command -v go >/dev/null || {
  echo "build-collector-agent: the Go toolchain is required (go >= 1.25 on PATH)" >&2
  exit 1
}

builder_version="$(grep -oE 'go\.opentelemetry\.io/collector/[a-z]+/[a-z]+ v0\.[0-9]+\.[0-9]+' "$manifest" | head -1 | awk '{print $2}')"
wanted_stamp="$({
  sha256sum "$manifest" | cut -d' ' -f1
  echo "builder $builder_version"
  go env GOVERSION
} | sha256sum | cut -d' ' -f1)"

if ! $force && [ -x "$binary" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted_stamp" ]; then
  echo "build-collector-agent: $binary is up to date (builder $builder_version, manifest unchanged)" >&2
  echo "$PWD/$binary"
  exit 0
fi

started=$SECONDS
tools="${OTELKIT_TOOLS_DIR:-$HOME/.cache/otelkit-tools}/ocb-$builder_version"
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
if [ ! -x "$tools/builder" ]; then
  echo "build-collector-agent: installing the collector builder $builder_version" >&2
  GOBIN="$tools" go install "go.opentelemetry.io/collector/cmd/builder@$builder_version"
fi

# The module proxy serves the .mod and .zip of these modules at the agent's release but answers 404 for their
# .info (version metadata only), and `go mod download` then falls back to git, which is not reachable. A local
# file proxy placed after the real one supplies just those .info files; the code still comes from the module
# proxy and is verified against the checksum database as usual.
missing_info=(github.com/open-telemetry/opentelemetry-collector-contrib/pkg/winperfcounters@v0.157.0)
info_proxy="$PWD/$build_dir/.info-proxy"
for module_version in "${missing_info[@]}"; do
  mkdir -p "$info_proxy/${module_version%@*}/@v"
  echo "{\"Version\":\"${module_version#*@}\"}" >"$info_proxy/${module_version%@*}/@v/${module_version#*@}.info"
done
upstream_proxy="$(go env GOPROXY)"
export GOPROXY="${upstream_proxy%,direct},file://$info_proxy,direct"

echo "build-collector-agent: building $binary" >&2
rm -f "$stamp"
# The manifest's output_path is relative to collector/, like the collector's own manifest.
(cd collector && "$tools/builder" --config=scale-out/agent-builder-config.yaml --skip-strict-versioning=false) >&2
"$binary" --version >&2
echo "$wanted_stamp" >"$stamp"
echo "build-collector-agent: built in $((SECONDS - started))s" >&2
echo "$PWD/$binary"
