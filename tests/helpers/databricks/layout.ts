import { createHash } from "node:crypto";
import type { GenieSpaceState, ServingEndpointState } from "./serving-genie.ts";

/**
 * The in-memory workspace a fake serves. Everything is plain data in insertion-ordered Maps so a
 * test can add, change or delete entities between two syncs and the next listing reflects it.
 */

export type ColumnTypeName =
  | "BOOLEAN"
  | "BYTE"
  | "SHORT"
  | "INT"
  | "LONG"
  | "FLOAT"
  | "DOUBLE"
  | "DATE"
  | "TIMESTAMP"
  | "TIMESTAMP_NTZ"
  | "STRING"
  | "BINARY"
  | "DECIMAL"
  | "INTERVAL"
  | "ARRAY"
  | "STRUCT"
  | "MAP"
  | "VARIANT"
  | "CHAR"
  | "NULL";

export interface ColumnState {
  name: string;
  type_name: ColumnTypeName;
  type_text: string;
  nullable: boolean;
  comment?: string;
  partition_index?: number;
  type_precision?: number;
  type_scale?: number;
  /** Databricks-only: served by the entity-tag-assignments API, never inside ColumnInfo. */
  tags?: Record<string, string>;
}

/** What `DESCRIBE DETAIL` reports beyond the catalog entry. */
export interface DeltaDetail {
  numFiles: number;
  /** A bigint for a size JavaScript numbers cannot hold exactly (the SQL API sends it as text). */
  sizeInBytes: number | bigint;
  partitionColumns: string[];
  clusteringColumns: string[];
  minReaderVersion: number;
  minWriterVersion: number;
  tableFeatures: string[];
  properties: Record<string, string>;
  /** Epoch ms of the last Delta commit. */
  lastModified: number;
}

interface Audited {
  owner: string;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
  comment?: string;
  tags?: Record<string, string>;
}

export type TableType = "MANAGED" | "EXTERNAL" | "VIEW" | "MATERIALIZED_VIEW" | "STREAMING_TABLE" | "METRIC_VIEW";
export type DataSourceFormat = "DELTA" | "CSV" | "JSON" | "AVRO" | "PARQUET" | "ORC" | "TEXT";

export interface TableState extends Audited {
  name: string;
  table_id: string;
  table_type: TableType;
  data_source_format?: DataSourceFormat;
  storage_location?: string;
  view_definition?: string;
  properties: Record<string, string>;
  columns: ColumnState[];
  detail: DeltaDetail;
}

export interface VolumeState extends Audited {
  name: string;
  volume_id: string;
  volume_type: "MANAGED" | "EXTERNAL";
  storage_location: string;
}

export interface FunctionParam {
  name: string;
  type_name: ColumnTypeName;
  type_text: string;
  comment?: string;
  parameter_default?: string;
}

export interface FunctionState extends Audited {
  name: string;
  function_id: string;
  input_params: FunctionParam[];
  data_type: ColumnTypeName;
  full_data_type: string;
  routine_body: "SQL" | "EXTERNAL";
  routine_definition: string;
  external_language?: string;
  is_deterministic: boolean;
}

export interface ModelVersionState {
  version: number;
  id: string;
  source: string;
  run_id?: string;
  status: "PENDING_REGISTRATION" | "FAILED_REGISTRATION" | "READY";
  storage_location: string;
  comment?: string;
  owner?: string;
  created_at: number;
  created_by: string;
  updated_at: number;
  updated_by: string;
}

export interface ModelState extends Audited {
  name: string;
  id: string;
  storage_location: string;
  versions: ModelVersionState[];
}

export interface SchemaState extends Audited {
  name: string;
  schema_id: string;
  properties: Record<string, string>;
  storage_root?: string;
  tables: Map<string, TableState>;
  volumes: Map<string, VolumeState>;
  functions: Map<string, FunctionState>;
  models: Map<string, ModelState>;
}

export interface CatalogState extends Audited {
  name: string;
  id: string;
  properties: Record<string, string>;
  storage_root?: string;
  schemas: Map<string, SchemaState>;
}

export type Listing = "catalogs" | "schemas" | "tables" | "volumes" | "functions" | "models" | "model_versions" | "tag_assignments";

