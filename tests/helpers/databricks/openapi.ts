import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import formatsModule from "ajv-formats";
import { parse } from "yaml";

/**
 * Validates Unity Catalog responses against the open-source server's OpenAPI spec, the contract
 * Databricks serves a superset of. A copy is kept in the repository (tests/contracts/), so a clone
 * anywhere runs the tests; the workplace's reference copy beside the repository
 * (`<repo>/../shared/reference/`) must be the same file (tests/databricks-fakes.test.ts).
 */
export const REPOSITORY_UNITY_CATALOG_SPEC_PATH = path.resolve(import.meta.dirname, "../../contracts/unitycatalog-openapi/all.yaml");
export const UNITY_CATALOG_SPEC_PATH = process.env.UNITY_CATALOG_OPENAPI_SPEC ?? REPOSITORY_UNITY_CATALOG_SPEC_PATH;

/** The workplace's reference copy, when the repository sits beside it. */
export const SHARED_UNITY_CATALOG_SPEC_PATH = path.resolve(import.meta.dirname, "../../..", "../shared/reference/unitycatalog-openapi/all.yaml");

export const UNITY_CATALOG_PREFIX = "/api/2.1/unity-catalog";

/**
 * Fields Databricks returns that the open-source spec lacks (from databricks-sdk's dataclasses).
 * Strict validation allows exactly these beyond the spec, so a typo or an invented field in the
 * fake fails loudly instead of passing as "additional properties".
 */
export const DATABRICKS_EXTRA_FIELDS: Record<string, string[]> = {
  CatalogInfo: [
    "browse_only",
    "catalog_type",
    "connection_name",
    "custom_max_retention_hours",
    "effective_predictive_optimization_flag",
    "enable_predictive_optimization",
    "full_name",
    "isolation_mode",
    "managed_encryption_settings",
    "metastore_id",
    "options",
    "provider_name",
    "provisioning_info",
    "securable_type",
    "share_name",
  ],
  SchemaInfo: [
    "browse_only",
    "catalog_type",
    "custom_max_retention_hours",
    "effective_predictive_optimization_flag",
    "enable_predictive_optimization",
    "metastore_id",
  ],
  TableInfo: [
    "access_point",
    "browse_only",
    "data_access_configuration_id",
    "deleted_at",
    "delta_runtime_properties_kvpairs",
    "effective_predictive_optimization_flag",
    "enable_predictive_optimization",
    "encryption_details",
    "full_name",
    "metastore_id",
    "pipeline_id",
    "row_filter",
    "securable_kind_manifest",
    "sql_path",
    "storage_credential_name",
    "table_constraints",
  ],
  ColumnInfo: ["mask"],
  VolumeInfo: ["access_point", "browse_only", "encryption_details", "metastore_id"],
  FunctionInfo: ["browse_only", "external_name", "metastore_id", "sql_path"],
  RegisteredModelInfo: ["aliases", "browse_only", "metastore_id"],
  ModelVersionInfo: ["aliases", "metastore_id", "model_version_dependencies", "run_workspace_id"],
};

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  literalSegments: number;
  schema: unknown;
}

type Json = Record<string, unknown>;

/** OpenAPI 3.0 → JSON Schema: `nullable`, component refs, and keywords Ajv does not know. */
function convert(node: unknown, strict: boolean, componentName?: string): unknown {
  if (Array.isArray(node)) return node.map((n) => convert(n, strict));
  if (!node || typeof node !== "object") return node;
  const source = node as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(source)) {
    if (
      key === "example" ||
      key === "examples" ||
      key === "nullable" ||
      key === "discriminator" ||
      key === "xml" ||
      key === "externalDocs" ||
      key.startsWith("x-")
    )
      continue;
    if (key === "$ref" && typeof value === "string") out.$ref = value.replace("#/components/schemas/", "#/$defs/");
    else if (key === "properties" && value && typeof value === "object") {
      out.properties = Object.fromEntries(Object.entries(value as Json).map(([name, prop]) => [name, convert(prop, strict)]));
    } else if (key === "default" && source.type === "boolean" && typeof value === "string") out.default = value === "true";
    else out[key] = convert(value, strict);
  }
  if (source.nullable === true) {
    if (typeof out.type === "string") out.type = [out.type, "null"];
    else if (out.$ref || out.allOf || out.oneOf || out.anyOf) return { anyOf: [out, { type: "null" }] };
  }
  if (strict && source.properties && source.additionalProperties === undefined) {
    const extras = componentName ? (DATABRICKS_EXTRA_FIELDS[componentName] ?? []) : [];
    out.additionalProperties = false;
    if (extras.length) out.properties = { ...(out.properties as Json), ...Object.fromEntries(extras.map((name) => [name, true])) };
  }
  return out;
}

const errorEnvelope = {
  type: "object",
  required: ["error_code", "message"],
  properties: { error_code: { type: ["string", "integer"] }, message: { type: "string" }, details: { type: "array", items: { type: "object" } } },
};

