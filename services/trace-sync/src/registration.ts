import { BridgeClient } from "@langguard/bridge-client";
import type { Database } from "@langguard/database";
import type { Logger } from "@langguard/logger";
import { QueueName, type QueueSettings } from "@langguard/queue-contracts";
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
  const settings = {
    batchSize: env.TRACE_SYNC_BATCH_SIZE,
    lookbackMs: env.TRACE_SYNC_LOOKBACK_DAYS * 24 * 3600 * 1000,
    overlapMs: env.TRACE_SYNC_OVERLAP_MS,
    maxPayloadBytes: env.TRACE_SYNC_MAX_PAYLOAD_BYTES,
  };
  return registerWorker(
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
      }),
    { connection: queue.connection, prefix: queue.prefix, concurrency: env.TRACE_SYNC_CONCURRENCY, logger },
  );
}
