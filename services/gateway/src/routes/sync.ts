import { fromPrisma } from "../schemas/enums.ts";
import { SyncKind, SyncMode, SyncStatus } from "@langguard/database";
import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { SyncRun } from "@langguard/database";
import type { GatewayDeps } from "../deps.ts";
import { orgOf } from "../plugins/authentication.ts";
import { HttpError } from "../plugins/error-handler.ts";
import { expensive } from "../plugins/rate-limit.ts";
import { errorResponses, IdParams, Json } from "../schemas/common.ts";
import { type Keyset, KeysetPage, keysetPage, keysetQuery, pageArgs } from "../pagination/keyset.ts";
import { rateLimitView, triggerSync } from "@langguard/sync-runs";
import { RateLimitWarning } from "./integration-schemas.ts";
import { findIntegration } from "./integrations.ts";

// An empty POST (no body at all) is a plain incremental sync of traces.
const TriggerBody = z
  .object({
    type: z.enum(["traces", "catalog", "all"], { error: "must be 'traces', 'catalog' or 'all'" }).default("traces"),
    mode: fromPrisma(SyncMode).default("incremental"),
  })
  .strict();
const KindQuery = z.object({ kind: fromPrisma(SyncKind).default("traces") }).strict();
const TriggeredRun = z.object({ type: fromPrisma(SyncKind), syncRunId: z.uuid(), status: z.string(), mode: z.string(), alreadyActive: z.boolean() });

const RunError = z.object({ experimentId: z.string(), kind: z.string(), message: z.string() });
const ContainerError = z.object({
  kind: z.string().describe("What failed: a listing (catalogs, schemas, tables, volumes, functions, models) or one object (table, model, …)"),
  fullName: z.string().describe("Its full name, or for a listing its parent's; a part holding a dot is in backticks"),
  errorKind: z.string(),
  message: z.string(),
});
/** Newest first, the id breaking ties (index: SyncRun integrationId, createdAt, id). */
const SYNC_RUNS: Keyset = {
  list: "sync-history",
  direction: "desc",
  keys: [
    { field: "createdAt", kind: "date" },
    { field: "id", kind: "string" },
  ],
};

export const DeletionHoldView = z.object({
  id: z.uuid(),
  syncRunId: z.uuid(),
  kind: z.string().describe("catalog or schema (a vanished container and what it held), or the listing whose objects are missing"),
  fullName: z.string(),
  count: z.number().int(),
  byKind: Json.describe('Objects per kind, e.g. { "table": 70, "volume": 3 }'),
  reason: z.string(),
  createdAt: z.date(),
  confirmedAt: z.date().nullable(),
  confirmedBy: z.string().nullable(),
});

const count = z.number().int().optional();
/** Where a run is: written with each committed page (trace syncs) or at the end; other keys pass through. */
const RunProgress = z
  .looseObject({
    phase: z.string().optional().describe("What the run is doing, e.g. 'experiment 12, page 3', 'done'"),
    experiments: count.describe("Experiments listed so far"),
    experimentsDone: count.describe("Experiments read to the end"),
    fetched: count,
    inserted: count,
    updated: count,
    spans: count,
  })
  .describe("The run's progress");

