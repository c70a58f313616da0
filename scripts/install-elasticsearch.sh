#!/usr/bin/env bash
# Installs the Elasticsearch versions the end-to-end tests run against: Maven Central's integ-test-zip distribution
# (a complete, runnable Elasticsearch with security but without ILM, analysis-common and the otel-data
# templates), fetched with Maven and unpacked once under ~/.cache/otelkit-tools/elasticsearch/<version>: the newest
# (8.19.21) and the oldest collector/README.md supports (8.18.0). Idempotent; prints each Elasticsearch home
# directory. OTELKIT_ES_VERSION installs that one version instead.
set -euo pipefail
for version in ${OTELKIT_ES_VERSION:-8.19.21 8.18.0}; do
  dir="${OTELKIT_TOOLS_DIR:-$HOME/.cache/otelkit-tools}/elasticsearch/$version"
  home="$dir/elasticsearch-$version"
  if [ ! -x "$home/bin/elasticsearch" ]; then
    mkdir -p "$dir"
    mvn -q -B -Dstyle.color=never dependency:copy \
      -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$version:zip" \
      -DoutputDirectory="$dir" -Dmdep.overWriteReleases=false >&2
    rm -rf "$dir/unpack"
    unzip -q "$dir/elasticsearch-$version.zip" -d "$dir/unpack"
    # The tests start it as an unprivileged user from hard-linked copies: everything must be readable by all.
    chmod -R a+rX "$dir/unpack"
    mv "$dir/unpack/elasticsearch-$version" "$home"
    rm -rf "$dir/unpack" "$dir/elasticsearch-$version.zip"
  fi
  echo "$home"
done
