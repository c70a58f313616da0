#!/usr/bin/env bash
# Node.js 24 into the tools folder (kept for callers of the old name): see install-node.sh.
exec bash "$(dirname "$0")/install-node.sh" 24
