import { bridgeFromSettings, type BridgeClient } from "@langguard/bridge-client";
import type { Database } from "@langguard/database";
import type { Logger } from "@langguard/logger";
import { createQueue, enqueue, jobId, QueueName, type QueueSettings } from "@langguard/queue-contracts";
import { keyRingFromSettings } from "@langguard/secrets";
import { serializeHostPolicy } from "@langguard/host-policy";
import { hostPolicyOrExit } from "@langguard/config";
import { bridgeMetrics, registerWorker, retentionMetrics, type RegisteredWorker } from "@langguard/service-runtime";
import { deleteExpired } from "./retention/delete-expired.ts";
import { finishRunOfFailedJob } from "@langguard/sync-runs";
import type { TraceSyncEnv } from "./env.ts";
import { processTraceSync } from "./processors/trace-sync.ts";

export interface TraceSyncWorkerDeps {
  env: TraceSyncEnv;
  db: Database;
  queue: QueueSettings;
  logger: Logger;
  /** Start the warm Python bridge now rather than at the first job (the service's own start). */
  warmBridge?: boolean;
}

export function bridgeFor(env: TraceSyncEnv, logger: Logger): BridgeClient {
  return bridgeFromSettings(env, serializeHostPolicy(hostPolicyOrExit(env)), logger, bridgeMetrics);
}

export function registerTraceSyncWorker({ env, db, queue, logger, warmBridge }: TraceSyncWorkerDeps): RegisteredWorker {
  const bridge = bridgeFor(env, logger);
  if (warmBridge) bridge.warmUp(logger);
  const keyRing = keyRingFromSettings(env.ENCRYPTION_KEY, env.ENCRYPTION_KEY_PREVIOUS);
  const policyQueue = createQueue(QueueName.PolicyEvaluation, queue);
  const settings = {
    batchSize: env.TRACE_SYNC_BATCH_SIZE,
    workspaceConcurrency: env.TRACE_SYNC_WORKSPACE_CONCURRENCY,
    lookbackMs: env.TRACE_SYNC_LOOKBACK_DAYS * 24 * 3600 * 1000,
    overlapMs: env.TRACE_SYNC_OVERLAP_MS,
    maxTraceDurationMs: env.TRACE_SYNC_MAX_TRACE_DURATION_HOURS * 3600 * 1000,
    maxPayloadBytes: env.TRACE_SYNC_MAX_PAYLOAD_BYTES,
    heartbeatMs: Math.max(1_000, Math.floor(env.SYNC_LOCK_DURATION_MS / 3)),
  };
  const retention = scheduleRetention({ env, db, queue, logger });
  const registered = registerWorker(
    QueueName.TraceSync,
    (payload, ctx) =>
      processTraceSync(payload, {
        db,
        bridge,
        keyRing,
        settings,
        logger: ctx.logger,
        signal: ctx.signal,
        attempt: ctx.attempt,
        maxAttempts: ctx.maxAttempts,
        // The job id derives from the batch's content, so a retried batch is not evaluated twice.
        onBatchCommitted: async ({ syncRunId, integrationId, organizationId, traceIds }) => {
          await enqueue(
            policyQueue,
            QueueName.PolicyEvaluation,
            { syncRunId, integrationId, organizationId, traceIds },
            jobId.policyBatch(syncRunId, traceIds),
          );
        },
      }),
    {
      connection: queue.connection,
      prefix: queue.prefix,
      concurrency: env.TRACE_SYNC_CONCURRENCY,
      logger,
      lockDurationMs: env.SYNC_LOCK_DURATION_MS,
      onFinalFailure: async (job, error, log) => {
        if (await finishRunOfFailedJob(db, (job.data as { syncRunId?: unknown }).syncRunId, error))
          log.warn({ reason: error.message }, "sync job failed outside its processor; run marked failed");
      },
    },
  );
  return {
    worker: registered.worker,
    async close() {
      await retention.stop();
      await registered.close();
      await policyQueue.close();
      await bridge.close();
    },
  };
}

/**
 * The retention job rides on the trace-sync workers: every RETENTION_INTERVAL_MS one process at a
 * time (a short Redis lock) deletes expired traces in bounded batches. Postgres holds every
 * organization's retention, so a lost pass is only late, never lost.
 */
function scheduleRetention({ env, db, queue, logger }: Pick<TraceSyncWorkerDeps, "env" | "db" | "queue" | "logger">) {
  if (env.RETENTION_INTERVAL_MS === 0) return { stop: async () => {} };
  const lockKey = `${queue.prefix}:retention-lock`;
  let running: Promise<void> | undefined;
  const pass = async () => {
    try {
      // The lock outlives a pass of maxBatches batches at a modest pace; a pass that takes longer simply overlaps the next one's skip.
      const locked = await queue.connection.set(lockKey, String(process.pid), "PX", Math.max(60_000, env.RETENTION_INTERVAL_MS), "NX");
      if (!locked) return;
      try {
        const results = await deleteExpired(
          db,
          { batchSize: env.RETENTION_BATCH_SIZE, maxBatches: env.RETENTION_MAX_BATCHES, lanes: env.RETENTION_LANES },
          new Date(),
          (batch) => {
            retentionMetrics.deleted("trace", batch.traces);
            retentionMetrics.deleted("span", batch.spans);
            retentionMetrics.deleted("violation", batch.violations);
          },
        );
        retentionMetrics.passed(results);
        const traces = results.reduce((sum, r) => sum + r.traces, 0);
        if (traces > 0) logger.info({ organizations: results.length, traces, behind: results.some((r) => r.behind) }, "retention deleted expired traces");
      } finally {
        await queue.connection.del(lockKey);
      }
    } catch (error) {
      logger.error({ err: error }, "retention pass failed");
    }
  };
  const run = () => {
    running ??= pass().finally(() => {
      running = undefined;
    });
  };
  const timer = setInterval(run, env.RETENTION_INTERVAL_MS);
  timer.unref();
  run();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
