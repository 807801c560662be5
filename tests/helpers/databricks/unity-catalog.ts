import { ApiError, invalidParameter, notFound } from "./errors.ts";
import type { CatalogState, ColumnState, FunctionState, ModelState, SchemaState, TableState, VolumeState, WorkspaceState } from "./layout.ts";
import { paginate, parseMaxResults, type PagingConfig } from "./pagination.ts";

/** Serves GET `/api/2.1/unity-catalog/...` from the state; `rest` is the path after that prefix. */
export function handleUnityCatalog(state: WorkspaceState, rest: string, query: URLSearchParams, paging: PagingConfig): unknown {
  const segments = rest.split("/").filter(Boolean).map(decodeURIComponent);
  const [resource, id, sub, subId] = segments;
  const page = <T extends { name: string }>(listing: Parameters<typeof paginate>[1]["listing"], parent: string, items: T[]) =>
    paginate(items, { listing, parent, maxResults: parseMaxResults(query.get("max_results")), pageToken: query.get("page_token") }, paging, state.quirks);
  const withToken = <K extends string>(key: K, p: { items: unknown[]; nextPageToken?: string }) => ({
    [key]: p.items,
    ...(p.nextPageToken !== undefined ? { next_page_token: p.nextPageToken } : {}),
  });

  switch (resource) {
    case "metastore_summary":
      return { metastore_id: state.metastoreId };

    case "catalogs": {
      if (id !== undefined) return catalogInfo(state, catalog(state, id));
      const p = page("catalogs", "", [...state.catalogs.values()]);
      return withToken("catalogs", { ...p, items: p.items.map((c) => catalogInfo(state, c)) });
    }

    case "schemas": {
      if (id !== undefined) {
        const [c, s] = parts(id, 2, "schema");
        return schemaInfo(state, c, schema(state, c, s));
      }
      const c = required(query, "catalog_name");
      const p = page("schemas", c, [...catalog(state, c).schemas.values()]);
      return withToken("schemas", { ...p, items: p.items.map((s) => schemaInfo(state, c, s)) });
    }

    case "tables": {
      if (id !== undefined) {
        const [c, s, t] = parts(id, 3, "table");
        const table = schema(state, c, s).tables.get(t);
        if (!table) throw notFound("TABLE_DOES_NOT_EXIST", `Table '${id}' does not exist.`);
        return tableInfo(state, c, s, table, {});
      }
      const c = required(query, "catalog_name");
      const s = required(query, "schema_name");
      const omit = {
        columns: query.get("omit_columns") === "true",
        properties: query.get("omit_properties") === "true",
        username: query.get("omit_username") === "true",
      };
      const p = page("tables", `${c}.${s}`, [...schema(state, c, s).tables.values()]);
      return withToken("tables", { ...p, items: p.items.map((t) => tableInfo(state, c, s, t, omit)) });
    }

    case "volumes": {
      if (id !== undefined) {
        const [c, s, v] = parts(id, 3, "volume");
        const volume = schema(state, c, s).volumes.get(v);
        if (!volume) throw notFound("RESOURCE_DOES_NOT_EXIST", `Volume '${id}' does not exist.`);
        return volumeInfo(state, c, s, volume);
      }
      const c = required(query, "catalog_name");
      const s = required(query, "schema_name");
      const p = page("volumes", `${c}.${s}`, [...schema(state, c, s).volumes.values()]);
      return withToken("volumes", { ...p, items: p.items.map((v) => volumeInfo(state, c, s, v)) });
    }

    case "functions": {
      if (id !== undefined) {
        const [c, s, f] = parts(id, 3, "function");
        const fn = schema(state, c, s).functions.get(f);
        if (!fn) throw notFound("FUNCTION_DOES_NOT_EXIST", `Routine or Model '${id}' does not exist.`);
        return functionInfo(state, c, s, fn);
      }
      const c = required(query, "catalog_name");
      const s = required(query, "schema_name");
      const p = page("functions", `${c}.${s}`, [...schema(state, c, s).functions.values()]);
      return withToken("functions", { ...p, items: p.items.map((f) => functionInfo(state, c, s, f)) });
    }

    case "models": {
      if (id !== undefined) {
        const [c, s, m] = parts(id, 3, "registered model");
        const model = schema(state, c, s).models.get(m);
        if (!model) throw notFound("RESOURCE_DOES_NOT_EXIST", `Routine or Model '${id}' does not exist.`);
        if (sub === undefined) return modelInfo(state, c, s, model);
        if (sub !== "versions") break;
        if (subId !== undefined) {
          const version = model.versions.find((v) => String(v.version) === subId);
          if (!version) throw notFound("RESOURCE_DOES_NOT_EXIST", `Model Version '${id}/${subId}' does not exist.`);
          return modelVersionInfo(state, c, s, model, version);
        }
        const p = page(
          "model_versions",
          id,
          model.versions.map((v) => ({ ...v, name: String(v.version) })),
        );
        return withToken("model_versions", { ...p, items: p.items.map((v) => modelVersionInfo(state, c, s, model, v)) });
      }
      // Both parents are optional here: without them the listing spans the whole metastore.
      const c = query.get("catalog_name");
      const s = query.get("schema_name");
      if (s && !c) throw invalidParameter("catalog_name is required when schema_name is set");
      const all: Array<{ name: string; info: () => unknown }> = [];
      for (const cat of c ? [catalog(state, c)] : state.catalogs.values()) {
        for (const sch of s ? [schema(state, cat.name, s)] : cat.schemas.values()) {
          for (const m of sch.models.values()) all.push({ name: `${cat.name}.${sch.name}.${m.name}`, info: () => modelInfo(state, cat.name, sch.name, m) });
        }
      }
      const p = page("models", c && s ? `${c}.${s}` : (c ?? ""), all);
      return withToken("registered_models", { ...p, items: p.items.map((m) => m.info()) });
    }

    case "entity-tag-assignments": {
      // Databricks-only (not in the open-source spec): GET .../{entity_type}/{entity_name}/tags
      if (id === undefined || sub === undefined || subId !== "tags") break;
      const tags = tagsOf(state, id, sub);
      const p = page(
        "tag_assignments",
        `${id}/${sub}`,
        Object.entries(tags).map(([name, value]) => ({ name, value })),
      );
      return withToken("tag_assignments", { ...p, items: p.items.map((t) => ({ entity_type: id, entity_name: sub, tag_key: t.name, tag_value: t.value })) });
    }
  }
  throw new ApiError(404, "ENDPOINT_NOT_FOUND", `No API found for 'GET ${rest}'`);
}

