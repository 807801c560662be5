import type { Database, SyncRun } from "@langguard/database";
import type { TraceSyncSettings } from "../processors/trace-sync.ts";
import { SLICE_KEY_MARK } from "../store/trace-writer.ts";

export interface ReadPlan {
  /** Experiment id → the timestamp (ms) to read from. */
  cursors: Record<string, number>;
  /** Where experiments without a cursor start. */
  defaultSinceMs: number;
  /** Experiments this run has already read completely (a resumed run skips them). */
  skip: string[];
}

/**
 * Where each experiment's read starts. Incremental: the stored cursor less the overlap (late
 * traces, same-millisecond neighbours), or the lookback on a first sync. Full: from the beginning,
 * except that a resumed full run continues from its own checkpoints instead of starting over.
 */
export async function readPlan(db: Database, run: SyncRun, settings: TraceSyncSettings, now = Date.now()): Promise<ReadPlan> {
  // A sliced read's parts are folded into their experiment's own checkpoint as they commit.
  const checkpoints = (await db.runCheckpoint.findMany({ where: { syncRunId: run.id } })).filter((c) => !c.key.includes(SLICE_KEY_MARK));
  const skip = checkpoints.filter((c) => c.done).map((c) => c.key);
  if (run.mode === "full") {
    return { cursors: Object.fromEntries(checkpoints.filter((c) => !c.done).map((c) => [c.key, Number(c.cursorMs)])), defaultSinceMs: 0, skip };
  }
  const stored = await db.syncCursor.findMany({ where: { integrationId: run.integrationId } });
  return {
    cursors: Object.fromEntries(stored.map((c) => [c.experimentId, Math.max(0, Number(c.cursorMs) - settings.overlapMs)])),
    defaultSinceMs: now - settings.lookbackMs,
    skip,
  };
}
