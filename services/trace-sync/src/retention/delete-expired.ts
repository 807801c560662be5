import type { Database } from "@langguard/database";

export interface RetentionSettings {
  /** Traces per delete transaction: small enough that no lock is held for long nor one transaction bloats. */
  batchSize: number;
  /** The most batches one pass runs, so that a large backlog is worked off over several passes. */
  maxBatches: number;
}

export interface RetentionProgress {
  organizationId: string;
  traces: number;
  spans: number;
  violations: number;
  /** Whether this pass left expired rows behind (its batch budget ran out). */
  behind: boolean;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Deletes what an organization no longer keeps: traces (their spans and agent links cascade)
 * older than `retentionDays` by the trace's time, and violations older than
 * `violationRetentionDays` by when they were found. A violation kept longer than its trace
 * outlives it (its traceId becomes null); without a violation retention it goes with its trace.
 * Each batch is its own short transaction whose rows are picked with SKIP LOCKED, so a sync
 * writing the same traces is never blocked behind the job, nor the job behind it.
 */
export async function deleteExpired(db: Database, settings: RetentionSettings, now = new Date(), onBatch?: (p: RetentionProgress) => void) {
  const organizations = await db.organization.findMany({
    where: { OR: [{ retentionDays: { not: null } }, { violationRetentionDays: { not: null } }] },
    select: { id: true, retentionDays: true, violationRetentionDays: true },
  });
  const results: RetentionProgress[] = [];
  for (const org of organizations) {
    const progress: RetentionProgress = { organizationId: org.id, traces: 0, spans: 0, violations: 0, behind: false };
    let batches = 0;
    if (org.retentionDays !== null) {
      const cutoff = new Date(now.getTime() - org.retentionDays * DAY_MS);
      for (;;) {
        if (batches >= settings.maxBatches) {
          progress.behind = true;
          break;
        }
        batches += 1;
        const done = await deleteTraceBatch(db, org.id, cutoff, settings.batchSize, org.violationRetentionDays === null);
        progress.traces += done.traces;
        progress.spans += done.spans;
        progress.violations += done.violations;
        onBatch?.({ ...progress, traces: done.traces, spans: done.spans, violations: done.violations });
        if (done.traces < settings.batchSize) break;
      }
    }
    if (org.violationRetentionDays !== null) {
      const cutoff = new Date(now.getTime() - org.violationRetentionDays * DAY_MS);
      for (;;) {
        if (batches >= settings.maxBatches) {
          progress.behind = true;
          break;
        }
        batches += 1;
        const deleted = await db.$executeRaw`
          DELETE FROM "Violation" WHERE "id" IN (
            SELECT "id" FROM "Violation" WHERE "organizationId" = ${org.id}::uuid AND "createdAt" < ${cutoff}
            ORDER BY "createdAt" LIMIT ${settings.batchSize} FOR UPDATE SKIP LOCKED)`;
        progress.violations += deleted;
        onBatch?.({ ...progress, traces: 0, spans: 0, violations: deleted });
        if (deleted < settings.batchSize) break;
      }
    }
    results.push(progress);
  }
  return results;
}

async function deleteTraceBatch(db: Database, organizationId: string, cutoff: Date, batchSize: number, violationsGoToo: boolean) {
  return db.$transaction(async (tx) => {
    // Oldest first through the (organizationId, timestamp, id) index; rows a sync holds are left for the next pass.
    const doomed = await tx.$queryRaw<Array<{ id: string; spanCount: number }>>`
      SELECT "id"::text AS id, "spanCount" FROM "Trace"
      WHERE "organizationId" = ${organizationId}::uuid AND "timestamp" < ${cutoff}
      ORDER BY "timestamp" LIMIT ${batchSize} FOR UPDATE SKIP LOCKED`;
    if (doomed.length === 0) return { traces: 0, spans: 0, violations: 0 };
    const ids = doomed.map((d) => d.id);
    const violations = violationsGoToo ? await tx.$executeRaw`DELETE FROM "Violation" WHERE "traceId" = ANY(${ids}::uuid[])` : 0;
    const traces = await tx.$executeRaw`DELETE FROM "Trace" WHERE "id" = ANY(${ids}::uuid[])`;
    return { traces, spans: doomed.reduce((sum, d) => sum + d.spanCount, 0), violations };
  });
}
