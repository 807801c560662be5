import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { DEFAULT_ORGANIZATION_ID, Prisma } from "@langguard/database";
import { encryptSecret, tokenSuffix } from "@langguard/secrets";
import type { GatewayDeps } from "../app.ts";
import { HttpError, notFound } from "../plugins/error-handler.ts";
import { integrationView } from "./integration-view.ts";

const host = z
  .string()
  .trim()
  .refine((v) => /^https?:\/\/[^\s/]+/.test(v) && URL.canParse(v), "must be a URL including http:// or https://, e.g. https://dbc-xxx.cloud.databricks.com")
  .transform((v) => v.replace(/\/+$/, ""));

const fields = {
  name: z.string().trim().min(1, "must not be empty").max(200, "must be at most 200 characters"),
  source: z.enum(["databricks", "mlflow"], { error: "must be 'databricks' or 'mlflow'" }),
  host,
  token: z.string().trim().min(1, "must not be empty").max(4096, "is too long"),
  warehouseId: z.string().trim().regex(/^[A-Za-z0-9-]{1,64}$/, "must be a SQL warehouse id (letters, digits and dashes)"),
  syncTraces: z.boolean(),
  syncCatalog: z.boolean(),
  experiments: z.array(z.string().trim().min(1, "must not be empty").max(512)).max(10_000),
};

const CreateBody = z
  .object({
    name: fields.name,
    source: fields.source.default("databricks"),
    host: fields.host,
    token: fields.token.optional(),
    warehouseId: fields.warehouseId.optional(),
    syncTraces: fields.syncTraces.default(true),
    syncCatalog: fields.syncCatalog.default(false),
    experiments: fields.experiments.default([]),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.source === "databricks" && !body.token) ctx.addIssue({ code: "custom", path: ["token"], message: "is required for a Databricks workspace (a personal access token)" });
  });

const UpdateBody = z
  .object({
    name: fields.name,
    host: fields.host,
    token: fields.token,
    warehouseId: fields.warehouseId.nullable(),
    syncTraces: fields.syncTraces,
    syncCatalog: fields.syncCatalog,
    experiments: fields.experiments,
  })
  .partial()
  .strict();

export const IdParams = z.object({ id: z.uuid({ error: "must be a UUID" }) }).strict();

export const integrationRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, deps) => {
  const { db, encryptionKey } = deps;

  app.post("/api/integrations", { schema: { body: CreateBody } }, async (request, reply) => {
    const { token, ...body } = request.body;
    try {
      const integration = await db.integration.create({
        data: {
          ...body,
          organizationId: DEFAULT_ORGANIZATION_ID,
          tokenCiphertext: token ? encryptSecret(token, encryptionKey) : null,
          tokenLast4: token ? tokenSuffix(token) : null,
        },
      });
      return reply.status(201).send(integrationView(integration));
    } catch (error) {
      throw conflictOnDuplicateName(error, body.name);
    }
  });

  app.get("/api/integrations", async () => {
    const integrations = await db.integration.findMany({ orderBy: { createdAt: "asc" } });
    return { items: integrations.map(integrationView) };
  });

  app.get("/api/integrations/:id", { schema: { params: IdParams } }, async (request) => {
    const integration = await db.integration.findUnique({ where: { id: request.params.id } });
    if (!integration) throw notFound("Integration", request.params.id);
    return integrationView(integration);
  });

  app.patch("/api/integrations/:id", { schema: { params: IdParams, body: UpdateBody } }, async (request) => {
    const { token, ...changes } = request.body;
    try {
      const integration = await db.integration.update({
        where: { id: request.params.id },
        data: { ...changes, ...(token ? { tokenCiphertext: encryptSecret(token, encryptionKey), tokenLast4: tokenSuffix(token) } : {}) },
      });
      return integrationView(integration);
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025") throw notFound("Integration", request.params.id);
      throw conflictOnDuplicateName(error, changes.name ?? "");
    }
  });

  app.delete("/api/integrations/:id", { schema: { params: IdParams } }, async (request, reply) => {
    const deleted = await db.integration.deleteMany({ where: { id: request.params.id } });
    if (deleted.count === 0) throw notFound("Integration", request.params.id);
    return reply.status(204).send();
  });

  // The spec's "Test Connection": Python environment, MLflow SDK, and authentication.
  app.post("/api/integrations/:id/test", { schema: { params: IdParams } }, async (request) => {
    const integration = await db.integration.findUnique({ where: { id: request.params.id } });
    if (!integration) throw notFound("Integration", request.params.id);
    return deps.testConnection(integration);
  });
};

function conflictOnDuplicateName(error: unknown, name: string): unknown {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
    return new HttpError(409, `An integration named '${name}' already exists; choose another name`, { field: "body.name" });
  }
  return error;
}
