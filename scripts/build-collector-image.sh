#!/usr/bin/env bash
# Builds the otelkit collector image (collector/docker/collector.Containerfile) with buildah, offline: the static
# binary scripts/build-collector.sh builds (the one the end-to-end tests run), Debian's busybox-static and the
# system CA bundle, on `scratch`. Tags it localhost/otelkit-collector:<dist version of the manifest> (what
# collector/compose.yaml and the Kubernetes manifests name). Skips the build when an image with the same inputs
# (binary, configs, Containerfile, busybox) exists already (a label holds their hash); --force rebuilds.
# Docker format, not OCI: only that format keeps the HEALTHCHECK, which podman runs (`podman healthcheck run`).
# Prints the image name on stdout; progress and timings go to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

force=false
[ "${1:-}" = "--force" ] && force=true
for tool in buildah file; do
  command -v "$tool" >/dev/null || {
    echo "build-collector-image: $tool is missing: run bash scripts/install-containers.sh" >&2
    exit 1
  }
done
busybox=/bin/busybox
ca_bundle=/etc/ssl/certs/ca-certificates.crt
[ -x "$busybox" ] && file -L "$busybox" | grep -q 'statically linked' || {
  echo "build-collector-image: no static $busybox: run bash scripts/install-containers.sh (busybox-static)" >&2
  exit 1
}
[ -f "$ca_bundle" ] || {
  echo "build-collector-image: no $ca_bundle (Debian's ca-certificates)" >&2
  exit 1
}

binary="$(bash scripts/build-collector.sh)"
# On scratch there is no dynamic loader: a binary that needs one would fail to start with "no such file".
# The builder compiles with CGO_ENABLED=0 unless the manifest sets dist.cgo_enabled.
file -L "$binary" | grep -q 'statically linked' || {
  echo "build-collector-image: $binary is not statically linked: $(file -L "$binary")" >&2
  exit 1
}

version="$(awk '/^dist:/ { d = 1 } d && $1 == "version:" { print $2; exit }' collector/builder-config.yaml)"
image="localhost/otelkit-collector:$version"
revision="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
containerfile=collector/docker/collector.Containerfile

stage=collector/_build/image
mkdir -p "$stage"
cp "$busybox" "$stage/busybox"
cp "$ca_bundle" "$stage/ca-certificates.crt"

inputs="$(
  cd collector
  sha256sum docker/collector.Containerfile _build/otelkit-collector _build/image/busybox _build/image/ca-certificates.crt \
    config.yaml config.filelog.yaml config.pseudonymise.yaml config.dated-index.yaml \
    scale-out/gateway.yaml scale-out/gateway-auth.yaml | sha256sum | cut -d' ' -f1
)"
if ! $force && [ "$(buildah inspect --type image --format '{{index .Docker.Config.Labels "io.otelkit.inputs"}}' "$image" 2>/dev/null)" = "$inputs" ]; then
  echo "build-collector-image: $image is up to date" >&2
  echo "$image"
  exit 0
fi

started=$SECONDS
previous="$(buildah inspect --type image --format '{{.FromImageID}}' "$image" 2>/dev/null || true)"
echo "build-collector-image: building $image" >&2
# runc: crun, buildah's default runtime for RUN steps, fails on these machines (see install-containers.sh).
buildah bud --runtime runc --format docker --layers=false --quiet \
  --build-arg "VERSION=$version" --build-arg "REVISION=$revision" \
  --label "io.otelkit.inputs=$inputs" \
  -f "$containerfile" -t "$image" collector >&2
echo "build-collector-image: built in $((SECONDS - started))s, $(buildah inspect --type image --format '{{.FromImageID}}' "$image" | cut -c1-12)" >&2
# The image this one replaces, unless a container still uses it.
[ -z "$previous" ] || [ "$previous" = "$(buildah inspect --type image --format '{{.FromImageID}}' "$image")" ] \
  || buildah rmi "$previous" >/dev/null 2>&1 || true
echo "$image"