/**
 * A listing that misbehaves the way real Databricks listings are documented or known to:
 * `parent` is "" for catalogs, the catalog for schemas, `catalog.schema` for tables/volumes/
 * functions/models, `catalog.schema.model` for versions and `entity_type/entity_name` for tag
 * assignments. Pages count from 0.
 */
export type ListingQuirk =
  /** Page `atPage` comes back with no items but still carries a next_page_token. */
  | { listing: Listing; parent: string; kind: "empty-page"; atPage?: number }
  /** From page `fromPage` on, every answer repeats the page_token it was sent as next_page_token. */
  | { listing: Listing; parent: string; kind: "repeating-token"; fromPage?: number }
  /** Pages from `fromPage` on answer `status` (500 or 503); with `times`, only that many times. */
  | { listing: Listing; parent: string; kind: "fail"; fromPage?: number; status?: number; times?: number; retryAfterSeconds?: number };

export type WarehouseStateName = "RUNNING" | "STOPPED" | "STARTING" | "STOPPING" | "DELETED";

export interface WarehouseState {
  id: string;
  name: string;
  state: WarehouseStateName;
  /** When STOPPED, whether a statement starts it (real warehouses do) or fails at once. */
  autoStart: boolean;
  /** Extra PENDING polls a statement sees while the warehouse starts. */
  startPolls: number;
}

export interface StatementFailure {
  message: string;
  errorCode?: string;
  sqlState?: string;
}

export interface SqlResultSet {
  columns: Array<{ name: string; type_name: string; type_text: string }>;
  rows: Array<Array<string | null>>;
}

/** A custom statement: return a result set, a failure, or undefined to fall through. */
export type SqlHandler = (statement: string, ctx: { state: WorkspaceState; catalog?: string; schema?: string }) => SqlResultSet | StatementFailure | undefined;

export interface SqlBehaviour {
  /** Polls (GETs) a statement answers PENDING before running. */
  pendingPolls: number;
  /** Polls a statement answers RUNNING after PENDING, before its terminal state. */
  runningPolls: number;
  /** Wall-clock time a statement takes; POST waits up to its wait_timeout for it. */
  executionMs: number;
  /** Rows per chunk of an INLINE result (larger results are read chunk by chunk). */
  rowsPerChunk: number;
  /** Full table names (`c.s.t`) whose DESCRIBE DETAIL fails, with the failure to report. */
  failTables: Map<string, StatementFailure>;
  handlers: SqlHandler[];
}

export interface ScimUser {
  id: string;
  userName: string;
  displayName: string;
  active: boolean;
  groups: string[];
}

export interface WorkspaceState {
  metastoreId: string;
  workspaceId: string;
  user: ScimUser;
  catalogs: Map<string, CatalogState>;
  quirks: ListingQuirk[];
  warehouses: Map<string, WarehouseState>;
  sql: SqlBehaviour;
  /**
   * The entity types `entity-tag-assignments` serves: Databricks documents catalogs, schemas,
   * tables, columns and volumes; a test may add functions and registered_models.
   */
  tagEntityTypes: Set<string>;
  /** Model Serving endpoints by name, and Genie spaces by id (serving-genie.ts serves both). */
  servingEndpoints: Map<string, ServingEndpointState>;
  genieSpaces: Map<string, GenieSpaceState>;
  /** Paths answering 403 PERMISSION_DENIED for this user. */
  denials: Array<{ path: RegExp | string; method?: string; message?: string; query?: Record<string, string> }>;
}

// Fixed so that two builds of one layout are identical and tests can compare synced output.
const EPOCH = Date.UTC(2024, 0, 15, 9, 30, 0);
const DEFAULT_OWNER = "fake.user@example.com";

