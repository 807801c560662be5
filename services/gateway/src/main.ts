import { createPrismaClient } from "@langguard/database";
import { createLogger } from "@langguard/logger";
import { createRedisConnection, queuePrefix } from "@langguard/queue-contracts";
import { checkEvictionPolicy, observeDatabasePool, onShutdown, startOpsServer } from "@langguard/service-runtime";
import { buildApp } from "./app.ts";
import { ensureEnvironmentIntegration } from "./bootstrap.ts";
import { loadGatewayEnv } from "./env.ts";
import { readiness } from "./routes/health.ts";
import { startScheduler } from "./scheduler.ts";
import { gatewayDeps, queuesOf } from "./wiring.ts";
import { reconcileSyncRuns } from "@langguard/sync-runs";

const env = loadGatewayEnv();
const logger = createLogger({ name: "gateway", level: env.LOG_LEVEL });
const db = createPrismaClient({ url: env.DATABASE_URL, maxConnections: env.DATABASE_POOL_SIZE });
observeDatabasePool(db);
const redis = createRedisConnection(env.REDIS_URL);
void checkEvictionPolicy(redis, logger);
const deps = gatewayDeps(env, db, redis, logger);
const { keyRing, hostPolicy, bridge } = deps;
bridge.warmUp(logger);

const app = await buildApp(deps, logger);
const fromEnv = await ensureEnvironmentIntegration(db, env, keyRing, hostPolicy);
if (fromEnv) logger.info({ integrationId: fromEnv.id, host: fromEnv.host }, "integration from DATABRICKS_HOST is ready");
const scheduler = await startScheduler({
  db,
  queues: deps.queues,
  schedules: deps.schedules,
  settings: deps.settings.reconcile,
  redisUrl: env.REDIS_URL,
  prefix: queuePrefix(env),
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
  ...queuesOf(deps).map((queue) => () => queue.close()),
  () => db.$disconnect(),
  () => redis.quit(),
]);

await app.listen({ host: env.HOST, port: env.PORT });
