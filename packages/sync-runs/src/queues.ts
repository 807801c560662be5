import type { SyncRun } from "@langguard/database";
import { enqueue, jobId, QueueName, type PayloadOf } from "@langguard/queue-contracts";
import type { Job, Queue } from "bullmq";

export type TraceSyncQueue = Queue<PayloadOf<"trace-sync">>;
export type CatalogSyncQueue = Queue<PayloadOf<"catalog-sync">>;

/** One queue per sync kind; a producer may hold only the ones it enqueues to. */
export interface SyncQueues {
  traces?: TraceSyncQueue;
  catalog?: CatalogSyncQueue;
}

export function jobIdOf(run: Pick<SyncRun, "id" | "kind">): string {
  return run.kind === "catalog" ? jobId.catalogSync(run.id) : jobId.traceSync(run.id);
}

/** Ids only: the worker reads everything else, credentials included, from Postgres. */
export async function enqueueRun(queues: SyncQueues, run: SyncRun): Promise<void> {
  const base = { syncRunId: run.id, integrationId: run.integrationId, organizationId: run.organizationId };
  if (run.kind === "catalog") {
    if (!queues.catalog) throw new Error("no catalog-sync queue configured");
    await enqueue(queues.catalog, QueueName.CatalogSync, base, jobIdOf(run));
  } else {
    if (!queues.traces) throw new Error("no trace-sync queue configured");
    await enqueue(queues.traces, QueueName.TraceSync, { ...base, mode: run.mode }, jobIdOf(run));
  }
}

/**
 * The state of a run's job ("unknown" when the queue has no such job), in one Redis call that
 * reads no job data: a trigger that coalesces into an active run asks this, often.
 */
export async function jobStateOf(queues: SyncQueues, run: SyncRun): Promise<string> {
  return (await queueOf(queues, run)?.getJobState(jobIdOf(run))) ?? "unknown";
}

export async function findJob(queues: SyncQueues, run: SyncRun): Promise<Job | undefined> {
  return (await queueOf(queues, run)?.getJob(jobIdOf(run))) ?? undefined;
}

function queueOf(queues: SyncQueues, run: Pick<SyncRun, "kind">): Queue | undefined {
  return run.kind === "catalog" ? queues.catalog : queues.traces;
}
