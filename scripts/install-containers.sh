#!/usr/bin/env bash
# Installs what builds and runs the otelkit container images without Docker: Debian's buildah (builds images
# offline, FROM scratch plus local files), podman with runc and slirp4netns (runs them; slirp4netns lets a
# container reach the host's loopback services), busybox-static (the images' shell, `cp` and health probe) and
# file (checks that binaries are static). Writes the containers.conf podman needs on the test machines into
# ~/.cache/otelkit-tools/containers/containers.conf: crun, podman's default runtime, fails there (setrlimit
# refused, hybrid cgroups), so runc is the runtime; the default ulimits cannot be raised there and the systemd
# cgroup manager has no systemd to talk to. Idempotent; prints the conf's path (use it as CONTAINERS_CONF=<path>).
set -euo pipefail
dir="${OTELKIT_TOOLS_DIR:-$HOME/.cache/otelkit-tools}/containers"
if ! command -v buildah >/dev/null || ! command -v podman >/dev/null || ! command -v runc >/dev/null \
  || ! command -v slirp4netns >/dev/null || ! dpkg -s busybox-static >/dev/null 2>&1 || ! command -v file >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah podman runc slirp4netns busybox-static file >/dev/null
fi
mkdir -p "$dir"
conf="$dir/containers.conf"
wanted="$(
  cat <<'EOF'
# Written by scripts/install-containers.sh: podman on the otelkit test machines (no systemd, limits fixed).
[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
EOF
)"
if [ ! -f "$conf" ] || [ "$(cat "$conf")" != "$wanted" ]; then
  printf '%s\n' "$wanted" >"$conf.tmp"
  mv "$conf.tmp" "$conf"
fi
echo "$conf"
