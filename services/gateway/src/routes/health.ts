import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { GatewayDeps } from "../app.ts";

export const healthRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, { db, redis }) => {
  app.get("/health", async (_request, reply) => {
    const [database, queue] = await Promise.all([
      db.$queryRaw`SELECT 1`.then(() => "ok", () => "unreachable"),
      redis.ping().then(() => "ok", () => "unreachable"),
    ]);
    const healthy = database === "ok" && queue === "ok";
    return reply.status(healthy ? 200 : 503).send({ status: healthy ? "ok" : "degraded", checks: { database, redis: queue } });
  });
};
