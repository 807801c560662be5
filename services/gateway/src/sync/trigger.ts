import type { Database, SyncRun } from "@langguard/database";
import { enqueue, jobId, QueueName, type PayloadOf } from "@langguard/queue-contracts";
import type { Queue } from "bullmq";

export type TraceSyncQueue = Queue<PayloadOf<"trace-sync">>;

/**
 * Records a sync run in Postgres, then enqueues it. One integration has at most one active
 * run: a second trigger returns the active one (and re-enqueues it, which is a no-op unless
 * Redis lost the job). Postgres is written first so a lost enqueue is recoverable.
 */
export async function triggerTraceSync(db: Database, queue: TraceSyncQueue, integrationId: string, mode: "incremental" | "full") {
  const { run, created } = await db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<Array<{ organizationId: string }>>`SELECT "organizationId"::text FROM "Integration" WHERE "id" = ${integrationId}::uuid FOR UPDATE`;
    const organizationId = locked[0]?.organizationId;
    if (!organizationId) return { run: null, created: false };
    const active = await tx.syncRun.findFirst({ where: { integrationId, kind: "traces", status: { in: ["queued", "running"] } }, orderBy: { createdAt: "desc" } });
    if (active) return { run: active, created: false };
    return { run: await tx.syncRun.create({ data: { organizationId, integrationId, kind: "traces", mode } }), created: true };
  });
  if (!run) return null;
  await enqueueRun(queue, run);
  return { run, created };
}

export async function enqueueRun(queue: TraceSyncQueue, run: SyncRun) {
  await enqueue(queue, QueueName.TraceSync, { syncRunId: run.id, integrationId: run.integrationId, organizationId: run.organizationId, mode: run.mode }, jobId.traceSync(run.id));
}

/**
 * Postgres is the truth: a run still queued or running whose job Redis no longer knows (a
 * Redis restart, a failed enqueue) is enqueued again. Runs younger than `graceMs` are left to
 * the producer and the workers.
 */
export async function reconcileSyncRuns(db: Database, queue: TraceSyncQueue, graceMs = 120_000): Promise<number> {
  const cutoff = new Date(Date.now() - graceMs);
  const stale = await db.syncRun.findMany({
    where: { kind: "traces", status: { in: ["queued", "running"] }, createdAt: { lt: cutoff }, OR: [{ heartbeatAt: null }, { heartbeatAt: { lt: cutoff } }] },
    take: 500,
  });
  let restored = 0;
  for (const run of stale) {
    if (await queue.getJob(jobId.traceSync(run.id))) continue;
    await enqueueRun(queue, run);
    restored += 1;
  }
  return restored;
}
