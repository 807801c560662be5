import { databaseErrorCode, isDataError, toJsonParam, type Database } from "@langguard/database";
import { detectAgents } from "../mapping/agents.ts";
import type { TraceRow } from "../mapping/trace.ts";

export interface BatchTarget {
  organizationId: string;
  integrationId: string;
  /** The run whose counters this batch adds to, in the same transaction. */
  syncRunId: string;
}

export interface BatchCursor {
  experimentId: string;
  cursorMs: number;
  /** The experiment's last page: the run has read it completely (with `slice`: that part is). */
  done: boolean;
  /**
   * The part of a sliced read this page belongs to, numbered in time order within that read. A
   * resumed attempt of the same run plans its parts afresh, so its numbers mean other ranges:
   * `read` keeps each attempt's parts apart.
   */
  slice?: { read: string; part: number };
}

/** RunCheckpoint keys of a sliced read's parts: never an experiment id, which holds no '#'. */
export const SLICE_KEY_MARK = "#slice:";

export interface BatchOutcome {
  inserted: number;
  updated: number;
  unchanged: number;
  spans: number;
  /** Ids of traces that are new or changed: the ones policies must (re)evaluate. */
  changedTraceIds: string[];
  /** Records of this page that could not be stored, recorded in quarantine instead. */
  setAside: SetAside[];
}

/** A record set aside: what it was, where it came from, and why it could not be stored. */
export interface SetAside {
  kind: "trace" | "experiment";
  experimentId: string | null;
  externalId: string;
  reason: string;
}

export interface BatchOptions {
  /** The run's progress once this batch is in, stored with the counters in the same write. */
  progress?: (outcome: BatchOutcome) => Record<string, unknown>;
  /** Records the mapper already refused: quarantined in the same transaction. */
  setAside?: SetAside[];
  /** The integration has quarantined traces: a stored one leaves quarantine. */
  clearQuarantine?: boolean;
  /** Store trace by trace, each behind a savepoint, setting aside those Postgres refuses. */
  isolate?: boolean;
}

const SPAN_CHUNK = 5_000;
const TX_TIMEOUT_MS = 120_000;

/**
 * Stores one page of traces, their spans and agents, and the cursor that covers them, in
 * one transaction: either all of it is committed or none, so a crash never moves the cursor
 * past unstored data. Multi-row statements keep the round trips per page constant.
 *
 * When Postgres refuses a value of the page, the page is written again trace by trace and the
 * refused traces are quarantined: one bad record never holds back the cursor or its neighbours.
 */
export async function writeTraceBatch(
  db: Database,
  target: BatchTarget,
  traces: TraceRow[],
  cursor: BatchCursor | null,
  fetched = traces.length,
  options: BatchOptions = {},
): Promise<BatchOutcome> {
  try {
    return await writeOnce(db, target, traces, cursor, fetched, options);
  } catch (error) {
    if (options.isolate || !isDataError(error)) throw error;
    return writeOnce(db, target, traces, cursor, fetched, { ...options, isolate: true });
  }
}

