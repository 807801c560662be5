import { fromPrisma } from "../schemas/enums.ts";
import { CatalogKind } from "@langguard/database";
import { z } from "zod";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Prisma } from "@langguard/database";
import type { GatewayDeps } from "../deps.ts";
import { orgOf } from "../plugins/authentication.ts";
import { notFound } from "../plugins/error-handler.ts";
import { errorResponses, IdParams, Json, Page, page, PageQuery, text, Uuid } from "../schemas/common.ts";
import { type Keyset, KeysetPage, keysetPage, keysetQuery, pageArgs } from "../pagination/keyset.ts";
import { parseFullName } from "@langguard/unity-catalog";
import { CATALOG_JSON, withExactCatalogJson } from "../exact/catalog-json.ts";

const Kind = fromPrisma(CatalogKind);
const ListQuery = z
  .object({
    ...keysetQuery,
    integrationId: Uuid.optional(),
    kind: Kind.optional(),
    /**
     * Browse one level: the schemas of a catalog ("main"), the tables of a schema ("main.sales").
     * A part holding a dot is quoted in backticks (main.`weird.ns`), or give the parts instead.
     */
    parent: text(1000)
      .refine((v) => [1, 2].includes(parseFullName(v)?.length ?? 0), "must be a catalog or catalog.schema full name (quote a part holding a dot in backticks)")
      .optional(),
    /** The parent as parts: a catalog, and optionally one of its schemas. */
    catalog: z.string().min(1).max(1000).optional(),
    schema: z.string().min(1).max(1000).optional(),
    /** Search by name, case-insensitively, across levels. */
    q: text(200).optional(),
    deleted: z.enum(["true", "false", "any"], { error: "must be true, false or any" }).default("false"),
  })
  .strict();

/** By full name, the id breaking ties between integrations that hold the same name. */
const CATALOG_ENTITIES: Keyset = {
  list: "catalog-entities",
  direction: "asc",
  keys: [
    { field: "fullName", kind: "string" },
    { field: "id", kind: "string" },
  ],
};

const EntityView = z.object({
  id: z.uuid(),
  integrationId: z.uuid(),
  kind: Kind,
  fullName: z.string(),
  name: z.string(),
  catalogName: z.string().describe("Empty for the workspace-wide kinds (servingEndpoint, genieSpace)"),
  schemaName: z.string().nullable(),
  owner: z.string().nullable(),
  comment: z.string().nullable(),
  properties: Json,
  tags: Json,
  details: Json.describe(
    "Kind-specific fields. servingEndpoint: task, entityKind (agent or model), state, servedEntities, aiGateway (usage tracking, inference table, guardrails, rate limits), the Unity Catalog tables and models it uses; genieSpace: title, warehouseId, the tables it uses (tablesKnown false when the API did not tell them)",
  ),
  stats: Json,
  alterations: Json.describe(
    "Where the stored object differs from the source: { path, change } for each value Postgres could not store as it was (a NUL removed, an unpaired surrogate replaced, a column name made unique)",
  ),
  sourceCreatedAt: z.date().nullable(),
  sourceUpdatedAt: z.date().nullable(),
  deletedAt: z.date().nullable(),
  excludedAt: z.date().nullable().describe("Set when the integration's catalog filters left the object out: no longer synced, not deleted"),
  tagsStaleAt: z.date().nullable().describe("Set when the last tag lookup failed: `tags` are as stored before, since this time"),
  firstSeenAt: z.date(),
  updatedAt: z.date(),
});
const ColumnView = z.object({
  name: z.string(),
  position: z.number().int(),
  typeText: z.string().nullable(),
  typeName: z.string().nullable(),
  nullable: z.boolean().nullable(),
  comment: z.string().nullable(),
  tags: Json,
});

/** The Data Catalog: what catalog sync imported from Unity Catalog, browsable and searchable. */
export const catalogRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, { db }) => {
  app.get(
    "/api/catalog/entities",
    { config: { scope: "read" }, schema: { querystring: ListQuery, response: { 200: KeysetPage(EntityView), ...errorResponses } } },
    async (request) => {
      const { integrationId, kind, parent, catalog, schema, q, deleted } = request.query;
      // Names are parts: a full name is parsed, never split on its dots.
      const [parentCatalog, parentSchema] = parent ? parseFullName(parent)! : [catalog, schema];
      const where: Prisma.CatalogEntityWhereInput = {
        organizationId: orgOf(request),
        ...(integrationId ? { integrationId } : {}),
        ...(kind ? { kind } : {}),
        ...(parentCatalog ? { catalogName: parentCatalog, ...(parentSchema ? { schemaName: parentSchema } : { kind: kind ?? "schema" }) } : {}),
        ...(q ? { name: { contains: q, mode: "insensitive" as const } } : {}),
        ...(deleted === "any" ? {} : { deletedAt: deleted === "true" ? { not: null } : null }),
      };
      const rows = await db.catalogEntity.findMany({ ...pageArgs(CATALOG_ENTITIES, where, request.query), omit: CATALOG_JSON });
      return keysetPage(
        CATALOG_ENTITIES,
        request.query,
        rows,
        (kept) => withExactCatalogJson(db, kept),
        () => db.catalogEntity.count({ where }),
      );
    },
  );

  app.get(
    "/api/catalog/tables/:id",
    {
      config: { scope: "read" },
      schema: { params: IdParams, response: { 200: EntityView.extend({ columns: z.array(ColumnView), columnCount: z.number().int() }), ...errorResponses } },
    },
    async (request) => {
      const found = await db.catalogEntity.findFirst({ where: { id: request.params.id, organizationId: orgOf(request), kind: "table" }, omit: CATALOG_JSON });
      if (!found) throw notFound("Table", request.params.id);
      const table = (await withExactCatalogJson(db, [found]))[0]!;
      // The first 1000 columns inline; /columns pages through the rest.
      const [columns, columnCount] = await Promise.all([
        db.catalogColumn.findMany({ where: { tableId: table.id }, orderBy: { position: "asc" }, take: 1000 }),
        db.catalogColumn.count({ where: { tableId: table.id } }),
      ]);
      return { ...table, columns, columnCount };
    },
  );

  app.get(
    "/api/catalog/tables/:id/columns",
    { config: { scope: "read" }, schema: { params: IdParams, querystring: PageQuery, response: { 200: Page(ColumnView), ...errorResponses } } },
    async (request) => {
      const table = await db.catalogEntity.findFirst({ where: { id: request.params.id, organizationId: orgOf(request), kind: "table" }, select: { id: true } });
      if (!table) throw notFound("Table", request.params.id);
      const { limit, offset } = request.query;
      const [rows, total] = await Promise.all([
        db.catalogColumn.findMany({ where: { tableId: table.id }, orderBy: { position: "asc" }, take: limit, skip: offset }),
        db.catalogColumn.count({ where: { tableId: table.id } }),
      ]);
      return page(rows, total, limit, offset);
    },
  );
};
