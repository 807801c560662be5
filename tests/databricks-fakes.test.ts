import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { parse } from "yaml";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFaultProxy, type FaultProxy } from "./helpers/databricks/fault-proxy.ts";
import { closeServer, listenOnFreePort } from "./helpers/databricks/http.ts";
import { addSchema, addTable, dropTable, layouts, UNICODE_COMMENTS, updateTable, type WorkspaceState } from "./helpers/databricks/layout.ts";
import { makeGenieSpace, sampleEndpoints } from "./helpers/databricks/serving-genie.ts";
import {
  isUnityCatalogSpecPath,
  REPOSITORY_UNITY_CATALOG_SPEC_PATH,
  SHARED_UNITY_CATALOG_SPEC_PATH,
  validateUnityCatalogResponse,
} from "./helpers/databricks/openapi.ts";
import { runSdkProbe } from "./helpers/databricks/sdk-probe.ts";
import { startFakeWorkspace, type FakeWorkspace, type FakeWorkspaceOptions } from "./helpers/databricks/workspace.ts";

const UC = "/api/2.1/unity-catalog";

// biome-ignore lint/suspicious/noExplicitAny: the fakes' JSON answers are read loosely, as a client would.
type Json = Record<string, any>;

async function call(
  ws: FakeWorkspace,
  path: string,
  init: RequestInit & { token?: string | null } = {},
): Promise<{ status: number; headers: Headers; text: string; json: Json }> {
  const { token = ws.token, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  if (rest.body) headers.set("content-type", "application/json");
  const res = await fetch(`${ws.url}${path}`, { ...rest, headers });
  const text = await res.text();
  let json: Json = {};
  try {
    json = JSON.parse(text) as Json;
  } catch {
    // non-JSON bodies (HTML pages) are checked through `text`
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Follows next_page_token to the end (or `maxPages`), the way a careful client does. */
async function listAll(ws: FakeWorkspace, path: string, key: string, maxPages = 500): Promise<{ items: Json[]; pages: Json[] }> {
  const pages: Json[] = [];
  let token: string | undefined;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const res = await call(ws, `${path}${token ? `${sep}page_token=${encodeURIComponent(token)}` : ""}`);
    expect(res.status, res.text).toBe(200);
    pages.push(res.json);
    token = res.json.next_page_token || undefined;
  } while (token && pages.length < maxPages);
  return { items: pages.flatMap((p) => p[key] ?? []), pages };
}

const workspaces: FakeWorkspace[] = [];
async function workspace(options: FakeWorkspaceOptions = {}): Promise<FakeWorkspace> {
  const ws = await startFakeWorkspace(options);
  workspaces.push(ws);
  return ws;
}
afterEach(async () => {
  for (const ws of workspaces.splice(0)) {
    expect(ws.contractViolations, "the fake's own UC responses must match the spec").toEqual([]);
    await ws.stop();
  }
});

describe("fake workspace with the real databricks-sdk", () => {
  let ws: FakeWorkspace;
  let results: Json[];
  let state: WorkspaceState;

  beforeAll(async () => {
    state = layouts.everything();
    // A listing that fails with 500 (the SDK does not retry 500; 503 it retries for minutes).
    addSchema(state, "edge", "fails_500");
    for (const n of ["a", "b", "c"]) addTable(state, "edge.fails_500", n);
    state.quirks.push({ listing: "tables", parent: "edge.fails_500", kind: "fail", fromPage: 1, status: 500 });
    ws = await startFakeWorkspace({ state, pageSize: 2, sql: { pendingPolls: 2, runningPolls: 1 } });
    const problem = ["edge.repeating_token", "edge.fails_midway", "edge.fails_500"];
    results = await runSdkProbe<Json[]>(ws, [
      { check: "me" },
      { check: "bad_token", host: ws.url, token: "dapi-not-the-right-token" },
      { check: "walk", skip_schemas: problem },
      { check: "raw_pages", catalog: "catalog_0", schema: "schema_0", max_results: 2 },
      { check: "raw_pages", catalog: "edge", schema: "empty_page", max_results: 0 },
      { check: "list_limited", catalog: "edge", schema: "repeating_token", limit: 12 },
      { check: "list_limited", catalog: "edge", schema: "fails_500", limit: 100 },
      { check: "statement_polled", statement: "DESCRIBE DETAIL `catalog_0`.`schema_0`.`table_1`", warehouse_id: ws.warehouseId },
      { check: "statement_polled", statement: "DESCRIBE DETAIL edge.mixed.broken_detail", warehouse_id: ws.warehouseId },
      { check: "warehouse", warehouse_id: ws.warehouseId },
      { check: "tags", entity_type: "tables", entity_name: "catalog_0.schema_0.table_0" },
    ]);
  });
  afterAll(() => ws?.stop());

  it("current_user.me() answers the SCIM user; a wrong token raises the SDK's Unauthenticated", () => {
    expect(results[0]).toMatchObject({ user_name: "fake.user@example.com", id: state.user.id, groups: ["users", "data-engineers"] });
    expect(results[1]).toMatchObject({ type: "Unauthenticated", error_code: "UNAUTHENTICATED", is_databricks_error: true });
  });

  it("catalogs/schemas/tables/volumes/functions/models iterate the whole layout across 2-item pages", () => {
    const walk = results[2]!;
    expect(walk.error).toBeUndefined();
    expect(walk.catalogs).toEqual([...state.catalogs.keys()]);
    expect(walk.schemas).toEqual([...state.catalogs.values()].flatMap((c) => [...c.schemas.keys()].map((s) => `${c.name}.${s}`)));
    const expected = Object.fromEntries(
      [...state.catalogs.values()].flatMap((c) =>
        [...c.schemas.values()]
          .filter((s) => !["repeating_token", "fails_midway", "fails_500"].includes(s.name))
          .flatMap((s) => [...s.tables.values()].map((t) => [`${c.name}.${s.name}.${t.name}`, t.columns.length])),
      ),
    );
    expect(Object.fromEntries(Object.entries(walk.tables as Record<string, Json>).map(([k, v]) => [k, v.columns]))).toEqual(expected);
    expect(walk.tables["edge.wide.wide_500"].columns).toBe(500);
    expect(walk.tables["edge.unicode.orders_jp"].comment).toBe(UNICODE_COMMENTS.japanese);
    expect(walk.tables["edge.unicode.revenue_emoji"].comment).toBe(UNICODE_COMMENTS.emoji);
    expect(walk.volumes).toContain("catalog_2.schema_1.volume_0");
    expect(walk.functions["catalog_0.schema_0.function_0"]).toEqual(["x", "scale"]);
    expect(walk.model_versions["catalog_1.schema_0.model_0"]).toEqual([1, 2]);
    // Those listings went page by page (the SDK sends max_results=0, or nothing for volumes and
    // models, and the server size of 2 applies either way).
    const calls = (path: string, query: Json) =>
      ws.requests.filter((r) => r.path === `${UC}/${path}` && Object.entries(query).every(([k, v]) => r.query[k] === v));
    expect(calls("catalogs", { max_results: "0" })).toHaveLength(2);
    expect(calls("tables", { catalog_name: "catalog_0", schema_name: "schema_0", max_results: "0" })).toHaveLength(2);
    expect(calls("tables", { catalog_name: "edge", schema_name: "wide" })).toHaveLength(1);
    expect(calls("models", { catalog_name: "catalog_0", schema_name: "schema_0" })[0]!.query).not.toHaveProperty("max_results");
  });

  it("api_client.do returns next_page_token per page, absent on the last", () => {
    expect(results[3]).toEqual([
      { names: ["table_0", "table_1"], next_page_token: expect.any(String) },
      { names: ["table_2"], next_page_token: null },
    ]);
    const emptyPage = results[4] as Json[];
    expect(emptyPage.map((p) => p.names)).toEqual([["t_0", "t_1"], [], ["t_2", "t_3"], ["t_4"]]);
    expect(emptyPage[1]!.next_page_token).toEqual(expect.any(String));
  });

  it("the SDK follows a repeating token forever, and surfaces a 500 half way through a listing", () => {
    // Nothing in the SDK stops a token that never changes: callers must guard against it.
    expect(results[5]).toEqual({ names: ["t_0", "t_1", "t_2", "t_3", "t_2", "t_3", "t_2", "t_3", "t_2", "t_3", "t_2", "t_3"] });
    expect(results[6]).toMatchObject({ names: ["a", "b"], error: { type: "InternalError", error_code: "INTERNAL_ERROR" } });
  });

  it("statements go PENDING → RUNNING → SUCCEEDED with a DESCRIBE DETAIL row; failures answer 200 FAILED", () => {
    const ok = results[7]!;
    expect(ok.states).toEqual(["PENDING", "PENDING", "PENDING", "RUNNING", "SUCCEEDED"]);
    expect(ok.columns).toEqual([
      "format",
      "id",
      "name",
      "description",
      "location",
      "createdAt",
      "lastModified",
      "partitionColumns",
      "clusteringColumns",
      "numFiles",
      "sizeInBytes",
      "properties",
      "minReaderVersion",
      "minWriterVersion",
      "tableFeatures",
      "statistics",
    ]);
    const table = state.catalogs.get("catalog_0")!.schemas.get("schema_0")!.tables.get("table_1")!;
    const row = ok.rows[0] as string[];
    expect(row.slice(0, 3)).toEqual(["delta", table.table_id, "catalog_0.schema_0.table_1"]);
    expect(row[9]).toBe(String(table.detail.numFiles));
    expect(row[10]).toBe(String(table.detail.sizeInBytes));
    expect(JSON.parse(row[11]!)).toEqual(table.detail.properties);

    const failed = results[8]!;
    expect(failed.error).toMatchObject({ error_code: "BAD_REQUEST", message: expect.stringContaining("INSUFFICIENT_PERMISSIONS") });
    expect(failed.states.at(-1)).toBe("FAILED");
    expect(failed.sql_state).toBe("42501");
    const statementCalls = ws.requests.filter((r) => r.path.startsWith("/api/2.0/sql/statements"));
    expect(statementCalls.every((r) => r.status === 200)).toBe(true);
  });

  it("warehouses.get and entity tag assignments answer", () => {
    expect(results[9]).toEqual({ id: ws.warehouseId, state: "RUNNING", name: "Fake Serverless Warehouse" });
    expect(results[10]).toEqual([
      { key: "classification", value: "confidential" },
      { key: "cost-center", value: "cc-42" },
    ]);
  });

  it("every UC response of those runs validated against the OpenAPI spec", () => {
    const validated = ws.requests.filter((r) => isUnityCatalogSpecPath(r.method, r.path));
    expect(validated.length).toBeGreaterThan(60);
    expect(ws.contractViolations).toEqual([]);
  });
});

describe("fake workspace: Model Serving endpoints and Genie spaces, read by the real databricks-sdk", () => {
  it("answers in the published shapes, field for field, over Genie pages", async () => {
    const state = layouts.minimal();
    for (const e of [sampleEndpoints.agent(), sampleEndpoints.foundation(), sampleEndpoints.external()]) state.servingEndpoints.set(e.name, e);
    for (let i = 0; i < 5; i++) {
      const space = makeGenieSpace(`Space ${i}`, [`main.schema_0.t${i}`], { description: "Questions" });
      state.genieSpaces.set(space.space_id, space);
    }
    const ws = await startFakeWorkspace({ state });
    try {
      const [result] = await runSdkProbe<Json[]>(ws, [{ check: "serving_genie", page_size: 2 }]);
      expect(result!.error).toBeUndefined();
      // Every answer parsed into the SDK's dataclasses and back without losing or changing a field.
      expect(result!.mismatches).toEqual([]);
      expect(result!.endpoints).toEqual(["support-agent", "databricks-meta-llama-3-3-70b-instruct", "openai-gpt"]);
      expect(result!.served["support-agent"]).toEqual(["support_agent-3"]);
      expect(result!.pages).toBe(3);
      expect(result!.spaces).toEqual(["Space 0", "Space 1", "Space 2", "Space 3", "Space 4"]);
      expect(result!.tables["Space 3"]).toEqual(["main.schema_0.t3"]);
    } finally {
      await ws.stop();
    }
  });

  it("refuses a page_size over 100, and a view-only space's export with 403", async () => {
    const state = layouts.minimal();
    const space = makeGenieSpace("Locked", ["main.schema_0.table_0"], { viewOnly: true });
    state.genieSpaces.set(space.space_id, space);
    const ws = await startFakeWorkspace({ state });
    try {
      expect(await call(ws, "/api/2.0/genie/spaces?page_size=101")).toMatchObject({ status: 400, json: { error_code: "INVALID_PARAMETER_VALUE" } });
      expect((await call(ws, `/api/2.0/genie/spaces/${space.space_id}`)).json).not.toHaveProperty("serialized_space");
      expect(await call(ws, `/api/2.0/genie/spaces/${space.space_id}?include_serialized_space=true`)).toMatchObject({
        status: 403,
        json: { error_code: "PERMISSION_DENIED" },
      });
      expect(await call(ws, "/api/2.0/serving-endpoints/nope")).toMatchObject({ status: 404, json: { error_code: "RESOURCE_DOES_NOT_EXIST" } });
    } finally {
      await ws.stop();
    }
  });
});

describe("fake workspace: auth", () => {
  it("refuses a missing or wrong token with 401 UNAUTHENTICATED, or the legacy 403 shape", async () => {
    const ws = await workspace();
    expect(ws.token).toMatch(/^dapi[0-9a-f]{32}$/);
    const missing = await call(ws, `${UC}/catalogs`, { token: null });
    expect(missing.status).toBe(401);
    expect(missing.json).toMatchObject({
      error_code: "UNAUTHENTICATED",
      message: expect.any(String),
      details: [{ "@type": "type.googleapis.com/google.rpc.RequestInfo" }],
    });
    expect((await call(ws, `${UC}/catalogs`, { token: "wrong" })).status).toBe(401);

    const legacy = await workspace({ invalidToken: "legacy-403" });
    const refused = await call(legacy, "/api/2.0/preview/scim/v2/Me", { token: "wrong" });
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({ error_code: 403, message: "Invalid access token." });
  });

  it("answers 403 PERMISSION_DENIED where a denial rule says so", async () => {
    const ws = await workspace();
    ws.state.denials.push({ path: /\/schemas$/, message: "User does not have USE CATALOG on Catalog 'catalog_1'." });
    const res = await call(ws, `${UC}/schemas?catalog_name=catalog_1`);
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ error_code: "PERMISSION_DENIED", message: expect.stringContaining("USE CATALOG") });
  });
});

