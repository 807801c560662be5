import type { Database } from "@langguard/database";

/**
 * Unity Catalog objects are what governance approves: tables and volumes are data assets,
 * functions are the tools agents call, registered models are models. New ones start pending.
 *
 * Entities are derived from the stored catalog rows, not from what one run happened to insert:
 * with `ids`, from those rows (in the transaction that wrote them); without, from every live row of
 * the integration, which repairs any gap an interrupted run or an older version left. An entity
 * already there is left as it is (one per organization, kind and name), so this writes nothing
 * when nothing is missing.
 */
export async function deriveGovernanceEntities(db: Database, integrationId: string, ids?: string[]): Promise<number> {
  return db.$executeRawUnsafe(
    `INSERT INTO "Entity" ("organizationId", "kind", "name")
     SELECT DISTINCT c."organizationId", CASE c."kind" WHEN 'function' THEN 'tool' WHEN 'model' THEN 'model' ELSE 'data' END::"EntityKind", c."fullName"
     FROM "CatalogEntity" c
     WHERE c."integrationId" = $1::uuid AND c."kind" IN ('table', 'volume', 'function', 'model') AND c."deletedAt" IS NULL
       ${ids ? `AND c."id" = ANY($2::uuid[])` : ""}
       AND NOT EXISTS (SELECT 1 FROM "Entity" e WHERE e."organizationId" = c."organizationId" AND e."name" = c."fullName"
         AND e."kind" = CASE c."kind" WHEN 'function' THEN 'tool' WHEN 'model' THEN 'model' ELSE 'data' END::"EntityKind")
     ON CONFLICT ("organizationId", "kind", "name") DO NOTHING`,
    integrationId,
    ...(ids ? [ids] : []),
  );
}
