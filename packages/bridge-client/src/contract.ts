import { z } from "zod";

/**
 * The bridge's command contract, stated once, here. Per command: its `params` (the only place for
 * keys, bounds and defaults: the Python bridge validates its input against the JSON Schema that
 * `scripts/bridge-schemas.ts` writes from these into python-bridge/langguard_bridge/schemas/), the
 * `records` it streams (told apart by `stream`; a catalog record's data by its `kind`), its
 * `checkpoint` (one kind per command) and its `result`.
 *
 * Records keep `stream` as their discriminator rather than a new `kind` field: a trace record's
 * line digest is the stored content hash, and any change to the line would rewrite every stored
 * trace on the next sync.
 */

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
  // One experiment's traces live in Unity Catalog tables and the integration has no SQL warehouse.
  "warehouse_required",
  "server_error",
  "bad_response",
  "blocked_host",
  "stats",
  "internal",
  "protocol",
  "crashed",
]);
export type BridgeErrorKind = z.infer<typeof BridgeErrorKind>;

const count = z.number().int().nonnegative();
const ids = z.array(z.string());

// ------------------------------------------------------------------ params

/** From this many days before a credential expires, the connection test and the integration warn. */
export const CREDENTIAL_WARNING_DAYS = 14;

const CheckParams = z
  .object({
    /** The auth step warns when the workspace says the credential expires within this many days. */
    expiryWarningDays: z.number().int().min(0).max(365).default(CREDENTIAL_WARNING_DAYS),
    /** The SQL warehouse the catalog sync would use; checked when given or when the catalog is synced. */
    warehouseId: z.string().nullish(),
    syncCatalog: z.boolean().default(false),
    syncTraces: z.boolean().default(true),
  })
  .strict();

const ListExperimentsParams = z
  .object({
    /** Given: one page of the workspace's active experiments in name order (a person choosing). */
    pageSize: z.number().int().min(1).max(1000).optional(),
    /** Part of the name, any case. */
    search: z.string().default(""),
    pageToken: z.string().nullish(),
    /** Without pageSize: the experiments a sync would read (ids or names; none means every active one). */
    selected: ids.default([]),
    /** Experiments per search request when every active one is listed. */
    experimentPageSize: z.number().int().min(1).max(1000).default(1000),
  })
  .strict();

export const StreamTracesParams = z
  .object({
    selected: ids.default([]),
    experimentPageSize: z.number().int().min(1).max(1000).default(1000),
    /** Where each experiment's read starts (epoch ms); the others start at `defaultSinceMs`. */
    cursors: z.record(z.string(), count).default({}),
    defaultSinceMs: count.default(0),
    /** Experiments a resumed run has read completely: listed, not read again. */
    skip: ids.default([]),
    /** Incremental reads also sweep for traces written after they were due. */
    late: z.object({ maxDurationMs: count, overlapMs: count }).strict().nullish(),
    /** Traces the consumer holds in each experiment's window: experiment id → trace id → info hash. */
    known: z.record(z.string(), z.record(z.string(), z.string())).default({}),
    /** Traces per page (the MLflow server's largest page is 500). */
    pageSize: z.number().int().min(1).max(500).default(100),
    /** A span payload larger than this is cut. */
    maxPayloadBytes: z
      .number()
      .int()
      .min(1)
      .default(256 * 1024),
    /** Requests in flight to the workspace. */
    concurrency: z.number().int().min(1).max(128).default(1),
  })
  .strict();

/** Unity Catalog kinds, then the workspace-wide listings of where agents and models run (Model Serving endpoints, Genie spaces). */
export const CATALOG_KINDS = ["tables", "volumes", "functions", "models", "servingEndpoints", "genieSpaces"] as const;
const patterns = z.array(z.string());
const FilterLevels = z.object({ catalogs: patterns, schemas: patterns, tables: patterns }).partial().strict();

/** Table statistics through the SQL warehouse, and the statement timings every warehouse read uses. */
export const StatsParams = z
  .object({
    /** Read table statistics (DESCRIBE DETAIL) through the warehouse. */
    enabled: z.boolean().default(false),
    /** Falls back to DATABRICKS_WAREHOUSE_ID. */
    warehouseId: z.string().nullish(),
    concurrency: z.number().int().min(1).max(32).default(4),
    /** The Statement Execution API accepts 0 or 5..50 seconds; 1..4 is read as 5. */
    waitTimeoutSeconds: z.number().min(0).max(50).default(10),
    pollIntervalSeconds: z.number().min(0.01).max(60).default(1),
    maxWaitSeconds: z.number().min(1).max(3600).default(120),
  })
  .strict();

