/**
 * The OpenAPI operationId and tag of each route, by method and URL: the names the generated
 * clients (the console's among them) and the docs' sections use. Kept in one table so route files
 * stay about behaviour; a route missing here still gets a derived id and tag (see operationOf),
 * and the docs test requires every id to be unique.
 */
const OPERATIONS: Record<string, readonly [operationId: string, tag: string]> = {
  "GET /health/live": ["getLiveness", "Health"],
  "GET /health": ["getHealth", "Health"],
  "POST /api/auth/login": ["signIn", "Sessions"],
  "GET /api/auth/session": ["getSession", "Sessions"],
  "POST /api/auth/logout": ["signOut", "Sessions"],
  "POST /api/auth/password": ["setPassword", "Sessions"],
  "GET /api/users": ["listUsers", "Users"],
  "POST /api/users": ["createUser", "Users"],
  "PATCH /api/users/:id": ["updateUser", "Users"],
  "DELETE /api/users/:id": ["deleteUser", "Users"],
  "POST /api/users/:id/password-link": ["createPasswordLink", "Users"],
  "POST /api/keys": ["createApiKey", "API keys"],
  "GET /api/keys": ["listApiKeys", "API keys"],
  "DELETE /api/keys/:id": ["revokeApiKey", "API keys"],
  "POST /api/integrations": ["createIntegration", "Integrations"],
  "GET /api/integrations": ["listIntegrations", "Integrations"],
  "GET /api/integrations/:id": ["getIntegration", "Integrations"],
  "PATCH /api/integrations/:id": ["updateIntegration", "Integrations"],
  "DELETE /api/integrations/:id": ["deleteIntegration", "Integrations"],
  "GET /api/integrations/sources": ["getIntegrationSources", "Integrations"],
  "POST /api/integrations/catalog-filters/check": ["checkCatalogFilters", "Integrations"],
  "POST /api/integrations/test": ["testCredentials", "Integrations"],
  "POST /api/integrations/:id/test": ["testIntegration", "Integrations"],
  "POST /api/integrations/experiments": ["listExperimentsOfCredentials", "Integrations"],
  "GET /api/integrations/:id/experiments": ["listExperiments", "Integrations"],
  "POST /api/integrations/:id/sync": ["triggerSync", "Syncs"],
  "GET /api/integrations/:id/sync/status": ["getSyncStatus", "Syncs"],
  "GET /api/integrations/:id/sync/history": ["listSyncRuns", "Syncs"],
  "GET /api/integrations/sync-overview": ["getSyncOverview", "Syncs"],
  "GET /api/integrations/:id/quarantine": ["listQuarantinedRecords", "Syncs"],
  "GET /api/traces": ["listTraces", "Traces"],
  "GET /api/traces/:id": ["getTrace", "Traces"],
  "GET /api/agents": ["listAgents", "Agents"],
  "GET /api/agents/:id": ["getAgent", "Agents"],
  "GET /api/catalog/entities": ["listCatalogEntities", "Catalog"],
  "GET /api/catalog/tables/:id": ["getCatalogTable", "Catalog"],
  "GET /api/catalog/tables/:id/columns": ["listCatalogColumns", "Catalog"],
  "GET /api/policies": ["listPolicies", "Policies"],
  "GET /api/policies/:id": ["getPolicy", "Policies"],
  "POST /api/policies": ["createPolicy", "Policies"],
  "PATCH /api/policies/:id": ["updatePolicy", "Policies"],
  "DELETE /api/policies/:id": ["deletePolicy", "Policies"],
  "POST /api/policies/:id/test": ["testPolicy", "Policies"],
  "POST /api/policies/:id/evaluate": ["evaluatePolicy", "Policies"],
  "GET /api/policies/:id/evaluate/:jobId": ["getPolicyEvaluation", "Policies"],
  "GET /api/policies/violations": ["listViolations", "Violations"],
  "PATCH /api/policies/violations/:id": ["updateViolation", "Violations"],
  "POST /api/policies/violations/bulk": ["updateViolations", "Violations"],
  "GET /api/entities": ["listEntities", "Entities"],
  "PATCH /api/entities/:id": ["updateEntity", "Entities"],
  "POST /api/webhooks": ["createWebhook", "Webhooks"],
  "GET /api/webhooks": ["listWebhooks", "Webhooks"],
  "PATCH /api/webhooks/:id": ["updateWebhook", "Webhooks"],
  "DELETE /api/webhooks/:id": ["deleteWebhook", "Webhooks"],
};

const VERBS: Record<string, string> = { GET: "get", POST: "post", PATCH: "update", PUT: "put", DELETE: "delete" };

/** A route's operationId and tag: from the table, else derived from its method and path. */
export function operationOf(method: string, url: string): { operationId: string; tag: string } {
  const known = OPERATIONS[`${method} ${url}`];
  if (known) return { operationId: known[0], tag: known[1] };
  const words = url
    .split("/")
    .filter((part) => part && part !== "api")
    .map((part) => (part.startsWith(":") ? `by-${part.slice(1)}` : part))
    .flatMap((part) => part.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  const operationId = [VERBS[method] ?? method.toLowerCase(), ...words.map((w) => w[0]!.toUpperCase() + w.slice(1))].join("");
  const area = url.split("/").filter((part) => part && part !== "api")[0] ?? "api";
  return { operationId, tag: area[0]!.toUpperCase() + area.slice(1) };
}
