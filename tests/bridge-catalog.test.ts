import { BridgeMessage } from "@langguard/bridge-client";
import { beforeAll, describe, expect, it } from "vitest";
import {
  addSchema,
  addTable,
  type CatalogState,
  type FakeWorkspace,
  type FunctionState,
  fakeWorkspacesOfThisFile,
  layouts,
  type ModelState,
  type SchemaState,
  type TableState,
  UNICODE_COMMENTS,
  type VolumeState,
  type WorkspaceState,
} from "./helpers/databricks/index.ts";
import { type Json, type Run, streamCatalog } from "./helpers/stream-catalog.ts";

// ---- what the bridge must report for the fake's state ----

const tagList = (tags: Record<string, string> | undefined) =>
  Object.entries(tags ?? {})
    .map(([key, value]) => ({ key, value }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));

const audit = (e: { owner?: string; comment?: string; created_at: number; updated_at: number }) => ({
  owner: e.owner ?? null,
  comment: e.comment || null,
  createdAt: e.created_at,
  updatedAt: e.updated_at,
});

/** How tags were read: in bulk through a warehouse (columns too), per object, or not at all. */
type TagMode = "bulk" | "object" | "none";
const tagsOf = (tags: Record<string, string> | undefined, mode: TagMode) => (mode === "none" ? null : tagList(tags));

const catalogRecord = (c: CatalogState, mode: TagMode = "bulk") => ({
  kind: "catalog",
  name: c.name,
  fullName: c.name,
  ...audit(c),
  properties: c.properties,
  tags: tagsOf(c.tags, mode),
});

const schemaRecord = (c: string, s: SchemaState, mode: TagMode = "bulk") => ({
  kind: "schema",
  catalog: c,
  name: s.name,
  fullName: `${c}.${s.name}`,
  ...audit(s),
  properties: s.properties,
  tags: tagsOf(s.tags, mode),
});

const tableRecord = (c: string, s: string, t: TableState, mode: TagMode = "bulk") => ({
  kind: "table",
  catalog: c,
  schema: s,
  name: t.name,
  fullName: `${c}.${s}.${t.name}`,
  tableType: t.table_type,
  dataSourceFormat: t.data_source_format ?? null,
  storageLocation: t.storage_location ?? null,
  ...audit(t),
  properties: t.properties,
  tags: tagsOf(t.tags, mode),
  columns: t.columns.map((col, position) => ({
    name: col.name,
    typeText: col.type_text,
    typeName: col.type_name,
    nullable: col.nullable,
    position,
    comment: col.comment ?? null,
    ...(mode === "bulk" ? { tags: tagList(col.tags) } : {}),
  })),
});

const volumeRecord = (c: string, s: string, v: VolumeState, mode: TagMode = "bulk") => ({
  kind: "volume",
  catalog: c,
  schema: s,
  name: v.name,
  fullName: `${c}.${s}.${v.name}`,
  volumeType: v.volume_type,
  storageLocation: v.storage_location,
  ...audit(v),
  tags: tagsOf(v.tags, mode),
});

// Functions and models: the fake, like Databricks' documentation, serves no tag assignments for them.
const functionRecord = (c: string, s: string, f: FunctionState) => ({
  kind: "function",
  catalog: c,
  schema: s,
  name: f.name,
  fullName: `${c}.${s}.${f.name}`,
  ...audit(f),
  dataType: f.data_type,
  fullDataType: f.full_data_type,
  routineBody: f.routine_body,
  parameters: f.input_params.map((p, position) => ({ name: p.name, typeText: p.type_text, typeName: p.type_name, position, comment: p.comment ?? null })),
  tags: null,
});

const modelRecord = (c: string, s: string, m: ModelState) => ({
  kind: "model",
  catalog: c,
  schema: s,
  name: m.name,
  fullName: `${c}.${s}.${m.name}`,
  ...audit(m),
  aliases: m.versions.length ? [{ alias: "champion", version: m.versions.at(-1)!.version }] : [],
  versions: m.versions.map((v) => ({
    version: v.version,
    status: v.status,
    source: v.source,
    runId: v.run_id ?? null,
    comment: v.comment ?? null,
    createdAt: v.created_at,
  })),
  tags: null,
});

