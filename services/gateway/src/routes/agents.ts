import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Database } from "@langguard/database";
import type { GatewayDeps } from "../deps.ts";
import { orgOf } from "../plugins/authentication.ts";
import { notFound } from "../plugins/error-handler.ts";
import { errorResponses, IdParams, Page, page, pageQuery, Uuid } from "../schemas/common.ts";

const ListQuery = z.object({ ...pageQuery, integrationId: Uuid.optional() }).strict();

const AgentView = z.object({
  id: z.uuid(),
  name: z.string(),
  type: z.string().nullable(),
  versions: z.array(z.string()),
  firstSeenAt: z.date(),
  lastSeenAt: z.date(),
  traceCount: z.number().int(),
  integrationIds: z.array(z.uuid()),
});

interface AgentStats {
  agentId: string;
  traceCount: number;
  integrationIds: string[];
}

/** Trace counts and source integrations derive from the agent-trace links, so they can never drift. */
async function statsFor(db: Database, agentIds: string[]): Promise<Map<string, AgentStats>> {
  if (agentIds.length === 0) return new Map();
  const rows = await db.$queryRaw<AgentStats[]>`
    SELECT "agentId"::text AS "agentId", COUNT(*)::int AS "traceCount", ARRAY_AGG(DISTINCT "integrationId"::text) AS "integrationIds"
    FROM "AgentTrace" WHERE "agentId" = ANY(${agentIds}::uuid[]) GROUP BY "agentId"`;
  return new Map(rows.map((r) => [r.agentId, r]));
}

export const agentRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, { db }) => {
  app.get(
    "/api/agents",
    { config: { scope: "read" }, schema: { querystring: ListQuery, response: { 200: Page(AgentView), ...errorResponses } } },
    async (request) => {
      const { limit, offset, integrationId } = request.query;
      const where = { organizationId: orgOf(request), ...(integrationId ? { traces: { some: { integrationId } } } : {}) };
      const [agents, total] = await Promise.all([
        db.agent.findMany({ where, orderBy: [{ name: "asc" }, { id: "asc" }], take: limit, skip: offset }),
        db.agent.count({ where }),
      ]);
      const stats = await statsFor(
        db,
        agents.map((a) => a.id),
      );
      return page(
        agents.map((a) => ({ ...a, traceCount: stats.get(a.id)?.traceCount ?? 0, integrationIds: stats.get(a.id)?.integrationIds ?? [] })),
        total,
        limit,
        offset,
      );
    },
  );

  app.get("/api/agents/:id", { config: { scope: "read" }, schema: { params: IdParams, response: { 200: AgentView, ...errorResponses } } }, async (request) => {
    const agent = await db.agent.findFirst({ where: { id: request.params.id, organizationId: orgOf(request) } });
    if (!agent) throw notFound("Agent", request.params.id);
    const stats = (await statsFor(db, [agent.id])).get(agent.id);
    return { ...agent, traceCount: stats?.traceCount ?? 0, integrationIds: stats?.integrationIds ?? [] };
  });
};
