#!/usr/bin/env bash
# Installs postgres_exporter (Debian package prometheus-postgres-exporter), which the end-to-end tests put in front of
# a throwaway PostgreSQL so the database alert rules and dashboard read a real server. The contrib postgresql
# receiver cannot be built from the Go module proxy (collector/README.md, "Database and cache metrics").
# Idempotent; prints the binary's path.
set -euo pipefail
binary=/usr/bin/prometheus-postgres-exporter
if [ ! -x "$binary" ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus-postgres-exporter >/dev/null
fi
echo "$binary"
