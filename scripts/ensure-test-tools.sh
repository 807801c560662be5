#!/usr/bin/env bash
# Programs only the tests use, beyond what the fleet needs: Schemathesis (from PyPI, in a venv of
# its own under .data, apart from the bridge's), which checks the API against its OpenAPI
# document; and PgBouncer, through which one test runs the fleet in transaction pooling mode
# (docs/scaling.md), from Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/.."

ST_REQUIREMENTS=tests/schemathesis/requirements.txt
ST_HASH=$(sha256sum "$ST_REQUIREMENTS" | cut -c1-16)
if [ -x .data/schemathesis/bin/schemathesis ] && [ "$(cat .data/schemathesis/.requirements 2>/dev/null)" = "$ST_HASH" ]; then
  echo "Schemathesis is installed"
else
  echo "Installing Schemathesis from PyPI into .data/schemathesis"
  mkdir -p .data
  [ -x .data/schemathesis/bin/python ] || "${SETUP_PYTHON:-python3}" -m venv .data/schemathesis
  .data/schemathesis/bin/python -m pip install --quiet --disable-pip-version-check -r "$ST_REQUIREMENTS"
  .data/schemathesis/bin/schemathesis --version >/dev/null
  echo "$ST_HASH" > .data/schemathesis/.requirements
fi

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
