import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Integration, SyncKind, SyncRun } from "@langguard/database";
import { scheduleId } from "@langguard/sync-runs";
import type { GatewayDeps } from "../deps.ts";
import { orgOf } from "../plugins/authentication.ts";
import { errorResponses, Uuid } from "../schemas/common.ts";
import { SyncRunView } from "./sync.ts";

const KINDS: SyncKind[] = ["traces", "catalog"];

/** One id as the API's UUIDs are checked (zod's own pattern), so the list's pattern says the same. */
const UUID = z.core.regexes.uuid().source.replace(/^\^|\$$/g, "");
const MAX_IDS = 200;

const OverviewQuery = z
  .object({
    // The pattern is in the document too, so a client (or a fuzzer) knows what a valid list is.
    ids: z
      .string()
      .regex(new RegExp(`^(?:${UUID})(?:,(?:${UUID})){0,${MAX_IDS - 1}}$`), `must be 1 to ${MAX_IDS} integration ids (UUIDs), comma-separated`)
      .transform((v) => v.split(","))
      .pipe(z.array(Uuid))
      .describe(`Integration ids, comma-separated (at most ${MAX_IDS}): the page of integrations being shown`),
  })
  .strict();

const KindOverview = z.object({
  enabled: z.boolean().describe("The integration syncs this kind"),
  activeRun: SyncRunView.nullable().describe("The run queued or running now"),
  lastRun: SyncRunView.nullable().describe("The last run that finished"),
  nextSyncAt: z.date().nullable().describe("When its schedule next ticks; null when it syncs only when triggered"),
});

const Overview = z.object({
  items: z.array(
    z.object({
      integrationId: z.uuid(),
      traces: KindOverview,
      catalog: KindOverview,
      nightlyFullSyncAt: z.date().nullable().describe("The next nightly full trace sync, when one is scheduled"),
    }),
  ),
});

/**
 * What a list of integrations shows beside each: per kind, the run in progress, the last finished
 * run and the next scheduled tick (read from the schedulers in Redis, where BullMQ keeps it).
 * One request for the page shown, whatever paging the list itself uses; another organization's
 * ids are simply absent.
 */
export const syncOverviewRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, deps) => {
  const { db } = deps;

  const nextTick = async (id: string) => {
    const scheduler = await deps.schedules.getJobScheduler(id);
    return scheduler?.next ? new Date(scheduler.next) : null;
  };

  app.get(
    "/api/integrations/sync-overview",
    { config: { scope: "read" }, schema: { querystring: OverviewQuery, response: { 200: Overview, ...errorResponses } } },
    async (request) => {
      const integrations = await db.integration.findMany({ where: { id: { in: request.query.ids }, organizationId: orgOf(request) } });
      const ids = integrations.map((i) => i.id);
      if (ids.length === 0) return { items: [] };
      const lastIds = await db.$queryRaw<Array<{ id: string }>>`
        SELECT DISTINCT ON ("integrationId", kind) id FROM "SyncRun"
        WHERE "integrationId" = ANY(${ids}::uuid[]) AND status IN ('succeeded', 'partial', 'failed')
        ORDER BY "integrationId", kind, "completedAt" DESC NULLS LAST, "createdAt" DESC`;
      const runs = await db.syncRun.findMany({
        where: { OR: [{ id: { in: lastIds.map((r) => r.id) } }, { integrationId: { in: ids }, status: { in: ["queued", "running"] } }] },
        orderBy: { createdAt: "desc" },
      });
      const items = await Promise.all(integrations.map((integration) => overviewOf(integration, runs)));
      return { items };
    },
  );

  async function overviewOf(integration: Integration, runs: SyncRun[]) {
    const mine = runs.filter((r) => r.integrationId === integration.id);
    const kind = async (k: SyncKind) => ({
      enabled: k === "traces" ? integration.syncTraces : integration.syncCatalog,
      activeRun: view(mine.find((r) => r.kind === k && (r.status === "queued" || r.status === "running"))),
      lastRun: view(mine.find((r) => r.kind === k && r.status !== "queued" && r.status !== "running")),
      nextSyncAt: await nextTick(scheduleId(integration.id, k)),
    });
    const [traces, catalog] = await Promise.all(KINDS.map(kind));
    return { integrationId: integration.id, traces: traces!, catalog: catalog!, nightlyFullSyncAt: await nextTick(scheduleId(integration.id, "traces", true)) };
  }
};

/** Prisma types JSON columns loosely; the response schema checks their shape on the way out. */
function view(run: SyncRun | undefined): z.input<typeof SyncRunView> | null {
  return (run ?? null) as z.input<typeof SyncRunView> | null;
}
