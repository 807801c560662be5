-- CreateEnum
CREATE TYPE "QuarantineKind" AS ENUM ('trace', 'experiment');

-- AlterTable
ALTER TABLE "Experiment" ADD COLUMN     "alterations" JSONB NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "Trace" ADD COLUMN     "alterations" JSONB NOT NULL DEFAULT '[]',
ALTER COLUMN "durationMs" SET DATA TYPE BIGINT,
ALTER COLUMN "inputTokens" SET DATA TYPE BIGINT,
ALTER COLUMN "outputTokens" SET DATA TYPE BIGINT,
ALTER COLUMN "totalTokens" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "Span" ALTER COLUMN "inputTokens" SET DATA TYPE BIGINT,
ALTER COLUMN "outputTokens" SET DATA TYPE BIGINT,
ALTER COLUMN "totalTokens" SET DATA TYPE BIGINT;

-- CreateTable
CREATE TABLE "QuarantinedRecord" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "organizationId" UUID NOT NULL,
    "integrationId" UUID NOT NULL,
    "syncRunId" UUID,
    "kind" "QuarantineKind" NOT NULL,
    "experimentId" TEXT,
    "externalId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "QuarantinedRecord_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "QuarantinedRecord_organizationId_lastSeenAt_idx" ON "QuarantinedRecord"("organizationId", "lastSeenAt" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "QuarantinedRecord_integrationId_kind_externalId_key" ON "QuarantinedRecord"("integrationId", "kind", "externalId");

-- AddForeignKey
ALTER TABLE "QuarantinedRecord" ADD CONSTRAINT "QuarantinedRecord_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "QuarantinedRecord" ADD CONSTRAINT "QuarantinedRecord_integrationId_fkey" FOREIGN KEY ("integrationId") REFERENCES "Integration"("id") ON DELETE CASCADE ON UPDATE CASCADE;
