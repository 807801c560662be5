import { z } from "zod";
import { SessionView } from "../routes/auth.ts";
import { ConnectionReport, ConnectionStep, IntegrationView, RateLimitWarning } from "../routes/integration-schemas.ts";
import { SyncRunView } from "../routes/sync.ts";
import { UserView } from "../routes/users.ts";
import { ErrorBody, FieldIssue } from "./common.ts";

/**
 * Schemas the OpenAPI document names under components/schemas (and refers to wherever they are
 * used), so generated clients get types such as `components["schemas"]["Integration"]` rather than
 * one anonymous copy per route. Registered in zod's global registry, where `.describe()` keeps
 * descriptions too; the names are part of the API.
 */
const NAMED: Record<string, z.ZodType> = {
  Error: ErrorBody,
  FieldIssue,
  Integration: IntegrationView,
  RateLimitWarning,
  ConnectionReport,
  ConnectionStep,
  SyncRun: SyncRunView,
  Session: SessionView,
  User: UserView,
};

export function nameSchemas() {
  for (const [id, schema] of Object.entries(NAMED)) z.globalRegistry.add(schema, { ...z.globalRegistry.get(schema), id });
}
