import { fromPrisma } from "../schemas/enums.ts";
import { ViolationStatus, Severity as SeverityLevel } from "@langguard/database";
import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Prisma } from "@langguard/database";
import type { GatewayDeps } from "../deps.ts";
import { orgOf } from "../plugins/authentication.ts";
import { notFound } from "../plugins/error-handler.ts";
import { csvRow } from "../export/csv.ts";
import { errorResponses, IdParams, Json, text, Uuid } from "../schemas/common.ts";
import { encodeCursor, type Keyset, KeysetPage, keysetPage, keysetQuery, type KeysetQuery, pageArgs } from "../pagination/keyset.ts";
import { Readable } from "node:stream";
import { EvaluationErrors, withEvaluationErrors } from "./policy-errors.ts";
import { note, Timestamp } from "@langguard/input-rules";

const Status = fromPrisma(ViolationStatus);
const Severity = fromPrisma(SeverityLevel);
const ListQuery = z
  .object({
    ...keysetQuery,
    severity: Severity.optional(),
    status: Status.optional(),
    policyId: Uuid.optional(),
    integrationId: Uuid.optional(),
    // The violations of one trace, for its page.
    traceId: Uuid.optional(),
    agent: text(200).optional(),
    from: Timestamp.optional(),
    to: Timestamp.optional(),
    format: z.enum(["json", "csv"], { error: "must be 'json' or 'csv'" }).default("json"),
  })
  .strict();

const ViolationView = z.object({
  id: z.uuid(),
  integrationId: z.uuid(),
  traceId: z.uuid().nullable().describe("Null once retention removed the trace and the organization keeps violations longer"),
  policyId: z.uuid(),
  policyVersion: z.number().int(),
  policyName: z.string(),
  severity: Severity,
  status: Status,
  message: z.string(),
  evidence: Json,
  agents: z.array(z.string()),
  note: z.string().nullable(),
  statusChangedBy: z.string().nullable(),
  statusChangedAt: z.date().nullable(),
  createdAt: z.date(),
});
/** A listed violation also says whether its policy currently fails to evaluate on some traces. */
const ViolationListItem = ViolationView.extend({ policyEvaluationErrors: EvaluationErrors });
// Postgres text cannot hold NUL: a note is refused with its field rather than failing the update.
const Change = z.object({ status: Status, note: note(4000).optional() }).strict();
const Bulk = z.object({ ids: z.array(Uuid).min(1, "must list at least one violation").max(1000), status: Status, note: note(4000).optional() }).strict();

type Row = Prisma.ViolationGetPayload<{ include: { policy: { select: { name: true } } } }>;
const view = (row: Row): z.input<typeof ViolationView> => ({ ...row, policyName: row.policy.name, evidence: row.evidence });

/** Newest first, the id breaking ties (indexes: prisma/schema.prisma, Violation). */
export const VIOLATIONS: Keyset = {
  list: "violations",
  direction: "desc",
  keys: [
    { field: "createdAt", kind: "date" },
    { field: "id", kind: "string" },
  ],
};

