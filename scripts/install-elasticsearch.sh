#!/usr/bin/env bash
# Installs the Elasticsearch the end-to-end tests run against: Maven Central's integ-test-zip distribution
# (a complete, runnable Elasticsearch with security but without ILM, analysis-common and the otel-data
# templates), fetched with Maven and unpacked once under ~/.cache/otelkit-tools/elasticsearch/<version>.
# Idempotent; prints the Elasticsearch home directory. OTELKIT_ES_VERSION picks another version.
set -euo pipefail
version="${OTELKIT_ES_VERSION:-8.19.21}"
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
