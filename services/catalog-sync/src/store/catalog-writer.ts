import { toJsonParam, type Database } from "@langguard/database";
import type { CatalogRow } from "../mapping/entity.ts";
import { deriveGovernanceEntities } from "./governance-entities.ts";

export interface WriteOutcome {
  inserted: number;
  updated: number;
  unchanged: number;
}

interface Target {
  organizationId: string;
  integrationId: string;
  syncRunId: string;
}

/**
 * Upserts a batch of catalog objects in one transaction, with the governance entities of the new
 * ones and the run's counters. An object whose content hash is unchanged (and that is neither
 * deleted nor excluded) is not written at all, so a re-sync of an unchanged catalog writes no rows;
 * a changed table has its columns replaced. A record whose tag lookup failed keeps the stored tags
 * and marks them stale from the first failure on.
 */
export async function writeCatalogBatch(db: Database, target: Target, rows: CatalogRow[]): Promise<WriteOutcome> {
  const unique = [...new Map(rows.map((r) => [`${r.kind}\u0000${r.fullName}`, r])).values()];
  return db.$transaction(
    async (tx) => {
      const outcome: WriteOutcome = { inserted: 0, updated: 0, unchanged: 0 };
      if (unique.length > 0) {
        const written = await tx.$queryRawUnsafe<Array<{ id: string; kind: string; fullName: string; inserted: boolean }>>(
          `INSERT INTO "CatalogEntity" ("organizationId", "integrationId", "kind", "fullName", "name", "catalogName", "schemaName", "owner", "comment",
              "properties", "tags", "tagsStaleAt", "details", "sourceCreatedAt", "sourceUpdatedAt", "contentHash", "alterations", "updatedAt")
           SELECT $2::uuid, $3::uuid, x."kind"::"CatalogKind", x."fullName", x."name", x."catalogName", x."schemaName", x."owner", x."comment",
              COALESCE(x."properties", '{}'), x."tags", CASE WHEN x."tagsFailed" THEN now() END, COALESCE(x."details", '{}'), x."sourceCreatedAt",
              x."sourceUpdatedAt", x."contentHash", COALESCE(x."alterations", '[]'), now()
           FROM jsonb_to_recordset($1::jsonb) AS x("kind" text, "fullName" text, "name" text, "catalogName" text, "schemaName" text, "owner" text,
              "comment" text, "properties" jsonb, "tags" jsonb, "tagsFailed" boolean, "details" jsonb, "sourceCreatedAt" timestamp(3),
              "sourceUpdatedAt" timestamp(3), "contentHash" text, "alterations" jsonb)
           ON CONFLICT ("integrationId", "kind", "fullName") DO UPDATE SET
              "name" = EXCLUDED."name", "catalogName" = EXCLUDED."catalogName", "schemaName" = EXCLUDED."schemaName",
              "owner" = EXCLUDED."owner", "comment" = EXCLUDED."comment", "properties" = EXCLUDED."properties",
              "tags" = CASE WHEN EXCLUDED."tagsStaleAt" IS NOT NULL THEN "CatalogEntity"."tags" ELSE EXCLUDED."tags" END,
              "tagsStaleAt" = CASE WHEN EXCLUDED."tagsStaleAt" IS NOT NULL THEN COALESCE("CatalogEntity"."tagsStaleAt", EXCLUDED."tagsStaleAt") END,
              "details" = EXCLUDED."details", "sourceCreatedAt" = EXCLUDED."sourceCreatedAt", "sourceUpdatedAt" = EXCLUDED."sourceUpdatedAt",
              "contentHash" = EXCLUDED."contentHash", "alterations" = EXCLUDED."alterations", "deletedAt" = NULL, "excludedAt" = NULL, "updatedAt" = now()
           WHERE "CatalogEntity"."contentHash" IS DISTINCT FROM EXCLUDED."contentHash" OR "CatalogEntity"."deletedAt" IS NOT NULL
              OR "CatalogEntity"."excludedAt" IS NOT NULL
           RETURNING "id"::text AS "id", "kind"::text AS "kind", "fullName", (xmax = 0) AS "inserted"`,
          toJsonParam(unique.map(({ columns: _columns, ...row }) => row)),
          target.organizationId,
          target.integrationId,
        );
        for (const row of written) {
          if (row.inserted) outcome.inserted += 1;
          else outcome.updated += 1;
        }
        outcome.unchanged = unique.length - written.length;
        await replaceColumns(tx as unknown as Database, unique, written);
        // In the same transaction: a stored object never lacks its governance entity.
        const inserted = written.filter((w) => w.inserted).map((w) => w.id);
        if (inserted.length) await deriveGovernanceEntities(tx as unknown as Database, target.integrationId, inserted);
      }
      if (rows.length > 0) {
        await tx.syncRun.update({
          where: { id: target.syncRunId },
          data: {
            itemsFetched: { increment: rows.length },
            itemsIngested: { increment: outcome.inserted },
            itemsUpdated: { increment: outcome.updated },
            itemsSkipped: { increment: rows.length - outcome.inserted - outcome.updated },
            heartbeatAt: new Date(),
          },
        });
      }
      return outcome;
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}

/** A written table's columns are the source's, whole. */
async function replaceColumns(tx: Database, rows: CatalogRow[], written: Array<{ id: string; kind: string; fullName: string; inserted: boolean }>) {
  const tables = written.filter((w) => w.kind === "table");
  if (tables.length === 0) return;
  const byName = new Map(rows.filter((r) => r.kind === "table").map((r) => [r.fullName, r]));
  const updated = tables.filter((t) => !t.inserted).map((t) => t.id);
  if (updated.length) await tx.$executeRawUnsafe(`DELETE FROM "CatalogColumn" WHERE "tableId" = ANY($1::uuid[])`, updated);
  const columns = tables.flatMap((t) => (byName.get(t.fullName)?.columns ?? []).map((c) => ({ ...c, tableId: t.id })));
  for (let start = 0; start < columns.length; start += 10_000) {
    await tx.$executeRawUnsafe(
      `INSERT INTO "CatalogColumn" ("tableId", "name", "position", "typeText", "typeName", "nullable", "comment", "tags")
       SELECT x."tableId", x."name", x."position", x."typeText", x."typeName", x."nullable", x."comment", x."tags"
       FROM jsonb_to_recordset($1::jsonb) AS x("tableId" uuid, "name" text, "position" int, "typeText" text, "typeName" text, "nullable" boolean,
          "comment" text, "tags" jsonb)
       ON CONFLICT ("tableId", "name") DO NOTHING`,
      toJsonParam(columns.slice(start, start + 10_000)),
    );
  }
}

/** Table statistics from the warehouse; written only when they changed. */
export async function writeTableStats(
  db: Database,
  integrationId: string,
  stats: Array<{ fullName: string; stats: Record<string, unknown> }>,
): Promise<number> {
  if (stats.length === 0) return 0;
  return db.$executeRawUnsafe(
    `UPDATE "CatalogEntity" e SET "stats" = x."stats"
     FROM jsonb_to_recordset($1::jsonb) AS x("fullName" text, "stats" jsonb)
     WHERE e."integrationId" = $2::uuid AND e."kind" = 'table' AND e."fullName" = x."fullName" AND e."stats" IS DISTINCT FROM x."stats"`,
    toJsonParam(stats),
    integrationId,
  );
}
