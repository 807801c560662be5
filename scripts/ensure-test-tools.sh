#!/usr/bin/env bash
# Programs only the tests use, beyond what the fleet needs:
# - pytest, ruff and mypy for python-bridge (in .data/python-dev, with the bridge's pinned set);
# - Schemathesis (from PyPI, in a venv of its own under .data, apart from the bridge's), which
#   checks the API against its OpenAPI document;
# - from Debian's packages: PgBouncer, through which one test runs the fleet in transaction pooling
#   mode (docs/scaling.md); Prometheus (prometheus, promtool): every process's /metrics is checked
#   with `promtool check metrics`, the alert rules with `promtool test rules`, and a real Prometheus
#   scrapes a running fleet to run every dashboard panel's and alert's query; Chromium, in which
#   the console's journeys run (driven by playwright-core; Playwright's own browser download is
#   not reachable from here).
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/lib/python.sh
mkdir -p .data
make_venv .data/schemathesis "$(find_python)" tests/schemathesis/requirements.txt "import schemathesis"
echo "Schemathesis is installed"
# The bridge's own checks (tests/python-bridge.test.ts): its pinned set plus pytest, ruff and mypy,
# apart from .venv, which holds exactly what the image runs.
make_venv .data/python-dev "$(find_python)" python-bridge/requirements-dev.txt "import pytest, mypy, mlflow"
echo "The bridge's test tools (pytest, ruff, mypy) are installed"

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
updated=""

ensure() { # package, the command it provides
  local package=$1 command=$2
  if command -v "$command" >/dev/null 2>&1; then
    echo "$package is installed"
    return 0
  fi
  echo "Installing $package from Debian's packages"
  if ! $SUDO apt-get install -y -q --no-install-recommends "$package" >/dev/null 2>&1; then
    [ -n "$updated" ] || { $SUDO apt-get update -q >/dev/null; updated=1; }
    $SUDO apt-get install -y -q --no-install-recommends "$package" >/dev/null
  fi
  command -v "$command" >/dev/null 2>&1 || { echo "$package did not install (apt-get install $package)"; exit 1; }
}

ensure pgbouncer pgbouncer
ensure prometheus promtool
ensure chromium chromium
