import type { Database, SyncStatus } from "@langguard/database";

export interface ExperimentError {
  experimentId: string;
  kind: string;
  message: string;
}

export async function markRunning(db: Database, syncRunId: string) {
  const now = new Date();
  return db.syncRun.update({
    where: { id: syncRunId },
    data: { status: "running", startedAt: now, heartbeatAt: now, attempts: { increment: 1 }, errorKind: null, errorMessage: null, completedAt: null },
  });
}

export async function recordProgress(db: Database, syncRunId: string, progress: Record<string, unknown>) {
  await db.syncRun.update({ where: { id: syncRunId }, data: { progress: progress as object, heartbeatAt: new Date() } });
}

export async function finishRun(
  db: Database,
  syncRunId: string,
  status: SyncStatus,
  details: { startedAt: Date | null; experimentErrors?: ExperimentError[]; errorKind?: string | null; errorMessage?: string | null; progress?: Record<string, unknown> },
) {
  const completedAt = status === "queued" ? null : new Date();
  await db.syncRun.update({
    where: { id: syncRunId },
    data: {
      status,
      completedAt,
      durationMs: completedAt && details.startedAt ? completedAt.getTime() - details.startedAt.getTime() : null,
      errorKind: details.errorKind ?? null,
      errorMessage: details.errorMessage ?? null,
      ...(details.experimentErrors ? { experimentErrors: details.experimentErrors as object[] } : {}),
      ...(details.progress ? { progress: details.progress as object } : {}),
    },
  });
}
