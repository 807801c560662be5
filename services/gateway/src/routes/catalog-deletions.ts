import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Database } from "@langguard/database";
import type { GatewayDeps } from "../deps.ts";
import { orgOf } from "../plugins/authentication.ts";
import { HttpError } from "../plugins/error-handler.ts";
import { errorResponses, IdParams, Page, page, PageQuery } from "../schemas/common.ts";
import { findIntegration } from "./integrations.ts";
import { DeletionHoldView } from "./sync.ts";

const ConfirmBody = z
  .object({ holdIds: z.array(z.uuid()).min(1).max(1000).optional().describe("Some of the latest run's holds; all of them when left out") })
  .strict();
const Confirmed = z.object({ confirmed: z.array(z.object({ id: z.uuid(), deleted: z.number().int() })), deleted: z.number().int() });

const REFUSALS = {
  active: "A catalog sync of this integration is queued or running; confirm once it has finished (it decides its deletions afresh)",
  none: "There are no held-back deletions to confirm",
  superseded: "Only the latest finished catalog run's held-back deletions can be confirmed; a newer run has decided afresh",
};

/**
 * Confirms held-back deletions: only the holds of the integration's latest finished catalog run,
 * while no catalog run is queued or running, so what is confirmed is what the last listing showed.
 * Each object still live is marked deleted now.
 */
async function confirmHolds(db: Database, integrationId: string, holdIds: string[] | undefined, confirmedBy: string) {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM "Integration" WHERE "id" = ${integrationId}::uuid FOR UPDATE`;
    if ((await tx.syncRun.count({ where: { integrationId, kind: "catalog", status: { in: ["queued", "running"] } } })) > 0) return "active" as const;
    const latest = await tx.syncRun.findFirst({
      where: { integrationId, kind: "catalog", status: { in: ["succeeded", "partial", "failed"] } },
      orderBy: { completedAt: "desc" },
      select: { id: true },
    });
    const holds = await tx.catalogDeletionHold.findMany({
      where: { integrationId, confirmedAt: null, ...(holdIds ? { id: { in: holdIds } } : { syncRunId: latest?.id ?? integrationId }) },
    });
    if (holds.length === 0 || (holdIds && holds.length !== new Set(holdIds).size)) return "none" as const;
    if (holds.some((h) => h.syncRunId !== latest?.id)) return "superseded" as const;
    const now = new Date();
    const confirmed = [];
    for (const hold of holds) {
      const { count } = await tx.catalogEntity.updateMany({ where: { id: { in: hold.entityIds }, deletedAt: null }, data: { deletedAt: now } });
      await tx.catalogDeletionHold.update({ where: { id: hold.id }, data: { confirmedAt: now, confirmedBy } });
      confirmed.push({ id: hold.id, deleted: count });
    }
    return confirmed;
  });
}

/** Deletions the catalog fail-safe held back: listed, and confirmed by an operator. */
export const catalogDeletionRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, deps) => {
  app.get(
    "/api/integrations/:id/catalog/deletions",
    { config: { scope: "read" }, schema: { params: IdParams, querystring: PageQuery, response: { 200: Page(DeletionHoldView), ...errorResponses } } },
    async (request) => {
      const integration = await findIntegration(deps, orgOf(request), request.params.id);
      const { limit, offset } = request.query;
      const where = { integrationId: integration.id };
      const [rows, total] = await Promise.all([
        deps.db.catalogDeletionHold.findMany({
          where,
          orderBy: [{ createdAt: "desc" }, { fullName: "asc" }, { id: "asc" }],
          take: limit,
          skip: offset,
          omit: { entityIds: true },
        }),
        deps.db.catalogDeletionHold.count({ where }),
      ]);
      return page(rows, total, limit, offset);
    },
  );

  app.post(
    "/api/integrations/:id/catalog/deletions/confirm",
    {
      config: { scope: "write" },
      schema: { params: IdParams, body: ConfirmBody.nullish(), response: { 200: Confirmed, ...errorResponses, 409: errorResponses[400] } },
    },
    async (request) => {
      const integration = await findIntegration(deps, orgOf(request), request.params.id);
      const result = await confirmHolds(deps.db, integration.id, request.body?.holdIds, `api-key:${request.principal!.keyId}`);
      if (typeof result === "string") throw new HttpError(409, REFUSALS[result]);
      return { confirmed: result, deleted: result.reduce((n, c) => n + c.deleted, 0) };
    },
  );
};
