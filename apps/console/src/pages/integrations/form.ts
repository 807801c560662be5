import { z } from "zod";
import type { HostPolicy } from "@langguard/host-policy/rules";
import { integrationBodies, tokenNeededAgain } from "@langguard/input-rules";
import type { Integration, paths } from "../../api/client";

export type CreateBody = paths["/api/integrations"]["post"]["requestBody"]["content"]["application/json"];
export type UpdateBody = NonNullable<paths["/api/integrations/{id}"]["patch"]["requestBody"]>["content"]["application/json"];
export type CredentialsBody = paths["/api/integrations/test"]["post"]["requestBody"]["content"]["application/json"];

const LEVELS = ["catalogs", "schemas", "tables"] as const;
type Level = (typeof LEVELS)[number];
export type FilterText = Record<"include" | "exclude", Record<Level, string>>;
export { LEVELS };

/** The form as a person edits it: text as typed, one filter pattern per line. */
export interface FormValues {
  source: "databricks" | "mlflow";
  name: string;
  host: string;
  /** Only ever in memory: never stored in the browser, never filled from the server. */
  token: string;
  warehouseId: string;
  syncTraces: boolean;
  syncCatalog: boolean;
  syncServingEndpoints: boolean;
  syncGenieSpaces: boolean;
  allExperiments: boolean;
  experiments: string[];
  syncIntervalMinutes: string;
  nightlyFullSync: boolean;
  filters: FilterText;
}

const emptyFilters = (): FilterText => ({
  include: { catalogs: "", schemas: "", tables: "" },
  exclude: { catalogs: "", schemas: "", tables: "" },
});

export function initialValues(source: FormValues["source"]): FormValues {
  return {
    source,
    name: "",
    host: "",
    token: "",
    warehouseId: "",
    syncTraces: true,
    syncCatalog: false,
    syncServingEndpoints: true,
    syncGenieSpaces: true,
    allExperiments: true,
    experiments: [],
    syncIntervalMinutes: "15",
    nightlyFullSync: false,
    filters: emptyFilters(),
  };
}

export function valuesOf(integration: Integration): FormValues {
  const filters = emptyFilters();
  const saved = (integration.catalogFilters ?? {}) as Partial<Record<"include" | "exclude", Partial<Record<Level, string[]>>>>;
  for (const side of ["include", "exclude"] as const) for (const level of LEVELS) filters[side][level] = (saved[side]?.[level] ?? []).join("\n");
  return {
    source: integration.source,
    name: integration.name,
    host: integration.host,
    token: "",
    warehouseId: integration.warehouseId ?? "",
    syncTraces: integration.syncTraces,
    syncCatalog: integration.syncCatalog,
    syncServingEndpoints: integration.syncServingEndpoints,
    syncGenieSpaces: integration.syncGenieSpaces,
    allExperiments: integration.experiments.length === 0,
    experiments: integration.experiments,
    syncIntervalMinutes: String(integration.syncIntervalMinutes),
    nightlyFullSync: integration.nightlyFullSync,
    filters,
  };
}

/** Lines of a filter box as the API's pattern lists; empty levels and sides are left out. */
export function catalogFiltersOf(filters: FilterText) {
  const out: Partial<Record<"include" | "exclude", Partial<Record<Level, string[]>>>> = {};
  for (const side of ["include", "exclude"] as const) {
    for (const level of LEVELS) {
      const patterns = filters[side][level]
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean);
      if (patterns.length) (out[side] ??= {})[level] = patterns;
    }
  }
  return out;
}

function minutes(text: string): number {
  return text.trim() === "" ? Number.NaN : Number(text);
}

export function createBodyOf(values: FormValues): CreateBody {
  return {
    name: values.name,
    source: values.source,
    host: values.host,
    ...(values.token ? { token: values.token } : {}),
    ...(values.warehouseId.trim() ? { warehouseId: values.warehouseId } : {}),
    syncTraces: values.syncTraces,
    syncCatalog: values.syncCatalog,
    syncServingEndpoints: values.syncServingEndpoints,
    syncGenieSpaces: values.syncGenieSpaces,
    experiments: values.allExperiments ? [] : values.experiments,
    syncIntervalMinutes: minutes(values.syncIntervalMinutes),
    nightlyFullSync: values.nightlyFullSync,
    catalogFilters: catalogFiltersOf(values.filters),
  };
}

/** Only what changed, as the API takes it: a PATCH never resends the token unless one was typed. */
export function updateBodyOf(values: FormValues, current: Integration): UpdateBody {
  const next = createBodyOf(values);
  const body: UpdateBody = {};
  if (next.name !== current.name) body.name = next.name;
  if (next.source !== current.source) body.source = next.source;
  if (next.host !== current.host) body.host = next.host;
  if (values.token) body.token = values.token;
  const warehouse = values.warehouseId.trim() || null;
  if (warehouse !== current.warehouseId) body.warehouseId = warehouse;
  for (const key of ["syncTraces", "syncCatalog", "syncServingEndpoints", "syncGenieSpaces", "nightlyFullSync", "syncIntervalMinutes"] as const) {
    if (next[key] !== current[key]) (body as Record<string, unknown>)[key] = next[key];
  }
  if (JSON.stringify(next.experiments) !== JSON.stringify(current.experiments)) body.experiments = next.experiments;
  if (JSON.stringify(next.catalogFilters) !== JSON.stringify(current.catalogFilters ?? {})) body.catalogFilters = next.catalogFilters;
  return body;
}

export function credentialsOf(values: FormValues): CredentialsBody {
  return {
    source: values.source,
    host: values.host,
    ...(values.token ? { token: values.token } : {}),
    ...(values.warehouseId.trim() ? { warehouseId: values.warehouseId } : {}),
  };
}

export type FieldErrors = Partial<Record<string, string>>;

function issuesToErrors(issues: z.core.$ZodIssue[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const field = issue.path.length ? String(issue.path[0]) : "form";
    errors[field] ??= issue.message;
  }
  return errors;
}

/**
 * The gateway's own rules, run here before anything is sent: the same zod schemas, the same host
 * policy, the same words. Catalog filters are checked by the gateway as they are typed (their
 * patterns are checked with the engine the catalog sync uses).
 */
export function validate(values: FormValues, policy: HostPolicy, current?: Integration): FieldErrors {
  const { Create, Update } = integrationBodies(policy, z.unknown());
  if (!current) {
    const parsed = Create.safeParse(createBodyOf(values));
    return parsed.success ? {} : issuesToErrors(parsed.error.issues);
  }
  const body = updateBodyOf(values, current);
  const parsed = Update.safeParse(body);
  const errors = parsed.success ? {} : issuesToErrors(parsed.error.issues);
  const tokenAgain = tokenNeededAgain(current, { source: body.source, host: parsed.success ? parsed.data.host : body.host, token: body.token });
  if (tokenAgain) errors.token ??= tokenAgain.reason;
  return errors;
}

/** The host as the gateway will store it (its origin), or null while it is not an allowed address. */
export function normalisedHost(host: string, policy: HostPolicy): string | null {
  const { Credentials } = integrationBodies(policy, z.unknown());
  const parsed = Credentials.safeParse({ source: "mlflow", host });
  return parsed.success ? parsed.data.host : null;
}
