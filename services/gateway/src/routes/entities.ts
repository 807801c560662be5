import { $Enums } from "@langguard/database";
import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { GatewayDeps } from "../deps.ts";
import { orgOf } from "../plugins/authentication.ts";
import { notFound } from "../plugins/error-handler.ts";
import { actorNames } from "../auth/actor-names.ts";
import { errorResponses, IdParams, Page, page, PageQuery, text } from "../schemas/common.ts";
import { type Keyset, KeysetPage, keysetPage, keysetQuery, pageArgs } from "../pagination/keyset.ts";

const Kind = z.enum($Enums.EntityKind, { error: "must be agent, model, tool or data" });
const Approval = z.enum($Enums.ApprovalStatus, { error: "must be approved, pending or rejected" });
const Stage = z.enum($Enums.Stage, { error: "must be dev, poc, staging or prod" });

const ListQuery = z
  .object({ ...keysetQuery, kind: Kind.optional(), approval: Approval.optional(), stage: Stage.optional(), name: text(500).optional() })
  .strict();
const Change = z
  .object({ approval: Approval, stage: Stage.nullable() })
  .partial()
  .strict()
  .refine((b) => Object.keys(b).length > 0, "must change approval or stage")
  .meta({ minProperties: 1 });

/** By kind, then name: unique in an organization, so the order is total (the unique index serves it). */
const ENTITIES: Keyset = {
  list: "entities",
  direction: "asc",
  keys: [
    { field: "kind", kind: "string" },
    { field: "name", kind: "string" },
  ],
};

const EntityView = z.object({
  id: z.uuid(),
  kind: Kind,
  name: z.string(),
  approval: Approval,
  stage: Stage.nullable(),
  firstSeenAt: z.date(),
  lastSeenAt: z.date(),
  updatedAt: z.date(),
  updatedBy: z.string().nullable(),
});

const Decision = z.object({ approval: Approval, stage: Stage.nullable() });
const ChangeView = z.object({
  id: z.uuid(),
  /** The actor (`user:<id>`, `api-key:<id>`) and, while they exist in the organization, who that is. */
  changedBy: z.string(),
  changedByName: z.string().nullable(),
  before: Decision,
  after: Decision,
  createdAt: z.date(),
});

/** Agents, models, tools and data assets, with the approval and stage governance decides on. */
export const entityRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, { db }) => {
  app.get(
    "/api/entities",
    { config: { scope: "read" }, schema: { querystring: ListQuery, response: { 200: KeysetPage(EntityView), ...errorResponses } } },
    async (request) => {
      const { kind, approval, stage, name } = request.query;
      const where = {
        organizationId: orgOf(request),
        ...(kind ? { kind } : {}),
        ...(approval ? { approval } : {}),
        ...(stage ? { stage } : {}),
        ...(name ? { name: { contains: name } } : {}),
      };
      const rows = await db.entity.findMany(pageArgs(ENTITIES, where, request.query));
      return keysetPage(
        ENTITIES,
        request.query,
        rows,
        (kept) => kept,
        () => db.entity.count({ where }),
      );
    },
  );

  // Who changed what and when, newest first.
  app.get(
    "/api/entities/:id/changes",
    { config: { scope: "read" }, schema: { params: IdParams, querystring: PageQuery, response: { 200: Page(ChangeView), ...errorResponses } } },
    async (request) => {
      const organizationId = orgOf(request);
      const { limit, offset } = request.query;
      const entity = await db.entity.findFirst({ where: { id: request.params.id, organizationId }, select: { id: true } });
      if (!entity) throw notFound("Entity", request.params.id);
      const where = { entityId: entity.id };
      const [rows, total] = await Promise.all([
        db.entityChange.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "asc" }], take: limit, skip: offset }),
        db.entityChange.count({ where }),
      ]);
      const names = await actorNames(
        db,
        organizationId,
        rows.map((r) => r.changedBy),
      );
      const items = rows.map((r) => {
        // Written by the PATCH below, always this shape.
        const { before, after } = r.changes as { before: z.infer<typeof Decision>; after: z.infer<typeof Decision> };
        return { id: r.id, changedBy: r.changedBy, changedByName: names.get(r.changedBy) ?? null, before, after, createdAt: r.createdAt };
      });
      return page(items, total, limit, offset);
    },
  );

  // Who changed what and when is kept with the entity.
  app.patch(
    "/api/entities/:id",
    { config: { scope: "write" }, schema: { params: IdParams, body: Change, response: { 200: EntityView, ...errorResponses } } },
    async (request) => {
      const organizationId = orgOf(request);
      const current = await db.entity.findFirst({ where: { id: request.params.id, organizationId } });
      if (!current) throw notFound("Entity", request.params.id);
      const changedBy = request.principal!.actor;
      const before = { approval: current.approval, stage: current.stage };
      return db.$transaction(async (tx) => {
        const updated = await tx.entity.update({ where: { id: current.id }, data: { ...request.body, updatedAt: new Date(), updatedBy: changedBy } });
        await tx.entityChange.create({
          data: { entityId: current.id, changedBy, changes: { before, after: { approval: updated.approval, stage: updated.stage } } },
        });
        return updated;
      });
    },
  );
};
