#!/usr/bin/env bash
# Programs only the tests use, beyond what the fleet needs, installed from Debian's packages when
# missing: PgBouncer, through which one test runs the fleet in transaction pooling mode
# (docs/scaling.md), and Chromium, in which the console's journeys run (driven by playwright-core;
# Playwright's own browser download is not reachable from here).
set -euo pipefail
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
updated=""
ensure() { # <command> <package> <what it is for>
  if command -v "$1" >/dev/null 2>&1; then
    echo "$2 is installed"
    return
  fi
  echo "Installing $2 from Debian's packages ($3)"
  $SUDO apt-get install -y -q "$2" >/dev/null 2>&1 || {
    [ -n "$updated" ] || { $SUDO apt-get update -q >/dev/null; updated=1; }
    $SUDO apt-get install -y -q "$2" >/dev/null
  }
  command -v "$1" >/dev/null 2>&1 || { echo "$2 did not install (apt-get install $2)"; exit 1; }
}
ensure pgbouncer pgbouncer "the connection-pooler test"
ensure chromium chromium "the console's browser tests"