function required(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (!value) throw invalidParameter(`Missing required field: ${name}`);
  return value;
}

function parts(fullName: string, count: 2, kind: string): [string, string];
function parts(fullName: string, count: 3, kind: string): [string, string, string];
function parts(fullName: string, count: number, kind: string): string[] {
  const names = splitFullName(fullName);
  if (!names || names.length !== count) throw invalidParameter(`Invalid ${kind} full name '${fullName}'.`);
  return names;
}

/**
 * A full name in a path: parts separated by dots, a part holding a dot written in backticks (a
 * doubled backtick is one), as in Databricks SQL. Undefined when malformed.
 */
export function splitFullName(text: string): string[] | undefined {
  const names: string[] = [];
  let i = 0;
  for (;;) {
    let name = "";
    if (text[i] === "`") {
      for (i += 1; ; i += 1) {
        if (i >= text.length) return undefined;
        if (text[i] === "`") {
          if (text[i + 1] !== "`") break;
          i += 1;
        }
        name += text[i];
      }
      i += 1;
    } else {
      while (i < text.length && text[i] !== "." && text[i] !== "`") name += text[i++];
      if (!name) return undefined;
    }
    names.push(name);
    if (i === text.length) return names;
    if (text[i] !== ".") return undefined;
    i += 1;
  }
}

function catalog(state: WorkspaceState, name: string): CatalogState {
  const c = state.catalogs.get(name);
  if (!c) throw notFound("CATALOG_DOES_NOT_EXIST", `Catalog '${name}' does not exist.`);
  return c;
}

function schema(state: WorkspaceState, catalogName: string, name: string): SchemaState {
  const s = catalog(state, catalogName).schemas.get(name);
  if (!s) throw notFound("SCHEMA_DOES_NOT_EXIST", `Schema '${catalogName}.${name}' does not exist.`);
  return s;
}

