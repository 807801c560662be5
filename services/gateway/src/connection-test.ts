import { BridgeError, type BridgeClient } from "@langguard/bridge-client";
import type { Integration } from "@langguard/database";
import { decryptSecret } from "@langguard/secrets";

/** The spec's Test Connection: Python, the MLflow SDK and authentication, as one verdict. */
export function connectionTester(bridge: BridgeClient, key: Buffer) {
  return async (integration: Integration) => {
    try {
      const token = integration.tokenCiphertext ? decryptSecret(integration.tokenCiphertext, key) : null;
      const details = await bridge.check({ kind: integration.source, host: integration.host, token });
      return { ok: true, details };
    } catch (error) {
      if (error instanceof BridgeError) return { ok: false, kind: error.kind, message: error.userMessage };
      return { ok: false, kind: "config", message: error instanceof Error ? error.message : String(error) };
    }
  };
}
