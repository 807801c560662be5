import type { Database } from "@langguard/database";
import { exactJson } from "./numbers.ts";

/**
 * Catalog objects' JSON documents read as text and parsed without rounding: a table's size in
 * bytes, a function parameter's position or a serving endpoint's limits may pass 2^53, which
 * Postgres holds exactly and Prisma's JSON.parse would round. Prisma reads the other columns.
 */
export const CATALOG_JSON = { properties: true, tags: true, details: true, stats: true, alterations: true } as const;

type Documents = Record<keyof typeof CATALOG_JSON, unknown>;

export async function withExactCatalogJson<R extends { id: string }>(db: Database, rows: R[]): Promise<Array<R & Documents>> {
  if (rows.length === 0) return [];
  const docs = await db.$queryRaw<Array<{ id: string } & Record<keyof typeof CATALOG_JSON, string | null>>>`
    SELECT "id"::text AS id, "properties"::text AS properties, "tags"::text AS tags, "details"::text AS details, "stats"::text AS stats,
      "alterations"::text AS alterations
    FROM "CatalogEntity" WHERE "id" = ANY(${rows.map((r) => r.id)}::uuid[])`;
  const byId = new Map(docs.map((d) => [d.id, d]));
  return rows.map((row) => {
    // A row deleted between the two reads (its integration removed) keeps empty documents.
    const d = byId.get(row.id);
    return {
      ...row,
      properties: exactJson(d?.properties ?? null) ?? {},
      tags: exactJson(d?.tags ?? null),
      details: exactJson(d?.details ?? null) ?? {},
      stats: exactJson(d?.stats ?? null),
      alterations: exactJson(d?.alterations ?? null) ?? [],
    };
  });
}
