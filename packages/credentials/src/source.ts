import type { BridgeSource } from "@langguard/bridge-client";
import type { KeyRing } from "@langguard/secrets";
import { openToken, type TokenOwner } from "./tokens.ts";

/** The one place an integration row becomes what the bridge connects to. */
export function bridgeSourceOf(integration: TokenOwner & { source: "databricks" | "mlflow"; tokenCiphertext: string | null }, ring: KeyRing): BridgeSource {
  return { kind: integration.source, host: integration.host, token: openToken(ring, integration) };
}
