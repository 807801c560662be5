import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { SyncRun } from "@langguard/database";
import type { GatewayDeps } from "../app.ts";
import { notFound } from "../plugins/error-handler.ts";
import { page, pageQuery } from "../plugins/pagination.ts";
import { triggerTraceSync } from "../sync/trigger.ts";
import { IdParams } from "./integrations.ts";

// An empty POST (no body at all) is a plain incremental sync.
const TriggerBody = z
  .object({ mode: z.enum(["incremental", "full"], { error: "must be 'incremental' or 'full'" }).default("incremental") })
  .strict();

const HistoryQuery = z.object(pageQuery).strict();

export function syncRunView(run: SyncRun) {
  return {
    id: run.id,
    integrationId: run.integrationId,
    kind: run.kind,
    mode: run.mode,
    status: run.status,
    itemsFetched: run.itemsFetched,
    itemsIngested: run.itemsIngested,
    itemsUpdated: run.itemsUpdated,
    itemsSkipped: run.itemsSkipped,
    spansIngested: run.spansIngested,
    errorKind: run.errorKind,
    errorMessage: run.errorMessage,
    experimentErrors: run.experimentErrors,
    progress: run.progress,
    attempts: run.attempts,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    completedAt: run.completedAt,
    durationMs: run.durationMs,
  };
}

export const syncRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, { db, traceSyncQueue }) => {
  app.post("/api/integrations/:id/sync", { schema: { params: IdParams, body: TriggerBody.nullish() } }, async (request, reply) => {
    const mode = request.body?.mode ?? "incremental";
    const triggered = await triggerTraceSync(db, traceSyncQueue, request.params.id, mode);
    if (!triggered) throw notFound("Integration", request.params.id);
    return reply.status(202).send({ syncRunId: triggered.run.id, status: triggered.run.status, mode: triggered.run.mode, alreadyActive: !triggered.created });
  });

  app.get("/api/integrations/:id/sync/status", { schema: { params: IdParams } }, async (request) => {
    const integrationId = request.params.id;
    const exists = await db.integration.count({ where: { id: integrationId } });
    if (!exists) throw notFound("Integration", integrationId);
    const [active, last] = await Promise.all([
      db.syncRun.findFirst({ where: { integrationId, status: { in: ["queued", "running"] } }, orderBy: { createdAt: "desc" } }),
      db.syncRun.findFirst({ where: { integrationId, status: { in: ["succeeded", "partial", "failed"] } }, orderBy: { completedAt: "desc" } }),
    ]);
    return {
      isActive: active !== null,
      currentRun: active ? syncRunView(active) : null,
      lastSync: last
        ? { id: last.id, status: last.status, itemsFetched: last.itemsFetched, itemsIngested: last.itemsIngested, itemsUpdated: last.itemsUpdated, completedAt: last.completedAt, errorMessage: last.errorMessage }
        : null,
    };
  });

  app.get("/api/integrations/:id/sync/history", { schema: { params: IdParams, querystring: HistoryQuery } }, async (request) => {
    const { limit, offset } = request.query;
    const where = { integrationId: request.params.id };
    const [runs, total] = await Promise.all([db.syncRun.findMany({ where, orderBy: { createdAt: "desc" }, take: limit, skip: offset }), db.syncRun.count({ where })]);
    if (total === 0 && !(await db.integration.count({ where: { id: request.params.id } }))) throw notFound("Integration", request.params.id);
    return page(runs.map(syncRunView), total, limit, offset);
  });
};