class SpecValidator {
  private readonly ajv: Ajv;
  private readonly operations: Operation[] = [];
  private readonly compiled = new Map<Operation | "error", ValidateFunction>();

  constructor(spec: Json, strict: boolean) {
    this.ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
    const addFormats = ((formatsModule as unknown as { default?: typeof formatsModule }).default ?? formatsModule) as unknown as (ajv: Ajv) => void;
    addFormats(this.ajv);
    this.ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
    this.ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });

    const components = ((spec.components as Json | undefined)?.schemas ?? {}) as Json;
    const defs = Object.fromEntries(Object.entries(components).map(([name, schema]) => [name, convert(schema, strict, name)]));
    this.ajv.addSchema({ $id: "uc", $defs: defs });

    for (const [template, item] of Object.entries((spec.paths ?? {}) as Record<string, Json>)) {
      for (const [method, op] of Object.entries(item)) {
        if (!["get", "post", "patch", "put", "delete"].includes(method)) continue;
        const schema = ((((op as Json).responses as Json | undefined)?.["200"] as Json | undefined)?.content as Json | undefined)?.["application/json"] as
          | Json
          | undefined;
        if (!schema) continue;
        const segments = template.split("/").filter(Boolean);
        const pattern = new RegExp(`^/${segments.map((s) => (s.startsWith("{") ? "[^/]+" : s.replace(/[.*+?^$()|[\]\\]/g, "\\$&"))).join("/")}$`);
        this.operations.push({
          method: method.toUpperCase(),
          template,
          pattern,
          literalSegments: segments.filter((s) => !s.startsWith("{")).length,
          schema: rewriteRefs(convert(schema.schema ?? {}, strict)),
        });
      }
    }
    // `/models/versions` must win over `/models/{full_name}`: the most literal template first.
    this.operations.sort((a, b) => b.literalSegments - a.literalSegments);
  }

  operationFor(method: string, apiPath: string): Operation | undefined {
    const relative = apiPath.startsWith(UNITY_CATALOG_PREFIX) ? apiPath.slice(UNITY_CATALOG_PREFIX.length) : apiPath;
    return this.operations.find((op) => op.method === method.toUpperCase() && op.pattern.test(relative));
  }

  validate(method: string, apiPath: string, status: number, body: unknown): string[] {
    const pathname = apiPath.split("?")[0]!;
    if (status < 200 || status >= 300) return this.run("error", errorEnvelope, body, `${method} ${pathname} ${status}`);
    const op = this.operationFor(method, pathname);
    if (!op) return [`${method} ${pathname}: no operation in the Unity Catalog spec`];
    return this.run(op, op.schema, body, `${method} ${op.template}`);
  }

  private run(key: Operation | "error", schema: unknown, body: unknown, label: string): string[] {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema as object);
      this.compiled.set(key, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) =>
        `${label}: ${e.instancePath || "(body)"} ${e.message}${e.params && "additionalProperty" in e.params ? ` '${String(e.params.additionalProperty)}'` : ""}`,
    );
  }
}

/** Component refs inside an operation schema point into the shared `uc` schema. */
function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (!node || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node as Json).map(([k, v]) => [k, k === "$ref" && typeof v === "string" && v.startsWith("#/$defs/") ? `uc${v}` : rewriteRefs(v)]),
  );
}

const validators = new Map<boolean, SpecValidator>();

function validator(strict: boolean): SpecValidator {
  let v = validators.get(strict);
  if (!v) {
    if (!existsSync(UNITY_CATALOG_SPEC_PATH))
      throw new Error(`Unity Catalog OpenAPI spec not found at ${UNITY_CATALOG_SPEC_PATH} (set UNITY_CATALOG_OPENAPI_SPEC)`);
    v = new SpecValidator(parse(readFileSync(UNITY_CATALOG_SPEC_PATH, "utf8")) as Json, strict);
    validators.set(strict, v);
  }
  return v;
}

export interface ValidateOptions {
  /**
   * Reject fields neither in the spec nor in DATABRICKS_EXTRA_FIELDS (default true). Turn off to
   * check a recording from a real workspace, which may carry fields newer than both lists.
   */
  strict?: boolean;
}

/**
 * Errors (empty when valid) for a Unity Catalog response: a 2xx body against the operation's
 * 200 schema, anything else against Databricks' error envelope. `path` is the request path,
 * with or without the `/api/2.1/unity-catalog` prefix and query string.
 */
export function validateUnityCatalogResponse(method: string, path: string, status: number, body: unknown, options: ValidateOptions = {}): string[] {
  return validator(options.strict ?? true).validate(method, path, status, body);
}

/** Whether the spec describes this request at all (the fake serves a few Databricks-only paths). */
export function isUnityCatalogSpecPath(method: string, path: string): boolean {
  return validator(true).operationFor(method, path.split("?")[0]!) !== undefined;
}
