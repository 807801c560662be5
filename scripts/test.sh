#!/usr/bin/env bash
# README command 2: installs what is missing, type-checks, then runs every test against real
# Postgres, Redis, a real MLflow tracking server and the real Python bridge.
set -euo pipefail
cd "$(dirname "$0")/.."
# A supported Node.js first on PATH (setup.sh installs one into .tools/ when the machine's is too old).
source scripts/lib/node.sh
use_supported_node
# MLflow 3 sends usage telemetry unless told not to: off in every Python process started from here.
export MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true
bash scripts/setup.sh
echo; echo "==> Checking the tools only the tests use"
bash scripts/ensure-test-tools.sh
echo; echo "==> Type-checking"
pnpm -s typecheck
echo; echo "==> Running the tests"
mkdir -p .data
status=0
NO_COLOR=1 pnpm -s exec vitest run --reporter=default --reporter=json --outputFile.json=.data/test-results.json "$@" || status=$?
if [ -s .data/test-results.json ]; then
  node -e 'const r=require("./.data/test-results.json"); console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed`)'
fi
exit $status
