import openapiTS, { astToString } from "openapi-typescript";
import path from "node:path";

/** Where the console's generated API types live (committed; `pnpm api:types` rewrites them). */
export const API_TYPES_PATH = path.resolve(import.meta.dirname, "../../apps/console/src/api/schema.d.ts");

const HEADER = `// Generated from the gateway's OpenAPI document by \`pnpm api:types\` (scripts/api-types.ts).
// Do not edit: change the routes' zod schemas, then regenerate. A test fails while this file and
// the document differ.
`;

/** TypeScript types of every path, operation and named schema of the document (openapi-typescript). */
export async function apiTypesOf(document: unknown): Promise<string> {
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0], { alphabetize: true });
  return HEADER + astToString(ast);
}
