import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropTable, findSchema, layouts, startFakeWorkspace, type FakeWorkspace } from "../helpers/databricks/index.ts";
import { registry } from "@langguard/service-runtime";
import { createIntegration, startFleet, syncAndWait, type Fleet, type SyncRunView } from "../helpers/fleet.ts";
import { metricValue } from "../helpers/prometheus.ts";

const catalogSync = (fleet: Fleet, id: string) => syncAndWait(fleet, id, { type: "catalog" }, 180_000);

describe("catalog sync: Unity Catalog → Data Catalog", () => {
  let fleet: Fleet;
  let workspace: FakeWorkspace;
  beforeAll(async () => {
    fleet = await startFleet({ worker: false });
    fleet.startCatalogWorker();
    workspace = await startFakeWorkspace({ state: layouts.multiCatalog(), pageSize: 2 });
  });
  afterAll(async () => {
    await fleet?.close();
    await workspace?.stop();
  });

  const integration = (extra: Record<string, unknown> = {}) =>
    createIntegration(fleet, {
      source: "databricks",
      host: workspace.url,
      token: workspace.token,
      warehouseId: workspace.warehouseId,
      syncCatalog: true,
      syncTraces: false,
      ...extra,
    });
  const entities = async (id: string, query = "") =>
    (await fleet.inject({ method: "GET", url: `/api/catalog/entities?integrationId=${id}&limit=200&count=true${query}` })).json();

  it("stores the whole hierarchy with every field, over pages of two, with table statistics", async () => {
    const { id } = await integration();
    const run = await catalogSync(fleet, id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    const byKind = async (kind: string) => (await entities(id, `&kind=${kind}`)).total;
    expect(await byKind("catalog")).toBe(3);
    expect(await byKind("schema")).toBe(6);
    expect(await byKind("table")).toBe(18);
    expect(await byKind("volume")).toBe(6);
    expect(await byKind("function")).toBe(6);
    expect(await byKind("model")).toBe(6);

    const table = (await entities(id, "&kind=table&q=table_0")).items.find((t: { fullName: string }) => t.fullName === "catalog_0.schema_0.table_0");
    expect(table).toMatchObject({
      catalogName: "catalog_0",
      schemaName: "schema_0",
      owner: expect.any(String),
      details: { tableType: "MANAGED", dataSourceFormat: "DELTA" },
    });
    expect(table.tags).toEqual(expect.arrayContaining([expect.objectContaining({ key: "classification" })]));
    const detail = (await fleet.inject({ method: "GET", url: `/api/catalog/tables/${table.id}` })).json();
    expect(detail.columns).toHaveLength(4);
    expect(detail.columns[0]).toMatchObject({
      name: expect.any(String),
      position: 0,
      typeText: expect.any(String),
      typeName: expect.any(String),
      nullable: expect.any(Boolean),
    });
    expect(detail.stats).toMatchObject({ numFiles: expect.anything(), sizeInBytes: expect.anything() });
    const fn = (await entities(id, "&kind=function")).items[0];
    expect(fn.details.parameters.length).toBeGreaterThan(0);
    const model = (await entities(id, "&kind=model")).items[0];
    expect(model.details.versions).toHaveLength(2);

    // Browsing level by level, and search across levels.
    expect((await entities(id, "&parent=catalog_1")).items.map((s: { fullName: string }) => s.fullName)).toEqual(["catalog_1.schema_0", "catalog_1.schema_1"]);
    expect((await entities(id, "&kind=table&parent=catalog_1.schema_1")).total).toBe(3);
    expect((await entities(id, "&q=TABLE_2")).items.every((e: { name: string }) => e.name.includes("table_2"))).toBe(true);

    // Functions and registered models are what governance approves.
    const tools = (await fleet.inject({ method: "GET", url: "/api/entities?kind=tool&limit=200" })).json();
    expect(tools.items.map((t: { name: string }) => t.name)).toContain(fn.fullName);
    const models = (await fleet.inject({ method: "GET", url: "/api/entities?kind=model&limit=200" })).json();
    expect(models.items.map((t: { name: string }) => t.name)).toContain(model.fullName);
  });

  it("writes nothing on a re-sync with no change, marks a vanished table deleted and restores it when it returns", async () => {
    const { id } = await integration();
    // The worker's /metrics counts what each sync stored (the worker runs in this process).
    const synced = async (outcome: string) => metricValue(await registry.metrics(), "langguard_items_synced_total", { kind: "catalog_entity", outcome });
    const [inserted, unchanged] = [await synced("inserted"), await synced("unchanged")];
    const first = await catalogSync(fleet, id);
    expect(first.status).toBe("succeeded");
    expect((await synced("inserted")) - inserted).toBe(first.itemsIngested);
    const again = await catalogSync(fleet, id);
    expect(again).toMatchObject({ status: "succeeded", itemsIngested: 0, itemsUpdated: 0 });
    expect(await synced("inserted")).toBe(inserted + first.itemsIngested);
    expect((await synced("unchanged")) - unchanged).toBe(first.itemsIngested);

    const schema = findSchema(workspace.state, "catalog_2.schema_1")!;
    const saved = schema.tables.get("table_1")!;
    dropTable(workspace.state, "catalog_2.schema_1.table_1");
    expect((await catalogSync(fleet, id)).status).toBe("succeeded");
    const gone = (await entities(id, "&deleted=true")).items;
    expect(gone.map((e: { fullName: string }) => e.fullName)).toEqual(["catalog_2.schema_1.table_1"]);
    expect(gone[0].deletedAt).toEqual(expect.any(String));

    schema.tables.set("table_1", saved);
    expect((await catalogSync(fleet, id)).status).toBe("succeeded");
    expect((await entities(id, "&deleted=true")).total).toBe(0);
  });

  it("holds back a mass deletion with the fail-safe, and says why", async () => {
    const { id } = await integration();
    expect((await catalogSync(fleet, id)).status).toBe("succeeded");
    // Every table, volume, function and model gone at once: 36 of the 45 objects, 80%.
    const saved = [...workspace.state.catalogs.values()].flatMap((catalog) =>
      [...catalog.schemas.values()].map((schema) => ({
        schema,
        tables: new Map(schema.tables),
        volumes: new Map(schema.volumes),
        functions: new Map(schema.functions),
        models: new Map(schema.models),
      })),
    );
    for (const { schema } of saved) {
      schema.tables.clear();
      schema.volumes.clear();
      schema.functions.clear();
      schema.models.clear();
    }
    try {
      const run = (await catalogSync(fleet, id)) as SyncRunView;
      expect(run.warnings.length).toBeGreaterThan(0);
      expect(run.warnings.every((w) => w.kind === "deletions_held_back")).toBe(true);
      expect(run.warnings[0]!.message).toMatch(/^Held back by the fail-safe: .*more than CATALOG_SYNC_MAX_DELETE_SHARE \(75%\)/);
      expect((await entities(id, "&deleted=true")).total).toBe(0);
      // The run's history shows what was held back, and an operator can confirm it.
      const held = run.deletionsHeldBack!;
      expect(held.reduce((n, h) => n + h.count, 0)).toBe(36);
      const confirmed = await fleet.inject({ method: "POST", url: `/api/integrations/${id}/catalog/deletions/confirm`, payload: {} });
      expect(confirmed.statusCode, confirmed.body).toBe(200);
      expect(confirmed.json().deleted).toBe(36);
      expect((await entities(id, "&deleted=true")).total).toBe(36);
      const again = await fleet.inject({ method: "POST", url: `/api/integrations/${id}/catalog/deletions/confirm`, payload: {} });
      expect(again.statusCode).toBe(409);
    } finally {
      for (const s of saved) {
        for (const [k, v] of s.tables) s.schema.tables.set(k, v);
        for (const [k, v] of s.volumes) s.schema.volumes.set(k, v);
        for (const [k, v] of s.functions) s.schema.functions.set(k, v);
        for (const [k, v] of s.models) s.schema.models.set(k, v);
      }
    }
  });

  it("respects include and exclude patterns", async () => {
    const { id } = await integration({ catalogFilters: { include: { catalogs: ["catalog_[01]"] }, exclude: { tables: [".*\\.table_2"] } } });
    expect((await catalogSync(fleet, id)).status).toBe("succeeded");
    const tables = (await entities(id, "&kind=table")).items.map((t: { fullName: string }) => t.fullName);
    expect(tables).toHaveLength(8);
    expect(tables.some((t: string) => t.startsWith("catalog_2") || t.endsWith("table_2"))).toBe(false);
    const bad = await fleet.inject({ method: "PATCH", url: `/api/integrations/${id}`, payload: { catalogFilters: { include: { tables: ["(unclosed"] } } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues[0]).toMatchObject({
      field: "body.catalogFilters.include.tables.0",
      reason: "must be an RE2 regular expression (missing ): (unclosed)",
    });
  });

  it("reports the spec's message when no warehouse is set, and 401 with a bad token", async () => {
    const { id } = await integration({ warehouseId: undefined });
    const run = await catalogSync(fleet, id);
    expect(run.status).toBe("succeeded");
    expect(run.warnings.map((w) => w.message).join()).toContain("Warehouse ID required for catalog operations");
    expect((await entities(id, "&kind=table")).total).toBe(18);

    const wrong = await integration({ token: `dapi${"ab".repeat(16)}` });
    const failed = await catalogSync(fleet, wrong.id);
    expect(failed).toMatchObject({ status: "failed", errorKind: "auth" });
    expect(failed.errorMessage).toContain("401 Unauthorized");
  });
});

describe("catalog sync: pagination edge cases and listing failures", () => {
  let fleet: Fleet;
  let worker: { close(): Promise<void> };
  let workspace: FakeWorkspace;
  beforeAll(async () => {
    fleet = await startFleet({ worker: false });
    // A listing that keeps answering 503 counts as failed after a few seconds, not minutes.
    worker = fleet.startCatalogWorker({ CATALOG_SYNC_RETRY_TIMEOUT_S: "3" });
    workspace = await startFakeWorkspace({ state: layouts.edgeCases(), pageSize: 2 });
  });
  afterAll(async () => {
    await fleet?.close();
    await workspace?.stop();
  });

  it("follows an empty page, stops at a repeated token, and leaves a failed schema's tables untouched", async () => {
    // First a clean listing, so the failing schema's tables are known.
    const quirks = [...workspace.state.quirks];
    workspace.state.quirks.length = 0;
    const { id } = await createIntegration(fleet, { source: "databricks", host: workspace.url, token: workspace.token, syncCatalog: true });
    expect((await syncAndWait(fleet, id, { type: "catalog" }, 180_000)).status).toBe("succeeded");
    workspace.state.quirks.push(...quirks);

    const run = await syncAndWait(fleet, id, { type: "catalog" }, 180_000);
    expect(run.status).toBe("partial");
    expect(run.experimentErrors).toEqual([]);
    const containers = run.containerErrors.map((e) => `${e.kind}:${e.fullName}`).sort();
    expect(containers).toEqual(["tables:edge.fails_midway", "tables:edge.repeating_token"]);
    expect(run.containerErrors.find((e) => e.fullName === "edge.repeating_token")!).toMatchObject({
      errorKind: "bad_response",
      message: expect.stringMatching(/repeated a page token.*the next sync reads it again/),
    });
    const list = async (parent: string) =>
      (await fleet.inject({ method: "GET", url: `/api/catalog/entities?integrationId=${id}&kind=table&parent=${parent}&deleted=any&limit=200` })).json().items;
    expect(await list("edge.empty_page")).toHaveLength(5);
    const failed = await list("edge.fails_midway");
    expect(failed).toHaveLength(5);
    expect(failed.every((t: { deletedAt: string | null }) => t.deletedAt === null)).toBe(true);
    const wide = (await list("edge.wide"))[0];
    const columns = (await fleet.inject({ method: "GET", url: `/api/catalog/tables/${wide.id}/columns?limit=200&offset=400` })).json();
    expect(columns).toMatchObject({ total: 500, items: expect.any(Array) });
    expect(columns.items).toHaveLength(100);
    const jp = (await list("edge.unicode")).find((t: { name: string }) => t.name === "orders_jp");
    expect(jp.comment).toBe("顧客の注文履歴テーブル（日次更新）");
    expect(workspace.contractViolations).toEqual([]);
  });

  it("stores a schema of 10,000 tables", async () => {
    const big = await startFakeWorkspace({ state: layouts.hugeSchema(10_000), pageSize: 500, validate: false });
    // Tags cost a request per object; this is about the size of one listing.
    await worker.close();
    fleet.startCatalogWorker({ CATALOG_SYNC_TAGS: "false" });
    try {
      const { id } = await createIntegration(fleet, { source: "databricks", host: big.url, token: big.token, syncCatalog: true });
      const run = await syncAndWait(fleet, id, { type: "catalog" }, 300_000);
      expect(run.status).toBe("succeeded");
      expect((await fleet.inject({ method: "GET", url: `/api/catalog/entities?integrationId=${id}&kind=table&limit=1&count=true` })).json().total).toBe(10_000);
      expect(await fleet.db.catalogColumn.count({ where: { table: { integrationId: id } } })).toBe(30_000);
    } finally {
      await big.stop();
    }
  });
});
