import type { Database, SyncRun } from "@langguard/database";
import type { TraceSyncSettings } from "./settings.ts";
import { SLICE_KEY_MARK } from "../store/trace-writer.ts";

export interface ReadPlan {
  /** Experiment id → the timestamp (ms) to read from. */
  cursors: Record<string, number>;
  /** Where experiments without a cursor start. */
  defaultSinceMs: number;
  /** Experiments this run has already read completely (a resumed run skips them). */
  skip: string[];
  /** The oldest trace time the organization keeps (its retention; 0 keeps everything). */
  keptFrom: number;
  /**
   * Incremental: traces already stored in each experiment's window (and long ones in its late
   * sweep), by the hash of their source info. The bridge fetches whole only the others.
   */
  known: Record<string, Record<string, string>>;
}

/** Enough for a busy window; beyond it the rest are simply fetched whole, as on a first sync. */
const KNOWN_LIMIT = 20_000;

/**
 * Where each experiment's read starts. Incremental: the stored cursor less the overlap (late
 * traces, same-millisecond neighbours), or the lookback on a first sync. Full: from the beginning,
 * except that a resumed full run continues from its own checkpoints instead of starting over.
 */
export async function readPlan(db: Database, run: SyncRun, settings: TraceSyncSettings, now = Date.now()): Promise<ReadPlan> {
  // A sliced read's parts are folded into their experiment's own checkpoint as they commit.
  const checkpoints = (await db.runCheckpoint.findMany({ where: { syncRunId: run.id } })).filter((c) => !c.key.includes(SLICE_KEY_MARK));
  const skip = checkpoints.filter((c) => c.done).map((c) => c.key);
  // Nothing older than the organization keeps is read: a trace retention removed is never
  // imported again, whether by a full sync, a first sync's lookback or a cursor's overlap.
  const keptFrom = await keptFromMs(db, run.organizationId, now);
  if (run.mode === "full") {
    return {
      cursors: Object.fromEntries(checkpoints.filter((c) => !c.done).map((c) => [c.key, Math.max(keptFrom, Number(c.cursorMs))])),
      defaultSinceMs: keptFrom,
      skip,
      keptFrom,
      known: {},
    };
  }
  const stored = await db.syncCursor.findMany({ where: { integrationId: run.integrationId } });
  return {
    cursors: Object.fromEntries(stored.map((c) => [c.experimentId, Math.max(keptFrom, Number(c.cursorMs) - settings.overlapMs)])),
    defaultSinceMs: Math.max(keptFrom, now - settings.lookbackMs),
    skip,
    keptFrom,
    known: stored.length > 0 ? await knownTraces(db, run.integrationId, settings) : {},
  };
}

/** The oldest trace time the organization keeps (its retention), 0 when it keeps everything. */
export async function keptFromMs(db: Database, organizationId: string, now = Date.now()): Promise<number> {
  const { retentionDays } = await db.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { retentionDays: true } });
  return retentionDays === null ? 0 : now - retentionDays * 24 * 3600 * 1000;
}

async function knownTraces(db: Database, integrationId: string, settings: TraceSyncSettings): Promise<Record<string, Record<string, string>>> {
  const rows = await db.$queryRawUnsafe<Array<{ experimentId: string; externalId: string; sourceInfoHash: string }>>(
    `SELECT t."experimentId", t."externalId", t."sourceInfoHash"
     FROM "Trace" t JOIN "SyncCursor" c ON c."integrationId" = t."integrationId" AND c."experimentId" = t."experimentId"
     WHERE t."integrationId" = $1::uuid AND t."sourceInfoHash" IS NOT NULL
       AND (t."timestamp" >= timestamp 'epoch' + (c."cursorMs" - $2) * interval '1 millisecond'
         OR ($3 > 0 AND t."durationMs" > $2 AND t."timestamp" >= timestamp 'epoch' + (c."cursorMs" - $2 - $3) * interval '1 millisecond'))
     LIMIT $4`,
    integrationId,
    settings.overlapMs,
    settings.maxTraceDurationMs ?? 0,
    KNOWN_LIMIT,
  );
  const known: Record<string, Record<string, string>> = {};
  for (const row of rows) (known[row.experimentId] ??= {})[row.externalId] = row.sourceInfoHash;
  return known;
}
