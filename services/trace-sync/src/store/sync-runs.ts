import type { Database, SyncStatus } from "@langguard/database";

export interface ExperimentError {
  experimentId: string;
  kind: string;
  message: string;
}

export async function markRunning(db: Database, syncRunId: string, startedAt: Date) {
  return db.syncRun.update({
    where: { id: syncRunId },
    data: { status: "running", startedAt, heartbeatAt: new Date(), attempts: { increment: 1 }, errorKind: null, errorMessage: null, completedAt: null },
  });
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
