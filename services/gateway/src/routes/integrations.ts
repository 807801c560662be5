import { CREDENTIAL_WARNING_DAYS } from "@langguard/bridge-client";
import { randomUUID } from "node:crypto";
import { applySchedules, RATE_LIMIT_CLEARED, rateLimitView, removeSchedules } from "@langguard/sync-runs";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { sealToken } from "@langguard/credentials";
import { resolveAndCheck } from "@langguard/host-policy";
import { Prisma, type Integration } from "@langguard/database";
import { type AuthInput, type AuthType, authColumns, authIssues, resolvedAuthType, secretFieldOf, secretOf, tokenNeededAgain } from "@langguard/input-rules";
import { maskedToken } from "@langguard/secrets";
import type { GatewayDeps } from "../deps.ts";
import { orgOf } from "../plugins/authentication.ts";
import { HttpError, notFound } from "../plugins/error-handler.ts";
import { errorResponses, IdParams, Page, page, PageQuery } from "../schemas/common.ts";
import { IntegrationView, integrationBodies } from "./integration-schemas.ts";

export function integrationView(integration: Integration): z.input<typeof IntegrationView> {
  return {
    ...integration,
    authType: integration.authType as AuthType,
    token: maskedToken(integration.tokenLast4),
    hasToken: integration.tokenCiphertext !== null,
    connection: {
      status: integration.connectionStatus,
      message: integration.connectionMessage,
      checkedAt: integration.connectionCheckedAt,
      steps: integration.connectionSteps,
    },
    rateLimit: rateLimitView(integration),
    credentialWarning: credentialWarning(integration.credentialExpiresAt),
  };
}

/** A warning from CREDENTIAL_WARNING_DAYS before the credential expires (the workspace's usual notice for a PAT), or null. */
export function credentialWarning(expiresAt: Date | null, now = Date.now()): { status: "warning"; message: string } | null {
  if (!expiresAt) return null;
  const days = Math.ceil((expiresAt.getTime() - now) / 86_400_000);
  if (days > CREDENTIAL_WARNING_DAYS) return null;
  if (days <= 0) return { status: "warning", message: `token expired on ${expiresAt.toISOString().slice(0, 10)}` };
  return { status: "warning", message: `token expires in ${days} day${days === 1 ? "" : "s"}` };
}

/**
 * A host that resolves to an internal address is refused when saved, as it is again at connect
 * time. One that does not resolve right now is accepted: DNS may be down, and the connection
 * test and every sync check it again.
 */
async function assertResolvable(host: string, deps: GatewayDeps) {
  const verdict = await resolveAndCheck(new URL(host).hostname, deps.hostPolicy);
  if (!verdict.ok && !verdict.unresolved)
    throw new HttpError(400, `body.host: ${verdict.reason}`, { issues: [{ field: "body.host", reason: verdict.reason }] });
}

