import fastifyCookie from "@fastify/cookie";
import type { Queue } from "bullmq";
import Fastify, { type FastifyBaseLogger } from "fastify";
import { validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { GatewayDeps } from "./deps.ts";
import { exactSerializerCompiler } from "./exact/numbers.ts";
import { quarantineRoutes } from "./routes/quarantine.ts";
import { registerAuthentication } from "./plugins/authentication.ts";
import { registerDrain } from "./plugins/drain.ts";
import { registerErrorHandler } from "./plugins/error-handler.ts";
import { DOCS_PREFIX, registerApiDocs } from "./plugins/api-docs.ts";
import { registerFleetGauges } from "./plugins/fleet-gauges.ts";
import { registerMetrics } from "./plugins/metrics.ts";
import { QUEUES_UI_PREFIX, registerQueuesUi } from "./plugins/queues-ui.ts";
import { registerMethodNotAllowed } from "./plugins/method-not-allowed.ts";
import { registerRateLimit } from "./plugins/rate-limit.ts";
import { registerSecurity } from "./plugins/security.ts";
import { agentRoutes } from "./routes/agents.ts";
import { apiKeyRoutes } from "./routes/api-keys.ts";
import { connectionTestRoutes } from "./routes/connection-tests.ts";
import { healthRoutes } from "./routes/health.ts";
import { integrationRoutes } from "./routes/integrations.ts";
import { syncRoutes } from "./routes/sync.ts";
import { traceRoutes } from "./routes/traces.ts";
import { entityRoutes } from "./routes/entities.ts";
import { policyRoutes } from "./routes/policies.ts";
import { violationRoutes } from "./routes/violations.ts";
import { webhookRoutes } from "./routes/webhooks.ts";
import { catalogRoutes } from "./routes/catalog.ts";
import { catalogDeletionRoutes } from "./routes/catalog-deletions.ts";
import { registerConsole } from "./plugins/console.ts";
import { pageOf } from "./plugins/page-headers.ts";
import { authRoutes } from "./routes/auth.ts";
import { experimentRoutes } from "./routes/experiments.ts";
import { sourceRoutes } from "./routes/sources.ts";
import { syncOverviewRoutes } from "./routes/sync-overview.ts";
import { userRoutes } from "./routes/users.ts";
import { organizationRoutes } from "./routes/organization.ts";

export type AppDeps = GatewayDeps & { pythonPath: string };

export interface RouteEntry {
  method: string;
  url: string;
  scope: string;
}

declare module "fastify" {
  interface FastifyInstance {
    /** Every route with the scope it requires: for the docs, the OpenAPI check and the access tests. */
    routeTable: RouteEntry[];
  }
}

/** Plugins first (errors, headers, limits, authentication), then the routes. */
export async function buildApp(deps: AppDeps, logger: FastifyBaseLogger | boolean = false) {
  const app = Fastify({
    loggerInstance: typeof logger === "object" ? logger : undefined,
    logger: typeof logger === "boolean" ? logger : undefined,
    bodyLimit: 1024 * 1024,
    // A "__proto__" or "constructor.prototype" key in a body is removed when parsed, never
    // applied: documents such as a policy test's input may hold any key.
    onProtoPoisoning: "remove",
    onConstructorPoisoning: "remove",
    // Behind a proxy, set trustProxy there; here the peer address is the client.
    trustProxy: false,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  // Integers beyond 2^53 are written digit for digit (see exact/numbers.ts).
  app.setSerializerCompiler(exactSerializerCompiler);
  const routeTable: RouteEntry[] = [];
  app.decorate("routeTable", routeTable);
  app.addHook("onRoute", (route) => {
    // The docs and the console's files hold no data: the console signs in through the API.
    if (route.url === DOCS_PREFIX || route.url.startsWith(`${DOCS_PREFIX}/`) || pageOf(route.url) === "console") {
      route.config = { ...route.config, scope: "public" };
      return;
    }
    // The queue board shows and acts on every tenant's jobs: operators only, whatever it declares.
    if (route.url === QUEUES_UI_PREFIX || route.url.startsWith(`${QUEUES_UI_PREFIX}/`)) route.config = { ...route.config, scope: "operator" };
    for (const method of [route.method].flat()) {
      if (method !== "HEAD") routeTable.push({ method, url: route.url, scope: route.config?.scope ?? "admin" });
    }
  });
  registerErrorHandler(app);
  registerDrain(app);
  await registerSecurity(app, deps.settings);
  await registerRateLimit(app, deps);
  await app.register(fastifyCookie);
  registerAuthentication(app, deps);
  registerMethodNotAllowed(app);
  await registerApiDocs(app);
  // Every queue of the catalogue (queue-contracts), so that none can be left out of either.
  const queues = Object.entries(deps.everyQueue).map(([name, queue]) => ({ name, queue: queue as Queue }));
  registerMetrics(app, queues);
  registerFleetGauges(deps.db, deps.redis, (details, message) => app.log.warn(details, message));
  await registerQueuesUi(
    app,
    queues.map((q) => q.queue),
  );

  for (const routes of [
    healthRoutes,
    integrationRoutes,
    connectionTestRoutes,
    syncRoutes,
    traceRoutes,
    agentRoutes,
    apiKeyRoutes,
    policyRoutes,
    violationRoutes,
    entityRoutes,
    webhookRoutes,
    catalogRoutes,
    catalogDeletionRoutes,
    quarantineRoutes,
    authRoutes,
    userRoutes,
    experimentRoutes,
    syncOverviewRoutes,
    sourceRoutes,
    organizationRoutes,
  ]) {
    await app.register(routes, deps);
  }
  await registerConsole(app);
  return app;
}