export const StreamCatalogParams = z
  .object({
    /** RE2 patterns matched against whole full names (checked by the gateway and the bridge with the same RE2). */
    include: FilterLevels.default({}),
    exclude: FilterLevels.default({}),
    /** Entries per listing request; 0 asks for the server's page size. Each listing's own maximum applies too. */
    pageSize: z.number().int().min(0).max(10_000).default(100),
    /** Listings in flight. */
    concurrency: z.number().int().min(1).max(64).default(8),
    kinds: z.array(z.enum(CATALOG_KINDS)).default([...CATALOG_KINDS]),
    tags: z.boolean().default(true),
    /** Per-object tag requests in flight (without a warehouse). */
    tagsConcurrency: z.number().int().min(1).max(64).default(16),
    /** How long one request may be retried; absent keeps the SDK's own budget (minutes). */
    retryTimeoutSeconds: z.number().int().min(1).max(3600).nullish(),
    // The statement timings apply to warehouse tag reads too, so they are there even without stats.
    stats: StatsParams.prefault({}),
  })
  .strict();

// ------------------------------------------------------------------ records and checkpoints

/** Record data is what the workspace sent: the fields below are guaranteed, the rest is kept as is. */
const loose = z.record(z.string(), z.unknown());

const ExperimentRecord = z.object({
  type: z.literal("record"),
  stream: z.literal("experiments"),
  data: z.object({ id: z.string(), name: z.string() }).catchall(z.unknown()),
  /** Set by the client: a digest of the record's line, equal whenever the content is. */
  digest: z.string().optional(),
  /** Set by the client: the line escapes a NUL or an unpaired surrogate, which Postgres cannot hold. */
  unclean: z.boolean().optional(),
});

const TraceRecord = z.object({
  type: z.literal("record"),
  stream: z.literal("traces"),
  experimentId: z.string(),
  data: loose,
  digest: z.string().optional(),
  unclean: z.boolean().optional(),
});

const named = { name: z.string(), fullName: z.string() };
const inSchema = { catalog: z.string(), schema: z.string(), ...named };
/** A Unity Catalog object, or facts about one, by its `kind`. */
export const CatalogObject = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("catalog"), ...named }).catchall(z.unknown()),
  z.object({ kind: z.literal("schema"), catalog: z.string(), ...named }).catchall(z.unknown()),
  z.object({ kind: z.literal("table"), ...inSchema }).catchall(z.unknown()),
  z.object({ kind: z.literal("volume"), ...inSchema }).catchall(z.unknown()),
  z.object({ kind: z.literal("function"), ...inSchema }).catchall(z.unknown()),
  z.object({ kind: z.literal("model"), ...inSchema }).catchall(z.unknown()),
  /**
   * A Model Serving endpoint (named by its name, unique per workspace): `entityKind` says whether it
   * serves an agent or a model, `tables` and `models` the Unity Catalog objects it uses.
   */
  z
    .object({
      kind: z.literal("servingEndpoint"),
      ...named,
      entityKind: z.enum(["agent", "model"]),
      tables: z.array(z.string()),
      models: z.array(z.string()),
    })
    .catchall(z.unknown()),
  /** A Genie space (named by its id; `title` is what people see), with the tables it uses where the API told them. */
  z.object({ kind: z.literal("genieSpace"), ...named, tables: z.array(z.string()), tablesKnown: z.boolean() }).catchall(z.unknown()),
  /** A table's statistics (DESCRIBE DETAIL through the warehouse), after the table's own record. */
  z.object({ kind: z.literal("tableStats"), ...inSchema }).catchall(z.unknown()),
]);

const CatalogRecord = z.object({
  type: z.literal("record"),
  stream: z.literal("catalog"),
  data: CatalogObject,
  digest: z.string().optional(),
  unclean: z.boolean().optional(),
});

const TraceCheckpoint = z.object({
  type: z.literal("checkpoint"),
  stream: z.literal("traces").default("traces"),
  experimentId: z.string(),
  cursorMs: count,
  traces: count,
  page: z.number().int().positive(),
  done: z.boolean(),
  /**
   * Set when the experiment is read as several parts at once (the late sweep, then time slices):
   * the part this page belongs to, numbered in time order, with `done` meaning that part is read.
   * A checkpoint without it covers the whole experiment.
   */
  slice: count.optional(),
  /** Traces the page listed but did not send: the consumer already holds them unchanged. */
  unchanged: count.optional(),
});

export const CATALOG_LISTINGS = ["catalogs", "schemas", "tables", "volumes", "functions", "models", "servingEndpoints", "genieSpaces"] as const;

/**
 * A catalog container whose listing completed without error: `listing` of `parent` (its name
 * parts: [] for the metastore or the workspace's serving endpoints and Genie spaces, [catalog] or [catalog, schema]); `container` is the same as text,
 * for logs. `excluded` lists the full name parts of entries the integration's filters left out,
 * which are not to be taken for deleted.
 */
const CatalogCheckpoint = z.object({
  type: z.literal("checkpoint"),
  stream: z.literal("catalog"),
  container: z.string(),
  listing: z.enum(CATALOG_LISTINGS),
  parent: z.array(z.string()).max(2),
  items: count,
  done: z.boolean(),
  excluded: z.array(z.array(z.string()).min(1).max(3)).optional(),
});

// ------------------------------------------------------------------ messages every command may write

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
  retryAfterMs: count.optional(),
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
  data: loose.nullish(),
});

function resultOf<T extends z.ZodType>(data: T) {
  return z.object({ type: z.literal("result"), data, elapsedMs: z.number().optional() });
}

