#!/usr/bin/env bash
# Builds the otelkit collector from collector/builder-config.yaml into collector/_build/otelkit-collector.
# Installs the OpenTelemetry Collector Builder (ocb) with `go install` at the manifest's core version; all Go
# modules come from the Go module proxy into the default module and build caches in $HOME, so a second
# machine-local build only recompiles what changed. Skips the build entirely when the manifest, the builder
# version and the Go version are the same as for the existing binary (sha256 stamp next to it).
# Prints the binary's path on stdout; progress and timings go to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

manifest=collector/builder-config.yaml
build_dir=collector/_build
binary="$build_dir/otelkit-collector"
stamp="$build_dir/.build-stamp"
force=false
[ "${1:-}" = "--force" ] && force=true

command -v go >/dev/null || {
  echo "build-collector: the Go toolchain is required (go >= 1.25 on PATH)" >&2
  exit 1
}

# The builder is released with the core: its version is the one the manifest's core components use.
builder_version="$(grep -oE 'go\.opentelemetry\.io/collector/[a-z]+/[a-z]+ v0\.[0-9]+\.[0-9]+' "$manifest" | head -1 | awk '{print $2}')"
[ -n "$builder_version" ] || {
  echo "build-collector: no core component version found in $manifest" >&2
  exit 1
}

wanted_stamp="$({
  sha256sum "$manifest" | cut -d' ' -f1
  echo "builder $builder_version"
  go env GOVERSION
} | sha256sum | cut -d' ' -f1)"

if ! $force && [ -x "$binary" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted_stamp" ]; then
  echo "build-collector: $binary is up to date (builder $builder_version, manifest unchanged)" >&2
  echo "$PWD/$binary"
  exit 0
fi

started=$SECONDS
tools="${OTELKIT_TOOLS_DIR:-$HOME/.cache/otelkit-tools}/ocb-$builder_version"
# The generated module sits inside this git checkout: VCS stamping would only add noise (and need git).
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
if [ ! -x "$tools/builder" ]; then
  echo "build-collector: installing the collector builder $builder_version" >&2
  GOBIN="$tools" go install "go.opentelemetry.io/collector/cmd/builder@$builder_version"
fi

# The checksum database behind the module proxy has no entry for these modules (the elasticsearch exporter's
# profiles support pulls them in). They are downloaded without that lookup, and their hashes are then required
# to equal the ones pinned in the go.sum of the component that depends on them, so nothing goes unchecked.
unlisted_in_sumdb=(go.opentelemetry.io/ebpf-profiler)
export GONOSUMDB="$(IFS=,; echo "${unlisted_in_sumdb[*]}")"

echo "build-collector: building $binary (a first build compiles a few hundred modules: minutes)" >&2
rm -f "$stamp"
builder=("$tools/builder" --config=builder-config.yaml --skip-strict-versioning=false)
(cd collector && "${builder[@]}" --skip-compilation) >&2
modcache="$(go env GOMODCACHE)"
for module in "${unlisted_in_sumdb[@]}"; do
  while read -r line; do
    [ -n "$line" ] || continue
    if ! grep -rqxF --include=go.sum "$line" "$modcache/github.com/open-telemetry" "$modcache/go.opentelemetry.io/collector"; then
      echo "build-collector: $line is pinned by no component's go.sum; refusing to build" >&2
      exit 1
    fi
  done < <(grep -F "$module " "$build_dir/go.sum" || true)
done
(cd collector && "${builder[@]}" --skip-generate --skip-get-modules) >&2
"$binary" --version >&2
echo "$wanted_stamp" >"$stamp"
echo "build-collector: built in $((SECONDS - started))s" >&2
echo "$PWD/$binary"
