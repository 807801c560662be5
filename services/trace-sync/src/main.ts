import { createPrismaClient } from "@langguard/database";
import { createLogger } from "@langguard/logger";
import { createRedisConnection } from "@langguard/queue-contracts";
import { onShutdown, startOpsServer } from "@langguard/service-runtime";
import { loadTraceSyncEnv } from "./env.ts";
import { registerTraceSyncWorker } from "./registration.ts";

const env = loadTraceSyncEnv();
const logger = createLogger({ name: "trace-sync", level: env.LOG_LEVEL });
const db = createPrismaClient({ url: env.DATABASE_URL });
const redis = createRedisConnection(env.REDIS_URL);
const registered = registerTraceSyncWorker({ env, db, queue: { connection: redis, prefix: env.QUEUE_PREFIX }, logger, warmBridge: true });
const metrics = env.METRICS_PORT > 0 ? startOpsServer({ port: env.METRICS_PORT, host: env.METRICS_HOST }) : undefined;

onShutdown(logger, [
  () => registered.close(),
  async () => metrics?.close(),
  () => db.$disconnect(),
  () => redis.quit(),
]);
logger.info({ concurrency: env.TRACE_SYNC_CONCURRENCY, batchSize: env.TRACE_SYNC_BATCH_SIZE, metricsPort: env.METRICS_PORT }, "trace-sync worker started");
