-- CreateIndex
CREATE INDEX "WebhookDelivery_violationId_idx" ON "WebhookDelivery"("violationId");
