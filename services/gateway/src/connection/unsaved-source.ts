import type { BridgeSource } from "@langguard/bridge-client";
import { bridgeAuthOf } from "@langguard/credentials";
import { type AuthInput, authColumns, secretOf } from "@langguard/input-rules";

/**
 * The bridge's view of credentials a person is trying before saving them (a connection test, the
 * experiment picker): what `bridgeSourceOf` gives for a saved integration, from the request body.
 */
export function unsavedSource(body: AuthInput & { host: string }): Pick<BridgeSource, "kind" | "host" | "token" | "auth"> {
  return { kind: body.source, host: body.host, token: secretOf(body) ?? null, auth: bridgeAuthOf({ ...authColumns(body), source: body.source }) };
}
