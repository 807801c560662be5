import { toJsonParam, type Database } from "@langguard/database";
import type { CatalogRow } from "../mapping/entity.ts";

export interface WriteOutcome {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Full names of objects new to this integration (they become governance entities). */
  insertedRows: Array<{ kind: string; fullName: string }>;
}

interface Target {
  organizationId: string;
  integrationId: string;
  syncRunId: string;
}

/**
 * Upserts a batch of catalog objects in one transaction. An object whose content hash is unchanged
 * (and that is not marked deleted) is not written at all, so a re-sync of an unchanged catalog
 * writes no rows; a changed table has its columns replaced.
 */
export async function writeCatalogBatch(db: Database, target: Target, rows: CatalogRow[], fetched: number): Promise<WriteOutcome> {
  const unique = [...new Map(rows.map((r) => [`${r.kind}\u0000${r.fullName}`, r])).values()];
  return db.$transaction(
    async (tx) => {
      const outcome: WriteOutcome = { inserted: 0, updated: 0, unchanged: 0, insertedRows: [] };
      if (unique.length > 0) {
        const written = await tx.$queryRawUnsafe<Array<{ id: string; kind: string; fullName: string; inserted: boolean }>>(
          `INSERT INTO "CatalogEntity" ("organizationId", "integrationId", "kind", "fullName", "name", "container", "catalogName", "schemaName", "owner", "comment",
              "properties", "tags", "details", "sourceCreatedAt", "sourceUpdatedAt", "contentHash", "updatedAt")
           SELECT $2::uuid, $3::uuid, x."kind"::"CatalogKind", x."fullName", x."name", x."container", x."catalogName", x."schemaName", x."owner", x."comment",
              COALESCE(x."properties", '{}'), x."tags", COALESCE(x."details", '{}'), x."sourceCreatedAt", x."sourceUpdatedAt", x."contentHash", now()
           FROM jsonb_to_recordset($1::jsonb) AS x("kind" text, "fullName" text, "name" text, "container" text, "catalogName" text, "schemaName" text, "owner" text,
              "comment" text, "properties" jsonb, "tags" jsonb, "details" jsonb, "sourceCreatedAt" timestamp(3), "sourceUpdatedAt" timestamp(3), "contentHash" text)
           ON CONFLICT ("integrationId", "kind", "fullName") DO UPDATE SET
              "name" = EXCLUDED."name", "container" = EXCLUDED."container", "catalogName" = EXCLUDED."catalogName", "schemaName" = EXCLUDED."schemaName",
              "owner" = EXCLUDED."owner", "comment" = EXCLUDED."comment", "properties" = EXCLUDED."properties", "tags" = EXCLUDED."tags",
              "details" = EXCLUDED."details", "sourceCreatedAt" = EXCLUDED."sourceCreatedAt", "sourceUpdatedAt" = EXCLUDED."sourceUpdatedAt",
              "contentHash" = EXCLUDED."contentHash", "deletedAt" = NULL, "updatedAt" = now()
           WHERE "CatalogEntity"."contentHash" IS DISTINCT FROM EXCLUDED."contentHash" OR "CatalogEntity"."deletedAt" IS NOT NULL
           RETURNING "id"::text AS "id", "kind"::text AS "kind", "fullName", (xmax = 0) AS "inserted"`,
          toJsonParam(unique.map(({ columns: _columns, ...row }) => row)),
          target.organizationId,
          target.integrationId,
        );
        for (const row of written) {
          if (row.inserted) {
            outcome.inserted += 1;
            outcome.insertedRows.push({ kind: row.kind, fullName: row.fullName });
          } else outcome.updated += 1;
        }
        outcome.unchanged = rows.length - written.length;
        await replaceColumns(tx as unknown as Database, unique, written);
      }
      if (fetched > 0 || outcome.inserted + outcome.updated > 0) {
        await tx.syncRun.update({
          where: { id: target.syncRunId },
          data: {
            itemsFetched: { increment: fetched },
            itemsIngested: { increment: outcome.inserted },
            itemsUpdated: { increment: outcome.updated },
            itemsSkipped: { increment: outcome.unchanged },
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
      `INSERT INTO "CatalogColumn" ("tableId", "name", "position", "typeText", "typeName", "nullable", "comment")
       SELECT x."tableId", x."name", x."position", x."typeText", x."typeName", x."nullable", x."comment"
       FROM jsonb_to_recordset($1::jsonb) AS x("tableId" uuid, "name" text, "position" int, "typeText" text, "typeName" text, "nullable" boolean, "comment" text)
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
