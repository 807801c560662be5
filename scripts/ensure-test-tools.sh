#!/usr/bin/env bash
# Programs only the tests use, beyond what the fleet needs: PgBouncer, through which one test runs
# the fleet in transaction pooling mode (docs/scaling.md). Installed from Debian's packages.
set -euo pipefail
if command -v pgbouncer >/dev/null 2>&1; then
  echo "PgBouncer is installed"
  exit 0
fi
echo "Installing PgBouncer from Debian's packages"
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y -q pgbouncer >/dev/null 2>&1 || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q pgbouncer >/dev/null; }
command -v pgbouncer >/dev/null 2>&1 || { echo "PgBouncer did not install (apt-get install pgbouncer)"; exit 1; }
