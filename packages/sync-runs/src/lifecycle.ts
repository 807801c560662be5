import type { Database, Prisma, SyncRun, SyncStatus } from "@langguard/database";
import { countRunFinished } from "@langguard/service-runtime";
import { clearThrottle } from "./throttle.ts";

export const ACTIVE: SyncStatus[] = ["queued", "running"];
export const FINISHED = new Set<SyncStatus>(["succeeded", "partial", "failed"]);

export interface RunProblem {
  kind: string;
  message: string;
}

export interface RunOutcome {
  status: "succeeded" | "partial" | "failed";
  errorKind?: string | null;
  errorMessage?: string | null;
  /** Per experiment (or per container, for catalog runs) failures that did not stop the run. */
  itemErrors?: Array<RunProblem & { experimentId: string }>;
  warnings?: RunProblem[];
  progress?: Record<string, unknown>;
}

/** The steps of a run, in the order a worker takes them. Each is one guarded write. */
export async function loadRun(db: Database, syncRunId: string): Promise<SyncRun | null> {
  return db.syncRun.findUnique({ where: { id: syncRunId } });
}

/** A retried or resumed run keeps its first start, so its duration covers every attempt. */
export async function markRunning(db: Database, run: SyncRun): Promise<Date> {
  const startedAt = run.startedAt ?? new Date();
  await db.syncRun.update({
    where: { id: run.id },
    data: { status: "running", startedAt, heartbeatAt: new Date(), attempts: { increment: 1 }, completedAt: null },
  });
  return startedAt;
}

export async function completeRun(db: Database, run: Pick<SyncRun, "id" | "startedAt">, outcome: RunOutcome): Promise<void> {
  const completedAt = new Date();
  const finished = await db.syncRun.updateManyAndReturn({
    select: { kind: true },
    where: { id: run.id, status: { in: ACTIVE } },
    data: {
      status: outcome.status,
      completedAt,
      durationMs: run.startedAt ? completedAt.getTime() - run.startedAt.getTime() : null,
      errorKind: outcome.errorKind ?? null,
      errorMessage: outcome.errorMessage ?? null,
      ...(outcome.itemErrors ? { experimentErrors: outcome.itemErrors as unknown as Prisma.InputJsonValue } : {}),
      ...(outcome.warnings ? { warnings: outcome.warnings as unknown as Prisma.InputJsonValue } : {}),
      ...(outcome.progress ? { progress: outcome.progress as Prisma.InputJsonValue } : {}),
    },
  });
  for (const { kind } of finished) countRunFinished(kind, outcome.status);
  // A sync that succeeded proves the workspace answers again: its rate-limit warning goes.
  if (finished.length > 0 && outcome.status === "succeeded") await clearThrottle(db, { syncRuns: { some: { id: run.id } } });
}

export function failRun(db: Database, run: Pick<SyncRun, "id" | "startedAt">, problem: RunProblem): Promise<void> {
  return completeRun(db, run, { status: "failed", errorKind: problem.kind, errorMessage: problem.message });
}

/**
 * Puts a run back in line: it waits for a worker (after a shutdown, a lost worker, or a retryable
 * failure) and will resume from what it committed. `note` says why, for status and history.
 */
export async function requeueRun(db: Database, syncRunId: string, note: RunProblem | null, phase: string): Promise<void> {
  await db.syncRun.updateMany({
    where: { id: syncRunId, status: { in: ACTIVE } },
    data: { status: "queued", errorKind: note?.kind ?? null, errorMessage: note?.message ?? null, progress: { phase } },
  });
}

/**
 * Proof of life while a job works: written on a timer, not per page, so a slow page never looks
 * like a dead worker. The reconciler treats a heartbeat older than the lock duration as a lost worker.
 */
export function startHeartbeat(db: Database, syncRunId: string, everyMs: number): () => void {
  const timer = setInterval(() => {
    void db.syncRun.updateMany({ where: { id: syncRunId, status: "running" }, data: { heartbeatAt: new Date() } }).catch(() => undefined);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * When BullMQ fails a sync's job for good, the run must not stay active: a job that stalled too
 * often never reached our processor, so nothing else would record it.
 */
export async function finishRunOfFailedJob(db: Database, syncRunId: unknown, error: Error): Promise<boolean> {
  if (typeof syncRunId !== "string") return false;
  const run = await db.syncRun.findUnique({ where: { id: syncRunId } });
  if (!run || FINISHED.has(run.status)) return false;
  const stalled = /stalled/i.test(error.message);
  await failRun(db, run, {
    kind: stalled ? "interrupted" : "internal",
    message: stalled
      ? "The sync's worker stopped too many times in a row (crashes or kills) and the queue gave up on it; what it committed is kept, and a new sync continues from there"
      : `The sync failed: ${error.message.split("\n")[0]!.slice(0, 300)}`,
  });
  return true;
}
