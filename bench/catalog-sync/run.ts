/**
 * Catalog-sync benchmark: `pnpm bench:catalog-sync`.
 *
 * A fake workspace that follows the Unity Catalog API serves BENCH_CATALOGS × BENCH_SCHEMAS ×
 * BENCH_TABLES tables of BENCH_COLUMNS columns (plus a volume, a function and a model per schema),
 * each request delayed by BENCH_LATENCY_MS like a remote workspace. Measured in one run: our full
 * sync (gateway + catalog-sync worker + bridge, into a fresh database), a re-sync with nothing
 * changed (and the rows it wrote), and the baseline, one Python process listing the same
 * workspace sequentially. Then with tags on: a full sync reading them in bulk through the SQL
 * warehouse (and the requests it made per table), and one reading them object by object without a
 * warehouse, each against the plain client's listing plus the tags it needs. The last stdout line
 * is one JSON object.
 */
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { Prisma } from "@langguard/database";
import { buildLayout, type FakeWorkspace, startFakeWorkspace } from "../../tests/helpers/databricks/index.ts";
import { resetDatabase } from "../../tests/helpers/database.ts";
import { createIntegration, type Fleet, startFleet, syncAndWait } from "../../tests/helpers/fleet.ts";
import { runPythonScript } from "../../tests/helpers/mlflow-server.ts";
import { PeakRssSampler } from "../trace-sync/rss.ts";

const int = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const shape = { catalogs: int("BENCH_CATALOGS", 20), schemas: int("BENCH_SCHEMAS", 20), tables: int("BENCH_TABLES", 25), columns: int("BENCH_COLUMNS", 30) };
// Without a warehouse a plain client asks for each object's tags in turn (10,000 tables would take
// its baseline 17 minutes at 100 ms a request): that half runs on a workspace of this shape.
const tagsShape = {
  catalogs: int("BENCH_TAGS_CATALOGS", 4),
  schemas: int("BENCH_TAGS_SCHEMAS", 5),
  tables: int("BENCH_TAGS_TABLES", 25),
  columns: int("BENCH_COLUMNS", 30),
};
const latencyMs = int("BENCH_LATENCY_MS", 100);
const databaseUrl = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/langguard_bench_catalog";
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const say = (line: string) => process.stdout.write(`${line}\n`);

/** Rows inserted, updated or deleted in the catalog tables, from Postgres's own counters. */
async function rowsWritten(): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // An idle backend flushes its statistics within PGSTAT_IDLE_INTERVAL (10 s).
    await new Promise((r) => setTimeout(r, 11_000));
    const res = await client.query(
      `SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint AS n FROM pg_stat_user_tables WHERE relname IN ('CatalogEntity', 'CatalogColumn')`,
    );
    return Number(res.rows[0].n);
  } finally {
    await client.end();
  }
}

/** The tags half of the bench: a full sync with tags on, and the plain client's listing plus the tags it needs. */
async function tagsRun(fleet: Fleet, workspace: FakeWorkspace, tables: number, warehouse: boolean) {
  const { id } = await createIntegration(fleet, {
    source: "databricks",
    host: workspace.url,
    token: workspace.token,
    syncCatalog: true,
    ...(warehouse ? { warehouseId: workspace.warehouseId } : {}),
  });
  const before = workspace.requests.length;
  const t = performance.now();
  const run = await syncAndWait(fleet, id, { type: "catalog" }, 3_600_000);
  const seconds = (performance.now() - t) / 1000;
  if (run.status !== "succeeded") throw new Error(`tags sync ended ${run.status}: ${run.errorMessage}`);
  const requests = workspace.requests.length - before;
  const tagged = await fleet.db.catalogEntity.count({ where: { integrationId: id, kind: "table", NOT: { tags: { equals: Prisma.DbNull } } } });
  if (tagged !== tables) throw new Error(`${tagged} of ${tables} tables got their tags`);
  Object.assign(process.env, {
    DATABRICKS_HOST: workspace.url,
    DATABRICKS_TOKEN: workspace.token,
    DATABRICKS_WAREHOUSE_ID: workspace.warehouseId,
    PAGE_SIZE: "100",
  });
  const raw = await runPythonScript<RawListing>(path.join(import.meta.dirname, "raw_listing.py"), [warehouse ? "warehouse" : "objects"]);
  return { seconds, requests, raw };
}

interface RawListing {
  seconds: number;
  requests: number;
  tables: number;
  tags_seconds: number;
  tag_requests: number;
}