export interface ViolationFilters {
  severity?: z.infer<typeof Severity> | undefined;
  status?: z.infer<typeof Status> | undefined;
  policyId?: string | undefined;
  integrationId?: string | undefined;
  /** The violations of one trace, for its page. */
  traceId?: string | undefined;
  agent?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/** The filter of the violations list and export, shared with the EXPLAIN test that proves its indexes. */
export function violationWhere(
  organizationId: string,
  { severity, status, policyId, integrationId, traceId, agent, from, to }: ViolationFilters,
): Prisma.ViolationWhereInput {
  return {
    organizationId,
    ...(severity ? { severity } : {}),
    ...(status ? { status } : {}),
    ...(policyId ? { policyId } : {}),
    ...(integrationId ? { integrationId } : {}),
    ...(traceId ? { traceId } : {}),
    ...(agent ? { agents: { has: agent } } : {}),
    ...(from || to ? { createdAt: { ...(from ? { gte: from } : {}), ...(to ? { lte: to } : {}) } } : {}),
  };
}

export function violationListArgs(organizationId: string, query: ViolationFilters & KeysetQuery) {
  return { ...pageArgs(VIOLATIONS, violationWhere(organizationId, query), query), include: { policy: { select: { name: true } } } };
}

const CSV_COLUMNS = ["id", "createdAt", "severity", "status", "policyName", "policyVersion", "integrationId", "traceId", "agents", "message", "note"] as const;

export const violationRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, { db }) => {
  app.get(
    "/api/policies/violations",
    {
      config: { scope: "read", alsoProduces: { 200: ["text/csv"] } },
      schema: { querystring: ListQuery, response: { 200: KeysetPage(ViolationListItem), ...errorResponses } },
    },
    async (request, reply) => {
      const organizationId = orgOf(request);
      const { format, cursor, offset } = request.query;
      if (format === "csv") {
        // The export is the whole filtered set (from the cursor on, if one is given), not a page:
        // streamed a chunk at a time through the same keyset, so a large export neither holds
        // every row in memory nor re-walks the rows before each chunk.
        reply.header("content-type", "text/csv; charset=utf-8").header("content-disposition", 'attachment; filename="violations.csv"');
        const first = { ...request.query, limit: 1000, offset };
        pageArgs(VIOLATIONS, {}, first); // refuses a bad cursor before the answer starts
        async function* lines() {
          yield `${csvRow(CSV_COLUMNS)}\r\n`;
          let page: KeysetQuery = { ...first, cursor };
          for (;;) {
            const rows = await db.violation.findMany(violationListArgs(organizationId, { ...request.query, ...page }));
            const kept = rows.slice(0, 1000);
            if (kept.length > 0) yield `${kept.map((row) => csvRow(CSV_COLUMNS.map((c) => (view(row) as Record<string, unknown>)[c]))).join("\r\n")}\r\n`;
            if (rows.length <= 1000) return;
            page = { limit: 1000, offset: undefined, cursor: encodeCursor(VIOLATIONS, kept[kept.length - 1]!) };
          }
        }
        return reply.send(Readable.from(lines()) as never);
      }
      const rows = await db.violation.findMany(violationListArgs(organizationId, request.query));
      return keysetPage(
        VIOLATIONS,
        request.query,
        rows,
        (kept) => withEvaluationErrors(db, organizationId, kept.map(view), (v) => v.policyId, "policyEvaluationErrors"),
        () => db.violation.count({ where: violationWhere(organizationId, request.query) }),
      );
    },
  );

  app.patch(
    "/api/policies/violations/:id",
    { config: { scope: "write" }, schema: { params: IdParams, body: Change, response: { 200: ViolationView, ...errorResponses } } },
    async (request) => {
      const changed = await db.violation.updateMany({
        where: { id: request.params.id, organizationId: orgOf(request) },
        data: {
          status: request.body.status,
          ...(request.body.note !== undefined ? { note: request.body.note } : {}),
          statusChangedAt: new Date(),
          statusChangedBy: request.principal!.actor,
        },
      });
      if (changed.count === 0) throw notFound("Violation", request.params.id);
      return view(await db.violation.findUniqueOrThrow({ where: { id: request.params.id }, include: { policy: { select: { name: true } } } }));
    },
  );

  app.post(
    "/api/policies/violations/bulk",
    { config: { scope: "write" }, schema: { body: Bulk, response: { 200: z.object({ updated: z.number().int() }), ...errorResponses } } },
    async (request) => {
      const changed = await db.violation.updateMany({
        where: { id: { in: request.body.ids }, organizationId: orgOf(request) },
        data: {
          status: request.body.status,
          ...(request.body.note !== undefined ? { note: request.body.note } : {}),
          statusChangedAt: new Date(),
          statusChangedBy: request.principal!.actor,
        },
      });
      return { updated: changed.count };
    },
  );
};