async function writeOnce(
  db: Database,
  target: BatchTarget,
  traces: TraceRow[],
  cursor: BatchCursor | null,
  fetched: number,
  options: BatchOptions,
): Promise<BatchOutcome> {
  const unique = [...new Map(traces.map((t) => [t.externalId, t])).values()];
  return db.$transaction(
    async (transaction) => {
      const tx = transaction as unknown as Database;
      const outcome: BatchOutcome = { inserted: 0, updated: 0, unchanged: 0, spans: 0, changedTraceIds: [], setAside: [...(options.setAside ?? [])] };
      if (!options.isolate) {
        await storeTraces(tx, target, unique, outcome);
      } else {
        for (const trace of unique) {
          await tx.$executeRawUnsafe(`SAVEPOINT lg_trace`);
          try {
            await storeTraces(tx, target, [trace], outcome);
            await tx.$executeRawUnsafe(`RELEASE SAVEPOINT lg_trace`);
          } catch (error) {
            if (!isDataError(error)) throw error;
            await tx.$executeRawUnsafe(`ROLLBACK TO SAVEPOINT lg_trace`);
            outcome.setAside.push({ kind: "trace", experimentId: trace.experimentId, externalId: trace.externalId, reason: refusal(error) });
          }
        }
      }
      // Duplicates inside one page and refused records count as unchanged: fetched, not stored again.
      outcome.unchanged = traces.length - outcome.inserted - outcome.updated;
      await recordQuarantine(tx, target, outcome.setAside, options.clearQuarantine ? unique.map((t) => t.externalId) : []);
      if (cursor?.slice) {
        await advanceOverCommittedSlices(tx, target, cursor, cursor.slice);
      } else if (cursor) {
        await advanceCursor(tx, target.integrationId, cursor);
        await recordRunCheckpoint(tx, target.syncRunId, cursor.experimentId, cursor);
      }
      await tx.syncRun.update({
        where: { id: target.syncRunId },
        data: {
          itemsFetched: { increment: fetched },
          itemsIngested: { increment: outcome.inserted },
          itemsUpdated: { increment: outcome.updated },
          itemsSkipped: { increment: outcome.unchanged + (fetched - traces.length) },
          spansIngested: { increment: outcome.spans },
          heartbeatAt: new Date(),
          ...(options.progress ? { progress: options.progress(outcome) as object } : {}),
        },
      });
      return outcome;
    },
    { timeout: TX_TIMEOUT_MS, maxWait: 30_000 },
  );
}

async function storeTraces(tx: Database, target: BatchTarget, traces: TraceRow[], outcome: BatchOutcome): Promise<void> {
  if (traces.length === 0) return;
  const rows = await upsertTraces(tx, target, traces);
  const changed = new Map<string, string>();
  let inserted = 0;
  for (const row of rows) {
    changed.set(row.externalId, row.id);
    if (row.inserted) inserted += 1;
  }
  const changedTraces = traces.filter((t) => changed.has(t.externalId));
  const spans = await replaceSpans(
    tx,
    changedTraces,
    changed,
    rows.filter((r) => !r.inserted).map((r) => r.id),
  );
  await linkAgents(tx, target, changedTraces, changed);
  // Counted only once everything of these traces is written: a refused one adds nothing.
  outcome.inserted += inserted;
  outcome.updated += rows.length - inserted;
  outcome.spans += spans;
  outcome.changedTraceIds.push(...changed.values());
}

