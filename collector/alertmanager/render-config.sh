#!/bin/sh
# Renders an Alertmanager configuration template: every ${NAME} becomes the value of the environment variable NAME
# (empty when unset). POSIX sh and awk only, so it runs in the Alertmanager image. Usage: render-config.sh IN OUT
set -eu
awk '{
  out = ""; line = $0
  while (match(line, /\$\{[A-Za-z_][A-Za-z0-9_]*\}/)) {
    name = substr(line, RSTART + 2, RLENGTH - 3)
    out = out substr(line, 1, RSTART - 1) ENVIRON[name]
    line = substr(line, RSTART + RLENGTH)
  }
  print out line
}' "$1" >"$2"
