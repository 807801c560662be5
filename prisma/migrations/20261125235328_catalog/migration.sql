-- CreateEnum
CREATE TYPE "CatalogKind" AS ENUM ('catalog', 'schema', 'table', 'volume', 'function', 'model');

-- AlterTable
ALTER TABLE "Integration" ADD COLUMN     "catalogFilters" JSONB NOT NULL DEFAULT '{}';

-- CreateTable
CREATE TABLE "CatalogEntity" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organizationId" UUID NOT NULL,
    "integrationId" UUID NOT NULL,
    "kind" "CatalogKind" NOT NULL,
    "fullName" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "container" TEXT NOT NULL,
    "catalogName" TEXT NOT NULL,
    "schemaName" TEXT,
    "owner" TEXT,
    "comment" TEXT,
    "properties" JSONB NOT NULL DEFAULT '{}',
    "tags" JSONB,
    "details" JSONB NOT NULL DEFAULT '{}',
    "stats" JSONB,
    "sourceCreatedAt" TIMESTAMP(3),
    "sourceUpdatedAt" TIMESTAMP(3),
    "contentHash" TEXT NOT NULL,
    "deletedAt" TIMESTAMP(3),
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CatalogEntity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CatalogColumn" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "tableId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "typeText" TEXT,
    "typeName" TEXT,
    "nullable" BOOLEAN,
    "comment" TEXT,

    CONSTRAINT "CatalogColumn_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "CatalogEntity_integrationId_container_idx" ON "CatalogEntity"("integrationId", "container");

-- CreateIndex
CREATE INDEX "CatalogEntity_organizationId_kind_name_idx" ON "CatalogEntity"("organizationId", "kind", "name");

-- CreateIndex
CREATE UNIQUE INDEX "CatalogEntity_integrationId_kind_fullName_key" ON "CatalogEntity"("integrationId", "kind", "fullName");

-- CreateIndex
CREATE INDEX "CatalogColumn_tableId_position_idx" ON "CatalogColumn"("tableId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "CatalogColumn_tableId_name_key" ON "CatalogColumn"("tableId", "name");

-- AddForeignKey
ALTER TABLE "CatalogEntity" ADD CONSTRAINT "CatalogEntity_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "Integration"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CatalogColumn" ADD CONSTRAINT "CatalogColumn_tableId_fkey" FOREIGN KEY ("tableId") REFERENCES "CatalogEntity"("id") ON DELETE CASCADE ON UPDATE CASCADE;
