/**
 * The fault and change suite for catalogs: each case changes or breaks the project's Unity Catalog
 * fake between or during syncs, and ends by comparing what is stored with the fake's layout.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { createQueue, jobId, QueueName } from "@langguard/queue-contracts";
import type { RegisteredWorker } from "@langguard/service-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectMatchesLayout } from "../helpers/catalog-truth.ts";
import {
  BEYOND_DOUBLE,
  buildLayout,
  dropTable,
  type FakeWorkspace,
  type FakeWorkspaceOptions,
  fakeWorkspacesOfThisFile,
  findSchema,
  layouts,
  type WorkspaceState,
} from "../helpers/databricks/index.ts";
import { createIntegration, type Fleet, startFleet, type SyncRunView, syncAndWait, waitForRun } from "../helpers/fleet.ts";
import { startWorker, type RunningWorker } from "../helpers/running-worker.ts";
import { repoRoot } from "../helpers/test-env.ts";
import { until } from "../helpers/until.ts";
import { killWorkerGroup } from "../helpers/worker-process.ts";

const logDir = path.join(repoRoot, ".data/catalog-faults");
let fleet: Fleet;
let worker: RegisteredWorker;

beforeAll(async () => {
  mkdirSync(logDir, { recursive: true });
  fleet = await startFleet({ worker: false });
  // A vanished container of more than 10 objects is held back; a listing refused with 503 counts as
  // failed after 3 s instead of a minute.
  worker = fleet.startCatalogWorker({ CATALOG_SYNC_MAX_CASCADE_DELETE: "10", CATALOG_SYNC_RETRY_TIMEOUT_S: "3" });
});
afterAll(async () => {
  await fleet?.close();
});

const fakeWorkspace = fakeWorkspacesOfThisFile();
const workspace = (state: WorkspaceState, options: Omit<FakeWorkspaceOptions, "state"> = {}) => fakeWorkspace({ state, ...options });

/** An organization of its own per case, so that its governance entities are its own to count. */
async function newCase(ws: FakeWorkspace, extra: Record<string, unknown> = {}) {
  const { organizationId, apiKey } = await fleet.newOrganization(["admin"]);
  const api = { inject: (o: Parameters<Fleet["inject"]>[0]) => fleet.app.inject({ ...o, headers: { authorization: `Bearer ${apiKey}`, ...o.headers } }) };
  const { id } = await createIntegration(api, {
    source: "databricks",
    host: ws.url,
    token: ws.token,
    warehouseId: ws.warehouseId,
    syncCatalog: true,
    syncTraces: false,
    ...extra,
  });
  const sync = async () => (await syncAndWait(api, id, { type: "catalog" }, 300_000)) as SyncRunView;
  const entities = async (query: string) =>
    (await api.inject({ method: "GET", url: `/api/catalog/entities?integrationId=${id}&limit=200&count=true${query}` })).json();
  return { api, id, organizationId, integration: { id, organizationId }, sync, entities };
}

const count = (byKind: Record<string, number>) => Object.values(byKind).reduce((a, b) => a + b, 0);

