#!/usr/bin/env bash
# Installs Debian's MariaDB server (mariadbd, mariadb-install-db) for the conformance suite's mysql2 app, which
# starts a throwaway server on loopback through scripts/local-services.mjs. Does nothing when it is installed.
set -euo pipefail
if command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ]; then
  exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server >/dev/null
