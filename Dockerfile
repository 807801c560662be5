# One image for every service of the fleet: compiled JavaScript on a supported Node LTS, and the
# Python bridge's venv. Services run as `node dist/<service>.mjs`, so node receives SIGTERM itself.

FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN npm install -g pnpm@10.34.9
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages packages
COPY services services
COPY apps apps
RUN pnpm install --frozen-lockfile
COPY . .
RUN node scripts/prisma-generate.mjs && node scripts/build.mjs && pnpm prune --prod --config.ignore-scripts=true || true

FROM node:24-bookworm-slim AS bridge
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv && rm -rf /var/lib/apt/lists/*
COPY python-bridge/requirements.txt /tmp/requirements.txt
RUN python3 -m venv /app/.venv && /app/.venv/bin/pip install --no-cache-dir -r /tmp/requirements.txt

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
# tini reaps the bridge's Python children and forwards signals to node.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/gateway.mjs"]