export const SyncRunView = z.object({
  id: z.uuid(),
  integrationId: z.uuid(),
  kind: fromPrisma(SyncKind),
  mode: fromPrisma(SyncMode),
  status: fromPrisma(SyncStatus),
  itemsFetched: z.number().int(),
  itemsIngested: z.number().int(),
  itemsUpdated: z.number().int(),
  itemsSkipped: z.number().int(),
  spansIngested: z.number().int(),
  errorKind: z.string().nullable(),
  errorMessage: z.string().nullable(),
  experimentErrors: z.array(RunError).describe("Trace runs: experiments that could not be read"),
  containerErrors: z.array(ContainerError).describe("Catalog runs: listings that failed; nothing under them was marked deleted"),
  warnings: z.array(z.object({ kind: z.string(), message: z.string() })),
  deletionsHeldBack: z.array(DeletionHoldView).optional().describe("Catalog runs: deletions the fail-safe held back"),
  progress: RunProgress,
  attempts: z.number().int(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  completedAt: z.date().nullable(),
  durationMs: z.number().int().nullable(),
});

const Status = z.object({
  isActive: z.boolean(),
  currentRun: SyncRunView.nullable(),
  lastSync: SyncRunView.pick({
    id: true,
    status: true,
    itemsFetched: true,
    itemsIngested: true,
    itemsUpdated: true,
    completedAt: true,
    errorKind: true,
    errorMessage: true,
    experimentErrors: true,
    containerErrors: true,
    warnings: true,
  }).nullable(),
  rateLimit: RateLimitWarning,
});

/** Prisma types JSON columns loosely; the response schema checks their shape on the way out. */
function runView(run: SyncRun | null): z.input<typeof SyncRunView> | null {
  return run as z.input<typeof SyncRunView> | null;
}

export const syncRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, deps) => {
  const { db } = deps;

  app.post(
    "/api/integrations/:id/sync",
    {
      config: { scope: "write", rateLimit: expensive(deps.settings) },
      schema: {
        params: IdParams,
        body: TriggerBody.nullish(),
        response: {
          202: TriggeredRun.omit({ type: true })
            .extend({ runs: z.array(TriggeredRun) })
            .partial({ syncRunId: true, status: true, mode: true, alreadyActive: true }),
          ...errorResponses,
          409: errorResponses[400],
        },
      },
    },
    async (request, reply) => {
      const integration = await findIntegration(deps, orgOf(request), request.params.id);
      if (!integration.enabled) throw new HttpError(409, "The integration is disabled; enable it before syncing");
      const type = request.body?.type ?? "traces";
      // "all" means every kind the integration's settings enable; asking for one kind explicitly runs it.
      const kinds =
        type === "all"
          ? ([integration.syncTraces ? "traces" : null, integration.syncCatalog ? "catalog" : null].filter(Boolean) as Array<"traces" | "catalog">)
          : [type];
      if (kinds.length === 0) throw new HttpError(409, "The integration syncs neither traces nor catalog; enable syncTraces or syncCatalog");
      const runs = [];
      for (const kind of kinds) {
        const triggered = await triggerSync(db, deps.queues, integration.id, kind, request.body?.mode ?? "incremental", deps.settings.reconcile);
        if (!triggered) throw new HttpError(404, `Integration ${integration.id} was not found`);
        runs.push({ type: kind, syncRunId: triggered.run.id, status: triggered.run.status, mode: triggered.run.mode, alreadyActive: !triggered.created });
      }
      // The first run's fields stay at the top level for clients of a single-kind trigger.
      const { type: _type, ...first } = runs[0]!;
      return reply.status(202).send({ ...first, runs });
    },
  );

  app.get(
    "/api/integrations/:id/sync/status",
    { config: { scope: "read" }, schema: { params: IdParams, querystring: KindQuery, response: { 200: Status, ...errorResponses } } },
    async (request) => {
      const integration = await findIntegration(deps, orgOf(request), request.params.id);
      const kind = request.query.kind;
      const [active, last] = await Promise.all([
        db.syncRun.findFirst({ where: { integrationId: integration.id, kind, status: { in: ["queued", "running"] } }, orderBy: { createdAt: "desc" } }),
        db.syncRun.findFirst({
          where: { integrationId: integration.id, kind, status: { in: ["succeeded", "partial", "failed"] } },
          orderBy: { completedAt: "desc" },
        }),
      ]);
      return { isActive: active !== null, currentRun: runView(active), lastSync: runView(last), rateLimit: rateLimitView(integration) };
    },
  );

  app.get(
    "/api/integrations/:id/sync/history",
    {
      config: { scope: "read" },
      schema: {
        params: IdParams,
        querystring: z.object({ ...keysetQuery, kind: fromPrisma(SyncKind).optional() }).strict(),
        response: { 200: KeysetPage(SyncRunView), ...errorResponses },
      },
    },
    async (request) => {
      const integration = await findIntegration(deps, orgOf(request), request.params.id);
      const { kind } = request.query;
      const where = { integrationId: integration.id, ...(kind ? { kind } : {}) };
      const rows = await db.syncRun.findMany(pageArgs(SYNC_RUNS, where, request.query));
      return keysetPage(
        SYNC_RUNS,
        request.query,
        rows,
        async (runs) => {
          const holds = await db.catalogDeletionHold.findMany({
            where: { syncRunId: { in: runs.filter((r) => r.kind === "catalog").map((r) => r.id) } },
            // A run's holds share one creation time (one transaction): by name, so a listing reads the same twice.
            orderBy: [{ createdAt: "asc" }, { fullName: "asc" }, { id: "asc" }],
            omit: { entityIds: true },
          });
          return runs.map((run) => ({
            ...runView(run)!,
            ...(run.kind === "catalog" ? { deletionsHeldBack: holds.filter((h) => h.syncRunId === run.id) } : {}),
          }));
        },
        () => db.syncRun.count({ where }),
      );
    },
  );
};
