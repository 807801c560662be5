import { fromPrisma } from "../schemas/enums.ts";
import { DeliveryStatus } from "@langguard/database";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { checkReceiverUrl } from "@langguard/host-policy";
import { sealWebhookSecret } from "@langguard/credentials";
import type { GatewayDeps } from "../deps.ts";
import { orgOf } from "../plugins/authentication.ts";
import { HttpError, notFound } from "../plugins/error-handler.ts";
import { errorResponses, IdParams, Page, page, PageQuery } from "../schemas/common.ts";

const CreateBody = z
  .object({
    url: z.string().min(1, "is required").max(2048, "must be at most 2048 characters"),
    events: z
      .array(z.enum(["policy.violation"]))
      .min(1)
      .default(["policy.violation"]),
  })
  .strict();

const WebhookView = z.object({
  id: z.uuid(),
  url: z.string(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  consecutiveFailures: z.number().int(),
  disabledAt: z.date().nullable(),
  disabledReason: z.string().nullable(),
  createdAt: z.date(),
});

const DeliveryView = z.object({
  id: z.uuid(),
  violationId: z.uuid(),
  event: z.string(),
  status: fromPrisma(DeliveryStatus),
  attempts: z.number().int(),
  /** The receiver's last HTTP status, and what went wrong when it was not a 2xx. */
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.date(),
  deliveredAt: z.date().nullable(),
});

/**
 * Receivers are outside addresses (see checkReceiverUrl, which every delivery applies again). A
 * name that does not resolve yet is accepted here: deliveries retry until it does.
 */
async function assertReceiverUrl(raw: string, deps: GatewayDeps): Promise<string> {
  const verdict = await checkReceiverUrl(raw, deps.hostPolicy);
  if (verdict.ok) return verdict.url;
  if (verdict.unresolved) return new URL(raw).toString();
  throw new HttpError(400, `body.url: ${verdict.reason}`, { issues: [{ field: "body.url", reason: verdict.reason }] });
}

export const webhookRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, deps) => {
  const { db } = deps;

  app.post(
    "/api/webhooks",
    {
      config: { scope: "admin" },
      schema: {
        body: CreateBody,
        response: { 201: WebhookView.extend({ secret: z.string().describe("Signs every delivery; shown once") }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const url = await assertReceiverUrl(request.body.url, deps);
      const secret = `whsec_${randomBytes(24).toString("base64url")}`;
      const id = crypto.randomUUID();
      const hook = await db.webhook.create({
        data: { id, organizationId: orgOf(request), url, events: request.body.events, secretCiphertext: sealWebhookSecret(deps.keyRing, id, secret) },
      });
      return reply.status(201).send({ ...hook, secret });
    },
  );

  app.get(
    "/api/webhooks",
    { config: { scope: "admin" }, schema: { querystring: PageQuery, response: { 200: Page(WebhookView), ...errorResponses } } },
    async (request) => {
      const { limit, offset } = request.query;
      const where = { organizationId: orgOf(request) };
      const [rows, total] = await Promise.all([
        db.webhook.findMany({ where, orderBy: [{ createdAt: "asc" }, { id: "asc" }], take: limit, skip: offset }),
        db.webhook.count({ where }),
      ]);
      return page(rows, total, limit, offset);
    },
  );

  app.patch(
    "/api/webhooks/:id",
    {
      config: { scope: "admin" },
      schema: { params: IdParams, body: z.object({ enabled: z.boolean() }).strict(), response: { 200: WebhookView, ...errorResponses } },
    },
    async (request) => {
      const changed = await db.webhook.updateMany({
        where: { id: request.params.id, organizationId: orgOf(request) },
        data: { enabled: request.body.enabled, ...(request.body.enabled ? { consecutiveFailures: 0, disabledAt: null, disabledReason: null } : {}) },
      });
      if (changed.count === 0) throw notFound("Webhook", request.params.id);
      return db.webhook.findUniqueOrThrow({ where: { id: request.params.id } });
    },
  );

  // Recent deliveries first: what an admin checks when a receiver says it missed something.
  app.get(
    "/api/webhooks/:id/deliveries",
    { config: { scope: "admin" }, schema: { params: IdParams, querystring: PageQuery, response: { 200: Page(DeliveryView), ...errorResponses } } },
    async (request) => {
      const hook = await db.webhook.findFirst({ where: { id: request.params.id, organizationId: orgOf(request) }, select: { id: true } });
      if (!hook) throw notFound("Webhook", request.params.id);
      const { limit, offset } = request.query;
      const where = { webhookId: hook.id };
      const [rows, total] = await Promise.all([
        db.webhookDelivery.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }], take: limit, skip: offset }),
        db.webhookDelivery.count({ where }),
      ]);
      return page(rows, total, limit, offset);
    },
  );

  app.delete(
    "/api/webhooks/:id",
    { config: { scope: "admin" }, schema: { params: IdParams, response: { 204: z.null(), ...errorResponses } } },
    async (request, reply) => {
      const deleted = await db.webhook.deleteMany({ where: { id: request.params.id, organizationId: orgOf(request) } });
      if (deleted.count === 0) throw notFound("Webhook", request.params.id);
      return reply.status(204).send(null);
    },
  );
};
