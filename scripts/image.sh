#!/usr/bin/env bash
# The image's build steps. The Dockerfile runs each with `RUN bash scripts/image.sh <step>`, and
# tests/image-build.test.ts runs the same steps, in the Dockerfile's order, in a clean copy of the
# repository, then the migration and every service's start command from the result. Every step
# fails loudly: no step's failure is ever swallowed.
#
#   node-modules      every Node dependency, exactly as pnpm-lock.yaml pins them
#   build             the Prisma client, then dist/ (every service, the admin command, the healthcheck)
#   prune             production dependencies only, keeping what the migration needs; then checks
#                     that the migration and every compiled file still find each of their imports
#   bridge-venv DIR   the bridge's Python environment from python-bridge/requirements.lock
set -euo pipefail
cd "$(dirname "$0")/.."
# pnpm asks before it removes node_modules unless it runs non-interactively; a build has no TTY.
export CI=true

step=${1:?usage: scripts/image.sh node-modules|build|prune|bridge-venv DIR}
case "$step" in
  node-modules)
    # node-re2 (packages/re2: RE2 for every customer pattern) is compiled from the sources in its package, against
    # the headers of the node that runs (an official Node.js build ships them in include/node), with
    # no download attempt first; pnpm keeps the result in its store for the next install.
    prefix=$(dirname "$(dirname "$(command -v node)")")
    if [ -z "${npm_config_nodedir:-}" ] && [ -f "$prefix/include/node/node.h" ]; then export npm_config_nodedir=$prefix; fi
    export RE2_DOWNLOAD_FORCE_BUILD=${RE2_DOWNLOAD_FORCE_BUILD:-1}
    pnpm install --frozen-lockfile --reporter=append-only
    # Built for another Node.js (the checkout changed versions): build it again for this one.
    cd packages/re2
    node -e 'require("re2")' 2>/dev/null || pnpm rebuild re2 --reporter=append-only
    node -e 'require("re2")'
    cd ../..
    ;;
  build)
    node scripts/prisma-generate.mjs
    node scripts/build.mjs
    ;;
  prune)
    # The migration's own packages (pg, the Prisma adapter and the WebAssembly schema engine) are
    # production dependencies of the root package, so they survive.
    pnpm prune --prod --config.ignore-scripts=true --reporter=append-only
    node --experimental-wasm-modules --no-warnings scripts/check-runtime-imports.mjs
    ;;
  bridge-venv)
    source scripts/lib/python.sh
    make_venv "${2:?usage: scripts/image.sh bridge-venv DIR}" "$(find_python)" python-bridge/requirements.lock "import mlflow, mlflow.tracing, databricks.sdk"
    ;;
  *)
    echo "unknown step '$step'" >&2
    exit 2
    ;;
esac
