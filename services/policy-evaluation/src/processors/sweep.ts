import type { Database } from "@langguard/database";
import { enqueue, jobId, QueueName, type PayloadOf } from "@langguard/queue-contracts";
import type { Queue } from "bullmq";

export interface SweepSettings {
  /** Traces younger than this are left to the sync's own hand-off. */
  graceMs: number;
  batchSize: number;
  maxBatches: number;
}

/**
 * Finds traces that are stored but were never evaluated (a crash between a sync's commit and its
 * enqueue, Redis losing its last writes) and queues them. Grouped per integration, in batches
 * whose job ids derive from their content, so repeated sweeps do not pile up the same work.
 */
export async function sweepUnevaluated(db: Database, queue: Queue<PayloadOf<"policy-evaluation">>, settings: SweepSettings): Promise<number> {
  const cutoff = new Date(Date.now() - settings.graceMs);
  const rows = await db.trace.findMany({
    where: { policySetVersion: null, createdAt: { lt: cutoff } },
    select: { id: true, organizationId: true, integrationId: true },
    orderBy: { createdAt: "asc" },
    take: settings.batchSize * settings.maxBatches,
  });
  const groups = new Map<string, typeof rows>();
  for (const row of rows) {
    const key = `${row.organizationId}/${row.integrationId}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  let queued = 0;
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i += settings.batchSize) {
      const batch = group.slice(i, i + settings.batchSize);
      const traceIds = batch.map((r) => r.id);
      await enqueue(
        queue,
        QueueName.PolicyEvaluation,
        { organizationId: batch[0]!.organizationId, integrationId: batch[0]!.integrationId, traceIds },
        jobId.policyBatch("sweep", traceIds),
      );
      queued += traceIds.length;
    }
  }
  return queued;
}

/**
 * Deliveries written but whose job Redis lost are handed to `deliver` again, the same path new
 * ones take; delivery is idempotent per row.
 */
export async function sweepDeliveries(
  db: Database,
  queue: Queue<PayloadOf<"webhook-delivery">>,
  deliver: (ids: string[]) => Promise<void>,
  graceMs: number,
): Promise<number> {
  const stale = await db.webhookDelivery.findMany({
    where: { status: "pending", createdAt: { lt: new Date(Date.now() - graceMs) } },
    select: { id: true },
    take: 1000,
  });
  const lost: string[] = [];
  for (const d of stale) if (!(await queue.getJob(jobId.webhookDelivery(d.id)))) lost.push(d.id);
  await deliver(lost);
  return lost.length;
}
