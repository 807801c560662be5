import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Prisma } from "@langguard/database";
import { ExactInteger, exactInteger } from "../exact/numbers.ts";
import { SPAN_JSON, spanJson, TRACE_JSON, traceJson } from "../exact/trace-json.ts";
import type { GatewayDeps } from "../deps.ts";
import { orgOf } from "../plugins/authentication.ts";
import { notFound } from "../plugins/error-handler.ts";
import { errorResponses, IdParams, Json, text, Uuid } from "../schemas/common.ts";
import { type Keyset, KeysetPage, keysetPage, keysetQuery, type KeysetQuery, pageArgs } from "../pagination/keyset.ts";
import { Timestamp } from "@langguard/input-rules";
import { costUsd, priceFor } from "@langguard/policy-engine";

const TraceStatus = z.enum(["OK", "ERROR", "IN_PROGRESS", "UNSPECIFIED"], { error: "must be OK, ERROR, IN_PROGRESS or UNSPECIFIED" });
const ListQuery = z
  .object({
    ...keysetQuery,
    integrationId: Uuid.optional(),
    status: TraceStatus.optional(),
    agent: text(200).optional(),
    name: text(200).optional().describe("Part of the trace's name, any case"),
    from: Timestamp.optional().describe("Traces that started at or after this time"),
    to: Timestamp.optional().describe("Traces that started at or before this time"),
  })
  .strict();
const SpanQuery = z.object(keysetQuery).strict();

const DetailQuery = z
  .object({
    // "summary": spans without their documents (inputs, outputs, attributes, events), for a view
    // of a large trace that reads one span's documents when it opens it (/spans/:spanId).
    spans: z.enum(["full", "summary"], { error: "must be 'full' or 'summary'" }).default("full"),
  })
  .strict();
const SpanParams = z.object({ id: Uuid, spanId: text(500) }).strict();

/** Newest first; the id breaks ties so that the order is total (indexes: prisma/schema.prisma, Trace). */
export const TRACES: Keyset = {
  list: "traces",
  direction: "desc",
  keys: [
    { field: "timestamp", kind: "date" },
    { field: "id", kind: "string" },
  ],
};
/** A trace's spans in the order they started; the span id is unique within the trace. */
export const SPANS: Keyset = {
  list: "spans",
  direction: "asc",
  keys: [
    { field: "startTime", kind: "date" },
    { field: "spanId", kind: "string" },
  ],
};

