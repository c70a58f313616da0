#!/usr/bin/env bash
# Builds the otelkit collector image (collector/docker/collector.Containerfile), or with `agent` the agent image
# (collector/docker/agent.Containerfile), with buildah, offline: the static binary scripts/build-collector.sh (or
# scripts/build-collector-agent.sh) builds, the one the end-to-end tests run, Debian's busybox-static and the
# system CA bundle, on `scratch`. Tags it localhost/otelkit-collector (or otelkit-agent):<the manifest's dist
# version>, what collector/compose.yaml and the Kubernetes manifests name. Skips the build when an image with the
# same inputs (binary, configs, Containerfile, busybox) exists already (a label holds their hash); --force rebuilds.
# Docker format, not OCI: only that format keeps the HEALTHCHECK, which podman runs (`podman healthcheck run`).
# Prints the image name on stdout; progress and timings go to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

force=false
variant=collector
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    agent) variant=agent ;;
    *)
      echo "usage: build-collector-image.sh [agent] [--force]" >&2
      exit 2
      ;;
  esac
done
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

if [ "$variant" = agent ]; then
  binary="$(bash scripts/build-collector-agent.sh)"
  manifest=collector/scale-out/agent-builder-config.yaml
  configs=(scale-out/agent.yaml scale-out/agent.static.yaml scale-out/agent.dns.yaml scale-out/agent.databases.yaml)
else
  binary="$(bash scripts/build-collector.sh)"
  manifest=collector/builder-config.yaml
  configs=(config.yaml config.filelog.yaml config.pseudonymise.yaml config.dated-index.yaml scale-out/gateway.yaml
    scale-out/gateway-auth.yaml)
fi
# On scratch there is no dynamic loader: a binary that needs one would fail to start with "no such file".
# The builder compiles with CGO_ENABLED=0 unless the manifest sets dist.cgo_enabled.
file -L "$binary" | grep -q 'statically linked' || {
  echo "build-collector-image: $binary is not statically linked: $(file -L "$binary")" >&2
  exit 1
}

version="$(awk '/^dist:/ { d = 1 } d && $1 == "version:" { print $2; exit }' "$manifest")"
image="localhost/otelkit-$variant:$version"
revision="$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
containerfile="collector/docker/$variant.Containerfile"

stage=collector/_build/image
mkdir -p "$stage"
cp "$busybox" "$stage/busybox"
cp "$ca_bundle" "$stage/ca-certificates.crt"

inputs="$(
  cd collector
  # File contents only (not their paths): the same inputs in another checkout give the same hash.
  sha256sum "../$containerfile" "$binary" _build/image/busybox _build/image/ca-certificates.crt "${configs[@]}" \
    | cut -d' ' -f1 | sha256sum | cut -d' ' -f1
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
