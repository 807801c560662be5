import type { Database } from "@langguard/database";
import { detectAgents } from "../mapping/agents.ts";
import type { TraceRow } from "../mapping/trace.ts";
import { toJsonParam } from "@langguard/database";

export interface BatchTarget {
  organizationId: string;
  integrationId: string;
  /** The run whose counters this batch adds to, in the same transaction. */
  syncRunId: string;
}

export interface BatchCursor {
  experimentId: string;
  cursorMs: number;
  /** The experiment's last page: the run has read it completely. */
  done: boolean;
}

export interface BatchOutcome {
  inserted: number;
  updated: number;
  unchanged: number;
  spans: number;
  /** Ids of traces that are new or changed: the ones policies must (re)evaluate. */
  changedTraceIds: string[];
}

const SPAN_CHUNK = 5_000;
const TX_TIMEOUT_MS = 120_000;

/**
 * Stores one page of traces, their spans and agents, and the cursor that covers them, in
 * one transaction: either all of it is committed or none, so a crash never moves the cursor
 * past unstored data. Multi-row statements keep the round trips per page constant.
 */
export async function writeTraceBatch(
  db: Database,
  target: BatchTarget,
  traces: TraceRow[],
  cursor: BatchCursor | null,
  fetched = traces.length,
  /** The run's progress once this batch is in, stored with the counters in the same write. */
  progress?: (outcome: BatchOutcome) => Record<string, unknown>,
): Promise<BatchOutcome> {
  const unique = [...new Map(traces.map((t) => [t.externalId, t])).values()];
  return db.$transaction(
    async (tx) => {
      const outcome: BatchOutcome = { inserted: 0, updated: 0, unchanged: 0, spans: 0, changedTraceIds: [] };
      if (unique.length > 0) {
        const rows = await upsertTraces(tx as unknown as Database, target, unique);
        const changed = new Map<string, string>();
        for (const row of rows) {
          changed.set(row.externalId, row.id);
          if (row.inserted) outcome.inserted += 1;
          else outcome.updated += 1;
        }
        // Duplicates inside one page count as unchanged: they were fetched but stored once.
        outcome.unchanged = traces.length - rows.length;
        outcome.changedTraceIds = [...changed.values()];
        const changedTraces = unique.filter((t) => changed.has(t.externalId));
        outcome.spans = await replaceSpans(tx as unknown as Database, changedTraces, changed, rows.filter((r) => !r.inserted).map((r) => r.id));
        await linkAgents(tx as unknown as Database, target, changedTraces, changed);
      }
      if (cursor) {
        await advanceCursor(tx as unknown as Database, target.integrationId, cursor);
        await recordRunCheckpoint(tx as unknown as Database, target.syncRunId, cursor);
      }
      await (tx as unknown as Database).syncRun.update({
        where: { id: target.syncRunId },
        data: {
          itemsFetched: { increment: fetched },
          itemsIngested: { increment: outcome.inserted },
          itemsUpdated: { increment: outcome.updated },
          itemsSkipped: { increment: outcome.unchanged + (fetched - traces.length) },
          spansIngested: { increment: outcome.spans },
          heartbeatAt: new Date(),
          ...(progress ? { progress: progress(outcome) as object } : {}),
        },
      });
      return outcome;
    },
    { timeout: TX_TIMEOUT_MS, maxWait: 30_000 },
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
        "input", "output", "metadata", "tags", "inputTokens", "outputTokens", "totalTokens", "spanCount", "contentHash", "updatedAt")
     SELECT $2::uuid, $3::uuid, x."externalId", x."experimentId", x."name", x."timestamp", x."durationMs", x."status",
        x."input", x."output", COALESCE(x."metadata", '{}'), COALESCE(x."tags", '{}'), x."inputTokens", x."outputTokens", x."totalTokens",
        x."spanCount", x."contentHash", now()
     FROM jsonb_to_recordset($1::jsonb) AS x("externalId" text, "experimentId" text, "name" text, "timestamp" timestamp(3), "durationMs" int,
        "status" text, "input" jsonb, "output" jsonb, "metadata" jsonb, "tags" jsonb, "inputTokens" int, "outputTokens" int,
        "totalTokens" int, "spanCount" int, "contentHash" text)
     ON CONFLICT ("integrationId", "externalId") DO UPDATE SET
        "experimentId" = EXCLUDED."experimentId", "name" = EXCLUDED."name", "timestamp" = EXCLUDED."timestamp",
        "durationMs" = EXCLUDED."durationMs", "status" = EXCLUDED."status", "input" = EXCLUDED."input", "output" = EXCLUDED."output",
        "metadata" = EXCLUDED."metadata", "tags" = EXCLUDED."tags", "inputTokens" = EXCLUDED."inputTokens",
        "outputTokens" = EXCLUDED."outputTokens", "totalTokens" = EXCLUDED."totalTokens", "spanCount" = EXCLUDED."spanCount",
        "contentHash" = EXCLUDED."contentHash", "updatedAt" = now()
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
          "inputs" jsonb, "outputs" jsonb, "attributes" jsonb, "events" jsonb, "model" text, "provider" text, "inputTokens" int,
          "outputTokens" int, "totalTokens" int, "truncated" boolean)
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
  const agentRows = [...agents.values()].map((a) => ({ name: a.name, type: a.type, versions: [...a.versions], first: a.first.toISOString(), last: a.last.toISOString() }));
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
async function recordRunCheckpoint(tx: Database, syncRunId: string, cursor: BatchCursor): Promise<void> {
  await tx.$executeRawUnsafe(
    `INSERT INTO "RunCheckpoint" ("syncRunId", "key", "cursorMs", "done", "updatedAt") VALUES ($1::uuid, $2, $3, $4, now())
     ON CONFLICT ("syncRunId", "key") DO UPDATE SET
       "cursorMs" = GREATEST("RunCheckpoint"."cursorMs", EXCLUDED."cursorMs"), "done" = "RunCheckpoint"."done" OR EXCLUDED."done", "updatedAt" = now()`,
    syncRunId,
    cursor.experimentId,
    BigInt(cursor.cursorMs),
    cursor.done,
  );
}
