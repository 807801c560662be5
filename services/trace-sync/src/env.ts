import { z } from "zod";
import { bridgeEnv, coreEnv, encryptionKeyEnv, loadEnv, positiveInt, sourceHostEnv, syncEnv } from "@langguard/config";

export const envSchema = {
  ...coreEnv,
  ...encryptionKeyEnv,
  ...bridgeEnv,
  ...sourceHostEnv,
  ...syncEnv,
  /** Jobs one process runs at once; scale further by running more processes. */
  TRACE_SYNC_CONCURRENCY: positiveInt(2, "a positive whole number of jobs"),
  /** Traces per page read from MLflow and per database transaction (the spec's default: 100). */
  TRACE_SYNC_BATCH_SIZE: positiveInt(100, "a positive whole number of traces").refine(
    (n) => n <= 500,
    "expected at most 500 (the MLflow server's largest trace page)",
  ),
  /**
   * Requests one job has in flight to its workspace, span fetches included; also the pages it reads
   * at once (of experiments and the time slices of a large window), each holding one in memory.
   */
  TRACE_SYNC_WORKSPACE_CONCURRENCY: positiveInt(32, "a positive whole number of requests").refine((n) => n <= 128, "expected at most 128"),
  /** How far back the first sync of an experiment reaches. */
  TRACE_SYNC_LOOKBACK_DAYS: positiveInt(7, "a positive whole number of days"),
  /** Each incremental read starts this far before the cursor, so late or same-millisecond traces are not skipped. */
  TRACE_SYNC_OVERLAP_MS: z.coerce
    .number()
    .int()
    .nonnegative("expected milliseconds, 0 or more")
    .default(10 * 60_000),
  /**
   * The longest agent run whose trace must still be imported when it is written after later
   * traces were synced (MLflow writes a trace when it ends). 0 turns the late-trace sweep off.
   */
  TRACE_SYNC_MAX_TRACE_DURATION_HOURS: z.coerce.number().int().nonnegative("expected hours, 0 or more").default(24),
  /** Larger span inputs, outputs or attributes are stored as a labelled, truncated preview. */
  TRACE_SYNC_MAX_PAYLOAD_BYTES: positiveInt(256 * 1024, "a positive number of bytes"),
  /** How often the retention job deletes what organizations no longer keep (0: never, on this process). */
  RETENTION_INTERVAL_MS: z.coerce
    .number()
    .int()
    .nonnegative("expected milliseconds, 0 or more")
    .default(10 * 60_000),
  /** Traces per retention delete transaction. */
  RETENTION_BATCH_SIZE: positiveInt(2000, "a positive whole number of traces").refine((n) => n <= 50_000, "expected at most 50000"),
  /** Batches one retention pass runs at most; a larger backlog is worked off over the following passes. */
  RETENTION_MAX_BATCHES: positiveInt(500, "a positive whole number of batches"),
  /** Retention batches deleted at once, each on its own database connection. */
  RETENTION_LANES: positiveInt(2, "a positive whole number of lanes").refine((n) => n <= 8, "expected at most 8"),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9465),
  /** Metrics and health are for the operator's network: loopback unless told otherwise. */
  METRICS_HOST: z.string().default("127.0.0.1"),
};

export type TraceSyncEnv = ReturnType<typeof loadTraceSyncEnv>;

export function loadTraceSyncEnv(source: NodeJS.ProcessEnv = process.env) {
  return loadEnv(envSchema, source);
}
