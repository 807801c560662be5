-- DropIndex
DROP INDEX "CatalogEntity_integrationId_container_idx";

-- AlterTable
ALTER TABLE "SyncRun" ADD COLUMN     "containerErrors" JSONB NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "CatalogEntity" DROP COLUMN "container",
ADD COLUMN     "excludedAt" TIMESTAMP(3),
ADD COLUMN     "tagsStaleAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "CatalogColumn" ADD COLUMN     "tags" JSONB;

-- CreateTable
CREATE TABLE "CatalogDeletionHold" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organizationId" UUID NOT NULL,
    "integrationId" UUID NOT NULL,
    "syncRunId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "fullName" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "byKind" JSONB NOT NULL,
    "reason" TEXT NOT NULL,
    "entityIds" UUID[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "confirmedAt" TIMESTAMP(3),
    "confirmedBy" TEXT,

    CONSTRAINT "CatalogDeletionHold_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CatalogDeletionHold_integrationId_createdAt_idx" ON "CatalogDeletionHold"("integrationId", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "CatalogDeletionHold_syncRunId_idx" ON "CatalogDeletionHold"("syncRunId");

-- CreateIndex
CREATE INDEX "CatalogEntity_integrationId_kind_catalogName_schemaName_idx" ON "CatalogEntity"("integrationId", "kind", "catalogName", "schemaName");

-- AddForeignKey
ALTER TABLE "CatalogDeletionHold" ADD CONSTRAINT "CatalogDeletionHold_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "Integration"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CatalogDeletionHold" ADD CONSTRAINT "CatalogDeletionHold_syncRunId_fkey" FOREIGN KEY ("syncRunId") REFERENCES "SyncRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Full names as parts quoted: a part holding a dot or a backtick (or empty) is written in
-- backticks with backticks doubled (packages/unity-catalog/src/names.ts). Ordinary names keep
-- their form, and only names that could be read as other parts change.
UPDATE "CatalogEntity" SET "fullName" = CASE "kind"
    WHEN 'catalog' THEN CASE WHEN "catalogName" = '' OR strpos("catalogName", '.') > 0 OR strpos("catalogName", '`') > 0 THEN '`' || replace("catalogName", '`', '``') || '`' ELSE "catalogName" END
    WHEN 'schema' THEN CASE WHEN "catalogName" = '' OR strpos("catalogName", '.') > 0 OR strpos("catalogName", '`') > 0 THEN '`' || replace("catalogName", '`', '``') || '`' ELSE "catalogName" END || '.' || CASE WHEN "name" = '' OR strpos("name", '.') > 0 OR strpos("name", '`') > 0 THEN '`' || replace("name", '`', '``') || '`' ELSE "name" END
    ELSE CASE WHEN "catalogName" = '' OR strpos("catalogName", '.') > 0 OR strpos("catalogName", '`') > 0 THEN '`' || replace("catalogName", '`', '``') || '`' ELSE "catalogName" END || '.' || CASE WHEN COALESCE("schemaName", '') = '' OR strpos(COALESCE("schemaName", ''), '.') > 0 OR strpos(COALESCE("schemaName", ''), '`') > 0 THEN '`' || replace(COALESCE("schemaName", ''), '`', '``') || '`' ELSE COALESCE("schemaName", '') END || '.' || CASE WHEN "name" = '' OR strpos("name", '.') > 0 OR strpos("name", '`') > 0 THEN '`' || replace("name", '`', '``') || '`' ELSE "name" END
  END
WHERE "catalogName" ~ '[.`]' OR "schemaName" ~ '[.`]' OR "name" ~ '[.`]' OR "catalogName" = '' OR "schemaName" = '';
