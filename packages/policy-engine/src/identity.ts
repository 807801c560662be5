import type { Identity } from "./document.ts";

// Who a trace ran for, from the keys MLflow, OpenTelemetry GenAI conventions and Databricks apps
// actually set. Request-level keys (the end user) win over `mlflow.user`, which is whoever or
// whatever logged the trace: on Databricks a job or serving endpoint logs as a service principal,
// whose "user name" is its application id, a UUID.

const USER_ID_KEYS = ["mlflow.trace.user", "enduser.id", "gen_ai.agent.user.id", "user_id", "user.id", "mlflow.user"];
const USER_NAME_KEYS = ["user_name", "user.name", "enduser.name", "mlflow.trace.user_name"];
const APPLICATION_ID_KEYS = ["application_id", "databricks.application_id", "service_principal.application_id"];
const IDENTITY_TYPE_KEYS = ["identity.type", "identity_type", "enduser.type"];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type AttributeSource = Record<string, unknown> | ReadonlyArray<Record<string, unknown>>;

function firstString(sources: ReadonlyArray<Record<string, unknown>>, keys: readonly string[]): string | null {
  for (const key of keys) {
    for (const source of sources) {
      const value = source[key];
      if (typeof value === "string" && value.trim()) return value.trim();
      if (typeof value === "number") return String(value);
    }
  }
  return null;
}

export function looksLikeApplicationId(value: string): boolean {
  return UUID.test(value);
}

export function identityFrom(metadata: Record<string, unknown>, tags: Record<string, unknown>, spanAttributes: AttributeSource = []): Identity {
  const spans: ReadonlyArray<Record<string, unknown>> = Array.isArray(spanAttributes) ? spanAttributes : [spanAttributes as Record<string, unknown>];
  const sources = [metadata, tags, ...spans];
  const userId = firstString(sources, USER_ID_KEYS);
  const loggedBy = firstString(sources, ["mlflow.user"]);
  const declaredType = firstString(sources, IDENTITY_TYPE_KEYS)?.toLowerCase().replace(/[\s-]/g, "_") ?? null;
  const principalId = loggedBy && looksLikeApplicationId(loggedBy) ? loggedBy : null;
  const servicePrincipal = declaredType === "service_principal" || (principalId !== null && userId === principalId);
  const applicationId = firstString(sources, APPLICATION_ID_KEYS) ?? (servicePrincipal ? principalId : null);
  let userName = firstString(sources, USER_NAME_KEYS);
  // `mlflow.user` holding a person's login (an e-mail, a name) is their name too.
  if (!userName && userId && userId === loggedBy && !servicePrincipal) userName = loggedBy;
  return { userId, userName, servicePrincipal, applicationId };
}
