-- DropIndex
DROP INDEX "SyncRun_integrationId_createdAt_idx";

-- DropIndex
DROP INDEX "Trace_organizationId_timestamp_idx";

-- DropIndex
DROP INDEX "Trace_integrationId_timestamp_idx";

-- DropIndex
DROP INDEX "Violation_organizationId_createdAt_idx";

-- DropIndex
DROP INDEX "Violation_organizationId_status_severity_idx";

-- CreateIndex
CREATE INDEX "SyncRun_integrationId_createdAt_id_idx" ON "SyncRun"("integrationId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "SyncRun_integrationId_kind_createdAt_id_idx" ON "SyncRun"("integrationId", "kind", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "QuarantinedRecord_integrationId_firstSeenAt_id_idx" ON "QuarantinedRecord"("integrationId", "firstSeenAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "QuarantinedRecord_integrationId_kind_firstSeenAt_id_idx" ON "QuarantinedRecord"("integrationId", "kind", "firstSeenAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Trace_organizationId_timestamp_id_idx" ON "Trace"("organizationId", "timestamp" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Trace_integrationId_timestamp_id_idx" ON "Trace"("integrationId", "timestamp" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Trace_organizationId_status_timestamp_id_idx" ON "Trace"("organizationId", "status", "timestamp" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Trace_integrationId_status_timestamp_id_idx" ON "Trace"("integrationId", "status", "timestamp" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Span_traceId_startTime_spanId_idx" ON "Span"("traceId", "startTime", "spanId");

-- CreateIndex
CREATE INDEX "Violation_organizationId_createdAt_id_idx" ON "Violation"("organizationId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Violation_organizationId_status_createdAt_id_idx" ON "Violation"("organizationId", "status", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Violation_organizationId_severity_createdAt_id_idx" ON "Violation"("organizationId", "severity", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Violation_organizationId_status_severity_createdAt_id_idx" ON "Violation"("organizationId", "status", "severity", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Violation_integrationId_createdAt_id_idx" ON "Violation"("integrationId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Violation_policyId_createdAt_id_idx" ON "Violation"("policyId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "CatalogEntity_organizationId_fullName_id_idx" ON "CatalogEntity"("organizationId", "fullName", "id");

-- CreateIndex
CREATE INDEX "CatalogEntity_integrationId_fullName_id_idx" ON "CatalogEntity"("integrationId", "fullName", "id");

-- CreateIndex
CREATE INDEX "CatalogEntity_organizationId_catalogName_schemaName_fullNam_idx" ON "CatalogEntity"("organizationId", "catalogName", "schemaName", "fullName", "id");
