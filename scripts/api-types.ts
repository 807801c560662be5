// Rewrites the console's typed API client types from the gateway's OpenAPI document:
//   pnpm api:types
// The gateway is built in this process exactly as it runs (same routes, same schemas); it reads
// DATABASE_URL and REDIS_URL but makes no request that needs data.
import { writeFileSync } from "node:fs";
import { parseEnv } from "@langguard/config";
import { createPrismaClient } from "@langguard/database";
import { createLogger } from "@langguard/logger";
import { createRedisConnection } from "@langguard/queue-contracts";
import { buildApp } from "../services/gateway/src/app.ts";
import { envSchema } from "../services/gateway/src/env.ts";
import { gatewayDeps, queuesOf } from "../services/gateway/src/wiring.ts";
import { API_TYPES_PATH, apiTypesOf } from "./lib/api-types.ts";

const env = parseEnv(envSchema, { ...process.env, ENCRYPTION_KEY: "0".repeat(64), OPS_PORT: "0", PYTHON_BRIDGE_MODE: "cold" });
const logger = createLogger({ name: "api-types", level: "warn" });
const db = createPrismaClient({ url: env.DATABASE_URL, maxConnections: 1 });
const redis = createRedisConnection(env.REDIS_URL);
const deps = gatewayDeps(env, db, redis, logger);
const app = await buildApp(deps);
await app.ready();
writeFileSync(API_TYPES_PATH, await apiTypesOf(app.swagger()));
await app.close();
// Queues connect in the background; closing one mid-handshake makes ioredis report a broken pipe.
await Promise.all(queuesOf(deps).map((queue) => queue.waitUntilReady()));
for (const queue of queuesOf(deps)) await queue.close();
await deps.bridge.close();
await db.$disconnect();
await redis.quit();
console.log(`api:types: wrote ${API_TYPES_PATH}`);
