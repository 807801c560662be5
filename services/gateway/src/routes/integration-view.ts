import type { Integration } from "@langguard/database";
import { maskedToken } from "@langguard/secrets";

/** The only shape in which an integration leaves the API: the token is never included, only its masked suffix. */
export function integrationView(integration: Integration) {
  return {
    id: integration.id,
    organizationId: integration.organizationId,
    name: integration.name,
    source: integration.source,
    host: integration.host,
    token: maskedToken(integration.tokenLast4),
    hasToken: integration.tokenCiphertext !== null,
    warehouseId: integration.warehouseId,
    syncTraces: integration.syncTraces,
    syncCatalog: integration.syncCatalog,
    experiments: integration.experiments,
    createdAt: integration.createdAt,
    updatedAt: integration.updatedAt,
  };
}