/** Postgres' own words for a refused value (its SQLSTATE and message), without our SQL. */
export function refusal(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const message = /Message: `([^`]*)`/.exec(text)?.[1] ?? text.split("\n").filter(Boolean).at(-1) ?? "refused";
  return `Postgres refused a value (${databaseErrorCode(error) ?? "error"}): ${message}`.slice(0, 500);
}

/** Sets records aside outside a page (an experiment whose own row cannot be stored). */
export function quarantine(db: Database, target: BatchTarget, setAside: SetAside[]): Promise<void> {
  return recordQuarantine(db, target, setAside, []);
}

async function recordQuarantine(tx: Database, target: BatchTarget, setAside: SetAside[], stored: string[]): Promise<void> {
  if (stored.length > 0) {
    await tx.$executeRawUnsafe(
      `DELETE FROM "QuarantinedRecord" WHERE "integrationId" = $1::uuid AND "kind" = 'trace' AND "externalId" = ANY($2::text[])`,
      target.integrationId,
      stored.filter((id) => !setAside.some((s) => s.externalId === id)),
    );
  }
  if (setAside.length === 0) return;
  await tx.$executeRawUnsafe(
    `INSERT INTO "QuarantinedRecord" ("organizationId", "integrationId", "syncRunId", "kind", "experimentId", "externalId", "reason")
     SELECT DISTINCT ON (x."kind", x."externalId") $2::uuid, $3::uuid, $4::uuid, x."kind"::"QuarantineKind", x."experimentId", x."externalId", x."reason"
     FROM jsonb_to_recordset($1::jsonb) AS x("kind" text, "experimentId" text, "externalId" text, "reason" text)
     ON CONFLICT ("integrationId", "kind", "externalId") DO UPDATE SET
       "syncRunId" = EXCLUDED."syncRunId", "experimentId" = EXCLUDED."experimentId", "reason" = EXCLUDED."reason", "lastSeenAt" = now()`,
    toJsonParam(setAside),
    target.organizationId,
    target.integrationId,
    target.syncRunId,
  );
}

interface UpsertedRow {
  id: string;
  externalId: string;
  inserted: boolean;
}

async function upsertTraces(tx: Database, target: BatchTarget, traces: TraceRow[]): Promise<UpsertedRow[]> {
  const payload = traces.map(({ spans, timestamp, ...rest }) => ({ ...rest, timestamp: timestamp.toISOString(), spanCount: spans.length }));
  // The WHERE on the conflict branch skips unchanged traces entirely: no write, no row returned.
  return tx.$queryRawUnsafe<UpsertedRow[]>(
    `INSERT INTO "Trace" ("organizationId", "integrationId", "externalId", "experimentId", "name", "timestamp", "durationMs", "status",
        "input", "output", "metadata", "tags", "inputTokens", "outputTokens", "totalTokens", "spanCount", "contentHash", "sourceInfoHash", "alterations", "updatedAt")
     SELECT $2::uuid, $3::uuid, x."externalId", x."experimentId", x."name", x."timestamp", x."durationMs", x."status",
        x."input", x."output", COALESCE(x."metadata", '{}'), COALESCE(x."tags", '{}'), x."inputTokens", x."outputTokens", x."totalTokens",
        x."spanCount", x."contentHash", x."sourceInfoHash", COALESCE(x."alterations", '[]'), now()
     FROM jsonb_to_recordset($1::jsonb) AS x("externalId" text, "experimentId" text, "name" text, "timestamp" timestamp(3), "durationMs" bigint,
        "status" text, "input" jsonb, "output" jsonb, "metadata" jsonb, "tags" jsonb, "inputTokens" bigint, "outputTokens" bigint,
        "totalTokens" bigint, "spanCount" int, "contentHash" text, "sourceInfoHash" text, "alterations" jsonb)
     ON CONFLICT ("integrationId", "externalId") DO UPDATE SET
        "experimentId" = EXCLUDED."experimentId", "name" = EXCLUDED."name", "timestamp" = EXCLUDED."timestamp",
        "durationMs" = EXCLUDED."durationMs", "status" = EXCLUDED."status", "input" = EXCLUDED."input", "output" = EXCLUDED."output",
        "metadata" = EXCLUDED."metadata", "tags" = EXCLUDED."tags", "inputTokens" = EXCLUDED."inputTokens",
        "outputTokens" = EXCLUDED."outputTokens", "totalTokens" = EXCLUDED."totalTokens", "spanCount" = EXCLUDED."spanCount",
        "contentHash" = EXCLUDED."contentHash", "sourceInfoHash" = EXCLUDED."sourceInfoHash", "alterations" = EXCLUDED."alterations", "updatedAt" = now()
     WHERE "Trace"."contentHash" IS DISTINCT FROM EXCLUDED."contentHash"
     RETURNING "id"::text AS "id", "externalId", (xmax = 0) AS "inserted"`,
    toJsonParam(payload),
    target.organizationId,
    target.integrationId,
  );
}

/** A changed trace's spans are replaced whole: the source's span tree is the truth. */
async function replaceSpans(tx: Database, traces: TraceRow[], ids: Map<string, string>, updatedIds: string[]): Promise<number> {
  if (updatedIds.length > 0) {
    await tx.$executeRawUnsafe(`DELETE FROM "Span" WHERE "traceId" = ANY($1::uuid[])`, updatedIds);
  }
  const spans = traces.flatMap((trace) =>
    trace.spans.map((span) => ({
      ...span,
      traceId: ids.get(trace.externalId),
      startTime: span.startTime.toISOString(),
      endTime: span.endTime?.toISOString() ?? null,
    })),
  );
  for (let start = 0; start < spans.length; start += SPAN_CHUNK) {
    await tx.$executeRawUnsafe(
      `INSERT INTO "Span" ("traceId", "spanId", "parentSpanId", "name", "type", "startTime", "endTime", "durationMs", "status",
          "statusMessage", "inputs", "outputs", "attributes", "events", "model", "provider", "inputTokens", "outputTokens", "totalTokens", "truncated")
       SELECT x."traceId", x."spanId", x."parentSpanId", x."name", x."type", x."startTime", x."endTime", x."durationMs", x."status",
          x."statusMessage", x."inputs", x."outputs", COALESCE(x."attributes", '{}'), COALESCE(x."events", '[]'), x."model", x."provider",
          x."inputTokens", x."outputTokens", x."totalTokens", COALESCE(x."truncated", false)
       FROM jsonb_to_recordset($1::jsonb) AS x("traceId" uuid, "spanId" text, "parentSpanId" text, "name" text, "type" text,
          "startTime" timestamp(3), "endTime" timestamp(3), "durationMs" double precision, "status" text, "statusMessage" text,
          "inputs" jsonb, "outputs" jsonb, "attributes" jsonb, "events" jsonb, "model" text, "provider" text, "inputTokens" bigint,
          "outputTokens" bigint, "totalTokens" bigint, "truncated" boolean)
       ON CONFLICT ("traceId", "spanId") DO NOTHING`,
      toJsonParam(spans.slice(start, start + SPAN_CHUNK)),
    );
  }
  return spans.length;
}

async function linkAgents(tx: Database, target: BatchTarget, traces: TraceRow[], ids: Map<string, string>): Promise<void> {
  const agents = new Map<string, { name: string; type: string | null; versions: Set<string>; first: Date; last: Date }>();
  const links: Array<{ name: string; traceId: string; version: string | null; seenAt: string }> = [];
  for (const trace of traces) {
    for (const agent of detectAgents(trace)) {
      const known = agents.get(agent.name) ?? { name: agent.name, type: null, versions: new Set<string>(), first: trace.timestamp, last: trace.timestamp };
      known.type ??= agent.type;
      if (agent.version) known.versions.add(agent.version);
      if (trace.timestamp < known.first) known.first = trace.timestamp;
      if (trace.timestamp > known.last) known.last = trace.timestamp;
      agents.set(agent.name, known);
      links.push({ name: agent.name, traceId: ids.get(trace.externalId)!, version: agent.version, seenAt: trace.timestamp.toISOString() });
    }
  }
  if (agents.size === 0) return;
  // Rows are locked in the order they are inserted: sorted by name, two batches of one organization
  // (other integrations, other workers) always take shared agents' locks in the same order and
  // never deadlock on them.
  const agentRows = [...agents.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((a) => ({ name: a.name, type: a.type, versions: [...a.versions].sort(), first: a.first.toISOString(), last: a.last.toISOString() }));
  await tx.$executeRawUnsafe(
    `WITH upserted AS (
       INSERT INTO "Agent" ("organizationId", "name", "type", "versions", "firstSeenAt", "lastSeenAt")
       SELECT $2::uuid, x."name", x."type", COALESCE(x."versions", '{}'), x."first", x."last"
       FROM jsonb_to_recordset($1::jsonb) AS x("name" text, "type" text, "versions" text[], "first" timestamp(3), "last" timestamp(3))
       ON CONFLICT ("organizationId", "name") DO UPDATE SET
         "type" = COALESCE(EXCLUDED."type", "Agent"."type"),
         "versions" = ARRAY(SELECT DISTINCT v FROM unnest("Agent"."versions" || EXCLUDED."versions") AS v ORDER BY v),
         "firstSeenAt" = LEAST("Agent"."firstSeenAt", EXCLUDED."firstSeenAt"),
         "lastSeenAt" = GREATEST("Agent"."lastSeenAt", EXCLUDED."lastSeenAt")
       RETURNING "id", "name"
     )
     INSERT INTO "AgentTrace" ("agentId", "traceId", "integrationId", "version", "seenAt")
     SELECT DISTINCT ON (u."id", l."traceId") u."id", l."traceId", $3::uuid, l."version", l."seenAt"
     FROM jsonb_to_recordset($4::jsonb) AS l("name" text, "traceId" uuid, "version" text, "seenAt" timestamp(3))
     JOIN upserted u ON u."name" = l."name"
     ORDER BY u."id", l."traceId", l."version" DESC NULLS LAST
     ON CONFLICT ("agentId", "traceId") DO UPDATE SET "version" = EXCLUDED."version", "seenAt" = EXCLUDED."seenAt"`,
    toJsonParam(agentRows),
    target.organizationId,
    target.integrationId,
    toJsonParam(links),
  );
}

/**
 * Records one part's position, then moves the experiment's cursor over the committed prefix of
 * parts: every part before the first unfinished one, and that one's own committed pages. Parts
 * finish in any order, so a part further on may be stored while an earlier one is not; the
 * cursor waits for it, and a resumed run reads again from the prefix (storing is idempotent).
 */
async function advanceOverCommittedSlices(tx: Database, target: BatchTarget, cursor: BatchCursor, slice: { read: string; part: number }): Promise<void> {
  const mark = `${cursor.experimentId}${SLICE_KEY_MARK}${slice.read}:`;
  await recordRunCheckpoint(tx, target.syncRunId, `${mark}${slice.part}`, cursor);
  const parts = await tx.$queryRawUnsafe<Array<{ key: string; cursorMs: bigint; done: boolean }>>(
    `SELECT "key", "cursorMs", "done" FROM "RunCheckpoint" WHERE "syncRunId" = $1::uuid AND left("key", length($2)) = $2`,
    target.syncRunId,
    mark,
  );
  const byNumber = new Map(parts.map((p) => [Number(p.key.slice(mark.length)), p]));
  let prefix: bigint | null = null;
  for (let n = 0; byNumber.has(n); n += 1) {
    const part = byNumber.get(n)!;
    if (prefix === null || part.cursorMs > prefix) prefix = part.cursorMs;
    if (!part.done) break;
  }
  if (prefix === null) return;
  const covered = { experimentId: cursor.experimentId, cursorMs: Number(prefix), done: false };
  await advanceCursor(tx, target.integrationId, covered);
  await recordRunCheckpoint(tx, target.syncRunId, cursor.experimentId, covered);
}

async function advanceCursor(tx: Database, integrationId: string, cursor: BatchCursor): Promise<void> {
  await tx.$executeRawUnsafe(
    `INSERT INTO "SyncCursor" ("integrationId", "experimentId", "cursorMs", "updatedAt") VALUES ($1::uuid, $2, $3, now())
     ON CONFLICT ("integrationId", "experimentId") DO UPDATE SET
       "cursorMs" = GREATEST("SyncCursor"."cursorMs", EXCLUDED."cursorMs"), "updatedAt" = now()`,
    integrationId,
    cursor.experimentId,
    BigInt(cursor.cursorMs),
  );
}

/** The run's own position in the experiment, so a resumed full run continues instead of starting over. */
async function recordRunCheckpoint(tx: Database, syncRunId: string, key: string, cursor: BatchCursor): Promise<void> {
  await tx.$executeRawUnsafe(
    `INSERT INTO "RunCheckpoint" ("syncRunId", "key", "cursorMs", "done", "updatedAt") VALUES ($1::uuid, $2, $3, $4, now())
     ON CONFLICT ("syncRunId", "key") DO UPDATE SET
       "cursorMs" = GREATEST("RunCheckpoint"."cursorMs", EXCLUDED."cursorMs"), "done" = "RunCheckpoint"."done" OR EXCLUDED."done", "updatedAt" = now()`,
    syncRunId,
    key,
    BigInt(cursor.cursorMs),
    cursor.done,
  );
}
