import { z } from "zod";

/** Kinds the bridge reports, plus the ones only the Node side can observe (timeout on our clock, protocol, crashed). */
export const BridgeErrorKind = z.enum([
  "auth",
  "permission",
  "not_found",
  "rate_limited",
  "timeout",
  "unavailable",
  "sdk_missing",
  "config",
  "server_error",
  "bad_response",
  "blocked_host",
  "stats",
  "internal",
  "protocol",
  "crashed",
]);
export type BridgeErrorKind = z.infer<typeof BridgeErrorKind>;

const RecordMessage = z.object({
  type: z.literal("record"),
  stream: z.enum(["traces", "experiments", "catalog"]),
  experimentId: z.string().optional(),
  data: z.record(z.string(), z.unknown()),
  /** Set by the client: a digest of the record's line, equal whenever the content is. */
  digest: z.string().optional(),
  /** Set by the client: the line escapes a NUL or an unpaired surrogate, which Postgres cannot hold. */
  unclean: z.boolean().optional(),
});

const TraceCheckpoint = z.object({
  type: z.literal("checkpoint"),
  experimentId: z.string(),
  cursorMs: z.number().int().nonnegative(),
  traces: z.number().int().nonnegative(),
  page: z.number().int().positive(),
  done: z.boolean(),
  /**
   * Set when the experiment is read as several parts at once (the late sweep, then time slices):
   * the part this page belongs to, numbered in time order, with `done` meaning that part is read.
   * A checkpoint without it covers the whole experiment.
   */
  slice: z.number().int().nonnegative().optional(),
  /** Traces the page listed but did not send: the consumer already holds them unchanged. */
  unchanged: z.number().int().nonnegative().optional(),
});

/**
 * A catalog container whose listing completed without error: `listing` (catalogs, schemas, tables,
 * volumes, functions, models) of `parent` (its name parts: [] for the metastore, [catalog] or
 * [catalog, schema]); `container` is the same as text, for logs. `excluded` lists the full name
 * parts of entries the integration's filters left out, which are not to be taken for deleted.
 */
const CatalogCheckpoint = z.object({
  type: z.literal("checkpoint"),
  stream: z.literal("catalog"),
  container: z.string(),
  listing: z.enum(["catalogs", "schemas", "tables", "volumes", "functions", "models"]),
  parent: z.array(z.string()).max(2),
  items: z.number().int().nonnegative(),
  done: z.boolean(),
  excluded: z.array(z.array(z.string()).min(1).max(3)).optional(),
});

const CheckpointMessage = z.union([CatalogCheckpoint, TraceCheckpoint]);

const ProgressMessage = z.object({ type: z.literal("progress"), message: z.string().optional() }).passthrough();

const LogMessage = z
  .object({
    type: z.literal("log"),
    level: z.enum(["debug", "info", "warn", "warning", "error"]),
    message: z.string(),
  })
  .passthrough();

const ErrorMessage = z.object({
  type: z.literal("error"),
  kind: BridgeErrorKind,
  message: z.string(),
  hint: z.string().nullish(),
  retryable: z.boolean().default(false),
  /** The upstream HTTP status, when there was one. */
  status: z.number().int().optional(),
  /** How long the source asked us to wait (Retry-After), in ms. */
  retryAfterMs: z.number().int().nonnegative().optional(),
  /** Present when the error concerns one experiment and the command went on with the others. */
  experimentId: z.string().optional(),
  /** The same for catalog listings: the container ("tables:main.sales", "stats:main.sales.t") that failed… */
  container: z.string().optional(),
  /** …what it is (a listing such as "tables", or one object such as "model")… */
  containerKind: z.string().optional(),
  /** …and its full name, quoted where a part holds a dot. */
  fullName: z.string().optional(),
});

/** One step of the connection test. */
const StepMessage = z.object({
  type: z.literal("step"),
  step: z.enum(["python", "mlflow", "auth", "catalog", "experiments", "traces", "warehouse"]),
  status: z.enum(["ok", "warning", "failed", "skipped"]),
  message: z.string(),
  hint: z.string().nullish(),
  kind: BridgeErrorKind.nullish(),
  data: z.record(z.string(), z.unknown()).nullish(),
});

const ResultMessage = z.object({
  type: z.literal("result"),
  data: z.record(z.string(), z.unknown()),
  elapsedMs: z.number().optional(),
});

export const BridgeMessage = z.union([RecordMessage, CheckpointMessage, ProgressMessage, LogMessage, ErrorMessage, StepMessage, ResultMessage]);
export type BridgeMessage = z.infer<typeof BridgeMessage>;
export type RecordMessage = z.infer<typeof RecordMessage>;
export type CheckpointMessage = z.infer<typeof TraceCheckpoint>;
export type CatalogCheckpointMessage = z.infer<typeof CatalogCheckpoint>;
export type ErrorMessage = z.infer<typeof ErrorMessage>;
export type ResultMessage = z.infer<typeof ResultMessage>;
export type StepMessage = z.infer<typeof StepMessage>;
