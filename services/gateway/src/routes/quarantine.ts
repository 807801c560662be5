import { fromPrisma } from "../schemas/enums.ts";
import { QuarantineKind } from "@langguard/database";
import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { GatewayDeps } from "../deps.ts";
import { orgOf } from "../plugins/authentication.ts";
import { errorResponses, IdParams } from "../schemas/common.ts";
import { type Keyset, KeysetPage, keysetPage, keysetQuery, pageArgs } from "../pagination/keyset.ts";
import { findIntegration } from "./integrations.ts";

const QuarantineQuery = z.object({ ...keysetQuery, kind: fromPrisma(QuarantineKind).optional() }).strict();

/**
 * In the order records were first set aside: lastSeenAt moves each time a sync meets a record
 * again, and a key that moves would skip or repeat rows between pages.
 */
const QUARANTINE: Keyset = {
  list: "quarantine",
  direction: "desc",
  keys: [
    { field: "firstSeenAt", kind: "date" },
    { field: "id", kind: "string" },
  ],
};

const QuarantinedRecordView = z.object({
  id: z.uuid(),
  kind: fromPrisma(QuarantineKind),
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
      schema: { params: IdParams, querystring: QuarantineQuery, response: { 200: KeysetPage(QuarantinedRecordView), ...errorResponses } },
    },
    async (request) => {
      const integration = await findIntegration(deps, orgOf(request), request.params.id);
      const { kind } = request.query;
      const where = { integrationId: integration.id, ...(kind ? { kind } : {}) };
      const rows = await deps.db.quarantinedRecord.findMany(pageArgs(QUARANTINE, where, request.query));
      return keysetPage(
        QUARANTINE,
        request.query,
        rows,
        (kept) => kept,
        () => deps.db.quarantinedRecord.count({ where }),
      );
    },
  );
};
