# One image for every service of the fleet: compiled JavaScript on a supported Node LTS, and the
# Python bridge's venv. Services run as `node dist/<service>.mjs`, so node receives SIGTERM itself.
#
# Every build step is a step of scripts/image.sh, which fails loudly; tests/image-build.test.ts runs
# the same steps, in this order, in a clean copy of the repository, then the migration and each
# service's start command from the result.

FROM node:24-bookworm-slim AS build
WORKDIR /app
# node-re2 (packages/re2, every customer pattern) compiles from its bundled sources where no prebuilt binary is at hand.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
RUN npm install -g pnpm@10.34.9
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages packages
COPY services services
COPY apps apps
COPY scripts/image.sh scripts/image.sh
RUN bash scripts/image.sh node-modules
COPY . .
RUN bash scripts/image.sh build
RUN bash scripts/image.sh prune

FROM node:24-bookworm-slim AS bridge
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY scripts/image.sh scripts/image.sh
COPY scripts/lib scripts/lib
COPY python-bridge/requirements.lock python-bridge/requirements.lock
RUN bash scripts/image.sh bridge-venv /app/.venv

FROM node:24-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends python3 ca-certificates tini && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=bridge /app/.venv .venv
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/packages packages
COPY --from=build /app/services services
COPY --from=build /app/dist dist
COPY --from=build /app/apps/console/dist apps/console/dist
COPY --from=build /app/scripts scripts
COPY --from=build /app/prisma prisma
COPY --from=build /app/python-bridge python-bridge
COPY --from=build /app/package.json package.json
ENV NODE_ENV=production PYTHON_PATH=/app/.venv/bin/python
USER node
# Ready when the service this container runs answers /readyz on its ops port (Postgres and Redis
# reachable); the healthcheck finds which service that is and reads its port from the environment.
HEALTHCHECK --interval=15s --timeout=6s --start-period=60s --retries=3 CMD ["node", "dist/healthcheck.mjs"]
# tini reaps the bridge's Python children and forwards signals to node.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/gateway.mjs"]
