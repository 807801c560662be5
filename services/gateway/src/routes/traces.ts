import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Prisma } from "@langguard/database";
import type { GatewayDeps } from "../app.ts";
import { notFound } from "../plugins/error-handler.ts";
import { page, pageQuery } from "../plugins/pagination.ts";
import { IdParams } from "./integrations.ts";

const ListQuery = z
  .object({
    ...pageQuery,
    integrationId: z.uuid({ error: "must be a UUID" }).optional(),
    status: z.enum(["OK", "ERROR", "IN_PROGRESS", "UNSPECIFIED"], { error: "must be OK, ERROR, IN_PROGRESS or UNSPECIFIED" }).optional(),
    agent: z.string().min(1).max(200).optional(),
  })
  .strict();

const listFields = {
  id: true, integrationId: true, externalId: true, experimentId: true, name: true, timestamp: true, durationMs: true, status: true,
  inputTokens: true, outputTokens: true, totalTokens: true, spanCount: true, tags: true, createdAt: true, updatedAt: true,
} satisfies Prisma.TraceSelect;

export const traceRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, { db }) => {
  app.get("/api/traces", { schema: { querystring: ListQuery } }, async (request) => {
    const { limit, offset, integrationId, status, agent } = request.query;
    const where: Prisma.TraceWhereInput = {
      ...(integrationId ? { integrationId } : {}),
      ...(status ? { status } : {}),
      ...(agent ? { agents: { some: { agent: { name: agent } } } } : {}),
    };
    const [items, total] = await Promise.all([
      db.trace.findMany({ where, select: listFields, orderBy: [{ timestamp: "desc" }, { id: "asc" }], take: limit, skip: offset }),
      db.trace.count({ where }),
    ]);
    return page(items, total, limit, offset);
  });

  app.get("/api/traces/:id", { schema: { params: IdParams } }, async (request) => {
    const trace = await db.trace.findUnique({
      where: { id: request.params.id },
      include: {
        spans: { orderBy: [{ startTime: "asc" }, { spanId: "asc" }], omit: { traceId: true } },
        agents: { include: { agent: { select: { id: true, name: true, type: true } } } },
      },
    });
    if (!trace) throw notFound("Trace", request.params.id);
    const { agents, contentHash: _hash, ...rest } = trace;
    return { ...rest, agents: agents.map((a) => ({ ...a.agent, version: a.version })) };
  });
};
