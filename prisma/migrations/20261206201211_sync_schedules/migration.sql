-- AlterTable
ALTER TABLE "Integration" ADD COLUMN     "nightlyFullSync" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "syncIntervalMinutes" INTEGER NOT NULL DEFAULT 15;