describe("fake workspace: Unity Catalog listings", () => {
  it("pages per the spec: min(max_results, server size), 0 means server size, negative is invalid", async () => {
    const ws = await workspace({ pageSize: 2 });
    expect((await call(ws, `${UC}/catalogs?max_results=1`)).json.catalogs).toHaveLength(1);
    expect((await call(ws, `${UC}/catalogs?max_results=0`)).json.catalogs).toHaveLength(2);
    expect((await call(ws, `${UC}/catalogs?max_results=500`)).json.catalogs).toHaveLength(2);
    const negative = await call(ws, `${UC}/catalogs?max_results=-1`);
    expect(negative.status).toBe(400);
    expect(negative.json.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect((await call(ws, `${UC}/catalogs?page_token=garbage`)).status).toBe(400);

    const { items, pages } = await listAll(ws, `${UC}/catalogs?max_results=0`, "catalogs");
    expect(items.map((c) => c.name)).toEqual(["catalog_0", "catalog_1", "catalog_2"]);
    expect(pages.at(-1)).not.toHaveProperty("next_page_token");

    ws.paging.lastPageToken = "empty";
    ws.paging.whenMaxResultsOmitted = "all";
    const all = await call(ws, `${UC}/catalogs`);
    expect(all.json).toEqual({ catalogs: expect.any(Array), next_page_token: "" });
    expect(all.json.catalogs).toHaveLength(3);
  });

  it("gets single entities and answers 404 with Databricks error codes", async () => {
    const ws = await workspace();
    expect((await call(ws, `${UC}/catalogs/catalog_1`)).json).toMatchObject({ name: "catalog_1", full_name: "catalog_1" });
    expect((await call(ws, `${UC}/schemas/catalog_1.schema_0`)).json).toMatchObject({ full_name: "catalog_1.schema_0", catalog_name: "catalog_1" });
    const table = await call(ws, `${UC}/tables/catalog_1.schema_0.table_2`);
    expect(table.json).toMatchObject({ full_name: "catalog_1.schema_0.table_2", table_type: "MANAGED", data_source_format: "DELTA" });
    expect(table.json.columns.map((c: Json) => c.position)).toEqual([0, 1, 2, 3]);
    expect((await call(ws, `${UC}/tables/catalog_1.schema_0.nope`)).json.error_code).toBe("TABLE_DOES_NOT_EXIST");
    expect((await call(ws, `${UC}/schemas?catalog_name=nope`)).json.error_code).toBe("CATALOG_DOES_NOT_EXIST");
    expect((await call(ws, `${UC}/tables?catalog_name=catalog_0`)).status).toBe(400);
    const omitted = await call(ws, `${UC}/tables?catalog_name=catalog_0&schema_name=schema_0&omit_columns=true&omit_username=true`);
    expect(omitted.json.tables[0]).not.toHaveProperty("columns");
    expect(omitted.json.tables[0]).not.toHaveProperty("owner");
    expect((await call(ws, `${UC}/models`)).json.registered_models).toHaveLength(6);
  });

  it("an empty page still carries a next_page_token", async () => {
    const ws = await workspace({ state: layouts.edgeCases(), pageSize: 2 });
    const { pages } = await listAll(ws, `${UC}/tables?catalog_name=edge&schema_name=empty_page`, "tables");
    expect(pages.map((p) => (p.tables as Json[]).length)).toEqual([2, 0, 2, 1]);
    expect(pages[1]).toEqual({ tables: [], next_page_token: expect.any(String) });
    // With a page size that fits everything, the empty page still comes (page 1 exists regardless).
    ws.paging.pageSize = 50;
    const { pages: big } = await listAll(ws, `${UC}/tables?catalog_name=edge&schema_name=empty_page`, "tables");
    expect(big.map((p) => (p.tables as Json[]).length)).toEqual([5, 0, 0]);
  });

  it("a repeating token comes back unchanged forever", async () => {
    const ws = await workspace({ state: layouts.edgeCases(), pageSize: 2 });
    const base = `${UC}/tables?catalog_name=edge&schema_name=repeating_token`;
    const first = await call(ws, base);
    const second = await call(ws, `${base}&page_token=${first.json.next_page_token}`);
    const third = await call(ws, `${base}&page_token=${second.json.next_page_token}`);
    // Page 1 answers with the very token it was asked with, and so on forever.
    expect(second.json.next_page_token).toBe(first.json.next_page_token);
    expect(third.json.next_page_token).toBe(first.json.next_page_token);
    expect(second.json.tables.map((t: Json) => t.name)).toEqual(["t_2", "t_3"]);
    expect(third.json.tables).toEqual(second.json.tables);
    // The request log lets a test prove how often a client went past the repeat.
    expect(ws.requests.filter((r) => r.query.page_token === first.json.next_page_token)).toHaveLength(2);
  });

  it("a listing fails half way: first page OK, then 503 (or 500), and `times` lets a retry through", async () => {
    const ws = await workspace({ state: layouts.edgeCases(), pageSize: 2 });
    const base = `${UC}/tables?catalog_name=edge&schema_name=fails_midway`;
    const first = await call(ws, base);
    expect(first.status).toBe(200);
    const second = await call(ws, `${base}&page_token=${first.json.next_page_token}`);
    expect(second.status).toBe(503);
    expect(second.json.error_code).toBe("TEMPORARILY_UNAVAILABLE");

    ws.state.quirks.push({ listing: "schemas", parent: "edge", kind: "fail", fromPage: 1, status: 500, times: 1, retryAfterSeconds: 2 });
    const s1 = await call(ws, `${UC}/schemas?catalog_name=edge`);
    const s2 = await call(ws, `${UC}/schemas?catalog_name=edge&page_token=${s1.json.next_page_token}`);
    expect([s2.status, s2.json.error_code]).toEqual([500, "INTERNAL_ERROR"]);
    const retried = await call(ws, `${UC}/schemas?catalog_name=edge&page_token=${s1.json.next_page_token}`);
    expect(retried.status).toBe(200);
  });

  it("serves a 500-column table and non-ASCII comments byte for byte", async () => {
    const ws = await workspace({ state: layouts.edgeCases() });
    const wide = await call(ws, `${UC}/tables/edge.wide.wide_500`);
    expect(wide.json.columns).toHaveLength(500);
    expect(wide.json.columns.filter((c: Json) => c.partition_index === 0).map((c: Json) => c.name)).toEqual(["col_005"]);
    const tables = (await call(ws, `${UC}/tables?catalog_name=edge&schema_name=unicode`)).json.tables as Json[];
    expect(tables.map((t) => t.comment)).toEqual([
      UNICODE_COMMENTS.japanese,
      UNICODE_COMMENTS.emoji,
      `${UNICODE_COMMENTS.hebrew} / ${UNICODE_COMMENTS.arabic}`,
      UNICODE_COMMENTS.mixed,
    ]);
    expect(tables[0]!.columns.map((c: Json) => c.comment)).toEqual([UNICODE_COMMENTS.japanese, UNICODE_COMMENTS.emoji, UNICODE_COMMENTS.hebrew]);
    const tags = await call(ws, `${UC}/entity-tag-assignments/tables/${encodeURIComponent("edge.unicode.orders_jp")}/tags`);
    expect(tags.json.tag_assignments).toEqual([{ entity_type: "tables", entity_name: "edge.unicode.orders_jp", tag_key: "データ分類", tag_value: "機密" }]);
  });

  it("builds and lists a 10,000-table schema quickly", async () => {
    const started = Date.now();
    const state = layouts.hugeSchema();
    const built = Date.now() - started;
    const ws = await workspace({ state, pageSize: 50 });
    const { items, pages } = await listAll(ws, `${UC}/tables?catalog_name=big&schema_name=huge&max_results=50`, "tables");
    expect(items).toHaveLength(10_000);
    expect(new Set(items.map((t) => t.name)).size).toBe(10_000);
    expect(pages).toHaveLength(200);
    expect(built).toBeLessThan(1_000);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("reflects tables added, changed and dropped between two syncs", async () => {
    const ws = await workspace({ pageSize: 2 });
    const list = async () => (await listAll(ws, `${UC}/tables?catalog_name=catalog_0&schema_name=schema_0`, "tables")).items;
    const before = await list();
    addTable(ws.state, "catalog_0.schema_0", "new_table", { comment: "added between syncs" });
    updateTable(ws.state, "catalog_0.schema_0.table_0", { comment: "changed" });
    dropTable(ws.state, "catalog_0.schema_0.table_1");
    const after = await list();
    expect(before.map((t) => t.name)).toEqual(["table_0", "table_1", "table_2"]);
    expect(after.map((t) => t.name)).toEqual(["table_0", "table_2", "new_table"]);
    expect(after[0]).toMatchObject({ comment: "changed" });
    expect(after[0]!.updated_at).toBeGreaterThan(before[0]!.updated_at);
  });

  it("a deletion between two pages neither skips nor repeats the rest", async () => {
    const ws = await workspace({ pageSize: 2 });
    const base = `${UC}/schemas?catalog_name=catalog_0`;
    addSchema(ws.state, "catalog_0", "schema_2");
    addSchema(ws.state, "catalog_0", "schema_3");
    const first = await call(ws, base);
    ws.state.catalogs.get("catalog_0")!.schemas.delete("schema_0");
    const second = await call(ws, `${base}&page_token=${first.json.next_page_token}`);
    expect([...first.json.schemas, ...second.json.schemas].map((s: Json) => s.name)).toEqual(["schema_0", "schema_1", "schema_2", "schema_3"]);
  });
});

describe("OpenAPI validation", () => {
  it("accepts the fake's bodies and catches broken ones", async () => {
    const ws = await workspace();
    const table = (await call(ws, `${UC}/tables/catalog_0.schema_0.table_0`)).json;
    expect(validateUnityCatalogResponse("GET", `${UC}/tables/catalog_0.schema_0.table_0`, 200, table)).toEqual([]);

    const wrongType = { ...table, created_at: "yesterday" };
    expect(validateUnityCatalogResponse("GET", `${UC}/tables/x.y.z`, 200, wrongType)).toEqual([expect.stringContaining("/created_at must be integer")]);
    const badEnum = { tables: [{ ...table, columns: [{ ...table.columns[0], type_name: "VARCHAR" }] }] };
    expect(validateUnityCatalogResponse("GET", `${UC}/tables?catalog_name=a&schema_name=b`, 200, badEnum).join()).toContain(
      "/tables/0/columns/0/type_name must be equal to one of the allowed values",
    );
    // Strict: a field that is neither in the spec nor a known Databricks extra is drift.
    const invented = { ...table, row_count: 12 };
    expect(validateUnityCatalogResponse("GET", `${UC}/tables/x.y.z`, 200, invented)).toEqual([
      expect.stringContaining("must NOT have additional properties 'row_count'"),
    ]);
    expect(validateUnityCatalogResponse("GET", `${UC}/tables/x.y.z`, 200, invented, { strict: false })).toEqual([]);
    // Databricks-only fields the SDK knows are allowed.
    expect(validateUnityCatalogResponse("GET", `${UC}/tables/x.y.z`, 200, { ...table, pipeline_id: "p" })).toEqual([]);
    const badInput = { functions: [{ name: "f", input_params: { parameters: [{ name: "x" }] } }] };
    expect(validateUnityCatalogResponse("GET", `${UC}/functions`, 200, badInput).join()).toContain("must have required property 'type_text'");
    expect(validateUnityCatalogResponse("GET", `${UC}/catalogs`, 404, { message: "no code" })).toEqual([
      expect.stringContaining("must have required property 'error_code'"),
    ]);
    expect(validateUnityCatalogResponse("GET", `${UC}/nonsense`, 200, {})).toEqual([expect.stringContaining("no operation")]);
  });

  it("makes the fake answer 500 FAKE_CONTRACT_VIOLATION when its own output drifts", async () => {
    const ws = await startFakeWorkspace();
    try {
      // A column type the spec does not know, smuggled into the state.
      ws.state.catalogs.get("catalog_0")!.schemas.get("schema_0")!.tables.get("table_0")!.columns[0]!.type_name = "VARCHAR" as never;
      const original = console.error;
      console.error = () => {};
      const res = await call(ws, `${UC}/tables/catalog_0.schema_0.table_0`).finally(() => {
        console.error = original;
      });
      expect(res.status).toBe(500);
      expect(res.json.error_code).toBe("FAKE_CONTRACT_VIOLATION");
      expect(ws.contractViolations).toEqual([expect.stringContaining("/columns/0/type_name")]);
    } finally {
      await ws.stop();
    }
  });
});

describe("fake workspace: SQL", () => {
  const detail = (ws: FakeWorkspace, body: Json) =>
    call(ws, "/api/2.0/sql/statements", {
      method: "POST",
      body: JSON.stringify({ warehouse_id: ws.warehouseId, statement: "DESCRIBE DETAIL catalog_0.schema_0.table_0", ...body }),
    });

  it("answers synchronously within wait_timeout, with manifest and data_array", async () => {
    const ws = await workspace();
    const res = await detail(ws, { wait_timeout: "10s", statement: "describe detail `catalog_0`.schema_0.`table_0`;" });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      status: { state: "SUCCEEDED" },
      manifest: { format: "JSON_ARRAY", schema: { column_count: 16 }, total_row_count: 1, total_chunk_count: 1, truncated: false },
      result: { chunk_index: 0, row_offset: 0, row_count: 1 },
    });
    expect(res.json.manifest.schema.columns[9]).toEqual({ name: "numFiles", type_name: "LONG", type_text: "BIGINT", position: 9 });
    const chunk = await call(ws, `/api/2.0/sql/statements/${res.json.statement_id}/result/chunks/0`);
    expect(chunk.json.data_array).toEqual(res.json.result.data_array);
  });

  it("fails the documented ways: 200 FAILED for execution errors, non-200 for refused requests", async () => {
    const ws = await workspace({ state: layouts.edgeCases() });
    const missing = await detail(ws, { statement: "DESCRIBE DETAIL edge.wide.nope" });
    expect(missing.status).toBe(200);
    expect(missing.json.status).toMatchObject({
      state: "FAILED",
      error: { error_code: "BAD_REQUEST", message: expect.stringContaining("TABLE_OR_VIEW_NOT_FOUND") },
      sql_state: "42P01",
    });
    expect((await detail(ws, { statement: "DESCRIBE DETAIL edge.mixed.a_view" })).json.status.state).toBe("FAILED");
    expect((await detail(ws, { statement: "DESCRIBE DETAIL edge.mixed.external_csv" })).json.result.data_array[0][0]).toBe("csv");
    expect((await detail(ws, { wait_timeout: "3s" })).json.error_code).toBe("INVALID_PARAMETER_VALUE");
    expect((await detail(ws, { format: "CSV" })).status).toBe(400);
    expect((await call(ws, "/api/2.0/sql/statements", { method: "POST", body: JSON.stringify({ warehouse_id: "nope", statement: "SELECT 1" }) })).status).toBe(
      404,
    );
    expect((await call(ws, "/api/2.0/sql/statements/unknown")).status).toBe(404);
  });

  it("a STOPPED warehouse fails statements; a STARTING one holds them PENDING until it runs", async () => {
    const stopped = await workspace({ warehouseState: "STOPPED" });
    const refused = await detail(stopped, {});
    expect(refused.status).toBe(200);
    expect(refused.json.status).toMatchObject({ state: "FAILED", error: { message: expect.stringContaining("STOPPED") } });
    expect((await call(stopped, `/api/2.0/sql/warehouses/${stopped.warehouseId}`)).json.state).toBe("STOPPED");

    const starting = await workspace({ warehouseState: "STARTING" });
    const submitted = await detail(starting, { wait_timeout: "0s" });
    expect(submitted.json.status.state).toBe("PENDING");
    const poll = () => call(starting, `/api/2.0/sql/statements/${submitted.json.statement_id}`);
    expect([(await poll()).json.status.state, (await poll()).json.status.state, (await poll()).json.status.state]).toEqual(["PENDING", "PENDING", "SUCCEEDED"]);
    expect((await call(starting, `/api/2.0/sql/warehouses/${starting.warehouseId}`)).json).toMatchObject({ state: "RUNNING", health: { status: "HEALTHY" } });
  });

  it("cancels, honours on_wait_timeout=CANCEL, and really waits for wall-clock execution", async () => {
    const ws = await workspace({ sql: { pendingPolls: 5 } });
    const pending = await detail(ws, { wait_timeout: "0s" });
    expect((await call(ws, `/api/2.0/sql/statements/${pending.json.statement_id}/cancel`, { method: "POST" })).json).toEqual({});
    expect((await call(ws, `/api/2.0/sql/statements/${pending.json.statement_id}`)).json.status.state).toBe("CANCELED");
    expect((await detail(ws, { wait_timeout: "5s", on_wait_timeout: "CANCEL" })).json.status.state).toBe("CANCELED");
    expect((await detail(ws, { wait_timeout: "5s" })).json.status.state).toBe("PENDING");

    ws.state.sql.pendingPolls = 0;
    ws.state.sql.executionMs = 300;
    const started = Date.now();
    const waited = await detail(ws, { wait_timeout: "5s" });
    expect(waited.json.status.state).toBe("SUCCEEDED");
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it("serves EXTERNAL_LINKS chunks the way cloud storage does: only without the Databricks token", async () => {
    const ws = await workspace();
    const res = await detail(ws, { disposition: "EXTERNAL_LINKS", format: "CSV" });
    const link = res.json.result.external_links[0].external_link as string;
    const plain = await fetch(link);
    expect(plain.status).toBe(200);
    expect((await plain.text()).split("\n")[0]).toBe(
      "format,id,name,description,location,createdAt,lastModified,partitionColumns,clusteringColumns,numFiles,sizeInBytes,properties,minReaderVersion,minWriterVersion,tableFeatures,statistics",
    );
    expect((await fetch(link, { headers: { authorization: `Bearer ${ws.token}` } })).status).toBe(400);
  });

  it("runs custom statements through state.sql.handlers", async () => {
    const ws = await workspace();
    ws.state.sql.handlers.push((sql) =>
      /information_schema\.table_tags/i.test(sql) ? { columns: [{ name: "tag_name", type_name: "STRING", type_text: "STRING" }], rows: [["pii"]] } : undefined,
    );
    const res = await detail(ws, { statement: "SELECT tag_name FROM system.information_schema.table_tags" });
    expect(res.json.result.data_array).toEqual([["pii"]]);
  });
});

describe("fake workspace: faults and latency", () => {
  it("injects statuses with default bodies, Retry-After, times and skip", async () => {
    const ws = await workspace();
    ws.setFault({ path: `${UC}/catalogs`, status: 429, retryAfterSeconds: 7, times: 1 });
    const limited = await call(ws, `${UC}/catalogs`);
    expect([limited.status, limited.headers.get("retry-after"), limited.json.error_code]).toEqual([429, "7", "REQUEST_LIMIT_EXCEEDED"]);
    expect((await call(ws, `${UC}/catalogs`)).status).toBe(200);

    ws.setFault({ path: /\/tables\//, status: 404 });
    const html = await call(ws, `${UC}/tables/catalog_0.schema_0.table_0`);
    expect(html.status).toBe(404);
    expect(html.headers.get("content-type")).toContain("text/html");
    expect(html.text).toContain("HTTP ERROR 404");

    ws.setFault({ path: "/api/2.0/preview/scim/v2/Me", method: "GET", status: 503, skip: 1, times: 1 });
    expect((await call(ws, "/api/2.0/preview/scim/v2/Me")).status).toBe(200);
    expect((await call(ws, "/api/2.0/preview/scim/v2/Me")).json.error_code).toBe("TEMPORARILY_UNAVAILABLE");
    expect((await call(ws, "/api/2.0/preview/scim/v2/Me")).status).toBe(200);

    const custom = ws.setFault({ path: /schemas/, status: 401, body: { error_code: "UNAUTHENTICATED", message: "Token expired" } });
    expect((await call(ws, `${UC}/schemas?catalog_name=catalog_0`)).json.message).toBe("Token expired");
    expect(custom.hits).toBe(1);
    ws.clearFaults();
    expect((await call(ws, `${UC}/tables/catalog_0.schema_0.table_0`)).status).toBe(200);
    expect(ws.requests.filter((r) => r.status === 404)).toHaveLength(1);
  });

  it("delays, hangs and drops requests", async () => {
    const ws = await workspace();
    ws.setFault({ path: "/api/2.0/preview/scim/v2/Me", delayMs: 150, times: 1 });
    let started = Date.now();
    expect((await call(ws, "/api/2.0/preview/scim/v2/Me")).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);

    ws.setFault({ path: `${UC}/catalogs`, hang: true, times: 1 });
    started = Date.now();
    await expect(call(ws, `${UC}/catalogs`, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2_000);

    ws.setFault({ path: `${UC}/catalogs`, drop: true, times: 1 });
    await expect(call(ws, `${UC}/catalogs`)).rejects.toThrow(/fetch failed/);
    expect((await call(ws, `${UC}/catalogs`)).status).toBe(200);
  });

  it("adds a fixed latency to every request", async () => {
    const ws = await workspace({ latencyMs: 100 });
    const started = Date.now();
    await call(ws, `${UC}/catalogs`);
    await call(ws, "/api/2.0/preview/scim/v2/Me");
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });
});

describe("fault proxy", () => {
  let upstream: Server;
  let upstreamUrl: string;
  let proxy: FaultProxy;
  const megabyte = Buffer.alloc(1024 * 1024, "x");

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      if (req.url === "/big") {
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": megabyte.length });
        return res.end(megabyte);
      }
      if (req.url === "/stream") {
        // Chunked, no content-length: the proxy must stream it through unchanged.
        res.writeHead(200, { "content-type": "text/plain" });
        let n = 0;
        const tick = setInterval(() => {
          res.write(`chunk ${n}\n`);
          if (++n === 5) {
            clearInterval(tick);
            res.end();
          }
        }, 5);
        return;
      }
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = JSON.stringify({
          method: req.method,
          url: req.url,
          host: req.headers.host,
          auth: req.headers.authorization ?? null,
          body: Buffer.concat(chunks).toString(),
        });
        res.writeHead(201, { "content-type": "application/json", "x-upstream": "yes", "set-cookie": ["a=1", "b=2"] });
        res.end(body);
      });
    });
    upstreamUrl = await listenOnFreePort(upstream);
    proxy = await startFaultProxy({ target: upstreamUrl });
  });
  afterEach(() => {
    proxy.clearFaults();
    proxy.latencyMs = 0;
  });
  afterAll(async () => {
    await proxy?.stop();
    await closeServer(upstream);
  });

  it("passes requests, bodies and headers through both ways", async () => {
    const res = await fetch(`${proxy.url}/api/2.0/mlflow/runs/create?x=1`, {
      method: "POST",
      headers: { authorization: "Bearer t", "content-type": "application/json" },
      body: '{"name":"r"}',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-upstream")).toBe("yes");
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await res.json()).toEqual({
      method: "POST",
      url: "/api/2.0/mlflow/runs/create?x=1",
      host: new URL(upstreamUrl).host,
      auth: "Bearer t",
      body: '{"name":"r"}',
    });
    expect(await (await fetch(`${proxy.url}/stream`)).text()).toBe("chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n");
    expect(proxy.requests.at(-1)).toMatchObject({ method: "GET", path: "/stream", status: 200 });
  });

  it("injects 429 with Retry-After and 503, then recovers", async () => {
    proxy.setFault({ path: /\/mlflow\/traces/, status: 429, retryAfterSeconds: 3, times: 1 });
    proxy.setFault({ path: /\/mlflow\/traces/, status: 503, times: 1 });
    const first = await fetch(`${proxy.url}/api/2.0/mlflow/traces?max_results=10`);
    expect([first.status, first.headers.get("retry-after")]).toEqual([429, "3"]);
    expect(((await first.json()) as Json).error_code).toBe("REQUEST_LIMIT_EXCEEDED");
    const second = await fetch(`${proxy.url}/api/2.0/mlflow/traces?max_results=10`);
    expect(second.status).toBe(503);
    await second.body?.cancel();
    expect((await fetch(`${proxy.url}/api/2.0/mlflow/traces?max_results=10`)).status).toBe(201);
    expect(proxy.requests.slice(-3).map((r) => [r.status, r.query.max_results])).toEqual([
      [429, "10"],
      [503, "10"],
      [201, "10"],
    ]);
  });

  it("hangs, drops, and cuts a response mid-body", async () => {
    proxy.setFault({ path: "/hang", hang: true });
    await expect(fetch(`${proxy.url}/hang`, { signal: AbortSignal.timeout(150) })).rejects.toThrow();
    proxy.setFault({ path: "/drop", drop: true });
    await expect(fetch(`${proxy.url}/drop`)).rejects.toThrow(/fetch failed/);
    proxy.setFault({ path: "/big", truncateAfterBytes: 1000, times: 1 });
    const cut = await fetch(`${proxy.url}/big`);
    expect(cut.headers.get("content-length")).toBe(String(megabyte.length));
    await expect(cut.arrayBuffer()).rejects.toThrow();
    expect((await (await fetch(`${proxy.url}/big`)).arrayBuffer()).byteLength).toBe(megabyte.length);
  });

  it("adds its fixed latency, and little else on a 1 MB response", async () => {
    const time = async (url: string) => {
      const started = performance.now();
      const body = await (await fetch(url)).arrayBuffer();
      expect(body.byteLength).toBe(megabyte.length);
      return performance.now() - started;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    for (let i = 0; i < 10; i++) await Promise.all([time(`${upstreamUrl}/big`), time(`${proxy.url}/big`)]);
    const direct: number[] = [];
    const proxied: number[] = [];
    for (let i = 0; i < 40; i++) {
      direct.push(await time(`${upstreamUrl}/big`));
      proxied.push(await time(`${proxy.url}/big`));
    }
    const overhead = median(proxied) - median(direct);
    console.info(
      `fault proxy, 1 MB response: direct median ${median(direct).toFixed(2)} ms, proxied ${median(proxied).toFixed(2)} ms, overhead ${overhead.toFixed(2)} ms`,
    );
    expect(overhead).toBeLessThan(25);

    proxy.latencyMs = 100;
    const slowed = await time(`${proxy.url}/big`);
    expect(slowed).toBeGreaterThanOrEqual(100);
    expect(slowed).toBeLessThan(100 + median(proxied) + 100);
  });
});

describe("the Unity Catalog contract the fakes are checked against", () => {
  it("is kept in the repository, and is the workplace's reference file when the repository sits beside it", () => {
    const ours = readFileSync(REPOSITORY_UNITY_CATALOG_SPEC_PATH, "utf8");
    const spec = parse(ours) as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(["/catalogs", "/schemas", "/tables", "/volumes", "/functions", "/models"]));
    // A clone elsewhere has only its own copy; beside the workplace, the two must not drift apart.
    if (existsSync(SHARED_UNITY_CATALOG_SPEC_PATH)) expect(ours).toBe(readFileSync(SHARED_UNITY_CATALOG_SPEC_PATH, "utf8"));
  });
});
