import type { Database, SyncRun } from "@langguard/database";
import { ACTIVE, failRun, requeueRun } from "./lifecycle.ts";
import { enqueueRun, findJob, jobStateOf, type SyncQueues } from "./queues.ts";

export interface ReconcileSettings {
  /** The workers' lock duration: a heartbeat older than this plus a grace means the worker is gone. */
  lockDurationMs: number;
  graceMs?: number;
  /** Restarts of a run the reconciler may make before it fails the run for good. */
  maxRestarts?: number;
}

export type Repair = "none" | "enqueued" | "retried" | "requeued" | "failed";

/**
 * Brings one active run in line with its job, so no run stays queued or running without a live
 * job behind it: a missing job is enqueued again (Redis lost it), a failed one is retried while
 * attempts remain (BullMQ failed it without our processor, e.g. after repeated stalls) and
 * otherwise the run fails with the reason, and a worker whose heartbeat stopped hands its run back.
 */
export async function reconcileRun(db: Database, queues: SyncQueues, run: SyncRun, settings: ReconcileSettings): Promise<Repair> {
  const state = await jobStateOf(queues, run);
  if (state === "unknown") {
    await enqueueRun(queues, run);
    if (run.status === "running")
      await requeueRun(db, run.id, null, "re-enqueued: its job was lost (Redis restarted or a write was lost); it resumes from its last committed page");
    return "enqueued";
  }
  if (state === "failed") {
    // Only a failed job is read whole: its reason, and the handle to retry it.
    const job = await findJob(queues, run);
    if (job && run.attempts < (settings.maxRestarts ?? 10)) {
      await job.retry("failed");
      await requeueRun(
        db,
        run.id,
        null,
        "restarted: the queue gave up on its job (e.g. after repeated worker crashes); it resumes from its last committed page",
      );
      return "retried";
    }
    await failRun(db, run, { kind: "internal", message: `The sync stopped after ${run.attempts} attempts: ${safeReason(job?.failedReason)}` });
    return "failed";
  }
  if (state === "completed") {
    await failRun(db, run, { kind: "internal", message: "The sync's job ended without recording an outcome" });
    return "failed";
  }
  const stale = run.heartbeatAt && Date.now() - run.heartbeatAt.getTime() > settings.lockDurationMs + (settings.graceMs ?? 30_000);
  if (state === "active" && run.status === "running" && stale) {
    // Whichever worker is alive moves the job back when its lock expires; the run says so meanwhile.
    await requeueRun(db, run.id, null, "waiting for a worker: the one running it stopped answering; it resumes from its last committed page");
    return "requeued";
  }
  if (state !== "active" && run.status === "running") {
    await requeueRun(db, run.id, null, "waiting for a worker");
    return "requeued";
  }
  return "none";
}

/** BullMQ's reasons are our own messages or its stall text; keep them to one bounded line. */
function safeReason(reason: string | undefined): string {
  return (reason ?? "unknown reason").split("\n")[0]!.slice(0, 300);
}

/** Every active run older than the grace period, in one pass. Postgres is the truth. */
export async function reconcileSyncRuns(
  db: Database,
  queues: SyncQueues,
  settings: ReconcileSettings & { minAgeMs?: number },
): Promise<Record<Repair, number>> {
  const cutoff = new Date(Date.now() - (settings.minAgeMs ?? 60_000));
  const kinds = [...(queues.traces ? ["traces" as const] : []), ...(queues.catalog ? ["catalog" as const] : [])];
  const runs = await db.syncRun.findMany({
    where: { status: { in: ACTIVE }, kind: { in: kinds }, createdAt: { lt: cutoff } },
    orderBy: { createdAt: "asc" },
    take: 500,
  });
  const counts: Record<Repair, number> = { none: 0, enqueued: 0, retried: 0, requeued: 0, failed: 0 };
  for (const run of runs) counts[await reconcileRun(db, queues, run, settings)] += 1;
  return counts;
}
