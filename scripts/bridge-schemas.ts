// Writes each bridge command's params and record schemas (JSON Schema, from
// packages/bridge-client/src/contract.ts) into the Python package, which validates its parameters
// against them. Run by setup; tests/bridge-contract.test.ts fails while the committed file is stale.
//   node --import tsx scripts/bridge-schemas.ts
import { writeFileSync } from "node:fs";
import { BRIDGE_SCHEMAS_PATH, bridgeSchemasText } from "./lib/bridge-schemas.ts";

writeFileSync(BRIDGE_SCHEMAS_PATH, bridgeSchemasText());
console.log(`bridge-schemas: wrote ${BRIDGE_SCHEMAS_PATH}`);
