import { randomUUID } from "node:crypto";
import { sealToken } from "@langguard/credentials";
import { DEFAULT_ORGANIZATION_ID, type Database } from "@langguard/database";
import { checkSourceUrl, type HostPolicy } from "@langguard/host-policy";
import type { KeyRing } from "@langguard/secrets";
import type { GatewayEnv } from "./env.ts";

export const ENV_INTEGRATION_NAME = "Databricks (from environment)";

/**
 * DATABRICKS_HOST + DATABRICKS_API_KEY define one workspace integration of the default
 * organization, kept in step with the environment. The host passes the same policy as any other.
 */
export async function ensureEnvironmentIntegration(db: Database, env: GatewayEnv, ring: KeyRing, policy: HostPolicy) {
  if (!env.DATABRICKS_HOST || !env.DATABRICKS_API_KEY) return null;
  const verdict = checkSourceUrl(env.DATABRICKS_HOST, policy);
  if (!verdict.ok) throw new Error(`DATABRICKS_HOST: ${verdict.reason}`);
  const where = { organizationId_name: { organizationId: DEFAULT_ORGANIZATION_ID, name: ENV_INTEGRATION_NAME } };
  const existing = await db.integration.findUnique({ where, select: { id: true } });
  const id = existing?.id ?? randomUUID();
  const data = {
    source: "databricks" as const,
    host: verdict.url,
    warehouseId: env.DATABRICKS_WAREHOUSE_ID ?? null,
    ...sealToken(ring, { id, source: "databricks", host: verdict.url }, env.DATABRICKS_API_KEY),
  };
  return db.integration.upsert({ where, create: { id, ...data, organizationId: DEFAULT_ORGANIZATION_ID, name: ENV_INTEGRATION_NAME }, update: data });
}