function tagsOf(state: WorkspaceState, entityType: string, entityName: string): Record<string, string> {
  if (!state.tagEntityTypes.has(entityType))
    throw invalidParameter(`Invalid entity_type '${entityType}'. Allowed values are: ${[...state.tagEntityTypes].join(", ")}.`);
  const names = splitFullName(entityName);
  if (!names) throw invalidParameter(`Invalid entity_name '${entityName}'.`);
  const [c, s, t, col] = names;
  const missing = () => notFound("RESOURCE_DOES_NOT_EXIST", `${entityType} '${entityName}' does not exist.`);
  switch (entityType) {
    case "catalogs":
      return catalog(state, entityName).tags ?? {};
    case "schemas":
      return schema(state, c!, s ?? "").tags ?? {};
    case "tables": {
      const table = schema(state, c!, s ?? "").tables.get(t ?? "");
      if (!table) throw missing();
      return table.tags ?? {};
    }
    case "columns": {
      const column = schema(state, c!, s ?? "")
        .tables.get(t ?? "")
        ?.columns.find((x) => x.name === col);
      if (!column) throw missing();
      return column.tags ?? {};
    }
    case "volumes": {
      const volume = schema(state, c!, s ?? "").volumes.get(t ?? "");
      if (!volume) throw missing();
      return volume.tags ?? {};
    }
    case "functions": {
      const fn = schema(state, c!, s ?? "").functions.get(t ?? "");
      if (!fn) throw missing();
      return fn.tags ?? {};
    }
    case "registered_models": {
      const model = schema(state, c!, s ?? "").models.get(t ?? "");
      if (!model) throw missing();
      return model.tags ?? {};
    }
  }
  throw invalidParameter(`Invalid entity_type '${entityType}'. Allowed values are: catalogs, schemas, tables, columns, volumes.`);
}

// ---- wire shapes: spec fields first, then the Databricks-only ones listed in openapi.ts ----

function audit(e: { owner?: string; created_at: number; created_by: string; updated_at: number; updated_by: string; comment?: string }, omitUsername = false) {
  return {
    ...(e.comment ? { comment: e.comment } : {}),
    ...(omitUsername ? {} : { owner: e.owner, created_by: e.created_by, updated_by: e.updated_by }),
    created_at: e.created_at,
    updated_at: e.updated_at,
  };
}

export function catalogInfo(state: WorkspaceState, c: CatalogState) {
  return {
    name: c.name,
    ...audit(c),
    properties: c.properties,
    id: c.id,
    ...(c.storage_root ? { storage_root: c.storage_root, storage_location: `${c.storage_root}/__unitystorage/catalogs/${c.id}` } : {}),
    full_name: c.name,
    metastore_id: state.metastoreId,
    catalog_type: "MANAGED_CATALOG",
    isolation_mode: "OPEN",
    securable_type: "CATALOG",
    browse_only: false,
  };
}

export function schemaInfo(state: WorkspaceState, catalogName: string, s: SchemaState) {
  return {
    name: s.name,
    catalog_name: catalogName,
    ...audit(s),
    properties: s.properties,
    full_name: `${catalogName}.${s.name}`,
    schema_id: s.schema_id,
    ...(s.storage_root ? { storage_root: s.storage_root, storage_location: `${s.storage_root}/__unitystorage/schemas/${s.schema_id}` } : {}),
    metastore_id: state.metastoreId,
    catalog_type: "MANAGED_CATALOG",
    browse_only: false,
  };
}

function columnInfo(col: ColumnState, position: number) {
  return {
    name: col.name,
    type_text: col.type_text,
    type_name: col.type_name,
    type_json: JSON.stringify({ name: col.name, type: typeJson(col.type_text), nullable: col.nullable, metadata: col.comment ? { comment: col.comment } : {} }),
    ...(col.type_precision !== undefined ? { type_precision: col.type_precision, type_scale: col.type_scale ?? 0 } : {}),
    position,
    ...(col.comment ? { comment: col.comment } : {}),
    nullable: col.nullable,
    ...(col.partition_index !== undefined ? { partition_index: col.partition_index } : {}),
  };
}

/** Spark's JSON for a type: primitives are bare strings, nested types are objects. */
function typeJson(typeText: string): unknown {
  if (typeText.startsWith("array<")) return { type: "array", elementType: typeJson(typeText.slice(6, -1)), containsNull: true };
  if (typeText.startsWith("map<")) {
    const [k, v] = typeText.slice(4, -1).split(",");
    return { type: "map", keyType: typeJson(k!), valueType: typeJson(v!), valueContainsNull: true };
  }
  if (typeText.startsWith("struct<")) {
    const fields = typeText
      .slice(7, -1)
      .split(",")
      .map((f) => f.split(":"));
    return { type: "struct", fields: fields.map(([name, t]) => ({ name, type: typeJson(t!), nullable: true, metadata: {} })) };
  }
  return typeText === "bigint" ? "long" : typeText === "int" ? "integer" : typeText;
}