async function main() {
  const tables = shape.catalogs * shape.schemas * shape.tables;
  const small = tagsShape.catalogs * tagsShape.schemas * tagsShape.tables;
  say(
    `catalog-sync benchmark: ${shape.catalogs} catalogs × ${shape.schemas} schemas × ${shape.tables} tables × ${shape.columns} columns = ${tables} tables, ${latencyMs} ms per request; tags without a warehouse on ${small} tables`,
  );
  await resetDatabase(databaseUrl);
  const layout = (s: typeof shape) =>
    buildLayout({ catalogs: s.catalogs, schemasPerCatalog: s.schemas, tablesPerSchema: s.tables, columnsPerTable: s.columns, tags: true });
  // Validating every response against the OpenAPI spec is the tests' job; here it would only add CPU.
  const workspace = await startFakeWorkspace({ state: layout(shape), pageSize: 100, latencyMs, validate: false });
  const smallWorkspace = await startFakeWorkspace({ state: layout(tagsShape), pageSize: 100, latencyMs, validate: false });
  const fleet = await startFleet({ worker: false, databaseUrl, logLevel: process.env.BENCH_LOG_LEVEL ?? "warn", logDestination: process.stderr });
  try {
    // Like the plain baseline: metadata only, no tags and no warehouse statements.
    let worker = fleet.startCatalogWorker({ CATALOG_SYNC_STATS: "false", CATALOG_SYNC_TAGS: "false" });
    const { id } = await createIntegration(fleet, { source: "databricks", host: workspace.url, token: workspace.token, syncCatalog: true });

    const sampler = new PeakRssSampler();
    sampler.start();
    let t = performance.now();
    const full = await syncAndWait(fleet, id, { type: "catalog" }, 1_800_000);
    const fullSeconds = (performance.now() - t) / 1000;
    sampler.stop();
    if (full.status !== "succeeded") throw new Error(`full sync ended ${full.status}: ${full.errorMessage}`);
    const stored = await fleet.db.catalogEntity.count({ where: { integrationId: id, kind: "table" } });
    const columns = await fleet.db.catalogColumn.count({ where: { table: { integrationId: id } } });
    if (stored !== tables || columns !== tables * shape.columns)
      throw new Error(`stored ${stored} tables and ${columns} columns, expected ${tables} and ${tables * shape.columns}`);
    say(`full sync: ${round(fullSeconds)} s`);

    const before = await rowsWritten();
    t = performance.now();
    const resync = await syncAndWait(fleet, id, { type: "catalog" }, 1_800_000);
    const resyncSeconds = (performance.now() - t) / 1000;
    const written = (await rowsWritten()) - before;
    say(`re-sync with no change: ${round(resyncSeconds)} s, ${written} rows written (${resync.itemsIngested} new, ${resync.itemsUpdated} updated)`);

    // Tags on: in bulk through the warehouse, and object by object without one.
    await worker.close();
    worker = fleet.startCatalogWorker({ CATALOG_SYNC_STATS: "false", CATALOG_SYNC_TAGS: "true" });
    const bulk = await tagsRun(fleet, workspace, tables, true);
    say(
      `with tags, through the warehouse: ${round(bulk.seconds)} s, ${bulk.requests} requests; raw listing ${bulk.raw.seconds} s (${bulk.raw.requests} requests) + tags ${bulk.raw.tags_seconds} s (${bulk.raw.tag_requests} requests)`,
    );
    const perObject = await tagsRun(fleet, smallWorkspace, small, false);
    say(
      `with tags, object by object (${small} tables): ${round(perObject.seconds)} s, ${perObject.requests} requests; raw listing ${perObject.raw.seconds} s + tags ${perObject.raw.tags_seconds} s (${perObject.raw.tag_requests} requests)`,
    );
    const rss = sampler.peak();
    const rawTags = (r: RawListing) => round(r.seconds + r.tags_seconds, 3);
    say(
      JSON.stringify({
        tables,
        columns,
        latency_ms: latencyMs,
        full_sync_s: round(fullSeconds),
        raw_listing_s: bulk.raw.seconds,
        ratio_vs_raw: round(fullSeconds / bulk.raw.seconds, 3),
        resync_s: round(resyncSeconds),
        resync_rows_written: written,
        full_sync_tags_s: round(bulk.seconds),
        raw_listing_tags_s: rawTags(bulk.raw),
        ratio_vs_raw_tags: round(bulk.seconds / rawTags(bulk.raw), 3),
        requests_per_table: round(bulk.requests / tables, 3),
        no_warehouse: {
          tables: small,
          full_sync_tags_s: round(perObject.seconds),
          raw_listing_tags_s: rawTags(perObject.raw),
          ratio_vs_raw_tags: round(perObject.seconds / rawTags(perObject.raw), 3),
          requests_per_table: round(perObject.requests / small, 3),
        },
        peak_rss_mb: round(rss.workerMb + rss.bridgeMb, 1),
        peak_rss_worker_mb: rss.workerMb,
        peak_rss_bridge_mb: rss.bridgeMb,
      }),
    );
  } finally {
    await fleet.close();
    await workspace.stop();
    await smallWorkspace.stop();
  }
}

await main();
process.exit(0);
