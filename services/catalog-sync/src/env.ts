import { z } from "zod";
import { paramMax, StatsParams, StreamCatalogParams } from "@langguard/bridge-client";
import { bridgeEnv, coreEnv, encryptionKeyEnv, loadEnv, positiveInt, sourceHostEnv, syncEnv } from "@langguard/config";

/** A positive setting passed to the bridge's stream-catalog: at most what the contract allows, so an out-of-range value fails at start, naming the variable. */
function bridgeSetting(fallback: number, what: string, param: z.ZodType) {
  const max = paramMax(param);
  return positiveInt(fallback, what).refine((n) => n <= max, `expected at most ${max}`);
}
const param = StreamCatalogParams.shape;

export const envSchema = {
  ...coreEnv,
  ...encryptionKeyEnv,
  ...bridgeEnv,
  ...sourceHostEnv,
  ...syncEnv,
  /** Catalog syncs one process runs at once. */
  CATALOG_SYNC_CONCURRENCY: positiveInt(1, "a positive whole number of jobs"),
  /** Schemas one sync lists at once (each request pays the workspace's latency). */
  CATALOG_SYNC_LIST_CONCURRENCY: bridgeSetting(8, "a positive whole number", param.concurrency),
  CATALOG_SYNC_PAGE_SIZE: bridgeSetting(100, "a positive whole number of objects", param.pageSize),
  /** Read table statistics through the SQL warehouse (DESCRIBE DETAIL) when the integration has one. */
  CATALOG_SYNC_STATS: z.enum(["true", "false"], { error: "expected true or false" }).default("true"),
  CATALOG_SYNC_STATS_CONCURRENCY: bridgeSetting(4, "a positive whole number of statements", StatsParams.shape.concurrency),
  /**
   * Read tags: in bulk from system.information_schema through the integration's SQL warehouse, or
   * without one, one request per object where the workspace serves tag assignments.
   */
  CATALOG_SYNC_TAGS: z.enum(["true", "false"], { error: "expected true or false" }).default("true"),
  /** Per-object tag requests one sync has in flight (without a warehouse). */
  CATALOG_SYNC_TAGS_CONCURRENCY: bridgeSetting(16, "a positive whole number of requests", param.tagsConcurrency),
  /** How long one listing request may be retried (429, 503) before that container counts as failed. */
  CATALOG_SYNC_RETRY_TIMEOUT_S: bridgeSetting(60, "a positive number of seconds", param.retryTimeoutSeconds),
  /** The fail-safe: a run never marks more than this share of one kind's live objects deleted… */
  CATALOG_SYNC_MAX_DELETE_SHARE: z.coerce.number().min(0).max(1, "expected a share between 0 and 1").default(0.75),
  /** …nor lets one vanished catalog or schema take more than this many objects with it. */
  CATALOG_SYNC_MAX_CASCADE_DELETE: positiveInt(1000, "a positive whole number of objects"),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9467),
  METRICS_HOST: z.string().default("127.0.0.1"),
};

export type CatalogSyncEnv = ReturnType<typeof loadCatalogSyncEnv>;

export function loadCatalogSyncEnv(source: NodeJS.ProcessEnv = process.env) {
  return loadEnv(envSchema, source);
}
