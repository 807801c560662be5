import { createHash } from "node:crypto";
import { Queue, UnrecoverableError, type ConnectionOptions, type DefaultJobOptions, type Job, type JobsOptions } from "bullmq";
import { z } from "zod";

/** Queue names are part of the contract between deployed versions: never rename one. */
export const QueueName = {
  TraceSync: "trace-sync",
  CatalogSync: "catalog-sync",
  PolicyEvaluation: "policy-evaluation",
  WebhookDelivery: "webhook-delivery",
  /** Ticks of each integration's sync schedules (BullMQ job schedulers); a tick triggers a run. */
  SyncSchedule: "sync-schedule",
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

const id = z.uuid();

/** Payloads carry ids only: the worker reads everything else (and every credential) from Postgres. */
export const TraceSyncPayload = z
  .object({
    syncRunId: id,
    integrationId: id,
    organizationId: id,
    mode: z.enum(["incremental", "full"]),
  })
  .strict();

export const CatalogSyncPayload = z.object({ syncRunId: id, integrationId: id, organizationId: id }).strict();

/**
 * Either a batch of traces to evaluate under every enabled policy (from a sync, or from the sweep
 * that finds traces never evaluated), or one policy re-evaluated over a time window.
 */
export const PolicyEvaluationPayload = z.union([
  z
    .object({
      organizationId: id,
      integrationId: id,
      syncRunId: id.optional(),
      traceIds: z.array(id).min(1).max(1000),
    })
    .strict(),
  z
    .object({
      organizationId: id,
      policyId: id,
      fromMs: z.number().int().nonnegative(),
      toMs: z.number().int().nonnegative(),
    })
    .strict(),
]);

export const WebhookDeliveryPayload = z.object({ deliveryId: id }).strict();

export const SyncSchedulePayload = z.object({ integrationId: id, kind: z.enum(["traces", "catalog"]), mode: z.enum(["incremental", "full"]) }).strict();

/** The services whose workers take a queue's jobs. */
export type QueueConsumer = "gateway" | "trace-sync" | "catalog-sync" | "policy-evaluation";

export interface QueueEntry {
  /** What a job carries: ids only, validated by the producer and again by the consumer. */
  payload: z.ZodType;
  /** The one service that runs workers for it. */
  consumer: QueueConsumer;
  /** What one job is, in an operator's words. */
  description: string;
  /** Its jobs' options where they differ from `defaultJobOptions` (attempts, backoff); a producer may still override them from settings. */
  jobOptions?: Pick<DefaultJobOptions, "attempts" | "backoff">;
  /**
   * Times a job may be taken over after its worker died before BullMQ fails it (registerWorker's
   * default). BullMQ's 1 suits jobs that must not run twice; resumable runs can afford many.
   */
  maxStalledCount: number;
}

/** Sync runs resume from what they committed, so being taken over after a crash costs little. */
const SYNC_MAX_STALLS = 20;

/**
 * The catalogue of the fleet's queues: every queue, with its payload and its consumer. Everything
 * that lists queues reads it (the gateway's Bull Board and its langguard_queue_jobs gauge, the
 * tests that check each service consumes what it says), so a new queue is added here once and is
 * seen everywhere.
 */
export const queueCatalog = {
  [QueueName.TraceSync]: {
    payload: TraceSyncPayload,
    consumer: "trace-sync",
    description: "One trace sync run of an integration: read its experiments' traces and store them",
    maxStalledCount: SYNC_MAX_STALLS,
  },
  [QueueName.CatalogSync]: {
    payload: CatalogSyncPayload,
    consumer: "catalog-sync",
    description: "One catalog sync run of an integration: walk its Unity Catalog and store the objects",
    maxStalledCount: SYNC_MAX_STALLS,
  },
  [QueueName.PolicyEvaluation]: {
    payload: PolicyEvaluationPayload,
    consumer: "policy-evaluation",
    description: "A batch of stored traces to evaluate under every enabled policy, or one policy over a time window",
    maxStalledCount: 1,
  },
  [QueueName.WebhookDelivery]: {
    payload: WebhookDeliveryPayload,
    consumer: "policy-evaluation",
    description: "One webhook delivery of a violation event to one subscriber",
    maxStalledCount: 1,
  },
  [QueueName.SyncSchedule]: {
    payload: SyncSchedulePayload,
    consumer: "gateway",
    description: "The ticks of each integration's sync schedules; a tick triggers a run as the API does",
    maxStalledCount: 1,
  },
} as const satisfies Record<QueueName, QueueEntry>;

/** Every queue name, in the catalogue's order. */
export const queueNames = Object.keys(queueCatalog) as QueueName[];

export const payloadSchemas = Object.fromEntries(queueNames.map((name) => [name, queueCatalog[name].payload])) as {
  [Q in QueueName]: (typeof queueCatalog)[Q]["payload"];
};

export type PayloadOf<Q extends QueueName> = z.infer<(typeof queueCatalog)[Q]["payload"]>;

/**
 * Deterministic job ids make enqueueing idempotent: re-adding a job that is still known to
 * Redis is a no-op, so a producer can retry or a reconciler can re-enqueue from Postgres.
 * (BullMQ rejects ':' in custom ids.)
 */
export const jobId = {
  traceSync: (syncRunId: string) => `sync-run-${syncRunId}`,
  catalogSync: (syncRunId: string) => `catalog-run-${syncRunId}`,
  policyEvaluation: (scope: string, batchDigest: string) => `policy-${scope}-${batchDigest}`,
  /** A batch of traces to evaluate, by its content: a retried batch is not evaluated twice. `scope` is the sync run, or "sweep". */
  policyBatch: (scope: string, traceIds: readonly string[]) => jobId.policyEvaluation(scope, batchDigest(traceIds)),
  policyWindow: (policyId: string, requestId: string) => `policy-window-${policyId}-${requestId}`,
  webhookDelivery: (deliveryId: string) => `webhook-${deliveryId}`,
};

function batchDigest(traceIds: readonly string[]): string {
  return createHash("sha256").update(traceIds.join(",")).digest("hex").slice(0, 24);
}

/**
 * "retry-after" is exponential from `delay`, but never sooner than a Retry-After the source sent;
 * every worker registers the strategy (service-runtime's registerWorker).
 */
export const RETRY_BACKOFF = "retry-after";

export const defaultJobOptions: DefaultJobOptions = {
  attempts: 5,
  backoff: { type: RETRY_BACKOFF, delay: 5_000 },
  // Completed jobs are history in Postgres already; keep only enough in Redis to debug.
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5_000 },
};

