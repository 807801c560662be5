import type { Database } from "@langguard/database";

export interface RetentionSettings {
  /** Traces per delete transaction: small enough that no lock is held for long nor one transaction bloats. */
  batchSize: number;
  /** The most batches one pass runs, so that a large backlog is worked off over several passes. */
  maxBatches: number;
  /** Batches deleted at once, each on its own connection (default 1). */
  lanes?: number;
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
      // Lanes delete side by side: SKIP LOCKED hands each its own oldest traces, and one batch's
      // foreign-key checks overlap another's writes. A lane stops when it finds less than a batch.
      const lane = async () => {
        for (;;) {
          if (batches >= settings.maxBatches) {
            progress.behind = true;
            return;
          }
          batches += 1;
          const done = await deleteTraceBatch(db, org.id, cutoff, settings.batchSize, org.violationRetentionDays === null);
          progress.traces += done.traces;
          progress.spans += done.spans;
          progress.violations += done.violations;
          onBatch?.({ ...progress, traces: done.traces, spans: done.spans, violations: done.violations });
          if (done.traces < settings.batchSize) return;
        }
      };
      await Promise.all(Array.from({ length: settings.lanes ?? 1 }, lane));
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

/**
 * One batch as one statement: the doomed traces are picked oldest first through the
 * (organizationId, timestamp, id) index, skipping rows a sync holds (left for the next pass), and
 * their spans, agent links and (when they go too) violations are deleted set-wise before the
 * traces. Left to the foreign keys' cascades, Postgres would run one delete per trace and table;
 * this way each cascade finds nothing left to do. Commit is asynchronous: a batch lost to a crash
 * is simply deleted again by the next pass, so waiting for the disk buys nothing here.
 */
async function deleteTraceBatch(db: Database, organizationId: string, cutoff: Date, batchSize: number, violationsGoToo: boolean) {
  const [, rows] = await db.$transaction([
    db.$executeRaw`SET LOCAL synchronous_commit = off`,
    db.$queryRaw<Array<{ traces: bigint; spans: bigint; violations: bigint }>>`
      WITH doomed AS (
        SELECT "id" FROM "Trace"
        WHERE "organizationId" = ${organizationId}::uuid AND "timestamp" < ${cutoff}
        ORDER BY "timestamp" LIMIT ${batchSize} FOR UPDATE SKIP LOCKED
      ), spans AS (
        DELETE FROM "Span" WHERE "traceId" IN (SELECT "id" FROM doomed) RETURNING 1
      ), links AS (
        DELETE FROM "AgentTrace" WHERE "traceId" IN (SELECT "id" FROM doomed) RETURNING 1
      ), violations AS (
        DELETE FROM "Violation" WHERE ${violationsGoToo} AND "traceId" IN (SELECT "id" FROM doomed) RETURNING 1
      ), traces AS (
        DELETE FROM "Trace" WHERE "id" IN (SELECT "id" FROM doomed) RETURNING 1
      )
      SELECT (SELECT count(*) FROM traces) AS traces, (SELECT count(*) FROM spans) AS spans,
             (SELECT count(*) FROM violations) AS violations, (SELECT count(*) FROM links) AS links`,
  ]);
  const row = rows[0]!;
  return { traces: Number(row.traces), spans: Number(row.spans), violations: Number(row.violations) };
}
