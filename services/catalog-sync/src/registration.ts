import { bridgeFromSettings } from "@langguard/bridge-client";
import { hostPolicyOrExit } from "@langguard/config";
import type { Database } from "@langguard/database";
import { serializeHostPolicy } from "@langguard/host-policy";
import type { Logger } from "@langguard/logger";
import { QueueName, type QueueSettings } from "@langguard/queue-contracts";
import { keyRingFromSettings } from "@langguard/secrets";
import { bridgeMetrics, registerWorker, type RegisteredWorker } from "@langguard/service-runtime";
import { finishRunOfFailedJob } from "@langguard/sync-runs";
import type { CatalogSyncEnv } from "./env.ts";
import { processCatalogSync } from "./processors/catalog-sync.ts";

export interface CatalogSyncWorkerDeps {
  env: CatalogSyncEnv;
  db: Database;
  queue: QueueSettings;
  logger: Logger;
  /** Start the warm Python bridge now rather than at the first job (the service's own start). */
  warmBridge?: boolean;
}

export function registerCatalogSyncWorker({ env, db, queue, logger, warmBridge }: CatalogSyncWorkerDeps): RegisteredWorker {
  const bridge = bridgeFromSettings(env, serializeHostPolicy(hostPolicyOrExit(env)), logger, bridgeMetrics);
  if (warmBridge) bridge.warmUp(logger);
  const keyRing = keyRingFromSettings(env.ENCRYPTION_KEY, env.ENCRYPTION_KEY_PREVIOUS);
  const settings = {
    pageSize: env.CATALOG_SYNC_PAGE_SIZE,
    listConcurrency: env.CATALOG_SYNC_LIST_CONCURRENCY,
    stats: env.CATALOG_SYNC_STATS === "true",
    statsConcurrency: env.CATALOG_SYNC_STATS_CONCURRENCY,
    maxDeleteShare: env.CATALOG_SYNC_MAX_DELETE_SHARE,
    maxCascadeDelete: env.CATALOG_SYNC_MAX_CASCADE_DELETE,
    retryTimeoutSeconds: env.CATALOG_SYNC_RETRY_TIMEOUT_S,
    tags: env.CATALOG_SYNC_TAGS === "true",
    tagsConcurrency: env.CATALOG_SYNC_TAGS_CONCURRENCY,
    heartbeatMs: Math.max(1_000, Math.floor(env.SYNC_LOCK_DURATION_MS / 3)),
    batchSize: 500,
  };
  const registered = registerWorker(
    QueueName.CatalogSync,
    (payload, ctx) =>
      processCatalogSync(payload, {
        db,
        bridge,
        keyRing,
        settings,
        logger: ctx.logger,
        signal: ctx.signal,
        attempt: ctx.attempt,
        maxAttempts: ctx.maxAttempts,
      }),
    {
      connection: queue.connection,
      prefix: queue.prefix,
      concurrency: env.CATALOG_SYNC_CONCURRENCY,
      logger,
      lockDurationMs: env.SYNC_LOCK_DURATION_MS,
      onFinalFailure: async (job, error) => {
        await finishRunOfFailedJob(db, (job.data as { syncRunId?: unknown }).syncRunId, error);
      },
    },
  );
  return {
    worker: registered.worker,
    async close() {
      await registered.close();
      await bridge.close();
    },
  };
}