// A result's fields are read where they are used; what a command adds is kept.
const CheckResult = z.object({ protocol: z.number().optional(), python: z.string().optional(), source: z.string().optional() }).catchall(z.unknown());
const ExperimentsResult = z.object({ experiments: count.optional(), nextPageToken: z.string().nullish() }).catchall(z.unknown());
const TracesResult = z.object({ experiments: count.optional(), traces: count.optional() }).catchall(z.unknown());
const CatalogResult = z.record(z.string(), z.unknown());

// ------------------------------------------------------------------ the commands

/** Every command: its params, records, checkpoint and result. Python's COMMANDS must list the same names (tests/bridge-contract.test.ts). */
export const bridgeContract = {
  check: { params: CheckParams, records: null, checkpoint: null, result: CheckResult },
  "list-experiments": { params: ListExperimentsParams, records: ExperimentRecord, checkpoint: null, result: ExperimentsResult },
  "stream-traces": {
    params: StreamTracesParams,
    records: z.discriminatedUnion("stream", [ExperimentRecord, TraceRecord]),
    checkpoint: TraceCheckpoint,
    result: TracesResult,
  },
  "stream-catalog": { params: StreamCatalogParams, records: CatalogRecord, checkpoint: CatalogCheckpoint, result: CatalogResult },
} as const;

type Contract = typeof bridgeContract;
export type BridgeCommand = keyof Contract;
export const BRIDGE_COMMANDS = Object.keys(bridgeContract) as BridgeCommand[];

/** What a caller passes: fields with a default may be left out. */
export type ParamsOf<C extends BridgeCommand> = z.input<Contract[C]["params"]>;
type Parsed<T> = T extends z.ZodType ? z.output<T> : never;
export type RecordOf<C extends BridgeCommand> = Parsed<Contract[C]["records"]>;
export type CheckpointOf<C extends BridgeCommand> = Parsed<Contract[C]["checkpoint"]>;
export type ResultOf<C extends BridgeCommand> = { type: "result"; data: z.output<Contract[C]["result"]>; elapsedMs?: number };
/** The data of a command's records. */
export type RecordDataOf<C extends BridgeCommand> = RecordOf<C> extends { data: infer D } ? D : never;
export type LogMessage = z.infer<typeof LogMessage>;
export type ErrorMessage = z.infer<typeof ErrorMessage>;
export type StepMessage = z.infer<typeof StepMessage>;
/** Every message a command's stream may write. */
export type MessageOf<C extends BridgeCommand> = RecordOf<C> | CheckpointOf<C> | ResultOf<C> | LogMessage | ErrorMessage | StepMessage;

const messageSchemas = new Map<BridgeCommand, z.ZodType>();

/** The schema a line of `command`'s output must match. */
export function messageSchema<C extends BridgeCommand>(command: C): z.ZodType<MessageOf<C>> {
  let schema = messageSchemas.get(command);
  if (!schema) {
    const entry = bridgeContract[command];
    const own = [entry.records, entry.checkpoint].filter((s): s is NonNullable<typeof s> => s !== null);
    schema = z.union([...own, resultOf(entry.result), LogMessage, ErrorMessage, StepMessage]);
    messageSchemas.set(command, schema);
  }
  return schema as z.ZodType<MessageOf<C>>;
}

/** Every message of every command (for code that handles any). */
export const BridgeMessage = z.union(BRIDGE_COMMANDS.map((command) => messageSchema(command)) as [z.ZodType, ...z.ZodType[]]) as z.ZodType<
  MessageOf<BridgeCommand>
>;
export type BridgeMessage = MessageOf<BridgeCommand>;
export type RecordMessage = RecordOf<"stream-traces"> | RecordOf<"stream-catalog">;
export type CheckpointMessage = CheckpointOf<"stream-traces">;
export type CatalogCheckpointMessage = CheckpointOf<"stream-catalog">;
export type ResultMessage = ResultOf<BridgeCommand>;

/** The JSON Schemas the Python bridge validates against, by command: params as given (defaults filled in by the bridge), and records. */
export function bridgeJsonSchemas(): Record<BridgeCommand, { params: unknown; records: unknown }> {
  const out = {} as Record<BridgeCommand, { params: unknown; records: unknown }>;
  for (const command of BRIDGE_COMMANDS) {
    const { params, records } = bridgeContract[command];
    out[command] = {
      params: z.toJSONSchema(params, { io: "input", target: "draft-2020-12" }),
      records: records === null ? null : z.toJSONSchema(records, { io: "output", target: "draft-2020-12" }),
    };
  }
  return out;
}

/** The largest value a numeric param allows (through defaults, optional and nullable), for the settings that feed it. */
export function paramMax(schema: z.ZodType): number {
  let inner: z.ZodType = schema;
  while (!(inner instanceof z.ZodNumber)) {
    if (!("unwrap" in inner) || typeof inner.unwrap !== "function") throw new Error("paramMax: not a number parameter");
    inner = inner.unwrap() as z.ZodType;
  }
  const max = inner.maxValue;
  if (max === null || !Number.isFinite(max)) throw new Error("paramMax: the parameter has no maximum");
  return max;
}