const statsRecord = (fullName: string, t: TableState) => ({
  kind: "tableStats",
  catalog: fullName.split(".")[0],
  schema: fullName.split(".")[1],
  name: fullName.split(".")[2],
  fullName,
  numFiles: t.detail.numFiles,
  sizeInBytes: t.detail.sizeInBytes,
  format: (t.data_source_format ?? "DELTA").toLowerCase(),
  lastModified: t.detail.lastModified,
});

const keyOf = (r: Json) => `${r.kind}:${r.fullName ?? r.name}`;

function byKey(records: Json[]): Map<string, Json> {
  const map = new Map<string, Json>();
  for (const r of records) {
    expect(map.has(keyOf(r)), `${keyOf(r)} emitted once`).toBe(false);
    map.set(keyOf(r), r);
  }
  return map;
}

/**
 * Every checkpoint comes after its container's last record, directly after it (one emit_many block)
 * unless the container's last page held nothing this walk keeps (`looseEnds`).
 */
function expectCheckpointsAfterRecords(run: Run, looseEnds: string[] = []): void {
  const containerOf = (r: Json): string | undefined => {
    if (r.kind === "catalog") return "catalogs:";
    if (r.kind === "schema") return `schemas:${r.catalog}`;
    if (r.kind === "tableStats") return undefined;
    if (r.kind === "model") return `models:${r.catalog}`;
    return `${r.kind}s:${r.catalog}.${r.schema}`;
  };
  const lastRecord = new Map<string, number>();
  run.messages.forEach((m, i) => {
    if (m.type !== "record") return;
    const container = containerOf(m.data);
    if (container) lastRecord.set(container, i);
  });
  run.messages.forEach((m, i) => {
    if (m.type !== "checkpoint") return;
    const last = lastRecord.get(m.container);
    if (m.items > 0 && looseEnds.includes(m.container)) expect(last, `checkpoint ${m.container} after its last record`).toBeLessThan(i);
    else if (m.items > 0) expect(last, `checkpoint ${m.container} right after its last record`).toBe(i - 1);
    else expect(last, `no records for empty ${m.container}`).toBeUndefined();
  });
}

const workspace = fakeWorkspacesOfThisFile();

