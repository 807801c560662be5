-- AlterTable
ALTER TABLE "Integration" ADD COLUMN     "authType" TEXT NOT NULL DEFAULT 'pat',
ADD COLUMN     "clientId" TEXT,
ADD COLUMN     "credentialExpiresAt" TIMESTAMP(3),
ADD COLUMN     "tenantId" TEXT,
ADD COLUMN     "username" TEXT;

-- Existing integrations keep working as they did: a Databricks workspace with its personal access
-- token, an MLflow server with the token it sent as a bearer token, or without one.
UPDATE "Integration" SET "authType" = CASE WHEN "tokenCiphertext" IS NULL THEN 'none' ELSE 'bearer' END WHERE "source" = 'mlflow';
