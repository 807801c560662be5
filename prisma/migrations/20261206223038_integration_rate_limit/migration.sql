-- AlterTable
ALTER TABLE "Integration" ADD COLUMN     "rateLimitedAt" TIMESTAMP(3),
ADD COLUMN     "rateLimitedCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "rateLimitedMessage" TEXT,
ADD COLUMN     "rateLimitedUntil" TIMESTAMP(3);
