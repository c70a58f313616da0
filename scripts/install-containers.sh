#!/usr/bin/env bash
# Installs what builds and runs the otelkit container images without Docker: Debian's buildah (builds OCI images
# offline, FROM scratch plus local files), podman with runc (runs them), busybox-static (the images' shell, `cp`
# and health probe) and file (checks that the binaries are static). Writes the containers.conf podman needs on
# these machines into ~/.cache/otelkit-tools/containers/containers.conf: crun, podman's default runtime, fails here
# (setrlimit refused, hybrid cgroups), so the tests pass `--runtime runc`; the default ulimits cannot be set in
# this sandbox and the systemd cgroup manager has no systemd to talk to. Idempotent; prints the conf's path
# (use it as CONTAINERS_CONF=<path>).
set -euo pipefail
dir="${OTELKIT_TOOLS_DIR:-$HOME/.cache/otelkit-tools}/containers"
if ! command -v buildah >/dev/null || ! command -v podman >/dev/null || ! command -v runc >/dev/null \
  || [ ! -x /bin/busybox ] || ! dpkg -s busybox-static >/dev/null 2>&1 || ! command -v file >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah podman runc busybox-static file >/dev/null
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
