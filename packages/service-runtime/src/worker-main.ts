import { createPrismaClient, type Database } from "@langguard/database";
import { createLogger, type Logger } from "@langguard/logger";
import { createRedisConnection, pingRedis, queuePrefix, type RedisClient } from "@langguard/queue-contracts";
import { observeDatabasePool, startOpsServer } from "./metrics.ts";
import { probe } from "./probe.ts";
import { checkEvictionPolicy } from "./redis-policy.ts";
import { onShutdown, type RegisteredWorker } from "./register.ts";

/** The settings every worker service shares (config's coreEnv and its ops port). */
export interface WorkerServiceEnv {
  LOG_LEVEL: string;
  DATABASE_URL: string;
  DATABASE_POOL_SIZE: number;
  REDIS_URL: string;
  QUEUE_PREFIX: string;
  METRICS_PORT: number;
  METRICS_HOST: string;
}

export interface WorkerServiceDeps<E> {
  env: E;
  db: Database;
  queue: { connection: RedisClient; prefix: string };
  logger: Logger;
  /** A service's own start: warm what a first job would otherwise wait for. */
  warmBridge: true;
}

/**
 * A worker process: its connections, its queues' workers, its ops server (/metrics, /livez,
 * /readyz), the Redis eviction check, and shutdown in order on SIGTERM. Each service's main.ts
 * is this call with its env and registration.
 */
export function runWorkerService<E extends WorkerServiceEnv>(
  name: string,
  env: E,
  register: (deps: WorkerServiceDeps<E>) => RegisteredWorker,
  started: Record<string, unknown> = {},
): void {
  const logger = createLogger({ name, level: env.LOG_LEVEL });
  const db = createPrismaClient({ url: env.DATABASE_URL, maxConnections: env.DATABASE_POOL_SIZE });
  observeDatabasePool(db);
  const redis = createRedisConnection(env.REDIS_URL);
  void checkEvictionPolicy(redis, logger);
  const prefix = queuePrefix(env);
  const registered = register({ env, db, queue: { connection: redis, prefix }, logger, warmBridge: true });
  const ready = async () => {
    const checks = await Promise.all([probe(() => db.$queryRaw`SELECT 1`), probe(() => pingRedis(redis))]);
    return checks.every((check) => check === "ok");
  };
  const ops = env.METRICS_PORT > 0 ? startOpsServer({ port: env.METRICS_PORT, host: env.METRICS_HOST, ready }) : undefined;
  onShutdown(logger, [() => registered.close(), async () => ops?.close(), () => db.$disconnect(), () => redis.quit()]);
  logger.info({ ...started, queuePrefix: prefix, metricsPort: env.METRICS_PORT }, `${name} worker started`);
}
