#!/usr/bin/env bash
# Builds the otelkit auto-instrumentation image for the OpenTelemetry Operator
# (collector/docker/autoinstrumentation.Containerfile) with buildah: /autoinstrumentation holds
# autoinstrumentation.js and otelkit (packed from this checkout's dist/, so run `npm run build` first) with its
# production dependencies, installed by npm (from its cache when it has them). Tags it
# localhost/otelkit-autoinstrumentation:<package version>. Skips the build when an image with the same inputs
# exists (a label holds their hash); --force rebuilds. Prints the image name on stdout; progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

force=false
[ "${1:-}" = "--force" ] && force=true
command -v buildah >/dev/null || {
  echo "build-autoinstrumentation-image: buildah is missing: run bash scripts/install-containers.sh" >&2
  exit 1
}
[ -x /bin/busybox ] && file -L /bin/busybox | grep -q 'statically linked' || {
  echo "build-autoinstrumentation-image: no static /bin/busybox: run bash scripts/install-containers.sh" >&2
  exit 1
}
[ -f dist/register.js ] || {
  echo "build-autoinstrumentation-image: no dist/register.js: run npm run build" >&2
  exit 1
}

version="$(node -p 'require("./package.json").version')"
image="localhost/otelkit-autoinstrumentation:$version"
containerfile=collector/docker/autoinstrumentation.Containerfile
inputs="$({
  sha256sum package.json "$containerfile" collector/docker/autoinstrumentation.js /bin/busybox
  find dist src -type f -print0 | sort -z | xargs -0 sha256sum
} | sha256sum | cut -d' ' -f1)"
if ! $force && [ "$(buildah inspect --type image --format '{{index .Docker.Config.Labels "io.otelkit.inputs"}}' "$image" 2>/dev/null)" = "$inputs" ]; then
  echo "build-autoinstrumentation-image: $image is up to date" >&2
  echo "$image"
  exit 0
fi

started=$SECONDS
previous="$(buildah inspect --type image --format '{{.FromImageID}}' "$image" 2>/dev/null || true)"
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
# --ignore-scripts: `prepare` would rebuild dist/; the package is what `npm run build` left there.
npm pack --ignore-scripts --silent --pack-destination "$context" >/dev/null
folder="$context/autoinstrumentation"
mkdir -p "$folder"
echo '{ "name": "otelkit-autoinstrumentation", "private": true }' >"$folder/package.json"
(cd "$folder" && npm install --omit=dev --prefer-offline --no-audit --no-fund --loglevel=error "../otelkit-$version.tgz") >&2
cp collector/docker/autoinstrumentation.js "$folder/autoinstrumentation.js"
cp /bin/busybox "$context/busybox"
# The licenses of every package in the image (SPDX expressions as the packages declare them) and busybox's.
licenses="$(
  find "$folder/node_modules" -name package.json -not -path '*/test/*' -print0 | xargs -0 node -e '
    const seen = new Set(["GPL-2.0-only"]);
    for (const file of process.argv.slice(1)) {
      try {
        const pkg = require(file);
        if (pkg.name && pkg.version && typeof pkg.license === "string") seen.add(pkg.license);
      } catch {}
    }
    console.log([...seen].sort().map((l) => (l.includes(" ") ? `(${l})` : l)).join(" AND "));
  '
)"
echo "build-autoinstrumentation-image: building $image ($(du -sh "$folder" | cut -f1) in /autoinstrumentation)" >&2
buildah bud --runtime runc --format docker --layers=false --quiet \
  --build-arg "VERSION=$version" --build-arg "REVISION=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)" \
  --build-arg "LICENSES=$licenses" --label "io.otelkit.inputs=$inputs" \
  -f "$PWD/$containerfile" -t "$image" "$context" >&2
echo "build-autoinstrumentation-image: built in $((SECONDS - started))s" >&2
# The image this one replaces, unless a container still uses it.
[ -z "$previous" ] || [ "$previous" = "$(buildah inspect --type image --format '{{.FromImageID}}' "$image")" ] \
  || buildah rmi "$previous" >/dev/null 2>&1 || true
echo "$image"
