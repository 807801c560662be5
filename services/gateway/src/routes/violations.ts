import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Prisma } from "@langguard/database";
import type { GatewayDeps } from "../deps.ts";
import { orgOf } from "../plugins/authentication.ts";
import { notFound } from "../plugins/error-handler.ts";
import { csvRow } from "../export/csv.ts";
import { errorResponses, IdParams, Json, Page, page, pageQuery, text, Uuid } from "../schemas/common.ts";
import { EvaluationErrors, withEvaluationErrors } from "./policy-errors.ts";
import { note, Timestamp } from "@langguard/input-rules";

const Status = z.enum(["new", "acknowledged", "resolved"], { error: "must be new, acknowledged or resolved" });
const Severity = z.enum(["critical", "high", "medium", "low"], { error: "must be critical, high, medium or low" });
const ListQuery = z
  .object({
    ...pageQuery,
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
  traceId: z.uuid(),
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

const CSV_COLUMNS = ["id", "createdAt", "severity", "status", "policyName", "policyVersion", "integrationId", "traceId", "agents", "message", "note"] as const;

export const violationRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, { db }) => {
  app.get(
    "/api/policies/violations",
    {
      config: { scope: "read", alsoProduces: { 200: ["text/csv"] } },
      schema: { querystring: ListQuery, response: { 200: Page(ViolationListItem), ...errorResponses } },
    },
    async (request, reply) => {
      const { limit, offset, format, severity, status, policyId, integrationId, traceId, agent, from, to } = request.query;
      const where: Prisma.ViolationWhereInput = {
        organizationId: orgOf(request),
        ...(severity ? { severity } : {}),
        ...(status ? { status } : {}),
        ...(policyId ? { policyId } : {}),
        ...(integrationId ? { integrationId } : {}),
        ...(traceId ? { traceId } : {}),
        ...(agent ? { agents: { has: agent } } : {}),
        ...(from || to ? { createdAt: { ...(from ? { gte: from } : {}), ...(to ? { lte: to } : {}) } } : {}),
      };
      const orderBy = [{ createdAt: "desc" as const }, { id: "asc" as const }];
      if (format === "csv") {
        // The export is the whole filtered set, not a page, streamed in chunks.
        reply.header("content-type", "text/csv; charset=utf-8").header("content-disposition", 'attachment; filename="violations.csv"');
        const lines = [csvRow(CSV_COLUMNS)];
        for (let skip = 0; ; skip += 1000) {
          const rows = await db.violation.findMany({ where, orderBy, take: 1000, skip, include: { policy: { select: { name: true } } } });
          for (const row of rows) lines.push(csvRow(CSV_COLUMNS.map((c) => (view(row) as Record<string, unknown>)[c])));
          if (rows.length < 1000) break;
        }
        return reply.serializer((x: unknown) => String(x)).send(`${lines.join("\r\n")}\r\n` as never);
      }
      const [rows, total] = await Promise.all([
        db.violation.findMany({ where, orderBy, take: limit, skip: offset, include: { policy: { select: { name: true } } } }),
        db.violation.count({ where }),
      ]);
      return page(
        await withEvaluationErrors(db, where.organizationId as string, rows.map(view), (v) => v.policyId, "policyEvaluationErrors"),
        total,
        limit,
        offset,
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
