import type { BridgeAuth, BridgeSource } from "@langguard/bridge-client";
import type { KeyRing } from "@langguard/secrets";
import { openToken, type TokenOwner } from "./tokens.ts";

/** The columns of an integration that say how it authenticates. */
export interface AuthColumns {
  authType: string;
  clientId: string | null;
  tenantId: string | null;
  username: string | null;
}

type Row = TokenOwner & AuthColumns & { source: "databricks" | "mlflow"; tokenCiphertext: string | null; warehouseId?: string | null };

/** The one place an integration row becomes what the bridge connects to. */
export function bridgeSourceOf(integration: Row, ring: KeyRing): BridgeSource {
  return {
    kind: integration.source,
    host: integration.host,
    token: openToken(ring, integration),
    auth: bridgeAuthOf(integration),
    warehouseId: integration.warehouseId ?? null,
  };
}

/**
 * The method's non-secret parts. A row missing one (written around the API) fails here, naming
 * the field, rather than in the SDK with a message about its own settings.
 */
export function bridgeAuthOf(row: AuthColumns & { source: string }): BridgeAuth {
  const need = (value: string | null, field: string): string => {
    if (!value) throw new Error(`The integration's ${field} is missing; it is required for the ${row.authType} method`);
    return value;
  };
  switch (row.authType) {
    case "oauth-m2m":
      return { type: "oauth-m2m", clientId: need(row.clientId, "clientId") };
    case "azure-client-secret":
      return { type: "azure-client-secret", tenantId: need(row.tenantId, "tenantId"), clientId: need(row.clientId, "clientId") };
    case "basic":
      return { type: "basic", username: need(row.username, "username") };
    case "none":
    case "bearer":
    case "pat":
      return { type: row.authType };
    default:
      throw new Error(`Unknown authentication method ${JSON.stringify(row.authType)}`);
  }
}
