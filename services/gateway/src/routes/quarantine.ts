import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { GatewayDeps } from "../deps.ts";
import { orgOf } from "../plugins/authentication.ts";
import { errorResponses, IdParams, Page, page, PageQuery } from "../schemas/common.ts";
import { findIntegration } from "./integrations.ts";

const QuarantineQuery = PageQuery.extend({ kind: z.enum(["trace", "experiment"], { error: "must be 'trace' or 'experiment'" }).optional() });

const QuarantinedRecordView = z.object({
  id: z.uuid(),
  kind: z.enum(["trace", "experiment"]),
  experimentId: z.string().nullable(),
  externalId: z.string(),
  reason: z.string(),
  syncRunId: z.uuid().nullable(),
  firstSeenAt: z.date(),
  lastSeenAt: z.date(),
});

/** Records a sync set aside because they could not be stored: what they are and why. */
export const quarantineRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, deps) => {
  app.get(
    "/api/integrations/:id/quarantine",
    {
      config: { scope: "read" },
      schema: { params: IdParams, querystring: QuarantineQuery, response: { 200: Page(QuarantinedRecordView), ...errorResponses } },
    },
    async (request) => {
      const integration = await findIntegration(deps, orgOf(request), request.params.id);
      const { limit, offset, kind } = request.query;
      const where = { integrationId: integration.id, ...(kind ? { kind } : {}) };
      const [items, total] = await Promise.all([
        deps.db.quarantinedRecord.findMany({ where, orderBy: [{ lastSeenAt: "desc" }, { id: "asc" }], take: limit, skip: offset }),
        deps.db.quarantinedRecord.count({ where }),
      ]);
      return page(items, total, limit, offset);
    },
  );
};
