import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { bridgeSourceOf } from "@langguard/credentials";
import { unsavedSource } from "../connection/unsaved-source.ts";
import { SecretDecryptionError } from "@langguard/secrets";
import { testConnection, type ConnectionReport as Report } from "../connection/connection-test.ts";
import { enterOrRefuse, FairGate } from "../connection/limiter.ts";
import type { GatewayDeps } from "../deps.ts";
import { orgOf } from "../plugins/authentication.ts";
import { expensive } from "../plugins/rate-limit.ts";
import { errorResponses, IdParams } from "../schemas/common.ts";
import { ConnectionReport, integrationBodies } from "./integration-schemas.ts";
import { findIntegration } from "./integrations.ts";

/** The spec's Test Connection, for credentials being entered and for a saved integration. */
export const connectionTestRoutes: FastifyPluginAsyncZod<GatewayDeps & { pythonPath: string }> = async (app, deps) => {
  const { Credentials } = integrationBodies(deps.hostPolicy);
  // Each test starts a Python process of a few hundred MB: a cap across all callers, shared fairly.
  const gate = new FairGate(deps.settings.connectionTestConcurrency);
  const run = async (organizationId: string, target: Parameters<typeof testConnection>[3]) => {
    const leave = enterOrRefuse(gate, organizationId, "connection tests");
    try {
      return await testConnection(deps.bridge, deps.pythonPath, deps.hostPolicy, target);
    } finally {
      leave();
    }
  };
  const schema = { response: { 200: ConnectionReport, ...errorResponses } };

  app.post(
    "/api/integrations/test",
    { config: { scope: "write", rateLimit: expensive(deps.settings) }, schema: { ...schema, body: Credentials } },
    async (request) => {
      const { warehouseId, syncCatalog, syncTraces } = request.body;
      return run(orgOf(request), {
        ...unsavedSource(request.body),
        warehouseId: warehouseId ?? null,
        syncCatalog: syncCatalog ?? false,
        syncTraces: syncTraces ?? true,
      });
    },
  );

  app.post(
    "/api/integrations/:id/test",
    { config: { scope: "write", rateLimit: expensive(deps.settings) }, schema: { ...schema, params: IdParams } },
    async (request) => {
      const integration = await findIntegration(deps, orgOf(request), request.params.id);
      let report: Report;
      try {
        report = await run(integration.organizationId, {
          ...bridgeSourceOf(integration, deps.keyRing),
          warehouseId: integration.warehouseId,
          syncCatalog: integration.syncCatalog,
          syncTraces: integration.syncTraces,
        });
      } catch (error) {
        if (!(error instanceof SecretDecryptionError)) throw error;
        report = {
          status: "failed",
          message: error.message,
          steps: [{ step: "auth", status: "failed", message: error.message, hint: null, kind: "config" }],
          checkedAt: new Date(),
        };
      }
      const status: Report["status"] | "disabled" = integration.enabled ? report.status : "disabled";
      await deps.db.integration.update({
        where: { id: integration.id },
        data: {
          connectionStatus: status,
          connectionMessage: report.message,
          connectionSteps: report.steps as object[],
          connectionCheckedAt: report.checkedAt,
          // Kept for the expiry warning and metric between tests; a test that did not authenticate says nothing new.
          ...(report.credentialExpiresAt !== undefined ? { credentialExpiresAt: report.credentialExpiresAt } : {}),
        },
      });
      const { credentialExpiresAt: _kept, ...answer } = report;
      return { ...answer, status };
    },
  );
};
