import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { BridgeError, type BridgeSource } from "@langguard/bridge-client";
import { bridgeSourceOf } from "@langguard/credentials";
import { unsavedSource } from "../connection/unsaved-source.ts";
import { resolveAndCheck } from "@langguard/host-policy";
import { SecretDecryptionError } from "@langguard/secrets";
import { enterOrRefuse, FairGate } from "../connection/limiter.ts";
import type { GatewayDeps } from "../deps.ts";
import { orgOf } from "../plugins/authentication.ts";
import { HttpError } from "../plugins/error-handler.ts";
import { expensive } from "../plugins/rate-limit.ts";
import { errorResponses, IdParams } from "../schemas/common.ts";
import { integrationBodies } from "./integration-schemas.ts";
import { findIntegration } from "./integrations.ts";

const listing = {
  search: z
    .string()
    .trim()
    .max(200, "must be at most 200 characters")
    .refine((v) => !(v.includes("'") && v.includes('"')), "must not contain both ' and \"")
    .optional(),
  cursor: z.string().max(4096, "is not a cursor this route gave").optional().describe("nextCursor of the previous page"),
  limit: z.coerce.number().int("must be a whole number").min(1, "must be at least 1").max(200, "must be at most 200").default(50),
};

const ExperimentPage = z.object({
  items: z.array(z.object({ id: z.string(), name: z.string() })),
  nextCursor: z.string().nullable().describe("Pass as cursor for the next page; null on the last page"),
  limit: z.number().int(),
});

const upstream = { 502: errorResponses[400] };

/**
 * The workspace's own experiments, one page at a time and searchable by name, for choosing which to
 * sync: for a saved integration, and for credentials still being entered. Each page is one
 * `list-experiments` call through the bridge (so the same host policy and token custody apply),
 * paged by the workspace's own page tokens.
 */
export const experimentRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, deps) => {
  const { Credentials } = integrationBodies(deps.hostPolicy);
  // Each page starts a Python child: the same cap and fair shares as connection tests, counted apart.
  const gate = new FairGate(deps.settings.connectionTestConcurrency);

  const list = async (organizationId: string, source: BridgeSource, query: { search?: string | undefined; cursor?: string | undefined; limit: number }) => {
    const leave = enterOrRefuse(gate, organizationId, "experiment listings");
    try {
      const page = await deps.bridge.experimentPage(source, { size: query.limit, search: query.search, token: query.cursor });
      return { items: page.experiments, nextCursor: page.nextPageToken, limit: query.limit };
    } catch (error) {
      if (error instanceof BridgeError) throw new HttpError(error.kind === "rate_limited" ? 429 : 502, `Could not list the experiments: ${error.userMessage}`);
      throw error;
    } finally {
      leave();
    }
  };

  app.get(
    "/api/integrations/:id/experiments",
    {
      config: { scope: "write", rateLimit: expensive(deps.settings) },
      schema: { params: IdParams, querystring: z.object(listing).strict(), response: { 200: ExperimentPage, ...errorResponses, ...upstream } },
    },
    async (request) => {
      const integration = await findIntegration(deps, orgOf(request), request.params.id);
      let source: BridgeSource;
      try {
        source = bridgeSourceOf(integration, deps.keyRing);
      } catch (error) {
        if (error instanceof SecretDecryptionError) throw new HttpError(409, `${error.message}; enter the token again`);
        throw error;
      }
      return list(integration.organizationId, source, request.query);
    },
  );

  app.post(
    "/api/integrations/experiments",
    {
      config: { scope: "write", rateLimit: expensive(deps.settings) },
      schema: {
        body: Credentials.safeExtend(listing),
        response: { 200: ExperimentPage, ...errorResponses, ...upstream },
      },
    },
    async (request) => {
      const { host, search, cursor, limit } = request.body;
      const verdict = await resolveAndCheck(new URL(host).hostname, deps.hostPolicy);
      if (!verdict.ok && !verdict.unresolved)
        throw new HttpError(400, `body.host: ${verdict.reason}`, { issues: [{ field: "body.host", reason: verdict.reason }] });
      return list(orgOf(request), unsavedSource(request.body), { search, cursor, limit });
    },
  );
};
