import { BridgeClient } from "@langguard/bridge-client";
import type { Database } from "@langguard/database";
import type { Logger } from "@langguard/logger";
import { createHash } from "node:crypto";
import { createQueue, enqueue, jobId, QueueName, type QueueSettings } from "@langguard/queue-contracts";
import { parseEncryptionKey } from "@langguard/secrets";
import { registerWorker, type RegisteredWorker } from "@langguard/service-runtime";
import type { TraceSyncEnv } from "./env.ts";
import { processTraceSync } from "./processors/trace-sync.ts";

export interface TraceSyncWorkerDeps {
  env: TraceSyncEnv;
  db: Database;
  queue: QueueSettings;
  logger: Logger;
}

export function bridgeFor(env: TraceSyncEnv, logger: Logger): BridgeClient {
  return new BridgeClient({
    pythonPath: env.PYTHON_PATH,
    timeoutMs: env.DATABRICKS_PYTHON_TIMEOUT,
    validationTimeoutMs: env.DATABRICKS_VALIDATION_TIMEOUT,
    logger,
  });
}

export function registerTraceSyncWorker({ env, db, queue, logger }: TraceSyncWorkerDeps): RegisteredWorker {
  const bridge = bridgeFor(env, logger);
  const encryptionKey = parseEncryptionKey(env.ENCRYPTION_KEY);
  const policyQueue = createQueue(QueueName.PolicyEvaluation, queue);
  const settings = {
    batchSize: env.TRACE_SYNC_BATCH_SIZE,
    experimentConcurrency: env.TRACE_SYNC_EXPERIMENT_CONCURRENCY,
    lookbackMs: env.TRACE_SYNC_LOOKBACK_DAYS * 24 * 3600 * 1000,
    overlapMs: env.TRACE_SYNC_OVERLAP_MS,
    maxPayloadBytes: env.TRACE_SYNC_MAX_PAYLOAD_BYTES,
  };
  const registered = registerWorker(
    QueueName.TraceSync,
    (payload, ctx) =>
      processTraceSync(payload, {
        db,
        bridge,
        encryptionKey,
        settings,
        logger: ctx.logger,
        signal: ctx.signal,
        attempt: ctx.attempt,
        maxAttempts: ctx.maxAttempts,
        // The job id derives from the batch's content, so a retried batch is not evaluated twice.
        onBatchCommitted: async ({ syncRunId, integrationId, organizationId, traceIds }) => {
          const digest = createHash("sha256").update(traceIds.join(",")).digest("hex").slice(0, 24);
          await enqueue(policyQueue, QueueName.PolicyEvaluation, { syncRunId, integrationId, organizationId, traceIds }, jobId.policyEvaluation(syncRunId, digest));
        },
      }),
    { connection: queue.connection, prefix: queue.prefix, concurrency: env.TRACE_SYNC_CONCURRENCY, logger, lockDurationMs: env.TRACE_SYNC_LOCK_DURATION_MS },
  );
  return {
    worker: registered.worker,
    async close() {
      await registered.close();
      await policyQueue.close();
    },
  };
}
