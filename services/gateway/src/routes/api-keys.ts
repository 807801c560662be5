import { $Enums } from "@langguard/database";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { createApiKey } from "../auth/api-keys.ts";
import type { GatewayDeps } from "../deps.ts";
import { orgOf } from "../plugins/authentication.ts";
import { HttpError, notFound } from "../plugins/error-handler.ts";
import { errorResponses, IdParams, Page, page, PageQuery, text } from "../schemas/common.ts";
import { Timestamp } from "@langguard/input-rules";

const Scope = z.enum($Enums.ApiKeyScope, { error: "must be 'read', 'write' or 'admin'" });
const CreateBody = z
  .object({
    name: text(200),
    scopes: z.array(Scope).min(1, "must name at least one scope"),
    expiresAt: Timestamp.optional(),
  })
  .strict();

const KeyView = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe("The key's public part; the whole key is shown only once, when created"),
  scopes: z.array(Scope),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
});

/** API keys of the caller's organization; admin only. */
export const apiKeyRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, { db }) => {
  app.post(
    "/api/keys",
    { config: { scope: "admin" }, schema: { body: CreateBody, response: { 201: KeyView.extend({ key: z.string() }), ...errorResponses } } },
    async (request, reply) => {
      const { row, key } = await createApiKey(db, orgOf(request), request.body.name, request.body.scopes, request.body.expiresAt ?? null);
      return reply.status(201).send({ ...row, key });
    },
  );

  app.get(
    "/api/keys",
    { config: { scope: "admin" }, schema: { querystring: PageQuery, response: { 200: Page(KeyView), ...errorResponses } } },
    async (request) => {
      const { limit, offset } = request.query;
      const where = { organizationId: orgOf(request) };
      const [rows, total] = await Promise.all([
        db.apiKey.findMany({ where, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: limit, skip: offset }),
        db.apiKey.count({ where }),
      ]);
      return page(rows, total, limit, offset);
    },
  );

  app.delete(
    "/api/keys/:id",
    { config: { scope: "admin" }, schema: { params: IdParams, response: { 204: z.null(), ...errorResponses, 409: errorResponses[400] } } },
    async (request, reply) => {
      // Revoked with another admin key, so an organization cannot lock itself out by mistake: its
      // last admin key can never revoke itself.
      if (request.params.id === request.principal!.keyId) throw new HttpError(409, "An API key cannot revoke itself; revoke it with another admin key");
      const revoked = await db.apiKey.updateMany({
        where: { id: request.params.id, organizationId: orgOf(request), revokedAt: null },
        data: { revokedAt: new Date() },
      });
      if (revoked.count === 0) throw notFound("API key", request.params.id);
      app.principalCache.clear();
      return reply.status(204).send(null);
    },
  );
};
