// Writes into the Python package what the TypeScript side states once: each bridge command's
// params and record schemas (JSON Schema, from packages/bridge-client/src/contract.ts), which the
// bridge validates its parameters against, and the host policy's address lists (from
// packages/host-policy), which its netguard enforces. Run by setup; tests/bridge-contract.test.ts
// fails while a committed file is stale.
//   pnpm bridge:schemas
import { writeFileSync } from "node:fs";
import { BRIDGE_HOST_POLICY_PATH, BRIDGE_SCHEMAS_PATH, bridgeHostPolicyText, bridgeSchemasText } from "./lib/bridge-schemas.ts";

writeFileSync(BRIDGE_SCHEMAS_PATH, bridgeSchemasText());
writeFileSync(BRIDGE_HOST_POLICY_PATH, bridgeHostPolicyText());
console.log(`bridge-schemas: wrote ${BRIDGE_SCHEMAS_PATH} and ${BRIDGE_HOST_POLICY_PATH}`);
