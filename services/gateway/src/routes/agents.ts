import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Database } from "@langguard/database";
import type { GatewayDeps } from "../app.ts";
import { notFound } from "../plugins/error-handler.ts";
import { page, pageQuery } from "../plugins/pagination.ts";
import { IdParams } from "./integrations.ts";

const ListQuery = z.object({ ...pageQuery, integrationId: z.uuid({ error: "must be a UUID" }).optional() }).strict();

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
  app.get("/api/agents", { schema: { querystring: ListQuery } }, async (request) => {
    const { limit, offset, integrationId } = request.query;
    const where = integrationId ? { traces: { some: { integrationId } } } : {};
    const [agents, total] = await Promise.all([db.agent.findMany({ where, orderBy: { name: "asc" }, take: limit, skip: offset }), db.agent.count({ where })]);
    const stats = await statsFor(db, agents.map((a) => a.id));
    return page(
      agents.map((a) => ({ ...a, traceCount: stats.get(a.id)?.traceCount ?? 0, integrationIds: stats.get(a.id)?.integrationIds ?? [] })),
      total,
      limit,
      offset,
    );
  });

  app.get("/api/agents/:id", { schema: { params: IdParams } }, async (request) => {
    const agent = await db.agent.findUnique({ where: { id: request.params.id } });
    if (!agent) throw notFound("Agent", request.params.id);
    const stats = (await statsFor(db, [agent.id])).get(agent.id);
    return { ...agent, traceCount: stats?.traceCount ?? 0, integrationIds: stats?.integrationIds ?? [] };
  });
};
