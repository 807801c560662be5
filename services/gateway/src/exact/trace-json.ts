import type { Database } from "@langguard/database";
import { exactJson } from "./numbers.ts";

/**
 * A trace's and its spans' JSON documents read as text and parsed without rounding: Prisma
 * parses jsonb with JSON.parse, which rounds integers beyond 2^53 (nanosecond clocks, 64-bit
 * ids) that Postgres holds exactly. The other columns come through Prisma as usual.
 */
export const TRACE_JSON = { input: true, output: true, metadata: true, tags: true, alterations: true } as const;
export const SPAN_JSON = { inputs: true, outputs: true, attributes: true, events: true } as const;

type Text = string | null;

export async function traceJson(db: Database, traceId: string) {
  const [row] = await db.$queryRaw<Array<Record<keyof typeof TRACE_JSON, Text>>>`
    SELECT "input"::text AS input, "output"::text AS output, "metadata"::text AS metadata, "tags"::text AS tags, "alterations"::text AS alterations
    FROM "Trace" WHERE "id" = ${traceId}::uuid`;
  if (!row) return null;
  return {
    input: exactJson(row.input),
    output: exactJson(row.output),
    metadata: exactJson(row.metadata),
    tags: exactJson(row.tags),
    alterations: exactJson(row.alterations),
  };
}

/** Each span's documents by the span row's id: every span of the trace, or only the span rows given (a page of them, or one). */
export async function spanJson(db: Database, traceId: string, spanRowIds?: string[]) {
  const rows = spanRowIds
    ? await db.$queryRaw<Array<{ id: string } & Record<keyof typeof SPAN_JSON, Text>>>`
    SELECT "id"::text AS id, "inputs"::text AS inputs, "outputs"::text AS outputs, "attributes"::text AS attributes, "events"::text AS events
    FROM "Span" WHERE "traceId" = ${traceId}::uuid AND "id" = ANY(${spanRowIds}::uuid[])`
    : await db.$queryRaw<Array<{ id: string } & Record<keyof typeof SPAN_JSON, Text>>>`
    SELECT "id"::text AS id, "inputs"::text AS inputs, "outputs"::text AS outputs, "attributes"::text AS attributes, "events"::text AS events
    FROM "Span" WHERE "traceId" = ${traceId}::uuid`;
  return new Map(
    rows.map((r) => [r.id, { inputs: exactJson(r.inputs), outputs: exactJson(r.outputs), attributes: exactJson(r.attributes), events: exactJson(r.events) }]),
  );
}
