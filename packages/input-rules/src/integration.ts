import { z } from "zod";
import { checkSourceUrl, type HostPolicy } from "@langguard/host-policy/rules";
import { text, token } from "./text.ts";
import { authFields, authIssues, type AuthInput } from "./auth.ts";

/**
 * The rules an integration's fields obey. The gateway enforces them on every request; the console
 * checks a form with the same schemas before it sends anything, so both say the same thing in the
 * same words. Catalog filters are passed in: the gateway checks their patterns with the engine the
 * catalog sync runs them on, which the console reaches through the API instead.
 */
export const integrationFields = {
  name: text(200),
  source: z.enum(["databricks", "mlflow"], { error: "must be 'databricks' or 'mlflow'" }),
  token: token(4096),
  warehouseId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "must be a SQL warehouse id (letters, digits and dashes)"),
  syncTraces: z.boolean(),
  syncCatalog: z.boolean(),
  syncServingEndpoints: z.boolean(),
  syncGenieSpaces: z.boolean(),
  enabled: z.boolean(),
  syncIntervalMinutes: z
    .number({ error: "must be a whole number of minutes" })
    .int("must be a whole number of minutes")
    .min(0, "must be 0 (sync only when triggered) or more")
    .max(10_080, "must be at most 10080 (a week)"),
  nightlyFullSync: z.boolean(),
  experiments: z.array(text(512)).max(10_000, "must list at most 10000 experiments"),
};

/** Hosts are checked against the operator's host policy (SSRF) and normalised to their origin. */
export function hostField(policy: HostPolicy) {
  return z.string().transform((raw, ctx) => {
    const verdict = checkSourceUrl(raw.trim(), policy);
    if (!verdict.ok) {
      ctx.addIssue({ code: "custom", message: verdict.reason });
      return z.NEVER;
    }
    return verdict.url;
  });
}

export function integrationBodies<F extends z.ZodType>(policy: HostPolicy, catalogFilters: F) {
  const common = integrationFields;
  const host = hostField(policy);
  // Each method's fields and its one secret; a body naming no method means what it did before methods.
  const requireToken = (body: AuthInput, ctx: z.RefinementCtx) => {
    for (const issue of authIssues(body)) ctx.addIssue({ code: "custom", path: [issue.field], message: issue.reason });
  };
  const auth = {
    authType: authFields.authType.optional(),
    clientId: authFields.clientId.optional(),
    tenantId: authFields.tenantId.optional(),
    username: authFields.username.optional(),
    clientSecret: authFields.clientSecret.optional(),
    password: authFields.password.optional(),
  };
  const Credentials = z
    .object({
      source: common.source.default("databricks"),
      host,
      token: common.token.optional(),
      ...auth,
      warehouseId: common.warehouseId.optional(),
      // What the integration will sync decides what the test checks (Unity Catalog, experiments).
      syncTraces: common.syncTraces.optional(),
      syncCatalog: common.syncCatalog.optional(),
    })
    .strict()
    .superRefine(requireToken);
  const Create = z
    .object({
      name: common.name,
      source: common.source.default("databricks"),
      host,
      token: common.token.optional(),
      ...auth,
      warehouseId: common.warehouseId.optional(),
      syncTraces: common.syncTraces.default(true),
      syncCatalog: common.syncCatalog.default(false),
      syncServingEndpoints: common.syncServingEndpoints.default(true),
      syncGenieSpaces: common.syncGenieSpaces.default(true),
      enabled: common.enabled.default(true),
      syncIntervalMinutes: common.syncIntervalMinutes.default(15),
      nightlyFullSync: common.nightlyFullSync.default(false),
      experiments: common.experiments.default([]),
      // No filters ({}) unless given; the schema of F is the caller's, so its default is cast.
      catalogFilters: catalogFilters.default((() => ({})) as never),
    })
    .strict()
    .superRefine(requireToken);
  const Update = z
    .object({
      name: common.name,
      source: common.source,
      host,
      token: common.token,
      ...authFields,
      warehouseId: common.warehouseId.nullable(),
      syncTraces: common.syncTraces,
      syncCatalog: common.syncCatalog,
      syncServingEndpoints: common.syncServingEndpoints,
      syncGenieSpaces: common.syncGenieSpaces,
      enabled: common.enabled,
      syncIntervalMinutes: common.syncIntervalMinutes,
      nightlyFullSync: common.nightlyFullSync,
      experiments: common.experiments,
      catalogFilters,
    })
    .partial()
    .strict();
  return { Credentials, Create, Update };
}

export type IntegrationBodies = ReturnType<typeof integrationBodies>;

/**
 * A stored token is only ever sent to the host and source it was entered for, so moving an
 * integration that has one needs the token again. Null when the change is fine.
 */
export function tokenNeededAgain(
  current: { source: string; host: string; hasToken: boolean },
  next: { source?: string; host?: string; token?: string },
  secretField = "token",
) {
  const moved = (next.source ?? current.source) !== current.source || (next.host ?? current.host) !== current.host;
  if (!moved || next.token || !current.hasToken) return null;
  return {
    field: `body.${secretField}`,
    reason: "must be supplied again when host or source changes: a stored token is only sent to the host it was entered for",
  };
}
