#!/usr/bin/env bash
# README command 1: the fleet on its embedded default. Installs what is missing, starts a
# local MLflow workspace seeded with sample agent traces, starts the gateway and the
# trace-sync worker, syncs, prints what was imported, and leaves the API running.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/node.sh
use_supported_node
# MLflow 3 sends usage telemetry unless told not to: off in every Python process started from here.
export MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true
bash scripts/setup.sh
mkdir -p .data
# A local key for the demo only; production supplies ENCRYPTION_KEY from its secret store.
[ -s .data/encryption.key ] || (umask 077 && node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("hex"))' > .data/encryption.key)
export ENCRYPTION_KEY=${ENCRYPTION_KEY:-$(cat .data/encryption.key)}
exec pnpm -s exec tsx scripts/demo.ts