/** A stable UUID-shaped id derived from a name, so rebuilding a layout keeps its ids. */
export function stableId(...parts: string[]): string {
  const h = createHash("sha1").update(parts.join("\u0000")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function audited(at: number, comment?: string, owner = DEFAULT_OWNER): Audited {
  return { owner, created_at: at, created_by: owner, updated_at: at, updated_by: owner, ...(comment !== undefined ? { comment } : {}) };
}

const COLUMN_TYPES: Array<[ColumnTypeName, string]> = [
  ["LONG", "bigint"],
  ["STRING", "string"],
  ["TIMESTAMP", "timestamp"],
  ["DOUBLE", "double"],
  ["BOOLEAN", "boolean"],
  ["DATE", "date"],
  ["DECIMAL", "decimal(18,2)"],
  ["ARRAY", "array<string>"],
  ["MAP", "map<string,string>"],
  ["STRUCT", "struct<a:int,b:string>"],
];

export function makeColumns(count: number, options: { comment?: (i: number) => string | undefined; partitionBy?: number } = {}): ColumnState[] {
  const width = String(Math.max(count - 1, 0)).length;
  return Array.from({ length: count }, (_, i) => {
    const [type_name, type_text] = COLUMN_TYPES[i % COLUMN_TYPES.length]!;
    const column: ColumnState = { name: i === 0 ? "id" : `col_${String(i).padStart(width, "0")}`, type_name, type_text, nullable: i !== 0 };
    if (type_name === "DECIMAL") Object.assign(column, { type_precision: 18, type_scale: 2 });
    const comment = options.comment?.(i);
    if (comment !== undefined) column.comment = comment;
    if (options.partitionBy !== undefined && i === options.partitionBy) column.partition_index = 0;
    return column;
  });
}

export function makeTable(catalog: string, schema: string, name: string, init: Partial<TableState> & { columnCount?: number; at?: number } = {}): TableState {
  const { columnCount = 4, at = EPOCH, ...rest } = init;
  const id = stableId("table", catalog, schema, name);
  const tableType = rest.table_type ?? "MANAGED";
  const isView = tableType === "VIEW" || tableType === "METRIC_VIEW";
  const columns = rest.columns ?? makeColumns(columnCount);
  const seed = parseInt(id.slice(0, 6), 16);
  const table: TableState = {
    name,
    table_id: id,
    table_type: tableType,
    ...(isView
      ? { view_definition: `SELECT * FROM ${catalog}.${schema}.base` }
      : { data_source_format: "DELTA" as const, storage_location: `s3://fake-metastore-bucket/metastore/tables/${id}` }),
    properties: isView ? {} : { "delta.enableDeletionVectors": "true", "delta.minReaderVersion": "3", "delta.minWriterVersion": "7" },
    columns,
    detail: {
      numFiles: 1 + (seed % 97),
      sizeInBytes: 4096 + (seed % 1_000_003) * 13,
      partitionColumns: columns.filter((c) => c.partition_index !== undefined).map((c) => c.name),
      clusteringColumns: [],
      minReaderVersion: 3,
      minWriterVersion: 7,
      tableFeatures: ["deletionVectors", "invariants", "appendOnly"],
      properties: { "delta.enableDeletionVectors": "true" },
      lastModified: at + 3_600_000,
    },
    ...audited(at, `Table ${name}`),
    ...rest,
  };
  return table;
}

export function makeSchema(catalog: string, name: string, init: Partial<SchemaState> & { at?: number } = {}): SchemaState {
  const { at = EPOCH, ...rest } = init;
  return {
    name,
    schema_id: stableId("schema", catalog, name),
    properties: {},
    tables: new Map(),
    volumes: new Map(),
    functions: new Map(),
    models: new Map(),
    ...audited(at, `Schema ${name}`),
    ...rest,
  };
}

export function makeCatalog(name: string, init: Partial<CatalogState> & { at?: number } = {}): CatalogState {
  const { at = EPOCH, ...rest } = init;
  return { name, id: stableId("catalog", name), properties: {}, schemas: new Map(), ...audited(at, `Catalog ${name}`), ...rest };
}

export function makeVolume(catalog: string, schema: string, name: string, init: Partial<VolumeState> = {}): VolumeState {
  const id = stableId("volume", catalog, schema, name);
  return {
    name,
    volume_id: id,
    volume_type: "MANAGED",
    storage_location: `s3://fake-metastore-bucket/metastore/volumes/${id}`,
    ...audited(EPOCH, `Volume ${name}`),
    ...init,
  };
}

export function makeFunction(catalog: string, schema: string, name: string, init: Partial<FunctionState> = {}): FunctionState {
  return {
    name,
    function_id: stableId("function", catalog, schema, name),
    input_params: [
      { name: "x", type_name: "DOUBLE", type_text: "double", comment: "Input value" },
      { name: "scale", type_name: "INT", type_text: "int", parameter_default: "1" },
    ],
    data_type: "DOUBLE",
    full_data_type: "double",
    routine_body: "SQL",
    routine_definition: "x * scale",
    is_deterministic: true,
    ...audited(EPOCH, `Function ${name}`),
    ...init,
  };
}

export function makeModel(catalog: string, schema: string, name: string, versions = 2, init: Partial<ModelState> = {}): ModelState {
  const id = stableId("model", catalog, schema, name);
  return {
    name,
    id,
    storage_location: `s3://fake-metastore-bucket/metastore/models/${id}`,
    versions: Array.from({ length: versions }, (_, i) => ({
      version: i + 1,
      id: stableId("model-version", catalog, schema, name, String(i + 1)),
      source: `dbfs:/databricks/mlflow-tracking/1234/${stableId("run", name, String(i)).replace(/-/g, "")}/artifacts/model`,
      run_id: stableId("run", name, String(i)).replace(/-/g, ""),
      status: "READY" as const,
      storage_location: `s3://fake-metastore-bucket/metastore/models/${id}/versions/${i + 1}`,
      comment: `Version ${i + 1}`,
      created_at: EPOCH + i * 86_400_000,
      created_by: DEFAULT_OWNER,
      updated_at: EPOCH + i * 86_400_000,
      updated_by: DEFAULT_OWNER,
    })),
    ...audited(EPOCH, `Model ${name}`),
    ...init,
  };
}

export interface LayoutOptions {
  /** A count (named catalog_0, catalog_1, …) or explicit names. */
  catalogs?: number | string[];
  schemasPerCatalog?: number;
  tablesPerSchema?: number;
  columnsPerTable?: number;
  viewsPerSchema?: number;
  volumesPerSchema?: number;
  functionsPerSchema?: number;
  modelsPerSchema?: number;
  versionsPerModel?: number;
  /** Attach a few tags to every catalog, schema, table and first column. */
  tags?: boolean;
}

function names(prefix: string, count: number): string[] {
  const width = String(Math.max(count - 1, 0)).length;
  return Array.from({ length: count }, (_, i) => `${prefix}_${String(i).padStart(width, "0")}`);
}

export function emptyState(): WorkspaceState {
  return {
    metastoreId: stableId("metastore", "fake"),
    workspaceId: "1234567890123456",
    user: { id: "7061234567890123", userName: DEFAULT_OWNER, displayName: "Fake User", active: true, groups: ["users", "data-engineers"] },
    catalogs: new Map(),
    quirks: [],
    warehouses: new Map([
      ["fake0123456789ab", { id: "fake0123456789ab", name: "Fake Serverless Warehouse", state: "RUNNING", autoStart: true, startPolls: 2 }],
    ]),
    sql: { pendingPolls: 0, runningPolls: 0, executionMs: 0, rowsPerChunk: 10_000, failTables: new Map(), handlers: [] },
    tagEntityTypes: new Set(["catalogs", "schemas", "tables", "columns", "volumes"]),
    servingEndpoints: new Map(),
    genieSpaces: new Map(),
    denials: [],
  };
}

/**
 * A generated workspace of the given shape. Builds eagerly but cheaply: 10,000 tables of a few
 * columns take tens of milliseconds.
 */
export function buildLayout(options: LayoutOptions = {}, state: WorkspaceState = emptyState()): WorkspaceState {
  const catalogNames = typeof options.catalogs === "object" ? options.catalogs : names("catalog", options.catalogs ?? 1);
  for (const catalogName of catalogNames) {
    const catalog = makeCatalog(catalogName);
    if (options.tags) catalog.tags = { environment: "test", owner_team: "platform" };
    state.catalogs.set(catalogName, catalog);
    for (const schemaName of names("schema", options.schemasPerCatalog ?? 2)) {
      const schema = makeSchema(catalogName, schemaName);
      if (options.tags) schema.tags = { domain: schemaName };
      catalog.schemas.set(schemaName, schema);
      for (const [i, tableName] of names("table", options.tablesPerSchema ?? 3).entries()) {
        const table = makeTable(catalogName, schemaName, tableName, { columnCount: options.columnsPerTable ?? 4, at: EPOCH + i * 1000 });
        if (options.tags) {
          table.tags = { classification: i % 2 ? "internal" : "confidential", "cost-center": "cc-42" };
          table.columns[0]!.tags = { pii: "false" };
        }
        schema.tables.set(tableName, table);
      }
      for (const viewName of names("view", options.viewsPerSchema ?? 0)) {
        schema.tables.set(viewName, makeTable(catalogName, schemaName, viewName, { table_type: "VIEW", columnCount: 2 }));
      }
      const tags = options.tags ? { tags: { steward: "data-office" } } : {};
      for (const name of names("volume", options.volumesPerSchema ?? 1)) schema.volumes.set(name, makeVolume(catalogName, schemaName, name, tags));
      for (const name of names("function", options.functionsPerSchema ?? 1)) schema.functions.set(name, makeFunction(catalogName, schemaName, name, tags));
      for (const name of names("model", options.modelsPerSchema ?? 1))
        schema.models.set(name, makeModel(catalogName, schemaName, name, options.versionsPerModel ?? 2, tags));
    }
  }
  return state;
}

/** Comments in scripts and directions that break naive encoders: CJK, emoji (astral plane), RTL, combining marks. */
export const UNICODE_COMMENTS = {
  japanese: "顧客の注文履歴テーブル（日次更新）",
  emoji: "Revenue 📈 by region 🌍 — 👩‍💻 owned",
  arabic: "جدول الطلبات اليومية",
  hebrew: "טבלת לקוחות פעילים",
  mixed: "Ünïcödé ‘quotes’ «guillemets» e\u0301 \u200b zero-width",
};

/**
 * One catalog, `edge`, with a schema per hard case:
 * - `wide`: table `wide_500` with 500 columns (one partition column);
 * - `unicode`: tables/columns commented in Japanese, emoji, Arabic, Hebrew and combining marks;
 * - `empty_page`: 5 tables whose table listing returns an empty page that still has a token;
 * - `repeating_token`: 5 tables whose table listing repeats its page token forever;
 * - `fails_midway`: 5 tables whose table listing answers 503 from the second page on;
 * - `empty`: no tables at all;
 * - `mixed`: a view, an external CSV table, and `broken_detail` whose DESCRIBE DETAIL fails.
 */
export function edgeCaseLayout(state: WorkspaceState = emptyState()): WorkspaceState {
  const c = "edge";
  const catalog = makeCatalog(c, { comment: UNICODE_COMMENTS.japanese, tags: { 環境: "テスト" } });
  state.catalogs.set(c, catalog);
  const add = (schema: SchemaState, tables: TableState[]) => {
    catalog.schemas.set(schema.name, schema);
    for (const t of tables) schema.tables.set(t.name, t);
    return schema;
  };

  add(makeSchema(c, "wide"), [
    makeTable(c, "wide", "wide_500", { columns: makeColumns(500, { partitionBy: 5, comment: (i) => (i % 50 === 0 ? `column ${i}` : undefined) }) }),
  ]);

  const u = UNICODE_COMMENTS;
  add(makeSchema(c, "unicode", { comment: u.arabic }), [
    makeTable(c, "unicode", "orders_jp", {
      comment: u.japanese,
      columns: makeColumns(3, { comment: (i) => [u.japanese, u.emoji, u.hebrew][i] }),
      tags: { データ分類: "機密" },
    }),
    makeTable(c, "unicode", "revenue_emoji", { comment: u.emoji }),
    makeTable(c, "unicode", "rtl_customers", { comment: `${u.hebrew} / ${u.arabic}` }),
    makeTable(c, "unicode", "combining", { comment: u.mixed }),
  ]);

  const five = (schema: string) => names("t", 5).map((n) => makeTable(c, schema, n));
  add(makeSchema(c, "empty_page"), five("empty_page"));
  state.quirks.push({ listing: "tables", parent: `${c}.empty_page`, kind: "empty-page", atPage: 1 });
  add(makeSchema(c, "repeating_token"), five("repeating_token"));
  state.quirks.push({ listing: "tables", parent: `${c}.repeating_token`, kind: "repeating-token", fromPage: 1 });
  add(makeSchema(c, "fails_midway"), five("fails_midway"));
  state.quirks.push({ listing: "tables", parent: `${c}.fails_midway`, kind: "fail", fromPage: 1, status: 503 });
  add(makeSchema(c, "empty"), []);

  add(makeSchema(c, "mixed"), [
    makeTable(c, "mixed", "a_view", { table_type: "VIEW", columnCount: 2 }),
    makeTable(c, "mixed", "external_csv", { table_type: "EXTERNAL", data_source_format: "CSV", storage_location: "s3://external-bucket/raw/csv/" }),
    makeTable(c, "mixed", "broken_detail"),
  ]);
  state.sql.failTables.set(`${c}.mixed.broken_detail`, {
    message: "[INSUFFICIENT_PERMISSIONS] Insufficient privileges: User does not have SELECT on Table 'edge.mixed.broken_detail'.",
    errorCode: "BAD_REQUEST",
    sqlState: "42501",
  });
  return state;
}

/** One schema, `big.huge`, with `tables` tables (10,000 by default) of three columns each. */
export function hugeSchemaLayout(tables = 10_000, state: WorkspaceState = emptyState()): WorkspaceState {
  const catalog = makeCatalog("big");
  const schema = makeSchema("big", "huge");
  catalog.schemas.set("huge", schema);
  state.catalogs.set("big", catalog);
  // Columns are shared per table shape: no listing mutates them, and it keeps 10k tables cheap.
  const columns = makeColumns(3);
  for (const [i, name] of names("table", tables).entries()) schema.tables.set(name, makeTable("big", "huge", name, { columns, at: EPOCH + i }));
  return state;
}

/**
 * Names a naive client would split on dots: catalog `dotted` with schema `schema.x` and catalog
 * `dotted.schema` with schema `x` (both hold a table `t`, so both tables read `dotted.schema.x.t`),
 * and in catalog `main` the schemas `weird` and `weird.ns` (each with tables and models), a backtick
 * in a table name, and a model whose name holds a dot.
 */
export function dottedNamesLayout(state: WorkspaceState = emptyState()): WorkspaceState {
  const add = (catalogName: string, schemaName: string, tables: string[]) => {
    const catalog = state.catalogs.get(catalogName) ?? makeCatalog(catalogName);
    state.catalogs.set(catalogName, catalog);
    const schema = makeSchema(catalogName, schemaName);
    catalog.schemas.set(schemaName, schema);
    for (const t of tables) schema.tables.set(t, makeTable(catalogName, schemaName, t, { tags: { origin: `${catalogName}|${schemaName}|${t}` } }));
    return schema;
  };
  add("dotted", "schema.x", ["t"]);
  add("dotted.schema", "x", ["t"]);
  const weird = add("main", "weird", ["a", "b"]);
  weird.models.set("m", makeModel("main", "weird", "m", 1));
  weird.models.set("n", makeModel("main", "weird", "n", 1));
  const ns = add("main", "weird.ns", ["a", "odd`name"]);
  ns.models.set("m.v1", makeModel("main", "weird.ns", "m.v1", 1));
  return state;
}

/** 2^53 + 1: the first integer a JavaScript number rounds. */
export const BEYOND_DOUBLE = 2n ** 53n + 1n;

/**
 * Values Unity Catalog can hold that Postgres cannot store as they are, or that a JavaScript
 * number rounds. Catalog `hostile`, schema `s`:
 * - `nul_values`: NUL in its comment and owner, in a property's key and value, and in a column's
 *   name (beside a column already named what that cleans to) and comment;
 * - `lone_surrogate`: an unpaired UTF-16 surrogate in its comment and in a column's comment;
 * - `nul\u0000name`: a name holding a NUL, which no stored name can spell, beside `nulname`,
 *   the name it would become with the NUL removed;
 * - `huge`: DESCRIBE DETAIL reports 2^53 + 1 bytes.
 */
export function hostileValuesLayout(state: WorkspaceState = emptyState()): WorkspaceState {
  const c = "hostile";
  const catalog = makeCatalog(c);
  const schema = makeSchema(c, "s");
  catalog.schemas.set("s", schema);
  state.catalogs.set(c, catalog);
  const base = makeColumns(1)[0]!;
  schema.tables.set(
    "nul_values",
    makeTable(c, "s", "nul_values", {
      comment: "before\u0000after",
      owner: "team\u0000a",
      properties: { "quality\u0000tier": "gold", source: "s3\u0000://raw" },
      columns: [
        { ...base, name: "col", comment: "the real col" },
        { ...base, name: "c\u0000ol", comment: "cleaned \u0000 into a neighbour's name" },
      ],
    }),
  );
  schema.tables.set(
    "lone_surrogate",
    makeTable(c, "s", "lone_surrogate", { comment: "half \uD800 a pair", columns: [{ ...base, name: "c", comment: "\uDC00 alone" }] }),
  );
  schema.tables.set("nul\u0000name", makeTable(c, "s", "nul\u0000name"));
  schema.tables.set("nulname", makeTable(c, "s", "nulname"));
  const huge = makeTable(c, "s", "huge");
  huge.detail.sizeInBytes = BEYOND_DOUBLE;
  schema.tables.set("huge", huge);
  return state;
}

/** Ready-made workspaces; each call builds a fresh state. */
export const layouts = {
  minimal: () => buildLayout({ catalogs: ["main"], schemasPerCatalog: 1, tablesPerSchema: 1, volumesPerSchema: 0, functionsPerSchema: 0, modelsPerSchema: 0 }),
  /** 3 catalogs × 2 schemas × 3 tables (4 columns), 1 volume, function and model (2 versions) each, tagged. */
  multiCatalog: () => buildLayout({ catalogs: 3, schemasPerCatalog: 2, tablesPerSchema: 3, tags: true }),
  edgeCases: () => edgeCaseLayout(),
  hugeSchema: (tables = 10_000) => hugeSchemaLayout(tables),
  /** multiCatalog plus every edge case, for one sync that meets all of them. */
  everything: () => edgeCaseLayout(buildLayout({ catalogs: 3, schemasPerCatalog: 2, tablesPerSchema: 3, tags: true })),
  dottedNames: () => dottedNamesLayout(),
  hostileValues: () => hostileValuesLayout(),
};

// ---- lookups and edits, for tests that change the workspace between syncs ----

function split(fullName: string, parts: number): string[] {
  const names = fullName.split(".");
  if (names.length !== parts || names.some((n) => n === "")) throw new Error(`expected a ${parts}-part name, got '${fullName}'`);
  return names;
}

export function findSchema(state: WorkspaceState, fullName: string): SchemaState | undefined {
  const [c, s] = split(fullName, 2);
  return state.catalogs.get(c!)?.schemas.get(s!);
}

export function findTable(state: WorkspaceState, fullName: string): TableState | undefined {
  const [c, s, t] = split(fullName, 3);
  return state.catalogs.get(c!)?.schemas.get(s!)?.tables.get(t!);
}

export function addSchema(state: WorkspaceState, catalogName: string, name: string, init: Parameters<typeof makeSchema>[2] = {}): SchemaState {
  const catalog = state.catalogs.get(catalogName);
  if (!catalog) throw new Error(`no catalog ${catalogName}`);
  const schema = makeSchema(catalogName, name, { at: Date.now(), ...init });
  catalog.schemas.set(name, schema);
  return schema;
}

export function addTable(state: WorkspaceState, schemaFullName: string, name: string, init: Parameters<typeof makeTable>[3] = {}): TableState {
  const schema = findSchema(state, schemaFullName);
  if (!schema) throw new Error(`no schema ${schemaFullName}`);
  const [c, s] = split(schemaFullName, 2);
  const table = makeTable(c!, s!, name, { at: Date.now(), ...init });
  schema.tables.set(name, table);
  return table;
}

/** Applies a change and stamps updated_at, as the real catalog does on ALTER. */
export function updateTable(state: WorkspaceState, fullName: string, change: Partial<TableState>): TableState {
  const table = findTable(state, fullName);
  if (!table) throw new Error(`no table ${fullName}`);
  Object.assign(table, change, { updated_at: Math.max(Date.now(), table.updated_at + 1) });
  return table;
}

export function dropTable(state: WorkspaceState, fullName: string): boolean {
  const [c, s, t] = split(fullName, 3);
  return state.catalogs.get(c!)?.schemas.get(s!)?.tables.delete(t!) ?? false;
}

export function dropSchema(state: WorkspaceState, fullName: string): boolean {
  const [c, s] = split(fullName, 2);
  return state.catalogs.get(c!)?.schemas.delete(s!) ?? false;
}
