import { z } from "zod";
import { checkSourceUrl, type HostPolicy } from "@langguard/host-policy";
import { text } from "../schemas/common.ts";
import { CatalogFilters } from "@langguard/unity-catalog";
import { token } from "../schemas/text.ts";

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

const common = {
  name: text(200),
  source: z.enum(["databricks", "mlflow"], { error: "must be 'databricks' or 'mlflow'" }),
  token: token(4096),
  warehouseId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "must be a SQL warehouse id (letters, digits and dashes)"),
  syncTraces: z.boolean(),
  syncCatalog: z.boolean(),
  enabled: z.boolean(),
  syncIntervalMinutes: z
    .number({ error: "must be a whole number of minutes" })
    .int("must be a whole number of minutes")
    .min(0, "must be 0 (sync only when triggered) or more")
    .max(10_080, "must be at most 10080 (a week)"),
  nightlyFullSync: z.boolean(),
  experiments: z.array(text(512)).max(10_000, "must list at most 10000 experiments"),
  catalogFilters: CatalogFilters,
};

export function integrationBodies(policy: HostPolicy) {
  const host = hostField(policy);
  const requireToken = (body: { source: string; token?: string | undefined }, ctx: z.RefinementCtx) => {
    if (body.source === "databricks" && !body.token)
      ctx.addIssue({ code: "custom", path: ["token"], message: "is required for a Databricks workspace (a personal access token)" });
  };
  const Credentials = z
    .object({
      source: common.source.default("databricks"),
      host,
      token: common.token.optional(),
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
      warehouseId: common.warehouseId.optional(),
      syncTraces: common.syncTraces.default(true),
      syncCatalog: common.syncCatalog.default(false),
      enabled: common.enabled.default(true),
      syncIntervalMinutes: common.syncIntervalMinutes.default(15),
      nightlyFullSync: common.nightlyFullSync.default(false),
      experiments: common.experiments.default([]),
      catalogFilters: common.catalogFilters.default({}),
    })
    .strict()
    .superRefine(requireToken);
  const Update = z
    .object({
      name: common.name,
      source: common.source,
      host,
      token: common.token,
      warehouseId: common.warehouseId.nullable(),
      syncTraces: common.syncTraces,
      syncCatalog: common.syncCatalog,
      enabled: common.enabled,
      syncIntervalMinutes: common.syncIntervalMinutes,
      nightlyFullSync: common.nightlyFullSync,
      experiments: common.experiments,
      catalogFilters: common.catalogFilters,
    })
    .partial()
    .strict();
  return { Credentials, Create, Update };
}

export const ConnectionStep = z.object({
  step: z.string(),
  status: z.enum(["ok", "warning", "failed", "skipped"]),
  message: z.string(),
  hint: z.string().nullable(),
  kind: z.string().nullable(),
});

export const ConnectionReport = z.object({
  status: z.enum(["connected", "warning", "failed", "disabled"]),
  message: z.string(),
  steps: z.array(ConnectionStep),
  checkedAt: z.date(),
});

/** Present while the workspace is throttling us, until a sync succeeds. */
export const RateLimitWarning = z
  .object({
    status: z.literal("warning"),
    message: z.string(),
    since: z.date(),
    nextAttemptAt: z.date().nullable().describe("When waiting syncs of this workspace are tried again"),
  })
  .nullable();

/** The only shape in which an integration leaves the API: the token never, only its last characters. */
export const IntegrationView = z.object({
  id: z.uuid(),
  name: z.string(),
  source: z.enum(["databricks", "mlflow"]),
  host: z.string(),
  token: z.string().nullable().describe("The token's last characters, e.g. ****abcd"),
  hasToken: z.boolean(),
  warehouseId: z.string().nullable(),
  syncTraces: z.boolean(),
  syncCatalog: z.boolean(),
  enabled: z.boolean(),
  syncIntervalMinutes: z.number().int().describe("Minutes between scheduled syncs of each enabled kind; 0: only when triggered"),
  nightlyFullSync: z.boolean().describe("Also a full trace sync at 03:00 UTC every night"),
  experiments: z.array(z.string()),
  catalogFilters: z.unknown(),
  connection: z.object({ status: z.string(), message: z.string().nullable(), checkedAt: z.date().nullable(), steps: z.unknown() }),
  rateLimit: RateLimitWarning,
  createdAt: z.date(),
  updatedAt: z.date(),
});
