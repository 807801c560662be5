import Fastify, { type FastifyBaseLogger } from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { Database, Integration } from "@langguard/database";
import type { Redis } from "ioredis";
import { registerErrorHandler } from "./plugins/error-handler.ts";
import { agentRoutes } from "./routes/agents.ts";
import { healthRoutes } from "./routes/health.ts";
import { integrationRoutes } from "./routes/integrations.ts";
import { syncRoutes } from "./routes/sync.ts";
import { traceRoutes } from "./routes/traces.ts";
import type { TraceSyncQueue } from "./sync/trigger.ts";

export interface GatewayDeps {
  db: Database;
  redis: Pick<Redis, "ping">;
  traceSyncQueue: TraceSyncQueue;
  encryptionKey: Buffer;
  testConnection: (integration: Integration) => Promise<unknown>;
}

export async function buildApp(deps: GatewayDeps, logger: FastifyBaseLogger | boolean = false) {
  const app = Fastify({
    loggerInstance: typeof logger === "object" ? logger : undefined,
    logger: typeof logger === "boolean" ? logger : undefined,
    bodyLimit: 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);

  await app.register(healthRoutes, deps);
  await app.register(integrationRoutes, deps);
  await app.register(syncRoutes, deps);
  await app.register(traceRoutes, deps);
  await app.register(agentRoutes, deps);
  return app;
}
