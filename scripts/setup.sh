#!/usr/bin/env bash
# Installs everything a fresh machine lacks, then brings the database schema up to date.
# Safe to run repeatedly: each step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."
# MLflow 3 sends usage telemetry unless told not to: off in every Python process started from here.
export MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true
step() { printf '\n==> %s\n' "$*"; }

step "Checking Node.js"
source scripts/lib/node.sh
use_supported_node
echo "Node.js $(node -p process.versions.node) ($(command -v node))"
PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  step "Installing pnpm $PNPM_VERSION from the npm registry"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi

step "Installing Node dependencies"
# As the image installs them (node-re2 is compiled against this Node.js's headers when needed).
bash scripts/image.sh node-modules 2>&1 | grep -vE '^(Progress|Packages:)' | tail -n 3

step "Checking Python"
source scripts/lib/python.sh
PYTHON=$(find_python)
echo "Python $(python_version_of "$PYTHON") ($PYTHON)"
# The bridge's environment is exactly the pinned set the image installs (PYTHON_PATH's default).
make_venv .venv "$PYTHON" python-bridge/requirements.lock "import mlflow, mlflow.tracing, databricks.sdk"
# The local MLflow workspace (tracking server and SDK) that the demo and the tests run.
make_venv .venv-mlflow "$PYTHON" demo/requirements.txt "import mlflow, mlflow.server, mlflow.server.auth"

step "Generating the Prisma client"
node scripts/prisma-generate.mjs 2>&1 | { grep -E "Generated|Error" || true; }

step "Writing the bridge's parameter schemas (packages/bridge-client's contract)"
node --import tsx scripts/bridge-schemas.ts

step "Compiling the services (dist/)"
node scripts/build.mjs

step "Checking Postgres and Redis"
bash scripts/ensure-services.sh

step "Applying database migrations"
pnpm -s db:migrate
