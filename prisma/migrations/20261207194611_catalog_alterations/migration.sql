-- AlterTable
ALTER TABLE "CatalogEntity" ADD COLUMN     "alterations" JSONB NOT NULL DEFAULT '[]';
