-- DropForeignKey
ALTER TABLE "Violation" DROP CONSTRAINT "Violation_traceId_fkey";

-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "retentionDays" INTEGER,
ADD COLUMN     "violationRetentionDays" INTEGER;

-- AlterTable
ALTER TABLE "Violation" ALTER COLUMN "traceId" DROP NOT NULL;

-- AddForeignKey
ALTER TABLE "Violation" ADD CONSTRAINT "Violation_traceId_fkey" FOREIGN KEY ("traceId") REFERENCES "Trace"("id") ON DELETE SET NULL ON UPDATE CASCADE;