describe("stream-catalog: a full walk with every edge case", () => {
  let state: WorkspaceState;
  let ws: FakeWorkspace;
  let run: Run;
  let records: Map<string, Json>;
  const failing = new Set(["edge.repeating_token", "edge.fails_midway"]);

  beforeAll(async () => {
    state = layouts.everything();
    // Present in every real catalog, and skipped unless asked for by name.
    addSchema(state, "catalog_2", "information_schema");
    addTable(state, "catalog_2.information_schema", "tables", { table_type: "VIEW" });
    state.sql.failTables.set("catalog_1.schema_1.table_2", {
      message: "[TABLE_OR_VIEW_NOT_FOUND] The table or view `catalog_1`.`schema_1`.`table_2` cannot be found. SQLSTATE: 42P01",
      errorCode: "BAD_REQUEST",
      sqlState: "42P01",
    });
    // Server pages of 2: every listing with more than two entries spans several pages.
    // Tag rows come back in chunks of 7: the bulk read follows them.
    ws = await workspace({ state, pageSize: 2, sql: { pendingPolls: 2, runningPolls: 1, rowsPerChunk: 7 } });
    run = await streamCatalog(ws, {
      pageSize: 2,
      concurrency: 8,
      // The 503 listing is retried by the SDK for minutes by default; the test gives up sooner.
      retryTimeoutSeconds: 2,
      stats: { enabled: true, warehouseId: ws.warehouseId, concurrency: 4, waitTimeoutSeconds: 5, pollIntervalSeconds: 0.02, maxWaitSeconds: 20 },
    });
    records = byKey(run.records);
  });

  it("ends with a result and writes only protocol messages the client accepts", () => {
    expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);
    expect(run.messages.at(-1)!.type).toBe("result");
    for (const m of run.messages) expect(BridgeMessage.safeParse(m).success, JSON.stringify(m).slice(0, 300)).toBe(true);
  });

  it("emits the whole hierarchy with every field as the workspace holds it", () => {
    let tables = 0;
    let columns = 0;
    const counted = { schemas: 0, volumes: 0, functions: 0, models: 0 };
    for (const c of state.catalogs.values()) {
      expect(records.get(`catalog:${c.name}`)).toEqual(catalogRecord(c));
      for (const s of c.schemas.values()) {
        const parent = `${c.name}.${s.name}`;
        if (s.name === "information_schema") {
          expect([...records.keys()].filter((k) => k.includes(".information_schema"))).toEqual([]);
          continue;
        }
        counted.schemas += 1;
        expect(records.get(`schema:${parent}`)).toEqual(schemaRecord(c.name, s));
        for (const t of s.tables.values()) {
          const got = records.get(`table:${parent}.${t.name}`);
          if (failing.has(parent) && !got) continue;
          expect(got).toEqual(tableRecord(c.name, s.name, t));
          tables += 1;
          columns += t.columns.length;
        }
        for (const v of s.volumes.values()) expect(records.get(`volume:${parent}.${v.name}`)).toEqual(volumeRecord(c.name, s.name, v));
        for (const f of s.functions.values()) expect(records.get(`function:${parent}.${f.name}`)).toEqual(functionRecord(c.name, s.name, f));
        for (const m of s.models.values()) expect(records.get(`model:${parent}.${m.name}`)).toEqual(modelRecord(c.name, s.name, m));
        counted.volumes += s.volumes.size;
        counted.functions += s.functions.size;
        counted.models += s.models.size;
      }
    }
    const kinds = (kind: string) => run.records.filter((r) => r.kind === kind).length;
    expect(kinds("catalog")).toBe(state.catalogs.size);
    expect(kinds("schema")).toBe(counted.schemas);
    expect(kinds("table")).toBe(tables);
    expect({ volumes: kinds("volume"), functions: kinds("function"), models: kinds("model") }).toEqual({
      volumes: counted.volumes,
      functions: counted.functions,
      models: counted.models,
    });
    expect(run.result).toEqual({
      catalogs: state.catalogs.size,
      schemas: counted.schemas,
      tables,
      columns,
      volumes: counted.volumes,
      functions: counted.functions,
      models: counted.models,
      servingEndpoints: 0,
      genieSpaces: 0,
      stats: kinds("tableStats"),
      errors: run.errors.length,
    });
  });

  it("checkpoints every container whose listing completed, after its records, and no other", () => {
    // The workspace has no serving endpoints or Genie spaces: both listings complete, empty.
    const expected = ["catalogs:", "servingEndpoints:", "genieSpaces:"];
    for (const c of state.catalogs.values()) {
      expected.push(`schemas:${c.name}`, `models:${c.name}`);
      for (const s of c.schemas.values()) {
        if (s.name === "information_schema") continue;
        for (const kind of ["tables", "volumes", "functions"]) {
          const container = `${kind}:${c.name}.${s.name}`;
          if (!(kind === "tables" && failing.has(`${c.name}.${s.name}`))) expected.push(container);
        }
      }
    }
    expect([...run.checkpoints.keys()].sort()).toEqual(expected.sort());
    for (const [container, cp] of run.checkpoints) {
      const [what, parent] = container.split(":") as [string, string];
      const kind = what.slice(0, -1);
      const items = run.records.filter(
        (r) =>
          r.kind === kind && (kind === "catalog" ? true : kind === "schema" || kind === "model" ? r.catalog === parent : `${r.catalog}.${r.schema}` === parent),
      ).length;
      const excluded = container === "schemas:catalog_2" ? { excluded: [["catalog_2", "information_schema"]] } : {};
      expect(cp, container).toEqual({
        type: "checkpoint",
        stream: "catalog",
        container,
        listing: what,
        parent: parent ? parent.split(".") : [],
        items,
        done: true,
        ...excluded,
      });
    }
    expect(run.checkpoints.get("tables:edge.empty")!.items).toBe(0);
    // catalog_2's last page of schemas holds only information_schema, which the walk skips.
    expectCheckpointsAfterRecords(run, ["schemas:catalog_2"]);
  });

  it("reads small pages, and goes on after an empty page that still carries a token", () => {
    const tableCalls = (schema: string) =>
      ws.requests.filter((r) => r.path === "/api/2.1/unity-catalog/tables" && r.query.catalog_name === "edge" && r.query.schema_name === schema);
    const listing = ws.requests.filter(
      (r) => r.path === "/api/2.1/unity-catalog/tables" && r.query.catalog_name === "catalog_0" && r.query.schema_name === "schema_0",
    );
    expect(listing.map((r) => r.query.max_results)).toEqual(["2", "2"]);
    expect(listing[1]!.query.page_token).toEqual(expect.any(String));
    // t_0 t_1 | (empty, with a token) | t_2 t_3 | t_4
    expect(tableCalls("empty_page")).toHaveLength(4);
    expect(run.checkpoints.get("tables:edge.empty_page")!.items).toBe(5);
    for (const n of ["t_0", "t_1", "t_2", "t_3", "t_4"]) expect(records.has(`table:edge.empty_page.${n}`)).toBe(true);
  });

  it("reports a repeating page token for that container only, without a checkpoint", () => {
    const errors = run.errors.filter((e) => e.container === "tables:edge.repeating_token");
    expect(errors).toEqual([
      expect.objectContaining({
        type: "error",
        kind: "bad_response",
        retryable: false,
        message: "The server repeated a page token while listing tables of edge.repeating_token",
      }),
    ]);
    expect(run.checkpoints.has("tables:edge.repeating_token")).toBe(false);
    // Its other containers, and everything else, completed.
    for (const kind of ["volumes", "functions"]) expect(run.checkpoints.has(`${kind}:edge.repeating_token`)).toBe(true);
    expect(errors[0]).toMatchObject({
      containerKind: "tables",
      fullName: "edge.repeating_token",
      hint: expect.stringContaining("the next sync reads it again"),
    });
    // The loop stopped at once instead of following the token.
    const calls = ws.requests.filter((r) => r.path === "/api/2.1/unity-catalog/tables" && r.query.schema_name === "repeating_token");
    expect(calls.length).toBeLessThanOrEqual(3);
  });

  it("reports a listing failing half way for that schema only, without a checkpoint", () => {
    const errors = run.errors.filter((e) => e.container === "tables:edge.fails_midway");
    expect(errors).toEqual([
      expect.objectContaining({
        type: "error",
        kind: "unavailable",
        status: 503,
        retryable: true,
        message: "127.0.0.1 is unavailable (503 Service Unavailable)",
      }),
    ]);
    expect(JSON.stringify(errors)).not.toContain("temporarily unavailable");
    expect(run.checkpoints.has("tables:edge.fails_midway")).toBe(false);
    // The first page arrived before the failure; the consumer keeps it but deletes nothing there.
    expect(records.has("table:edge.fails_midway.t_0")).toBe(true);
    expect(run.checkpoints.has("tables:edge.mixed")).toBe(true);
    // Exactly the two broken listings and the two failing statements went wrong.
    expect(run.errors.map((e) => e.container).sort()).toEqual([
      "stats:catalog_1.schema_1.table_2",
      "stats:edge.mixed.broken_detail",
      "tables:edge.fails_midway",
      "tables:edge.repeating_token",
    ]);
    // Its hint says what happens, and only that: nothing retries the container in this run.
    expect(errors[0]!.hint).toBe("Nothing under it is marked deleted in this run; the next sync reads it again.");
  });

  it("reads every tag in bulk through the warehouse, a few statements in all, chunk by chunk", () => {
    const tagStatements = ws.statements.filter((s) => s.includes("information_schema"));
    expect(tagStatements.map((s) => /information_schema\.(\w+)/.exec(s)![1]).sort()).toEqual([
      "catalog_tags",
      "column_tags",
      "schema_tags",
      "table_tags",
      "volume_tags",
    ]);
    // More rows than a chunk: the later chunks were fetched.
    expect(ws.requests.some((r) => /\/result\/chunks\/[1-9]/.test(r.path))).toBe(true);
    // No per-object lookups for what information_schema holds; for functions and models, the
    // workspace's first refusal stopped the asking.
    const lookups = ws.requests.filter((r) => r.path.includes("/entity-tag-assignments/"));
    expect([...new Set(lookups.map((r) => r.path.split("/")[5]))].sort()).toEqual(["functions", "registered_models"]);
    expect(lookups.length).toBeLessThanOrEqual(8);
    expect(records.get("table:catalog_0.schema_0.table_0")!.columns[0].tags).toEqual([{ key: "pii", value: "false" }]);
    expect(records.get("volume:catalog_0.schema_0.volume_0")!.tags).toEqual([{ key: "steward", value: "data-office" }]);
  });

  it("keeps wide tables, non-ASCII comments and tags exact", () => {
    const wide = records.get("table:edge.wide.wide_500")!;
    expect(wide.columns).toHaveLength(500);
    expect(wide.columns.map((c: Json) => c.position)).toEqual([...Array(500).keys()]);
    expect(wide.columns[450]).toEqual({
      name: "col_450",
      typeText: "bigint",
      typeName: "LONG",
      nullable: true,
      position: 450,
      comment: "column 450",
      tags: [],
    });

    const jp = records.get("table:edge.unicode.orders_jp")!;
    expect(Buffer.from(jp.comment, "utf8").equals(Buffer.from(UNICODE_COMMENTS.japanese, "utf8"))).toBe(true);
    expect(jp.columns.map((c: Json) => c.comment)).toEqual([UNICODE_COMMENTS.japanese, UNICODE_COMMENTS.emoji, UNICODE_COMMENTS.hebrew]);
    expect(jp.tags).toEqual([{ key: "データ分類", value: "機密" }]);
    expect(records.get("table:edge.unicode.revenue_emoji")!.comment).toBe(UNICODE_COMMENTS.emoji);
    expect(records.get("table:edge.unicode.combining")!.comment).toBe(UNICODE_COMMENTS.mixed);
    expect(records.get("schema:edge.unicode")!.comment).toBe(UNICODE_COMMENTS.arabic);
    expect(records.get("catalog:edge")!).toMatchObject({ comment: UNICODE_COMMENTS.japanese, tags: [{ key: "環境", value: "テスト" }] });
    expect(records.get("catalog:catalog_0")!.tags).toEqual([
      { key: "environment", value: "test" },
      { key: "owner_team", value: "platform" },
    ]);
    expect(records.get("table:catalog_0.schema_0.table_1")!.tags).toEqual([
      { key: "classification", value: "internal" },
      { key: "cost-center", value: "cc-42" },
    ]);
  });

  it("emits functions with parameters, models with versions and aliases, and volumes", () => {
    expect(records.get("function:catalog_0.schema_0.function_0")!.parameters).toEqual([
      { name: "x", typeText: "double", typeName: "DOUBLE", position: 0, comment: "Input value" },
      { name: "scale", typeText: "int", typeName: "INT", position: 1, comment: null },
    ]);
    const model = records.get("model:catalog_1.schema_0.model_0")!;
    expect(model.aliases).toEqual([{ alias: "champion", version: 2 }]);
    expect(model.versions.map((v: Json) => [v.version, v.status, v.comment])).toEqual([
      [1, "READY", "Version 1"],
      [2, "READY", "Version 2"],
    ]);
    expect(records.get("volume:catalog_2.schema_1.volume_0")).toMatchObject({ volumeType: "MANAGED", storageLocation: expect.stringMatching(/^s3:\/\//) });
  });

  it("reads table statistics through polled statements, and reports failed statements per table", () => {
    const stats = run.records.filter((r) => r.kind === "tableStats");
    const eligible: Array<[string, TableState]> = [];
    for (const c of state.catalogs.values()) {
      for (const s of c.schemas.values()) {
        for (const t of s.tables.values()) {
          const full = `${c.name}.${s.name}.${t.name}`;
          if (records.has(`table:${full}`) && (t.table_type === "MANAGED" || t.table_type === "EXTERNAL")) eligible.push([full, t]);
        }
      }
    }
    const failed = new Set(["catalog_1.schema_1.table_2", "edge.mixed.broken_detail"]);
    const statsByName = new Map(stats.map((r) => [r.fullName, r]));
    for (const [full, t] of eligible) {
      if (failed.has(full)) expect(statsByName.has(full)).toBe(false);
      else expect(statsByName.get(full), full).toEqual(statsRecord(full, t));
    }
    expect(stats).toHaveLength(eligible.length - failed.size);
    expect(statsByName.get("edge.mixed.external_csv")!.format).toBe("csv");
    expect(statsByName.has("edge.mixed.a_view")).toBe(false);

    // PENDING, PENDING, RUNNING, SUCCEEDED: every statement (the five tag reads too) was polled until it finished.
    expect(ws.statements.filter((s) => s.startsWith("DESCRIBE DETAIL"))).toHaveLength(eligible.length);
    const posts = ws.requests.filter((r) => r.method === "POST" && r.path === "/api/2.0/sql/statements");
    const polls = ws.requests.filter((r) => r.method === "GET" && r.path.startsWith("/api/2.0/sql/statements/") && !r.path.includes("/result/"));
    expect(posts).toHaveLength(eligible.length + 5);
    expect(polls.length).toBe(4 * (eligible.length + 5));

    expect(run.errors.find((e) => e.container === "stats:catalog_1.schema_1.table_2")).toEqual({
      type: "error",
      kind: "stats",
      message: "Table statistics unavailable for catalog_1.schema_1.table_2: the statement failed (TABLE_OR_VIEW_NOT_FOUND)",
      hint: expect.any(String),
      retryable: false,
      container: "stats:catalog_1.schema_1.table_2",
      fullName: "catalog_1.schema_1.table_2",
    });
    const denied = run.errors.find((e) => e.container === "stats:edge.mixed.broken_detail")!;
    expect(denied.message).toBe("Table statistics unavailable for edge.mixed.broken_detail: the statement failed (INSUFFICIENT_PERMISSIONS)");
    // Upstream text stays out of messages.
    expect(JSON.stringify(run.errors)).not.toContain("Insufficient privileges");
  });
});

describe("stream-catalog: filters, a workspace without tags, no warehouse", () => {
  let state: WorkspaceState;
  let ws: FakeWorkspace;
  let run: Run;

  beforeAll(async () => {
    state = layouts.multiCatalog();
    for (const catalog of ["catalog_0", "catalog_1"]) {
      addSchema(state, catalog, "information_schema");
      addTable(state, `${catalog}.information_schema`, "tables", { table_type: "VIEW" });
    }
    ws = await workspace({ state });
    // Open-source Unity Catalog has no tag assignments API.
    ws.setFault({ path: /\/entity-tag-assignments\//, status: 404 });
    run = await streamCatalog(ws, {
      include: { catalogs: ["catalog_[01]"], schemas: ["catalog_0\\..*", "catalog_1\\.information_schema"] },
      exclude: { tables: [".*\\.table_1"] },
      kinds: ["tables", "models"],
      concurrency: 1,
      stats: { enabled: true, warehouseId: null },
    });
  });

  it("walks only what the patterns select, information_schema only when named", () => {
    expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);
    const names = (kind: string) =>
      run.records
        .filter((r) => r.kind === kind)
        .map((r) => r.fullName ?? r.name)
        .sort();
    expect(names("catalog")).toEqual(["catalog_0", "catalog_1"]);
    expect(names("schema")).toEqual(["catalog_0.schema_0", "catalog_0.schema_1", "catalog_1.information_schema"]);
    expect(names("table")).toEqual([
      "catalog_0.schema_0.table_0",
      "catalog_0.schema_0.table_2",
      "catalog_0.schema_1.table_0",
      "catalog_0.schema_1.table_2",
      "catalog_1.information_schema.tables",
    ]);
    expect(names("model")).toEqual(["catalog_0.schema_0.model_0", "catalog_0.schema_1.model_0"]);
    expect(names("volume")).toEqual([]);
    expect(ws.requests.some((r) => r.path.endsWith("/volumes") || r.query.catalog_name === "catalog_2")).toBe(false);
    expect(run.checkpoints.get("tables:catalog_0.schema_0")!.items).toBe(2);
    // What the filters left out is listed, so that it is not taken for deleted.
    expect(run.checkpoints.get("catalogs:")!.excluded).toEqual([["catalog_2"]]);
    expect(run.checkpoints.get("tables:catalog_0.schema_0")!.excluded).toEqual([["catalog_0", "schema_0", "table_1"]]);
    expect(run.checkpoints.get("schemas:catalog_1")!.excluded).toEqual([
      ["catalog_1", "schema_0"],
      ["catalog_1", "schema_1"],
    ]);
  });

  it("treats a 404 from the tags API as a workspace without tags, and stops asking", () => {
    expect(run.records.filter((r) => "tags" in r).every((r) => r.tags === null)).toBe(true);
    // The first page's lookups were in flight together; nothing was asked after the first answer.
    expect(ws.requests.filter((r) => r.path.includes("/entity-tag-assignments/")).length).toBeLessThanOrEqual(2);
    expect(run.messages.filter((m) => m.type === "log")).toHaveLength(1);
  });

  it("says once that a warehouse is required for statistics, and the metadata still completes", () => {
    expect(run.errors).toEqual([
      {
        type: "error",
        kind: "config",
        message: "Warehouse ID required for catalog operations",
        hint: "Create a SQL warehouse in Databricks, set its id on the integration (or DATABRICKS_WAREHOUSE_ID), make sure it is running, and that the token has access to it.",
        retryable: false,
        container: "stats",
      },
    ]);
    expect(ws.requests.some((r) => r.path.startsWith("/api/2.0/sql/"))).toBe(false);
    expect(run.result).toMatchObject({ catalogs: 2, schemas: 3, tables: 5, models: 2, errors: 1, stats: 0 });
  });

  it("ends with one fatal auth error on a wrong token", async () => {
    const bad = await streamCatalog(ws, {}, `dapi${"0123456789abcdef".repeat(2)}`);
    expect(bad.exitCode).toBe(1);
    expect(bad.messages).toHaveLength(1);
    expect(bad.messages[0]).toMatchObject({ type: "error", kind: "auth", retryable: false, status: 401 });
    expect(bad.messages[0]!.message).toContain("401 Unauthorized");
  });

  it("refuses an invalid pattern as a fatal config error naming it", async () => {
    const bad = await streamCatalog(ws, { include: { tables: ["main\\.sales\\.(orders"] } });
    expect(bad.exitCode).toBe(1);
    expect(bad.messages).toEqual([expect.objectContaining({ type: "error", kind: "config", retryable: false })]);
    expect(bad.messages[0]!.message).toContain("main\\.sales\\.(orders");
  });
});

describe("stream-catalog: tags object by object, without a warehouse", () => {
  let state: WorkspaceState;
  let ws: FakeWorkspace;
  let run: Run;
  const unreadable = "catalog_2.schema_1.table_0";

  beforeAll(async () => {
    state = layouts.multiCatalog();
    // A workspace that serves tags for functions and registered models as well.
    state.tagEntityTypes.add("functions");
    state.tagEntityTypes.add("registered_models");
    ws = await workspace({ state, latencyMs: 40 });
    ws.setFault({ path: `/api/2.1/unity-catalog/entity-tag-assignments/tables/${unreadable}/tags`, status: 500 });
    run = await streamCatalog(ws, { tagsConcurrency: 4, concurrency: 8 });
  });

  it("keeps a record whose tags failed, marks its tags unread, and reports no error", () => {
    expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);
    const records = byKey(run.records);
    expect(records.get(`table:${unreadable}`)).toMatchObject({ tags: null, tagsFailed: true, columns: expect.any(Array) });
    expect(run.errors).toEqual([]);
    expect(run.checkpoints.has("tables:catalog_2.schema_1")).toBe(true);
  });

  it("reads tags for every kind the workspace serves, volumes, functions and models included", () => {
    const records = byKey(run.records);
    expect(records.get("table:catalog_0.schema_0.table_0")!.tags).toEqual(
      tagList(state.catalogs.get("catalog_0")!.schemas.get("schema_0")!.tables.get("table_0")!.tags),
    );
    for (const key of ["volume:catalog_0.schema_0.volume_0", "function:catalog_1.schema_1.function_0", "model:catalog_2.schema_0.model_0"])
      expect(records.get(key)!.tags, key).toEqual([{ key: "steward", value: "data-office" }]);
  });

  it("keeps per-object lookups bounded and concurrent", () => {
    const lookups = ws.requests.filter((r) => r.path.includes("/entity-tag-assignments/"));
    let most = 0;
    for (const r of lookups) most = Math.max(most, lookups.filter((o) => o.at <= r.at && o.at + (o.durationMs ?? 0) > r.at).length);
    expect(most).toBeLessThanOrEqual(4);
    expect(most).toBeGreaterThanOrEqual(2);
  });
});

describe("stream-catalog: scale and a stopped warehouse", () => {
  it("emits all 10,000 tables of one schema in seconds", async () => {
    const ws = await workspace({ state: layouts.hugeSchema() });
    const run = await streamCatalog(ws, {});
    expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);
    const tables = run.records.filter((r) => r.kind === "table");
    expect(tables).toHaveLength(10_000);
    expect(new Set(tables.map((t) => t.name)).size).toBe(10_000);
    expect(run.checkpoints.get("tables:big.huge")).toEqual({
      type: "checkpoint",
      stream: "catalog",
      container: "tables:big.huge",
      listing: "tables",
      parent: ["big", "huge"],
      items: 10_000,
      done: true,
    });
    expect(run.result).toMatchObject({ tables: 10_000, columns: 30_000, errors: 0 });
    expect(run.ms).toBeLessThan(30_000);
    // Tag assignments cost one request per table; the listing alone is a fraction of that.
    const untagged = await streamCatalog(ws, { tags: false });
    expect(untagged.result).toMatchObject({ tables: 10_000, errors: 0 });
    expect(untagged.records.every((r) => !("tags" in r) || r.tags === null)).toBe(true);
    expect(untagged.ms).toBeLessThan(15_000);
    console.log(`stream-catalog: 10,000 tables in ${run.ms} ms with a tags request each, ${untagged.ms} ms without tags`);
  });

  it("reports a stopped warehouse per table without failing the walk", async () => {
    const state = layouts.minimal();
    addTable(state, "main.schema_0", "table_1");
    const ws = await workspace({ state, warehouseState: "STOPPED" });
    const run = await streamCatalog(ws, { stats: { enabled: true, warehouseId: ws.warehouseId, pollIntervalSeconds: 0.02, concurrency: 1 } });
    expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);
    expect(run.errors.filter((e) => e.container.startsWith("stats")).map((e) => [e.kind, e.container, e.message])).toEqual([
      ["stats", "stats:main.schema_0.table_0", "Table statistics unavailable for main.schema_0.table_0: the SQL warehouse is STOPPED"],
      ["stats", "stats:main.schema_0.table_1", "Table statistics unavailable for main.schema_0.table_1: the SQL warehouse is STOPPED"],
    ]);
    // Once the warehouse is known to be stopped, no more statements are sent.
    expect(ws.statements.filter((s) => s.startsWith("DESCRIBE"))).toHaveLength(1);
    expect(run.checkpoints.has("tables:main.schema_0")).toBe(true);
    // Tags could not be read in bulk either: they were read object by object, and said so.
    expect(run.errors.filter((e) => e.container === "tags").map((e) => e.message)).toEqual([
      expect.stringMatching(/^Tags could not be read in bulk through the SQL warehouse .*; they were read object by object instead$/),
    ]);
    expect(run.records.find((r) => r.kind === "table")!.tags).toEqual([]);
  });
});
