import { BridgeClient } from "@langguard/bridge-client";
import { createPrismaClient } from "@langguard/database";
import { createLogger } from "@langguard/logger";
import { createQueue, createRedisConnection, QueueName } from "@langguard/queue-contracts";
import { parseEncryptionKey } from "@langguard/secrets";
import { onShutdown } from "@langguard/service-runtime";
import { buildApp } from "./app.ts";
import { ensureEnvironmentIntegration } from "./bootstrap.ts";
import { connectionTester } from "./connection-test.ts";
import { loadGatewayEnv } from "./env.ts";
import { reconcileSyncRuns } from "./sync/trigger.ts";

const env = loadGatewayEnv();
const logger = createLogger({ name: "gateway", level: env.LOG_LEVEL });
const db = createPrismaClient({ url: env.DATABASE_URL });
const redis = createRedisConnection(env.REDIS_URL);
const traceSyncQueue = createQueue(QueueName.TraceSync, { connection: redis, prefix: env.QUEUE_PREFIX });
const encryptionKey = parseEncryptionKey(env.ENCRYPTION_KEY);
const bridge = new BridgeClient({ pythonPath: env.PYTHON_PATH, timeoutMs: env.DATABRICKS_PYTHON_TIMEOUT, validationTimeoutMs: env.DATABRICKS_VALIDATION_TIMEOUT, logger });

const app = await buildApp({ db, redis, traceSyncQueue, encryptionKey, testConnection: connectionTester(bridge, encryptionKey) }, logger);
const fromEnv = await ensureEnvironmentIntegration(db, env, encryptionKey);
if (fromEnv) logger.info({ integrationId: fromEnv.id, host: fromEnv.host }, "integration from DATABRICKS_HOST is ready");

const reconcile = async () => {
  try {
    const restored = await reconcileSyncRuns(db, traceSyncQueue);
    if (restored) logger.warn({ restored }, "re-enqueued sync runs that Redis had lost");
  } catch (error) {
    logger.error({ err: error }, "sync run reconciliation failed");
  }
};
const reconciler = setInterval(reconcile, 60_000);
void reconcile();

onShutdown(logger, [
  async () => clearInterval(reconciler),
  () => app.close(),
  () => traceSyncQueue.close(),
  () => db.$disconnect(),
  () => redis.quit(),
]);

await app.listen({ host: env.HOST, port: env.PORT });
