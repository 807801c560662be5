/**
 * Catalog-sync benchmark: `pnpm bench:catalog-sync`.
 *
 * A fake workspace that follows the Unity Catalog API serves BENCH_CATALOGS × BENCH_SCHEMAS ×
 * BENCH_TABLES tables of BENCH_COLUMNS columns (plus a volume, a function and a model per schema),
 * each request delayed by BENCH_LATENCY_MS like a remote workspace. Measured in one run: our full
 * sync (gateway + catalog-sync worker + bridge, into a fresh database), a re-sync with nothing
 * changed (and the rows it wrote), and the baseline, one Python process listing the same
 * workspace sequentially. The last stdout line is one JSON object.
 */
import path from "node:path";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { buildLayout, startFakeWorkspace } from "../../tests/helpers/databricks/index.ts";
import { resetDatabase } from "../../tests/helpers/database.ts";
import { createIntegration, startFleet, syncAndWait } from "../../tests/helpers/fleet.ts";
import { runPythonScript } from "../../tests/helpers/mlflow-server.ts";
import { PeakRssSampler } from "../trace-sync/rss.ts";

const int = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const shape = { catalogs: int("BENCH_CATALOGS", 20), schemas: int("BENCH_SCHEMAS", 20), tables: int("BENCH_TABLES", 25), columns: int("BENCH_COLUMNS", 30) };
const latencyMs = int("BENCH_LATENCY_MS", 100);
const databaseUrl = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/langguard_bench_catalog";
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const say = (line: string) => process.stdout.write(`${line}\n`);

/** Rows inserted, updated or deleted in the catalog tables, from Postgres's own counters. */
async function rowsWritten(): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    // Statistics are flushed by each backend at most once a second.
    await new Promise((r) => setTimeout(r, 1_500));
    const res = await client.query(
      `SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint AS n FROM pg_stat_user_tables WHERE relname IN ('CatalogEntity', 'CatalogColumn')`,
    );
    return Number(res.rows[0].n);
  } finally {
    await client.end();
  }
}

async function main() {
  const tables = shape.catalogs * shape.schemas * shape.tables;
  say(
    `catalog-sync benchmark: ${shape.catalogs} catalogs × ${shape.schemas} schemas × ${shape.tables} tables × ${shape.columns} columns = ${tables} tables, ${latencyMs} ms per request`,
  );
  await resetDatabase(databaseUrl);
  const workspace = await startFakeWorkspace({
    state: buildLayout({ catalogs: shape.catalogs, schemasPerCatalog: shape.schemas, tablesPerSchema: shape.tables, columnsPerTable: shape.columns }),
    pageSize: 100,
    latencyMs,
    // Validating every response against the OpenAPI spec is the tests' job; here it would only add CPU.
    validate: false,
  });
  const fleet = await startFleet({ worker: false, databaseUrl, logLevel: process.env.BENCH_LOG_LEVEL ?? "warn", logDestination: process.stderr });
  try {
    // Like the baseline: metadata only, no per-object tag requests or warehouse statements.
    fleet.startCatalogWorker({ CATALOG_SYNC_STATS: "false", CATALOG_SYNC_TAGS: "false" });
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

    // The baseline reads its workspace from the environment, as the bridge does.
    Object.assign(process.env, { DATABRICKS_HOST: workspace.url, DATABRICKS_TOKEN: workspace.token, PAGE_SIZE: "100" });
    const raw = await runPythonScript<{ seconds: number; requests: number; tables: number }>(path.join(import.meta.dirname, "raw_listing.py"), []);
    say(`raw sequential listing: ${raw.seconds} s for ${raw.requests} requests`);
    const rss = sampler.peak();
    say(
      JSON.stringify({
        tables,
        columns,
        latency_ms: latencyMs,
        full_sync_s: round(fullSeconds),
        raw_listing_s: raw.seconds,
        ratio_vs_raw: round(fullSeconds / raw.seconds, 3),
        resync_s: round(resyncSeconds),
        resync_rows_written: written,
        peak_rss_mb: round(rss.workerMb + rss.bridgeMb, 1),
        peak_rss_worker_mb: rss.workerMb,
        peak_rss_bridge_mb: rss.bridgeMb,
      }),
    );
  } finally {
    await fleet.close();
    await workspace.stop();
  }
}

await main();
process.exit(0);