describe("catalog changes between syncs", () => {
  it("a catalog vanishes: the cascade is counted over what it takes, held back with its count, and confirmed", async () => {
    const state = layouts.multiCatalog();
    const ws = await workspace(state);
    const c = await newCase(ws);
    expect((await c.sync()).status).toBe("succeeded");
    const gone = state.catalogs.get("catalog_2")!;
    state.catalogs.delete("catalog_2");
    const run = await c.sync();
    // 1 catalog, 2 schemas, 6 tables, 2 volumes, 2 functions, 2 models: more than the 10 one cascade may take.
    expect(run.status).toBe("succeeded");
    expect(run.deletionsHeldBack).toEqual([
      expect.objectContaining({
        kind: "catalog",
        fullName: "catalog_2",
        count: 15,
        byKind: { catalog: 1, schema: 2, table: 6, volume: 2, function: 2, model: 2 },
      }),
    ]);
    expect(run.warnings.map((w) => w.message)).toEqual([
      expect.stringContaining("catalog catalog_2 vanished from its listing; deleting it takes 15 object(s)"),
    ]);
    expect((await c.entities("&deleted=true")).total).toBe(0);
    const confirmed = await c.api.inject({ method: "POST", url: `/api/integrations/${c.id}/catalog/deletions/confirm`, payload: {} });
    expect(confirmed.json()).toMatchObject({ deleted: 15 });
    await expectMatchesLayout(fleet.db, c.integration, state);
    state.catalogs.set("catalog_2", gone);
  });

  it("a listing that returns one catalog of five: the share of each kind counts what the cascades take", async () => {
    const state = buildLayout({ catalogs: 5, schemasPerCatalog: 1, tablesPerSchema: 3 });
    const ws = await workspace(state);
    const c = await newCase(ws);
    expect((await c.sync()).status).toBe("succeeded");
    const saved = [...state.catalogs.entries()];
    for (const [name] of saved.slice(1)) state.catalogs.delete(name);
    const run = await c.sync();
    // Four cascades of 8 objects each pass the count, but together they take 12 of 15 tables (80%).
    expect(run.deletionsHeldBack!.map((h) => [h.fullName, h.count])).toEqual([
      ["catalog_1", 8],
      ["catalog_2", 8],
      ["catalog_3", 8],
      ["catalog_4", 8],
    ]);
    expect(run.deletionsHeldBack![0]!.reason).toMatch(/schemas \(80%\) would be deleted, more than CATALOG_SYNC_MAX_DELETE_SHARE \(75%\)/);
    expect((await c.entities("&deleted=true")).total).toBe(0);
    for (const [name, catalog] of saved) state.catalogs.set(name, catalog);
    expect((await c.sync()).deletionsHeldBack).toEqual([]);
    await expectMatchesLayout(fleet.db, c.integration, state);
  });

  it("a filter narrows: what it leaves out is marked excluded, never deleted, and said so", async () => {
    const state = layouts.multiCatalog();
    const ws = await workspace(state);
    const c = await newCase(ws);
    expect((await c.sync()).status).toBe("succeeded");
    const narrowed = await c.api.inject({
      method: "PATCH",
      url: `/api/integrations/${c.id}`,
      payload: { catalogFilters: { include: { catalogs: ["catalog_0"] }, exclude: { tables: [".*\\.table_2"] } } },
    });
    expect(narrowed.statusCode).toBe(200);
    const run = await c.sync();
    expect(run.status).toBe("succeeded");
    expect(run.progress).toMatchObject({ deleted: 0, excluded: 32 });
    expect(run.warnings).toEqual([expect.objectContaining({ kind: "excluded_by_filters", message: expect.stringContaining("32 object(s)") })]);
    expect((await c.entities("&deleted=true")).total).toBe(0);
    expect((await c.entities("&kind=catalog")).items.map((e: { fullName: string; excludedAt: string | null }) => [e.fullName, e.excludedAt !== null])).toEqual([
      ["catalog_0", false],
      ["catalog_1", true],
      ["catalog_2", true],
    ]);
    await expectMatchesLayout(fleet.db, c.integration, state, (kind, parts) => parts[0] === "catalog_0" && !(kind === "table" && parts[2] === "table_2"));
    // Widened again, the objects come back in.
    await c.api.inject({ method: "PATCH", url: `/api/integrations/${c.id}`, payload: { catalogFilters: {} } });
    expect((await c.sync()).progress).toMatchObject({ excluded: 0, deleted: 0 });
    await expectMatchesLayout(fleet.db, c.integration, state);
  });

  it("one catalog answers 403: only deletions under it wait, a table dropped elsewhere is deleted, and the run is partial naming it", async () => {
    const state = layouts.multiCatalog();
    const ws = await workspace(state);
    const c = await newCase(ws);
    expect((await c.sync()).status).toBe("succeeded");
    state.denials.push({ path: /^\/api\/2\.1\/unity-catalog\//, query: { catalog_name: "catalog_1" } });
    dropTable(state, "catalog_0.schema_1.table_2");
    dropTable(state, "catalog_1.schema_0.table_0");
    const run = await c.sync();
    expect(run.status).toBe("partial");
    expect(run.experimentErrors).toEqual([]);
    expect(run.containerErrors.map((e) => [e.kind, e.fullName, e.errorKind])).toEqual(
      expect.arrayContaining([
        ["schemas", "catalog_1", "permission"],
        ["models", "catalog_1", "permission"],
      ]),
    );
    expect(run.containerErrors).toHaveLength(2);
    expect(run.errorMessage).toMatch(/listing\(s\) failed/);
    expect((await c.entities("&deleted=true")).items.map((e: { fullName: string }) => e.fullName)).toEqual(["catalog_0.schema_1.table_2"]);
    // Behind the 403, nothing changed; once readable again, the dropped table there goes too.
    expect((await c.entities("&kind=table&catalog=catalog_1&schema=schema_0")).total).toBe(3);
    state.denials.length = 0;
    expect((await c.sync()).status).toBe("succeeded");
    await expectMatchesLayout(fleet.db, c.integration, state);
  });

  it("80% of the tables dropped: held back as a share of the tables, the rest proceeds, and the operator confirms", async () => {
    const state = layouts.multiCatalog();
    const ws = await workspace(state);
    const c = await newCase(ws);
    expect((await c.sync()).status).toBe("succeeded");
    const tables = [...state.catalogs.values()].flatMap((cat) =>
      [...cat.schemas.values()].flatMap((s) => [...s.tables.keys()].map((t) => `${cat.name}.${s.name}.${t}`)),
    );
    for (const t of tables.slice(0, 15)) dropTable(state, t);
    findSchema(state, "catalog_2.schema_1")!.volumes.clear();
    const run = await c.sync();
    expect(run.status).toBe("succeeded");
    const held = run.deletionsHeldBack!;
    expect(held.reduce((n, h) => n + count(h.byKind as Record<string, number>), 0)).toBe(15);
    expect(held.every((h) => h.kind === "tables" && /15 of 18 tables \(83\.3%\)/.test(h.reason))).toBe(true);
    // The volume missing from its own listing is no mass deletion: it went.
    expect((await c.entities("&deleted=true")).items.map((e: { fullName: string }) => e.fullName)).toEqual(["catalog_2.schema_1.volume_0"]);
    const history = (await c.api.inject({ method: "GET", url: `/api/integrations/${c.id}/catalog/deletions` })).json();
    expect(history.total).toBe(held.length);
    const confirmed = await c.api.inject({
      method: "POST",
      url: `/api/integrations/${c.id}/catalog/deletions/confirm`,
      payload: { holdIds: held.map((h) => h.id) },
    });
    expect(confirmed.json()).toMatchObject({ deleted: 15 });
    await expectMatchesLayout(fleet.db, c.integration, state);
  });

  it("a tag endpoint failing for one object keeps its stored tags, marked stale, and blocks nothing", async () => {
    const state = layouts.multiCatalog();
    const ws = await workspace(state);
    const c = await newCase(ws, { warehouseId: undefined });
    expect((await c.sync()).status).toBe("succeeded");
    const target = "catalog_1.schema_0.table_1";
    const before = (await c.entities(`&kind=table&q=table_1`)).items.find((t: { fullName: string }) => t.fullName === target);
    expect(before.tags).toEqual(expect.arrayContaining([expect.objectContaining({ key: "classification" })]));
    const fault = ws.setFault({ path: `/api/2.1/unity-catalog/entity-tag-assignments/tables/${target}/tags`, status: 500 });
    dropTable(state, "catalog_0.schema_0.table_0");
    const run = await c.sync();
    expect(run.status).toBe("succeeded");
    expect(run.containerErrors).toEqual([]);
    expect(run.warnings.map((w) => w.kind)).toEqual(expect.arrayContaining(["tags_stale"]));
    const after = (await c.entities(`&kind=table&q=table_1`)).items.find((t: { fullName: string }) => t.fullName === target);
    expect(after.tags).toEqual(before.tags);
    expect(after.tagsStaleAt).toEqual(expect.any(String));
    expect((await c.entities("&deleted=true")).items.map((e: { fullName: string }) => e.fullName)).toEqual(["catalog_0.schema_0.table_0"]);
    fault.remove();
    expect((await c.sync()).status).toBe("succeeded");
    const fresh = (await c.entities(`&kind=table&q=table_1`)).items.find((t: { fullName: string }) => t.fullName === target);
    expect(fresh).toMatchObject({ tags: before.tags, tagsStaleAt: null });
    await expectMatchesLayout(fleet.db, c.integration, state);
  });

  it("dotted and quoted names: stored as parts, never split, found by parts or a quoted parent, and a renamed schema deletes only itself", async () => {
    const state = layouts.dottedNames();
    const ws = await workspace(state);
    const c = await newCase(ws);
    expect((await c.sync()).status).toBe("succeeded");
    const tables = (await c.entities("&kind=table")).items.map((t: { fullName: string; catalogName: string; schemaName: string; name: string }) => [
      t.fullName,
      t.catalogName,
      t.schemaName,
      t.name,
    ]);
    expect(tables).toEqual(
      expect.arrayContaining([
        ["dotted.`schema.x`.t", "dotted", "schema.x", "t"],
        ["`dotted.schema`.x.t", "dotted.schema", "x", "t"],
        ["main.`weird.ns`.`odd``name`", "main", "weird.ns", "odd`name"],
      ]),
    );
    expect(tables).toHaveLength(6);
    const names = async (query: string) => (await c.entities(query)).items.map((e: { fullName: string }) => e.fullName).sort();
    expect(await names(`&kind=table&parent=${encodeURIComponent("main.`weird.ns`")}`)).toEqual(["main.`weird.ns`.`odd``name`", "main.`weird.ns`.a"]);
    expect(await names(`&kind=table&catalog=main&schema=${encodeURIComponent("weird.ns")}`)).toEqual(["main.`weird.ns`.`odd``name`", "main.`weird.ns`.a"]);
    expect(await names("&kind=table&parent=main.weird")).toEqual(["main.weird.a", "main.weird.b"]);
    expect(await names("&kind=model&catalog=main&schema=weird.ns")).toEqual(["main.`weird.ns`.`m.v1`"]);
    expect((await c.api.inject({ method: "GET", url: `/api/catalog/entities?parent=${encodeURIComponent("main.`weird")}` })).statusCode).toBe(400);
    // Tags were read for each of the two `dotted.schema.x.t` tables, each its own.
    const origin = (await c.entities("&kind=table&q=t")).items
      .filter((t: { name: string }) => t.name === "t")
      .map((t: { tags: Array<{ key: string; value: string }> }) => t.tags.find((x) => x.key === "origin")?.value)
      .sort();
    expect(origin).toEqual(["dotted.schema|x|t", "dotted|schema.x|t"]);

    // Renaming main.`weird.ns` takes it and what it held, and nothing of main.weird.
    const main = state.catalogs.get("main")!;
    const ns = main.schemas.get("weird.ns")!;
    main.schemas.delete("weird.ns");
    main.schemas.set("weird.ns2", { ...ns, name: "weird.ns2" });
    const run = await c.sync();
    expect(run.status).toBe("succeeded");
    expect(await names("&deleted=true")).toEqual(["main.`weird.ns`", "main.`weird.ns`.`m.v1`", "main.`weird.ns`.`odd``name`", "main.`weird.ns`.a"]);
    await expectMatchesLayout(fleet.db, c.integration, state);
  });
});

describe("values Postgres or JavaScript cannot take as they are", () => {
  it("NUL and lone surrogates are cleaned and listed per object, a name holding a NUL is set aside by name, and 2^53 + 1 bytes leave the API exact", async () => {
    const ws = await workspace(layouts.hostileValues());
    const c = await newCase(ws);
    const run = await c.sync();
    // Everything but the one object whose name cannot be stored.
    expect(run.status).toBe("partial");
    expect(run.containerErrors).toEqual([
      { kind: "table", fullName: "hostile.s.nul\\u0000name", errorKind: "set_aside", message: expect.stringContaining("its name holds a NUL character") },
    ]);
    expect(run.errorMessage).toContain("set aside");
    expect(run.warnings).toContainEqual({ kind: "altered", message: expect.stringContaining("2 objects were stored with changes") });

    const tables = new Map<string, Record<string, unknown>>((await c.entities("&kind=table")).items.map((t: { name: string }) => [t.name, t]));
    expect([...tables.keys()].sort()).toEqual(["huge", "lone_surrogate", "nul_values", "nulname"]);
    expect(tables.get("nul_values")).toMatchObject({
      comment: "beforeafter",
      owner: "teama",
      properties: { qualitytier: "gold", source: "s3://raw" },
    });
    expect(tables.get("nul_values")!.alterations).toEqual(
      expect.arrayContaining([
        { path: "owner", change: "nul-removed" },
        { path: "comment", change: "nul-removed" },
        { path: "properties.quality\\u0000tier", change: "key-rewritten" },
        { path: "properties.source", change: "nul-removed" },
        { path: "columns[1].name", change: "nul-removed" },
        { path: "columns[1].comment", change: "nul-removed" },
      ]),
    );
    expect(tables.get("lone_surrogate")!.comment).toBe("half \uFFFD a pair");
    expect(tables.get("lone_surrogate")!.alterations).toEqual(
      expect.arrayContaining([
        { path: "comment", change: "lone-surrogate-replaced" },
        { path: "columns[0].comment", change: "lone-surrogate-replaced" },
      ]),
    );
    expect(tables.get("lone_surrogate")!.alterations).toHaveLength(2);
    expect(tables.get("nulname")).toMatchObject({ alterations: [] });
    // The statistics of the object set aside are not written over its neighbour's.
    const neighbour = findSchema(ws.state, "hostile.s")!.tables.get("nulname")!.detail;
    expect(tables.get("nulname")!.stats).toMatchObject({ numFiles: neighbour.numFiles, sizeInBytes: neighbour.sizeInBytes });

    // A column whose cleaned name is its neighbour's keeps a visible suffix rather than vanishing.
    const columns = (await c.api.inject({ method: "GET", url: `/api/catalog/tables/${tables.get("nul_values")!.id}` })).json().columns;
    expect(columns.map((col: { name: string; comment: string }) => [col.name, col.comment])).toEqual([
      ["col", "the real col"],
      ["col\uFFFD", "cleaned  into a neighbour's name"],
    ]);

    // The size is stored and served digit for digit, in the list and in the table's own view.
    const list = await c.api.inject({ method: "GET", url: `/api/catalog/entities?integrationId=${c.id}&kind=table&q=huge` });
    expect(list.body).toContain(`"sizeInBytes":${BEYOND_DOUBLE}`);
    const one = await c.api.inject({ method: "GET", url: `/api/catalog/tables/${tables.get("huge")!.id}` });
    expect(one.body).toContain(`"sizeInBytes":${BEYOND_DOUBLE}`);

    // Nothing changed at the source: the next run writes nothing and sets the same object aside.
    const again = await c.sync();
    expect(again).toMatchObject({ status: "partial", itemsIngested: 0, itemsUpdated: 0 });
    expect(again.containerErrors).toHaveLength(1);
  });
});

describe("catalog sync under throttling", () => {
  it("429 for every request for a while: the run waits in the queue for Retry-After, spends no attempt, and the integration says rate-limited", async () => {
    const state = layouts.multiCatalog();
    const ws = await workspace(state);
    const c = await newCase(ws);
    const throttle = ws.setFault({ path: /^\/api\/2\.1\/unity-catalog\//, status: 429, retryAfterSeconds: 8 });
    const started = Date.now();
    const syncRunId = (await c.api.inject({ method: "POST", url: `/api/integrations/${c.id}/sync`, payload: { type: "catalog" } })).json().syncRunId;
    const waiting = await until(
      "the run to wait for the workspace",
      async () => {
        const run = await fleet.db.syncRun.findUniqueOrThrow({ where: { id: syncRunId } });
        return run.status === "queued" && run.errorKind === "rate_limited" ? run : null;
      },
      60_000,
    );
    // Handed back at once, not slept through in the worker.
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(waiting.errorMessage).toContain("429 Too Many Requests");
    const shown = (await c.api.inject({ method: "GET", url: `/api/integrations/${c.id}` })).json();
    expect(shown.rateLimit).toMatchObject({ status: "warning", message: expect.stringContaining("warning: rate-limited") });
    const waitMs = new Date(shown.rateLimit.nextAttemptAt).getTime() - Date.now();
    expect(waitMs).toBeGreaterThan(3_000);
    expect(waitMs).toBeLessThanOrEqual(8_500);
    const queue = createQueue(QueueName.CatalogSync, { connection: fleet.redis, prefix: fleet.prefix });
    try {
      const job = await queue.getJob(jobId.catalogSync(syncRunId));
      expect(job?.attemptsMade).toBe(0);
      expect(await job?.getState()).toBe("delayed");
    } finally {
      await queue.close();
    }
    throttle.remove();
    const run = await waitForRun(c.api, c.id, syncRunId, 120_000);
    expect(run.status).toBe("succeeded");
    // It tried again no sooner than the workspace said.
    const retried = ws.requests.filter((r) => r.status === 200 && r.path.startsWith("/api/2.1/unity-catalog/"))[0]!;
    expect(retried.at - started).toBeGreaterThanOrEqual(7_000);
    expect((await c.api.inject({ method: "GET", url: `/api/integrations/${c.id}` })).json().rateLimit).toBeNull();
    await expectMatchesLayout(fleet.db, c.integration, state);
  });
});

describe("catalog sync interrupted: SIGKILL and SIGTERM at several points", () => {
  it("resumes to every object, every entity exactly once, and exact counts", { timeout: 600_000 }, async () => {
    // 2,400 tables over 24 schemas, with a volume, a function and a model each, at 10 ms a request.
    const state = buildLayout({ catalogs: 4, schemasPerCatalog: 6, tablesPerSchema: 100, columnsPerTable: 3 });
    const ws = await workspace(state, { pageSize: 50, latencyMs: 10, validate: false });
    const c = await newCase(ws, { warehouseId: undefined });
    const env = {
      SYNC_LOCK_DURATION_MS: "3000",
      CATALOG_SYNC_TAGS: "false",
      CATALOG_SYNC_STATS: "false",
      CATALOG_SYNC_PAGE_SIZE: "50",
      CATALOG_SYNC_LIST_CONCURRENCY: "2",
    };
    const log = path.join(logDir, "workers.log");
    const start = () => startWorker("catalog-sync", fleet.prefix, { env, log });
    // The in-process worker stays out of this case: only the spawned ones take its job.
    await worker.close();
    const stored = () => fleet.db.catalogEntity.count({ where: { integrationId: c.id } });
    const total = 4 + 24 + 2_400 + 24 * 3;
    let current: RunningWorker = await start();
    const syncRunId = (await c.api.inject({ method: "POST", url: `/api/integrations/${c.id}/sync`, payload: { type: "catalog" } })).json().syncRunId;
    try {
      for (const [i, how] of (["SIGKILL", "SIGTERM", "SIGKILL", "SIGTERM"] as const).entries()) {
        // Each interruption a little further on, but always before the last object: a restarted
        // worker may catch up faster than the steps, and a goal past the total is never reached.
        const atLeast = Math.min(total - 1, (await stored()) + 200 + i * 50);
        await until(`${atLeast} objects stored`, async () => (await stored()) >= atLeast, 120_000);
        if (how === "SIGKILL") killWorkerGroup(current.child);
        else expect(await current.stop()).toMatchObject({ code: 0 });
        await current.exited;
        current = await start();
      }
      const run = await waitForRun(c.api, c.id, syncRunId, 300_000);
      expect(run.status, JSON.stringify(run)).toBe("succeeded");
      // Each object counted once, however many times the walk began.
      expect({ fetched: run.itemsFetched, ingested: run.itemsIngested, updated: run.itemsUpdated, skipped: run.itemsSkipped }).toEqual({
        fetched: total,
        ingested: total,
        updated: 0,
        skipped: 0,
      });
      await expectMatchesLayout(fleet.db, c.integration, state);
      expect(await fleet.db.entity.count({ where: { organizationId: c.organizationId } })).toBe(2_400 + 24 * 3);
    } finally {
      killWorkerGroup(current.child);
      worker = fleet.startCatalogWorker({ CATALOG_SYNC_MAX_CASCADE_DELETE: "10", CATALOG_SYNC_RETRY_TIMEOUT_S: "3" });
    }
  });
});
