#!/usr/bin/env bash
# The fault suite: worker kills and graceful stops through the real start command, Redis restarted
# empty, Postgres stopped for 30 s, MLflow killed, upstream error codes, each during a sync of
# thousands of traces, each compared with the source afterwards. Assumes scripts/setup.sh has run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/node.sh
use_supported_node
# MLflow 3 sends usage telemetry unless told not to: off in every Python process started from here.
export MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true
mkdir -p .data
started=$(date +%s)
status=0
NO_COLOR=1 pnpm -s exec vitest run --config vitest.faults.config.ts --reporter=default --reporter=json --outputFile.json=.data/fault-results.json "$@" || status=$?
if [ -s .data/fault-results.json ]; then
  node -e 'const r=require("./.data/fault-results.json"); console.log(`\nfault suite: ${r.numPassedTests} passed, ${r.numFailedTests} failed`)'
fi
echo "fault suite took $(( $(date +%s) - started ))s"
exit $status