export interface TraceFilters {
  integrationId?: string | undefined;
  status?: string | undefined;
  /** The agent by its id (the route looks the name up first). */
  agentId?: string | undefined;
  /** Part of the trace's name, any case. */
  name?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/** The filter of the traces list, shared with the EXPLAIN test that proves its indexes. */
export function traceWhere(organizationId: string, { integrationId, status, agentId, name, from, to }: TraceFilters): Prisma.TraceWhereInput {
  return {
    organizationId,
    ...(integrationId ? { integrationId } : {}),
    ...(status ? { status } : {}),
    // By id, not through a join on the name: Postgres then knows how common the agent is and, for
    // a common one, walks the traces index in order probing each trace's agents, instead of
    // collecting and sorting every trace of the agent.
    ...(agentId ? { agents: { some: { agentId } } } : {}),
    ...(name ? { name: { contains: name, mode: "insensitive" as const } } : {}),
    ...(from || to ? { timestamp: { ...(from ? { gte: from } : {}), ...(to ? { lte: to } : {}) } } : {}),
  };
}

export function traceListArgs(organizationId: string, query: TraceFilters & KeysetQuery) {
  return { ...pageArgs(TRACES, traceWhere(organizationId, query), query), select: listFields };
}

const TraceSummary = z.object({
  id: z.uuid(),
  integrationId: z.uuid(),
  externalId: z.string(),
  experimentId: z.string().nullable(),
  name: z.string().nullable(),
  timestamp: z.date(),
  durationMs: ExactInteger.nullable(),
  status: z.string(),
  inputTokens: ExactInteger.nullable(),
  outputTokens: ExactInteger.nullable(),
  totalTokens: ExactInteger.nullable(),
  spanCount: z.number().int(),
  tags: Json,
  // Where the stored trace differs from the source because a value could not be stored as is.
  alterations: Json,
  createdAt: z.date(),
  updatedAt: z.date(),
});

const SpanView = z.object({
  id: z.uuid(),
  spanId: z.string(),
  parentSpanId: z.string().nullable(),
  name: z.string(),
  type: z.string().nullable(),
  startTime: z.date(),
  endTime: z.date().nullable(),
  // Milliseconds with their fraction (spans are timed in nanoseconds).
  durationMs: z.number().nullable(),
  status: z.string(),
  statusMessage: z.string().nullable(),
  // Absent with ?spans=summary.
  inputs: Json.optional(),
  outputs: Json.optional(),
  attributes: Json.optional(),
  events: Json.optional(),
  model: z.string().nullable(),
  provider: z.string().nullable(),
  inputTokens: ExactInteger.nullable(),
  outputTokens: ExactInteger.nullable(),
  totalTokens: ExactInteger.nullable(),
  truncated: z.boolean(),
  /** US dollars at the built-in list price of its model; null when the model or its tokens are unknown. */
  costUsd: z.number().nullable(),
});

const TraceDetail = TraceSummary.extend({
  input: Json,
  output: Json,
  metadata: Json,
  spans: z.array(SpanView),
  agents: z.array(z.object({ id: z.uuid(), name: z.string(), type: z.string().nullable(), version: z.string().nullable() })),
});

const listFields = {
  id: true,
  integrationId: true,
  externalId: true,
  experimentId: true,
  name: true,
  timestamp: true,
  durationMs: true,
  status: true,
  inputTokens: true,
  outputTokens: true,
  totalTokens: true,
  spanCount: true,
  tags: true,
  alterations: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.TraceSelect;

export const traceRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, { db }) => {
  app.get(
    "/api/traces",
    { config: { scope: "read" }, schema: { querystring: ListQuery, response: { 200: KeysetPage(TraceSummary), ...errorResponses } } },
    async (request) => {
      const organizationId = orgOf(request);
      const { agent, ...query } = request.query;
      const found = agent ? await db.agent.findUnique({ where: { organizationId_name: { organizationId, name: agent } }, select: { id: true } }) : null;
      // An agent the organization never saw has no traces.
      const filters = { ...query, agentId: agent ? (found?.id ?? "00000000-0000-0000-0000-000000000000") : undefined };
      const rows = await db.trace.findMany(traceListArgs(organizationId, filters));
      return keysetPage(
        TRACES,
        request.query,
        rows,
        (kept) => kept.map(countsOf),
        () => db.trace.count({ where: traceWhere(organizationId, filters) }),
      );
    },
  );

  app.get(
    "/api/traces/:id/spans",
    { config: { scope: "read" }, schema: { params: IdParams, querystring: SpanQuery, response: { 200: KeysetPage(SpanView), ...errorResponses } } },
    async (request) => {
      const trace = await db.trace.findFirst({ where: { id: request.params.id, organizationId: orgOf(request) }, select: { id: true } });
      if (!trace) throw notFound("Trace", request.params.id);
      const rows = await db.span.findMany({ ...pageArgs(SPANS, { traceId: trace.id }, request.query), omit: { ...SPAN_JSON, traceId: true } });
      return keysetPage(
        SPANS,
        request.query,
        rows,
        async (kept) => {
          const documents = await spanJson(
            db,
            trace.id,
            kept.map((s) => s.id),
          );
          return kept.map((span) => ({ ...tokensOf(span), ...documents.get(span.id)!, costUsd: spanCost(span) }));
        },
        () => db.span.count({ where: { traceId: trace.id } }),
      );
    },
  );

  app.get(
    "/api/traces/:id",
    { config: { scope: "read" }, schema: { params: IdParams, querystring: DetailQuery, response: { 200: TraceDetail, ...errorResponses } } },
    async (request) => {
      const trace = await db.trace.findFirst({
        where: { id: request.params.id, organizationId: orgOf(request) },
        // The JSON documents are read apart, without rounding (exact/trace-json.ts).
        omit: TRACE_JSON,
        include: {
          spans: { omit: SPAN_JSON, orderBy: [{ startTime: "asc" }, { spanId: "asc" }] },
          agents: { include: { agent: { select: { id: true, name: true, type: true } } } },
        },
      });
      if (!trace) throw notFound("Trace", request.params.id);
      const summary = request.query.spans === "summary";
      const [documents, spanDocuments] = await Promise.all([traceJson(db, trace.id), summary ? new Map() : spanJson(db, trace.id)]);
      if (!documents) throw notFound("Trace", request.params.id);
      return {
        ...countsOf(trace),
        ...documents,
        spans: trace.spans.map((span) => ({ ...tokensOf(span), ...spanDocuments.get(span.id), costUsd: spanCost(span) })),
        agents: trace.agents.map((a) => ({ ...a.agent, version: a.version })),
      };
    },
  );

  app.get(
    "/api/traces/:id/spans/:spanId",
    { config: { scope: "read" }, schema: { params: SpanParams, response: { 200: SpanView, ...errorResponses } } },
    async (request) => {
      const span = await db.span.findFirst({
        where: { spanId: request.params.spanId, trace: { id: request.params.id, organizationId: orgOf(request) } },
        omit: SPAN_JSON,
      });
      if (!span) throw notFound("Span", request.params.spanId);
      const documents = (await spanJson(db, span.traceId, [span.id])).get(span.id);
      return { ...tokensOf(span), ...documents, costUsd: spanCost(span) };
    },
  );
};

/** What a span's model call cost, by the same price table the cost policy uses. */
function spanCost(span: { model: string | null; inputTokens: bigint | null; outputTokens: bigint | null }): number | null {
  if (!span.model || (span.inputTokens === null && span.outputTokens === null)) return null;
  const price = priceFor(span.model);
  return price ? costUsd(price, Number(span.inputTokens ?? 0n), Number(span.outputTokens ?? 0n)) : null;
}

type Tokens = "inputTokens" | "outputTokens" | "totalTokens";
type Exact = ReturnType<typeof exactInteger>;

/** Token counts are bigint columns: JSON integers, exact beyond 2^53 too. */
function tokensOf<T extends Record<Tokens, bigint | null>>(row: T): Omit<T, Tokens> & Record<Tokens, Exact> {
  return { ...row, inputTokens: exactInteger(row.inputTokens), outputTokens: exactInteger(row.outputTokens), totalTokens: exactInteger(row.totalTokens) };
}

/** A trace's duration is a bigint column of whole milliseconds (a span's has its fraction and is a number already). */
function countsOf<T extends Record<Tokens, bigint | null> & { durationMs: bigint | null }>(
  row: T,
): Omit<T, Tokens | "durationMs"> & Record<Tokens | "durationMs", Exact> {
  return { ...tokensOf(row), durationMs: exactInteger(row.durationMs) } as Omit<T, Tokens | "durationMs"> & Record<Tokens | "durationMs", Exact>;
}
