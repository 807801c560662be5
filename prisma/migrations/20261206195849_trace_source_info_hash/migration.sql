-- AlterTable
ALTER TABLE "Trace" ADD COLUMN     "sourceInfoHash" TEXT;
