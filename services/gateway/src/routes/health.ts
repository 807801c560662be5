import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { pingRedis } from "@langguard/queue-contracts";
import { probe } from "@langguard/service-runtime";
import type { GatewayDeps } from "../deps.ts";
import { errorResponses } from "../schemas/common.ts";

const Readiness = z.object({ status: z.enum(["ok", "degraded"]), checks: z.object({ database: z.string(), redis: z.string() }) });

export async function readiness({ db, redis }: Pick<GatewayDeps, "db" | "redis">) {
  const [database, queue] = await Promise.all([probe(() => db.$queryRaw`SELECT 1`), probe(() => pingRedis(redis))]);
  const healthy = database === "ok" && queue === "ok";
  return { healthy, body: { status: healthy ? ("ok" as const) : ("degraded" as const), checks: { database, redis: queue } } };
}

export const healthRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, deps) => {
  // Liveness says only that the process answers: the one route that needs no key.
  app.get("/health/live", { config: { scope: "public" }, schema: { response: { 200: z.object({ status: z.literal("ok") }) } } }, async () => ({
    status: "ok" as const,
  }));

  app.get(
    "/health",
    {
      config: { scope: "read" },
      schema: { response: { 200: Readiness, 503: Readiness, 401: errorResponses[401], 403: errorResponses[403], 429: errorResponses[429] } },
    },
    async (_request, reply) => {
      const { healthy, body } = await readiness(deps);
      return reply.status(healthy ? 200 : 503).send(body);
    },
  );
};
