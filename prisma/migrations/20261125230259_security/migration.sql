-- CreateEnum
CREATE TYPE "ApiKeyScope" AS ENUM ('read', 'write', 'admin');

-- CreateEnum
CREATE TYPE "ConnectionStatus" AS ENUM ('unknown', 'connected', 'warning', 'failed', 'disabled');

-- CreateEnum
CREATE TYPE "SyncKind" AS ENUM ('traces', 'catalog');

-- AlterTable
ALTER TABLE "Integration" ADD COLUMN     "connectionCheckedAt" TIMESTAMP(3),
ADD COLUMN     "connectionMessage" TEXT,
ADD COLUMN     "connectionStatus" "ConnectionStatus" NOT NULL DEFAULT 'unknown',
ADD COLUMN     "connectionSteps" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "enabled" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
-- Edited by hand: convert the existing text values instead of dropping the column.
ALTER TABLE "SyncRun" ADD COLUMN     "warnings" JSONB NOT NULL DEFAULT '[]',
ALTER COLUMN "kind" DROP DEFAULT,
ALTER COLUMN "kind" TYPE "SyncKind" USING "kind"::"SyncKind",
ALTER COLUMN "kind" SET DEFAULT 'traces';

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organizationId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "scopes" "ApiKeyScope"[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_prefix_key" ON "ApiKey"("prefix");

-- CreateIndex
CREATE INDEX "ApiKey_organizationId_idx" ON "ApiKey"("organizationId");

-- CreateIndex
CREATE INDEX "Integration_organizationId_createdAt_idx" ON "Integration"("organizationId", "createdAt");

-- CreateIndex
CREATE INDEX "SyncRun_organizationId_createdAt_idx" ON "SyncRun"("organizationId", "createdAt" DESC);

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
