import type { Database } from "@langguard/database";

/**
 * What governance approves, by catalog kind: tables and volumes are data assets, functions are the
 * tools agents call, registered models are models. A Model Serving endpoint is an agent or a model
 * by what it serves (the bridge decides it from the endpoint's task: an `agent/…` task is an agent,
 * anything else, foundation, external or custom model, a model; kept as `details.entityKind`), and
 * a Genie space is an agent. New ones start pending.
 */
const ENTITY_KIND = `CASE c."kind"
  WHEN 'function' THEN 'tool'
  WHEN 'model' THEN 'model'
  WHEN 'genieSpace' THEN 'agent'
  WHEN 'servingEndpoint' THEN CASE WHEN c."details"->>'entityKind' = 'agent' THEN 'agent' ELSE 'model' END
  ELSE 'data' END::"EntityKind"`;

/**
 * Entities are derived from the stored catalog rows, not from what one run happened to insert:
 * with `ids`, from those rows (in the transaction that wrote them); without, from every live row of
 * the integration, which repairs any gap an interrupted run or an older version left. An entity
 * already there is left as it is (one per organization, kind and name), so this writes nothing
 * when nothing is missing.
 */
export async function deriveGovernanceEntities(db: Database, integrationId: string, ids?: string[]): Promise<number> {
  return db.$executeRawUnsafe(
    `INSERT INTO "Entity" ("organizationId", "kind", "name")
     SELECT DISTINCT c."organizationId", ${ENTITY_KIND}, c."fullName"
     FROM "CatalogEntity" c
     WHERE c."integrationId" = $1::uuid AND c."kind" IN ('table', 'volume', 'function', 'model', 'servingEndpoint', 'genieSpace') AND c."deletedAt" IS NULL
       ${ids ? `AND c."id" = ANY($2::uuid[])` : ""}
       AND NOT EXISTS (SELECT 1 FROM "Entity" e WHERE e."organizationId" = c."organizationId" AND e."name" = c."fullName" AND e."kind" = ${ENTITY_KIND})
     ON CONFLICT ("organizationId", "kind", "name") DO NOTHING`,
    integrationId,
    ...(ids ? [ids] : []),
  );
}