export function tableInfo(
  state: WorkspaceState,
  catalogName: string,
  schemaName: string,
  t: TableState,
  omit: { columns?: boolean; properties?: boolean; username?: boolean },
) {
  return {
    name: t.name,
    catalog_name: catalogName,
    schema_name: schemaName,
    table_type: t.table_type,
    ...(t.data_source_format ? { data_source_format: t.data_source_format } : {}),
    ...(omit.columns ? {} : { columns: t.columns.map((c, i) => columnInfo(c, i)) }),
    ...(t.storage_location ? { storage_location: t.storage_location } : {}),
    ...(t.view_definition ? { view_definition: t.view_definition } : {}),
    ...audit(t, omit.username),
    ...(omit.properties ? {} : { properties: t.properties }),
    table_id: t.table_id,
    full_name: `${catalogName}.${schemaName}.${t.name}`,
    metastore_id: state.metastoreId,
    browse_only: false,
  };
}

export function volumeInfo(state: WorkspaceState, catalogName: string, schemaName: string, v: VolumeState) {
  return {
    catalog_name: catalogName,
    schema_name: schemaName,
    name: v.name,
    ...audit(v),
    volume_id: v.volume_id,
    volume_type: v.volume_type,
    storage_location: v.storage_location,
    full_name: `${catalogName}.${schemaName}.${v.name}`,
    metastore_id: state.metastoreId,
  };
}

export function functionInfo(state: WorkspaceState, catalogName: string, schemaName: string, f: FunctionState) {
  return {
    name: f.name,
    catalog_name: catalogName,
    schema_name: schemaName,
    input_params: {
      parameters: f.input_params.map((p, position) => ({
        name: p.name,
        type_text: p.type_text,
        type_json: JSON.stringify({ name: p.name, type: typeJson(p.type_text), nullable: true, metadata: p.comment ? { comment: p.comment } : {} }),
        type_name: p.type_name,
        position,
        parameter_mode: "IN",
        parameter_type: "PARAM",
        ...(p.parameter_default !== undefined ? { parameter_default: p.parameter_default } : {}),
        ...(p.comment ? { comment: p.comment } : {}),
      })),
    },
    data_type: f.data_type,
    full_data_type: f.full_data_type,
    routine_body: f.routine_body,
    routine_definition: f.routine_definition,
    parameter_style: "S",
    is_deterministic: f.is_deterministic,
    sql_data_access: f.routine_body === "EXTERNAL" ? "NO_SQL" : "CONTAINS_SQL",
    is_null_call: false,
    security_type: "DEFINER",
    specific_name: f.name,
    ...(f.external_language ? { external_language: f.external_language } : {}),
    ...audit(f),
    full_name: `${catalogName}.${schemaName}.${f.name}`,
    function_id: f.function_id,
    metastore_id: state.metastoreId,
  };
}

export function modelInfo(state: WorkspaceState, catalogName: string, schemaName: string, m: ModelState) {
  return {
    name: m.name,
    catalog_name: catalogName,
    schema_name: schemaName,
    storage_location: m.storage_location,
    full_name: `${catalogName}.${schemaName}.${m.name}`,
    ...audit(m),
    id: m.id,
    metastore_id: state.metastoreId,
    aliases: m.versions.length ? [{ alias_name: "champion", version_num: m.versions.at(-1)!.version }] : [],
  };
}

export function modelVersionInfo(state: WorkspaceState, catalogName: string, schemaName: string, m: ModelState, v: ModelState["versions"][number]) {
  return {
    model_name: m.name,
    catalog_name: catalogName,
    schema_name: schemaName,
    version: v.version,
    source: v.source,
    ...(v.run_id ? { run_id: v.run_id } : {}),
    status: v.status,
    storage_location: v.storage_location,
    ...(v.comment ? { comment: v.comment } : {}),
    created_at: v.created_at,
    created_by: v.created_by,
    updated_at: v.updated_at,
    updated_by: v.updated_by,
    id: v.id,
    metastore_id: state.metastoreId,
  };
}
