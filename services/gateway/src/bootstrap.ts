import { DEFAULT_ORGANIZATION_ID, type Database } from "@langguard/database";
import { encryptSecret, tokenSuffix } from "@langguard/secrets";
import type { GatewayEnv } from "./env.ts";

export const ENV_INTEGRATION_NAME = "Databricks (from environment)";

/** DATABRICKS_HOST + DATABRICKS_API_KEY define one workspace integration, kept in step with the environment. */
export async function ensureEnvironmentIntegration(db: Database, env: GatewayEnv, key: Buffer) {
  if (!env.DATABRICKS_HOST || !env.DATABRICKS_API_KEY) return null;
  const data = {
    source: "databricks" as const,
    host: env.DATABRICKS_HOST.replace(/\/+$/, ""),
    tokenCiphertext: encryptSecret(env.DATABRICKS_API_KEY, key),
    tokenLast4: tokenSuffix(env.DATABRICKS_API_KEY),
    warehouseId: env.DATABRICKS_WAREHOUSE_ID ?? null,
  };
  return db.integration.upsert({
    where: { organizationId_name: { organizationId: DEFAULT_ORGANIZATION_ID, name: ENV_INTEGRATION_NAME } },
    create: { ...data, organizationId: DEFAULT_ORGANIZATION_ID, name: ENV_INTEGRATION_NAME },
    update: data,
  });
}
