import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { GatewayDeps } from "../deps.ts";
import { orgOf } from "../plugins/authentication.ts";
import { errorResponses } from "../schemas/common.ts";

const Days = z
  .number({ error: "must be a whole number of days or null (kept for ever)" })
  .int("must be a whole number of days")
  .min(1, "must be at least 1 day")
  .max(36_500, "must be at most 36500 days")
  .nullable();

const Retention = z
  .object({
    retentionDays: Days.describe("Days traces and their spans are kept, by the trace's time; null: for ever"),
    violationRetentionDays: Days.describe("Days violations (with their masked evidence) are kept, by when found; null: they go with their trace"),
  })
  .strict();

const RetentionBody = Retention.partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, "must set retentionDays or violationRetentionDays")
  .meta({ minProperties: 1 });

/** The organization's own settings: how long its traces and violations are kept. */
export const organizationRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, { db }) => {
  app.get("/api/organization/retention", { config: { scope: "read" }, schema: { response: { 200: Retention, ...errorResponses } } }, async (request) =>
    db.organization.findUniqueOrThrow({ where: { id: orgOf(request) }, select: { retentionDays: true, violationRetentionDays: true } }),
  );

  app.put(
    "/api/organization/retention",
    { config: { scope: "admin" }, schema: { body: RetentionBody, response: { 200: Retention, ...errorResponses } } },
    async (request, reply) => {
      const id = orgOf(request);
      const current = await db.organization.findUniqueOrThrow({ where: { id }, select: { retentionDays: true, violationRetentionDays: true } });
      const next = { ...current, ...request.body };
      // Violations may outlive their traces, not the other way round: evidence without its violation would be kept for nothing.
      if (next.retentionDays !== null && next.violationRetentionDays !== null && next.violationRetentionDays < next.retentionDays) {
        const reason = `must be at least retentionDays (${next.retentionDays}) or null: violations may be kept longer than traces, not shorter`;
        return reply.status(400).send({
          statusCode: 400,
          error: "Bad Request",
          message: `body.violationRetentionDays: ${reason}`,
          issues: [{ field: "body.violationRetentionDays", reason }],
        });
      }
      return db.organization.update({ where: { id }, data: next, select: { retentionDays: true, violationRetentionDays: true } });
    },
  );
};
