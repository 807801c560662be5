import { z } from "zod";
import { text, token } from "./text.ts";

/**
 * The authentication methods of each source. An integration names one with `authType`; each method
 * has exactly one secret (sealed like a token), given in the field named for what it is.
 */
export const AUTH_TYPES = {
  databricks: ["pat", "oauth-m2m", "azure-client-secret"],
  mlflow: ["none", "basic", "bearer"],
} as const;

export type AuthType = (typeof AUTH_TYPES)[keyof typeof AUTH_TYPES][number];
export const ALL_AUTH_TYPES = [...AUTH_TYPES.databricks, ...AUTH_TYPES.mlflow] as const;

/** The body field that carries each method's secret, and the non-secret fields it needs. */
const METHOD: Record<AuthType, { secret: SecretField | null; needs: IdField[]; describe: string }> = {
  pat: { secret: "token", needs: [], describe: "a personal access token" },
  "oauth-m2m": { secret: "clientSecret", needs: ["clientId"], describe: "a Databricks service principal's OAuth client id and secret" },
  "azure-client-secret": {
    secret: "clientSecret",
    needs: ["tenantId", "clientId"],
    describe: "a Microsoft Entra ID service principal's tenant id, client id and client secret",
  },
  none: { secret: null, needs: [], describe: "no credentials" },
  basic: { secret: "password", needs: ["username"], describe: "a user name and password" },
  bearer: { secret: "token", needs: [], describe: "a bearer token" },
};
const SECRET_FIELDS = ["token", "clientSecret", "password"] as const;
const ID_FIELDS = ["clientId", "tenantId", "username"] as const;
type SecretField = (typeof SECRET_FIELDS)[number];
type IdField = (typeof ID_FIELDS)[number];

export const authFields = {
  authType: z.enum(ALL_AUTH_TYPES, { error: `must be one of ${ALL_AUTH_TYPES.join(", ")}` }),
  // Application (client) ids are UUIDs on every cloud; Entra ID tenants are a UUID or a domain.
  clientId: z.string().regex(/^[A-Za-z0-9-]{1,128}$/, "must be the service principal's application (client) id, e.g. a UUID"),
  tenantId: z.string().regex(/^[A-Za-z0-9.-]{1,128}$/, "must be the Entra ID tenant (directory) id, a UUID or a domain such as contoso.onmicrosoft.com"),
  username: text(256),
  clientSecret: token(4096),
  // A password may hold spaces; only its length is ours to limit.
  password: z.string().min(1, "must not be empty").max(4096, "must be at most 4096 characters"),
};

/** What the body says about authentication, with the method resolved. */
export interface AuthInput {
  source: "databricks" | "mlflow";
  authType?: AuthType | undefined;
  token?: string | undefined;
  clientSecret?: string | undefined;
  password?: string | undefined;
  clientId?: string | null | undefined;
  tenantId?: string | null | undefined;
  username?: string | null | undefined;
}

/** The method a body means: the one it names, or what the source used before methods existed. */
export function resolvedAuthType(body: Pick<AuthInput, "source" | "authType" | "token">): AuthType {
  if (body.authType) return body.authType;
  if (body.source === "databricks") return "pat";
  return body.token ? "bearer" : "none";
}

/** The body field a method's secret goes in ("token" for a method without one). */
export function secretFieldOf(type: AuthType): SecretField {
  return METHOD[type].secret ?? "token";
}

/** The method's secret, whichever field carried it. */
export function secretOf(body: AuthInput): string | undefined {
  const field = METHOD[resolvedAuthType(body)].secret;
  return field ? body[field] : undefined;
}

export interface AuthIssue {
  field: string;
  reason: string;
}

/**
 * Problems with a body's authentication fields, each naming its field. `stored` says which
 * secret is already sealed for this method (an update need not send it again).
 */
export function authIssues(body: AuthInput, stored: { hasSecret: boolean } = { hasSecret: false }): AuthIssue[] {
  const issues: AuthIssue[] = [];
  const type = resolvedAuthType(body);
  const allowed: readonly string[] = AUTH_TYPES[body.source];
  if (!allowed.includes(type)) {
    issues.push({
      field: "authType",
      reason: `must be one of ${allowed.join(", ")} for ${body.source === "databricks" ? "a Databricks workspace" : "an MLflow server"}`,
    });
    return issues;
  }
  const method = METHOD[type];
  for (const field of SECRET_FIELDS) {
    if (body[field] !== undefined && field !== method.secret)
      issues.push({ field, reason: `is not used by the ${type} method (${method.describe})${method.secret ? `; send the secret as ${method.secret}` : ""}` });
  }
  if (method.secret && !body[method.secret] && !stored.hasSecret)
    // A PAT's words predate methods; clients already show them.
    issues.push({
      field: method.secret,
      reason: type === "pat" ? "is required for a Databricks workspace (a personal access token)" : `is required for the ${type} method (${method.describe})`,
    });
  for (const field of ID_FIELDS) {
    const value = body[field];
    if (method.needs.includes(field) && !value) issues.push({ field, reason: `is required for the ${type} method (${method.describe})` });
  }
  return issues;
}

/** The non-secret columns a method keeps; the others are cleared so a row never mixes methods. */
export function authColumns(body: AuthInput) {
  const type = resolvedAuthType(body);
  const needs: readonly IdField[] = METHOD[type].needs;
  return {
    authType: type,
    clientId: needs.includes("clientId") ? (body.clientId ?? null) : null,
    tenantId: needs.includes("tenantId") ? (body.tenantId ?? null) : null,
    username: needs.includes("username") ? (body.username ?? null) : null,
  };
}
