/**
 * How each authentication method reaches the bridge: as the environment variables the SDKs read
 * themselves (databricks-sdk's Config, MLflow's tracking settings), so the SDKs' own credential
 * providers do the work and no OAuth client of ours exists. Nothing here goes into argv or params.
 */

/** The non-secret parts of a method; its one secret travels as `BridgeSource.token`. */
export type BridgeAuth =
  | { type: "pat" }
  | { type: "oauth-m2m"; clientId: string }
  | { type: "azure-client-secret"; tenantId: string; clientId: string }
  | { type: "none" }
  | { type: "basic"; username: string }
  | { type: "bearer" };

/** A source without a method is what every integration was before methods existed. */
export function defaultAuth(kind: "databricks" | "mlflow", hasToken: boolean): BridgeAuth {
  if (kind === "databricks") return { type: "pat" };
  return hasToken ? { type: "bearer" } : { type: "none" };
}

export function authEnv(kind: "databricks" | "mlflow", host: string, auth: BridgeAuth, secret: string | null | undefined): Record<string, string> {
  const env: Record<string, string> = { LANGGUARD_AUTH_TYPE: auth.type };
  const put = (name: string, value: string | null | undefined) => {
    if (value) env[name] = value;
  };
  if (kind === "databricks") {
    env.DATABRICKS_HOST = host;
    env.DATABRICKS_AUTH_TYPE = auth.type;
    if (auth.type === "oauth-m2m") {
      put("DATABRICKS_CLIENT_ID", auth.clientId);
      put("DATABRICKS_CLIENT_SECRET", secret);
    } else if (auth.type === "azure-client-secret") {
      put("ARM_TENANT_ID", auth.tenantId);
      put("ARM_CLIENT_ID", auth.clientId);
      put("ARM_CLIENT_SECRET", secret);
    } else {
      put("DATABRICKS_TOKEN", secret);
    }
    return env;
  }
  env.MLFLOW_TRACKING_URI = host;
  if (auth.type === "basic") {
    put("MLFLOW_TRACKING_USERNAME", auth.username);
    put("MLFLOW_TRACKING_PASSWORD", secret);
  } else if (auth.type === "bearer") {
    put("MLFLOW_TRACKING_TOKEN", secret);
  }
  return env;
}

/**
 * Every form in which a method's secret could show up in the child's output: itself, URL-encoded,
 * and inside an HTTP Basic header (client credentials are posted that way to a token endpoint,
 * and a basic-auth password travels that way on every request).
 */
export function secretForms(auth: BridgeAuth, secret: string | null | undefined): string[] {
  if (!secret) return [];
  const forms = [secret];
  const user = auth.type === "basic" ? auth.username : auth.type === "oauth-m2m" || auth.type === "azure-client-secret" ? auth.clientId : null;
  if (user) forms.push(Buffer.from(`${user}:${secret}`).toString("base64"));
  return forms;
}
