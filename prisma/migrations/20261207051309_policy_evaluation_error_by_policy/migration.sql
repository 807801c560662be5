-- CreateIndex
CREATE INDEX "PolicyEvaluationError_policyId_createdAt_idx" ON "PolicyEvaluationError"("policyId", "createdAt" DESC);
