# One image for every service of the fleet: Node for the services, Python + MLflow for the bridge.
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
RUN npm install -g pnpm@10.34.9
COPY python-bridge/requirements.txt python-bridge/requirements.txt
RUN python3 -m venv .venv && .venv/bin/pip install --no-cache-dir -r python-bridge/requirements.txt
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages packages
COPY services services
RUN pnpm install --frozen-lockfile
COPY . .
RUN node scripts/prisma-generate.mjs
ENV NODE_ENV=production PYTHON_PATH=/app/.venv/bin/python
USER node
