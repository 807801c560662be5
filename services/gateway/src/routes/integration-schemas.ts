import { $Enums } from "@langguard/database";
import { z } from "zod";
import type { HostPolicy } from "@langguard/host-policy";
import { ALL_AUTH_TYPES, integrationBodies as bodiesWith } from "@langguard/input-rules";
import { CatalogFilters } from "@langguard/unity-catalog";

export { hostField } from "@langguard/input-rules";

/** Create, update and connection-test bodies: the shared field rules with the gateway's catalog filter check. */
export function integrationBodies(policy: HostPolicy) {
  return bodiesWith(policy, CatalogFilters);
}

export const ConnectionStep = z.object({
  step: z.string(),
  status: z.enum(["ok", "warning", "failed", "skipped"]),
  message: z.string(),
  hint: z.string().nullable(),
  kind: z.string().nullable(),
});

export const ConnectionReport = z.object({
  status: z.enum(["connected", "warning", "failed", "disabled"]),
  message: z.string(),
  steps: z.array(ConnectionStep),
  checkedAt: z.date(),
});

/** Present while the workspace is throttling us, until a sync succeeds. */
export const RateLimitWarning = z
  .object({
    status: z.literal("warning"),
    message: z.string(),
    since: z.date(),
    nextAttemptAt: z.date().nullable().describe("When waiting syncs of this workspace are tried again"),
  })
  .nullable();

/** The only shape in which an integration leaves the API: the token never, only its last characters. */
export const IntegrationView = z.object({
  id: z.uuid(),
  name: z.string(),
  source: z.enum($Enums.IntegrationSource),
  host: z.string(),
  token: z.string().nullable().describe("The secret's last characters (token, client secret or password), e.g. ****abcd"),
  hasToken: z.boolean().describe("Whether a secret is stored for the authentication method"),
  authType: z.enum(ALL_AUTH_TYPES).describe("How the integration authenticates"),
  clientId: z.string().nullable().describe("The service principal's application (client) id (oauth-m2m, azure-client-secret)"),
  tenantId: z.string().nullable().describe("The Entra ID tenant (azure-client-secret)"),
  username: z.string().nullable().describe("The MLflow user name (basic)"),
  credentialExpiresAt: z.date().nullable().describe("When the credential expires, where the workspace tells (from the last connection test)"),
  credentialWarning: z
    .object({ status: z.literal("warning"), message: z.string().describe('e.g. "token expires in 10 days"') })
    .nullable()
    .describe("Present from 14 days before the credential expires"),
  warehouseId: z.string().nullable(),
  syncTraces: z.boolean(),
  syncCatalog: z.boolean(),
  syncServingEndpoints: z.boolean().describe("The catalog sync also reads the workspace's Model Serving endpoints (as models or agents)"),
  syncGenieSpaces: z.boolean().describe("The catalog sync also reads the workspace's Genie spaces (as agents)"),
  enabled: z.boolean(),
  syncIntervalMinutes: z.number().int().describe("Minutes between scheduled syncs of each enabled kind; 0: only when triggered"),
  nightlyFullSync: z.boolean().describe("Also a full trace sync at 03:00 UTC every night"),
  experiments: z.array(z.string()),
  catalogFilters: z.unknown(),
  connection: z.object({ status: z.string(), message: z.string().nullable(), checkedAt: z.date().nullable(), steps: z.unknown() }),
  rateLimit: RateLimitWarning,
  createdAt: z.date(),
  updatedAt: z.date(),
});