export const integrationRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, deps) => {
  const { db, keyRing } = deps;
  const { Create, Update } = integrationBodies(deps.hostPolicy);

  app.post(
    "/api/integrations",
    { config: { scope: "write" }, schema: { body: Create, response: { 201: IntegrationView, ...errorResponses, 409: errorResponses[400] } } },
    async (request, reply) => {
      const { token, clientSecret, password, authType, clientId, tenantId, username, ...body } = request.body;
      await assertResolvable(body.host, deps);
      const columns = authColumns(request.body);
      const secret = secretOf(request.body);
      // The id is chosen here because the sealed secret is bound to it.
      const id = randomUUID();
      try {
        const integration = await db.integration.create({
          data: {
            id,
            ...body,
            ...columns,
            organizationId: orgOf(request),
            ...(secret ? sealToken(keyRing, { id, source: body.source, host: body.host, authType: columns.authType }, secret) : {}),
            connectionStatus: body.enabled ? "unknown" : "disabled",
          },
        });
        await applySchedules(deps.schedules, integration);
        return reply.status(201).send(integrationView(integration));
      } catch (error) {
        throw conflictOnDuplicateName(error, body.name);
      }
    },
  );

  app.get(
    "/api/integrations",
    { config: { scope: "read" }, schema: { querystring: PageQuery, response: { 200: Page(IntegrationView), ...errorResponses } } },
    async (request) => {
      const { limit, offset } = request.query;
      const where = { organizationId: orgOf(request) };
      const [rows, total] = await Promise.all([
        db.integration.findMany({ where, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: limit, skip: offset }),
        db.integration.count({ where }),
      ]);
      return page(rows.map(integrationView), total, limit, offset);
    },
  );

  app.get(
    "/api/integrations/:id",
    { config: { scope: "read" }, schema: { params: IdParams, response: { 200: IntegrationView, ...errorResponses } } },
    async (request) => {
      return integrationView(await findIntegration(deps, orgOf(request), request.params.id));
    },
  );

  app.patch(
    "/api/integrations/:id",
    { config: { scope: "write" }, schema: { params: IdParams, body: Update, response: { 200: IntegrationView, ...errorResponses, 409: errorResponses[400] } } },
    async (request) => {
      const current = await findIntegration(deps, orgOf(request), request.params.id);
      const { token, clientSecret, password, authType, clientId, tenantId, username, ...changes } = request.body;
      const next = { id: current.id, source: changes.source ?? current.source, host: changes.host ?? current.host };
      const moved = next.source !== current.source || next.host !== current.host;
      // The body's authentication, completed from the row: what the integration will use after this change.
      const merged: AuthInput = {
        source: next.source,
        // A new source without a method takes the source's default, as a new integration would.
        authType: authType ?? (next.source !== current.source ? undefined : (current.authType as AuthInput["authType"])),
        token,
        clientSecret,
        password,
        clientId: clientId ?? current.clientId,
        tenantId: tenantId ?? current.tenantId,
        username: username ?? current.username,
      };
      const nextAuthType = resolvedAuthType(merged);
      const secret = secretOf(merged);
      const tokenAgain = tokenNeededAgain({ ...current, hasToken: current.tokenCiphertext !== null }, { ...next, token: secret }, secretFieldOf(nextAuthType));
      if (tokenAgain) throw new HttpError(400, `${tokenAgain.field}: must be supplied again when host or source changes`, { issues: [tokenAgain] });
      // A sealed secret opens only for the method it was entered for: a new method needs its own.
      const keepsSecret = !moved && nextAuthType === current.authType && current.tokenCiphertext !== null;
      const issues = authIssues(merged, { hasSecret: keepsSecret }).map((issue) => ({ field: `body.${issue.field}`, reason: issue.reason }));
      if (issues.length > 0) throw new HttpError(400, `${issues[0]!.field}: ${issues[0]!.reason}`, { issues });
      if (changes.host) await assertResolvable(changes.host, deps);
      const methodChanged = nextAuthType !== current.authType;
      const sealed = secret
        ? sealToken(keyRing, { ...next, authType: nextAuthType }, secret)
        : methodChanged
          ? // A method without a secret (MLflow's none) keeps none of the previous one's.
            { tokenCiphertext: null, tokenLast4: null }
          : {};
      const authChanges = authType || clientId || tenantId || username || methodChanged ? authColumns(merged) : {};
      const expiryReset = secret || methodChanged ? { credentialExpiresAt: null } : {};
      const status =
        changes.enabled === false
          ? { connectionStatus: "disabled" as const }
          : changes.enabled === true && current.connectionStatus === "disabled"
            ? { connectionStatus: "unknown" as const }
            : {};
      try {
        // Conditional on the row we read: a concurrent change of host or token makes this a conflict, not a silent mix.
        const updated = await db.integration.updateMany({
          where: { id: current.id, organizationId: current.organizationId, updatedAt: current.updatedAt },
          // A throttle belonged to the old workspace: a new host starts unthrottled.
          data: {
            ...changes,
            ...authChanges,
            ...sealed,
            ...expiryReset,
            ...status,
            ...(moved ? { connectionStatus: "unknown", connectionSteps: [], ...RATE_LIMIT_CLEARED } : {}),
          },
        });
        if (updated.count === 0) throw new HttpError(409, "The integration changed while this request was processed; read it again and retry");
        const integration = await findIntegration(deps, current.organizationId, current.id);
        await applySchedules(deps.schedules, integration);
        return integrationView(integration);
      } catch (error) {
        throw conflictOnDuplicateName(error, changes.name ?? "");
      }
    },
  );

  app.delete(
    "/api/integrations/:id",
    { config: { scope: "write" }, schema: { params: IdParams, response: { 204: z.null().describe("Deleted"), ...errorResponses } } },
    async (request, reply) => {
      const deleted = await db.integration.deleteMany({ where: { id: request.params.id, organizationId: orgOf(request) } });
      if (deleted.count === 0) throw notFound("Integration", request.params.id);
      await removeSchedules(deps.schedules, request.params.id);
      return reply.status(204).send(null);
    },
  );
};

export async function findIntegration(deps: Pick<GatewayDeps, "db">, organizationId: string, id: string): Promise<Integration> {
  const integration = await deps.db.integration.findFirst({ where: { id, organizationId } });
  if (!integration) throw notFound("Integration", id);
  return integration;
}

function conflictOnDuplicateName(error: unknown, name: string): unknown {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
    return new HttpError(409, `An integration named '${name}' already exists; choose another name`, { field: "body.name" });
  }
  return error;
}
