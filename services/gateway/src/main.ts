import { bridgeFromSettings } from "@langguard/bridge-client";
import { createPrismaClient } from "@langguard/database";
import { serializeHostPolicy } from "@langguard/host-policy";
import { createLogger } from "@langguard/logger";
import { createQueue, createRedisConnection, QueueName, queuePrefix } from "@langguard/queue-contracts";
import { keyRingFromSettings } from "@langguard/secrets";
import { bridgeMetrics, checkEvictionPolicy, onShutdown, startOpsServer } from "@langguard/service-runtime";
import { buildApp } from "./app.ts";
import { ensureEnvironmentIntegration } from "./bootstrap.ts";
import { hostPolicyOf, loadGatewayEnv, settingsOf } from "./env.ts";
import { readiness } from "./routes/health.ts";
import { startScheduler } from "./scheduler.ts";
import { reconcileSyncRuns } from "@langguard/sync-runs";

const env = loadGatewayEnv();
const logger = createLogger({ name: "gateway", level: env.LOG_LEVEL });
const db = createPrismaClient({ url: env.DATABASE_URL });
const redis = createRedisConnection(env.REDIS_URL);
void checkEvictionPolicy(redis, logger);
const prefix = queuePrefix(env);
const traceSyncQueue = createQueue(QueueName.TraceSync, { connection: redis, prefix });
const policyQueue = createQueue(QueueName.PolicyEvaluation, { connection: redis, prefix });
const catalogSyncQueue = createQueue(QueueName.CatalogSync, { connection: redis, prefix });
const scheduleQueue = createQueue(QueueName.SyncSchedule, { connection: redis, prefix });
const keyRing = keyRingFromSettings(env.ENCRYPTION_KEY, env.ENCRYPTION_KEY_PREVIOUS);
const hostPolicy = hostPolicyOf(env);
const bridge = bridgeFromSettings(env, serializeHostPolicy(hostPolicy), logger, bridgeMetrics);
bridge.warmUp(logger);
const deps = {
  db,
  redis,
  queues: { traces: traceSyncQueue, catalog: catalogSyncQueue },
  schedules: scheduleQueue,
  policyQueue,
  keyRing,
  hostPolicy,
  bridge,
  pythonPath: env.PYTHON_PATH,
  settings: settingsOf(env),
};

const app = await buildApp(deps, logger);
const fromEnv = await ensureEnvironmentIntegration(db, env, keyRing, hostPolicy);
if (fromEnv) logger.info({ integrationId: fromEnv.id, host: fromEnv.host }, "integration from DATABRICKS_HOST is ready");
const scheduler = await startScheduler({
  db,
  queues: deps.queues,
  schedules: scheduleQueue,
  settings: deps.settings.reconcile,
  redisUrl: env.REDIS_URL,
  prefix,
  logger,
});

const reconcile = async () => {
  try {
    const repairs = await reconcileSyncRuns(db, deps.queues, deps.settings.reconcile);
    if (repairs.enqueued + repairs.retried + repairs.requeued + repairs.failed > 0)
      logger.warn({ repairs }, "repaired sync runs whose jobs were lost, failed or abandoned");
  } catch (error) {
    logger.error({ err: error }, "sync run reconciliation failed");
  }
};
const reconciler = setInterval(reconcile, 60_000);
void reconcile();
const ops = env.OPS_PORT > 0 ? startOpsServer({ port: env.OPS_PORT, host: env.OPS_HOST, ready: async () => (await readiness(deps)).healthy }) : undefined;

onShutdown(logger, [
  async () => clearInterval(reconciler),
  // Fastify stops accepting, answers 503 to new requests, and waits for the ones in flight.
  () => app.close(),
  () => scheduler.close(),
  () => bridge.close(),
  async () => ops?.close(),
  () => traceSyncQueue.close(),
  () => policyQueue.close(),
  () => catalogSyncQueue.close(),
  () => scheduleQueue.close(),
  () => db.$disconnect(),
  () => redis.quit(),
]);

await app.listen({ host: env.HOST, port: env.PORT });
