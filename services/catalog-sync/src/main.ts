import { createPrismaClient } from "@langguard/database";
import { createLogger } from "@langguard/logger";
import { createRedisConnection } from "@langguard/queue-contracts";
import { onShutdown, startOpsServer } from "@langguard/service-runtime";
import { loadCatalogSyncEnv } from "./env.ts";
import { registerCatalogSyncWorker } from "./registration.ts";

const env = loadCatalogSyncEnv();
const logger = createLogger({ name: "catalog-sync", level: env.LOG_LEVEL });
const db = createPrismaClient({ url: env.DATABASE_URL });
const redis = createRedisConnection(env.REDIS_URL);
const registered = registerCatalogSyncWorker({ env, db, queue: { connection: redis, prefix: env.QUEUE_PREFIX }, logger, warmBridge: true });
const ops = env.METRICS_PORT > 0 ? startOpsServer({ port: env.METRICS_PORT, host: env.METRICS_HOST }) : undefined;

onShutdown(logger, [() => registered.close(), async () => ops?.close(), () => db.$disconnect(), () => redis.quit()]);
logger.info({ concurrency: env.CATALOG_SYNC_CONCURRENCY, metricsPort: env.METRICS_PORT }, "catalog-sync worker started");
