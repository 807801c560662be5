#!/usr/bin/env bash
# Installs everything a fresh machine lacks, then brings the database schema up to date.
# Safe to run repeatedly: each step checks before it acts.
set -euo pipefail
cd "$(dirname "$0")/.."
# MLflow 3 sends usage telemetry unless told not to: off in every Python process started from here.
export MLFLOW_DISABLE_TELEMETRY=true DO_NOT_TRACK=true
ROOT=$PWD
PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
step() { printf '\n==> %s\n' "$*"; }

step "Checking Node.js"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<19)) { console.error("Node.js >= 20.19 is required, found "+process.versions.node); process.exit(1) }'

if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$PNPM_VERSION" ]; then
  step "Installing pnpm $PNPM_VERSION from the npm registry"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi

step "Installing Node dependencies"
pnpm install --frozen-lockfile --reporter=append-only 2>&1 | grep -vE '^(Progress|Packages:)' | tail -n 3

PYTHON=${SETUP_PYTHON:-python3}
REQ_HASH=$(sha256sum python-bridge/requirements.txt | cut -c1-16)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.requirements 2>/dev/null)" != "$REQ_HASH" ]; then
  step "Creating the Python environment for the bridge (.venv)"
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r python-bridge/requirements.txt 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import mlflow, databricks.sdk; assert int(mlflow.__version__.split('.')[0]) >= 3" \
    || { echo "The bridge's Python requirements did not install"; exit 1; }
  # Importing once compiles the bytecode, so the first bridge call is not slowed by it.
  .venv/bin/python -c "import mlflow, mlflow.tracing, databricks.sdk" >/dev/null 2>&1 || true
  echo "$REQ_HASH" > .venv/.requirements
fi

step "Generating the Prisma client"
node scripts/prisma-generate.mjs | grep -E "Generated|Error" || true

step "Compiling the services (dist/)"
node scripts/build.mjs

step "Checking Postgres and Redis"
bash scripts/ensure-services.sh

step "Applying database migrations"
pnpm -s db:migrate