export interface QueueSettings {
  connection: ConnectionOptions;
  prefix: string;
}

export function createQueue<Q extends QueueName>(name: Q, settings: QueueSettings): Queue<PayloadOf<Q>> {
  const entry: QueueEntry = queueCatalog[name];
  return new Queue<PayloadOf<Q>>(name, {
    connection: settings.connection,
    prefix: settings.prefix,
    defaultJobOptions: { ...defaultJobOptions, ...entry.jobOptions },
    // Each queue's event stream is a log for QueueEvents listeners, and no process of the fleet
    // listens: BullMQ's default of 10,000 events (about 3 MB for the schedule queue) is memory
    // spent on nothing. 1,000 still lets an operator follow a queue live.
    streams: { events: { maxLen: EVENTS_KEPT } },
  });
}

/** Events each queue's stream keeps (see createQueue). */
export const EVENTS_KEPT = 1_000;

/**
 * The typed producer, the only one: validates before anything reaches Redis, and always takes a
 * job id (from `jobId`). `options` overrides the queue's attempts and backoff from settings.
 */
export async function enqueue<Q extends QueueName>(
  queue: Queue<PayloadOf<Q>>,
  name: Q,
  payload: PayloadOf<Q>,
  id: string,
  options: Pick<JobsOptions, "attempts" | "backoff"> = {},
): Promise<Job<PayloadOf<Q>>> {
  const data = payloadSchemas[name].parse(payload) as PayloadOf<Q>;
  // BullMQ's generics over job names are stricter than this contract needs.
  return (queue as Queue).add(name, data, { ...options, jobId: id }) as Promise<Job<PayloadOf<Q>>>;
}

export class InvalidPayloadError extends UnrecoverableError {
  constructor(
    queue: string,
    readonly issues: string[],
  ) {
    super(`Invalid ${queue} payload: ${issues.join("; ")}`);
    this.name = "InvalidPayloadError";
  }
}

/** Consumer side: a malformed payload fails at once, without retries. */
export function parsePayload<Q extends QueueName>(name: Q, data: unknown): PayloadOf<Q> {
  const result = payloadSchemas[name].safeParse(data);
  if (result.success) return result.data as PayloadOf<Q>;
  throw new InvalidPayloadError(
    name,
    result.error.issues.map((issue) => `${issue.path.join(".") || "(payload)"}: ${issue.message}`),
  );
}

export { UnrecoverableError };
export {
  addressOf,
  createRedisConnection,
  hashTagOf,
  isClusterUrl,
  parseClusterUrl,
  pingRedis,
  queuePrefix,
  serversOf,
  type ClusterSeeds,
  type RedisClient,
} from "./redis.ts";
