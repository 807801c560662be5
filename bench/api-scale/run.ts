/**
 * API at scale: `pnpm bench:api-scale`. Seeds BENCH_TRACES traces (default 1,000,000) of
 * BENCH_SPANS spans (default 8) over 20 integrations and 5 agents straight through SQL
 * (generate_series), with a violation on every 10th trace, into its own database
 * (BENCH_DATABASE_URL, dropped at the end). Then measures through HTTP with an API key, on the
 * real gateway listening on loopback: the first page of traces, a page as deep as the table by
 * cursor, each filter (integration, agent, status, time range) and the violations list (p95 of
 * BENCH_SAMPLES requests each). Last, a plain cascading delete (the baseline) removes the oldest
 * BENCH_BASELINE_EXPIRE traces, then the retention job deletes the next BENCH_EXPIRE traces
 * while a writer inserts new traces beside it (as a sync does), and the delete rate is reported
 * with the writer's. Logs go to stderr; the last stdout line is one JSON object.
 */
import pg from "pg";
import { intSetting } from "../common/settings.ts";
import { resetDatabase } from "../../tests/helpers/database.ts";
import { startFleet } from "../../tests/helpers/fleet.ts";
import { encodeCursor } from "../../services/gateway/src/pagination/keyset.ts";
import { TRACES } from "../../services/gateway/src/routes/traces.ts";
import { deleteExpired } from "../../services/trace-sync/src/retention/delete-expired.ts";

const settings = {
  traces: intSetting("BENCH_TRACES", 1_000_000, 1000),
  spans: intSetting("BENCH_SPANS", 8, 0),
  samples: intSetting("BENCH_SAMPLES", 40, 5),
  expire: intSetting("BENCH_EXPIRE", 200_000, 1000),
  baselineExpire: intSetting("BENCH_BASELINE_EXPIRE", 100_000, 1000),
  batch: intSetting("BENCH_RETENTION_BATCH", 5000, 100),
  lanes: intSetting("BENCH_RETENTION_LANES", 2, 1),
  databaseUrl: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/langguard_bench_api_scale",
  keep: intSetting("BENCH_KEEP_DATABASE", 0, 0) !== 0,
};
const INTEGRATIONS = 20;
const AGENTS = 5;
const log = (line: string) => process.stderr.write(`${line}\n`);
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

const DAY_MS = 24 * 3600 * 1000;

/**
 * Runs `remove` on the oldest `count` traces (it gets the cutoff: the timestamp of the first trace
 * to keep) while a writer commits new traces with spans in pages of 100, as a sync does.
 */
async function besideWriter(sql: pg.Client, org: string, integrationId: string, count: number, remove: (cutoff: Date) => Promise<number>) {
  const oldest = await sql.query(`SELECT "timestamp" FROM "Trace" WHERE "organizationId" = $1 ORDER BY "timestamp" ASC OFFSET $2 LIMIT 1`, [org, count]);
  const cutoff: Date = oldest.rows[0].timestamp;
  const writer = new pg.Client({ connectionString: settings.databaseUrl });
  await writer.connect();
  let writing = true;
  let written = 0;
  const pageMs: number[] = [];
  const writes = (async () => {
    for (let page = 0; writing; page += 1) {
      const start = performance.now();
      await writer.query("BEGIN");
      const { rows } = await writer.query(
        `INSERT INTO "Trace" ("id", "organizationId", "integrationId", "externalId", "experimentId", "timestamp", "status", "contentHash", "spanCount", "updatedAt")
         SELECT gen_random_uuid(), $1, $2, 'new-' || gen_random_uuid() || '-' || g, '1', now(), 'OK', 'x', $3, now() FROM generate_series(1, 100) g RETURNING "id"`,
        [org, integrationId, settings.spans],
      );
      if (settings.spans > 0)
        await writer.query(
          `INSERT INTO "Span" ("id", "traceId", "spanId", "name", "startTime", "status") SELECT gen_random_uuid(), t, 's' || s, 'span', now(), 'OK' FROM unnest($1::uuid[]) t CROSS JOIN generate_series(1, $2::int) s`,
          [rows.map((r) => r.id), settings.spans],
        );
      await writer.query("COMMIT");
      pageMs.push(performance.now() - start);
      written += rows.length;
    }
  })();
  const start = performance.now();
  try {
    const deleted = await remove(cutoff);
    const seconds = (performance.now() - start) / 1000;
    return { deleted, seconds, perSecond: deleted / seconds, written, writerP95: p95(pageMs.length ? pageMs : [0]) };
  } finally {
    writing = false;
    await writes;
    await writer.end();
  }
}

function p95(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!;
}

async function timed(url: string, key: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const start = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${body.slice(0, 300)}`);
    out.push(performance.now() - start);
  }
  return out;
}

async function main() {
  log(`resetting ${new URL(settings.databaseUrl).pathname.slice(1)}`);
  await resetDatabase(settings.databaseUrl);
  const fleet = await startFleet({ worker: false, databaseUrl: settings.databaseUrl, logLevel: "warn" });
  const sql = new pg.Client({ connectionString: settings.databaseUrl });
  await sql.connect();
  try {
    const org = fleet.organizationId;
    await sql.query("SET synchronous_commit = off");
    const integrations: string[] = [];
    for (let i = 0; i < INTEGRATIONS; i += 1) {
      const { rows } = await sql.query(
        `INSERT INTO "Integration" ("id", "organizationId", "name", "source", "host", "updatedAt") VALUES (gen_random_uuid(), $1, $2, 'mlflow', 'http://127.0.0.1:1', now()) RETURNING "id"`,
        [org, `bench-${i}`],
      );
      integrations.push(rows[0].id);
    }
    const agents: string[] = [];
    for (let i = 0; i < AGENTS; i += 1) {
      const { rows } = await sql.query(
        `INSERT INTO "Agent" ("id", "organizationId", "name", "firstSeenAt", "lastSeenAt") VALUES (gen_random_uuid(), $1, $2, now(), now()) RETURNING "id"`,
        [org, `agent-${i}`],
      );
      agents.push(rows[0].id);
    }
    const { rows: policyRows } = await sql.query(
      `INSERT INTO "Policy" ("id", "organizationId", "kind", "name", "category", "severity", "expression", "updatedAt") VALUES (gen_random_uuid(), $1, 'custom', 'bench', 'custom', 'high', 'true', now()) RETURNING "id"`,
      [org],
    );
    const policyId = policyRows[0].id;

    const seedStart = performance.now();
    // One trace a second back from now: BENCH_TRACES seconds of history, 10% errors.
    await sql.query(
      `INSERT INTO "Trace" ("id", "organizationId", "integrationId", "externalId", "experimentId", "name", "timestamp", "durationMs", "status", "contentHash", "spanCount", "updatedAt")
       SELECT gen_random_uuid(), $1, ($2::uuid[])[1 + g % ${INTEGRATIONS}], 'tr-' || g, '1', 'trace ' || g, now() - g * interval '1 second', 100 + g % 900,
              CASE WHEN g % 10 = 0 THEN 'ERROR' ELSE 'OK' END, 'x', $3, now()
       FROM generate_series(1, $4::int) g`,
      [org, integrations, settings.spans, settings.traces],
    );
    log(`traces seeded in ${round((performance.now() - seedStart) / 1000)} s`);
    await sql.query(
      `INSERT INTO "AgentTrace" ("agentId", "traceId", "integrationId", "seenAt")
       SELECT ($1::uuid[])[1 + (substr(t."externalId", 4)::int % ${AGENTS})], t."id", t."integrationId", t."timestamp" FROM "Trace" t WHERE t."organizationId" = $2`,
      [agents, org],
    );
    await sql.query(
      `INSERT INTO "Violation" ("id", "organizationId", "integrationId", "traceId", "policyId", "policyVersion", "severity", "message", "agents", "createdAt")
       SELECT gen_random_uuid(), t."organizationId", t."integrationId", t."id", $1, 1, 'high', 'bench', ARRAY['agent-' || (substr(t."externalId", 4)::int % ${AGENTS})], t."timestamp"
       FROM "Trace" t WHERE t."organizationId" = $2 AND substr(t."externalId", 4)::int % 10 = 0`,
      [policyId, org],
    );
    log(`agents and violations seeded at ${round((performance.now() - seedStart) / 1000)} s`);
    if (settings.spans > 0) {
      // A bulk load builds its secondary indexes once afterwards rather than row by row (random
      // uuids make row-by-row index inserts random IO); they are put back exactly as they were.
      const { rows: indexes } = await sql.query(
        `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'Span' AND indexname NOT IN (SELECT conname FROM pg_constraint)`,
      );
      for (const index of indexes) await sql.query(`DROP INDEX "${index.indexname}"`);
      await sql.query(
        `INSERT INTO "Span" ("id", "traceId", "spanId", "name", "startTime", "endTime", "durationMs", "status")
         SELECT gen_random_uuid(), t."id", 's' || s, 'span ' || s, t."timestamp" + s * interval '1 millisecond', t."timestamp" + (s + 1) * interval '1 millisecond', 1, 'OK'
         FROM "Trace" t CROSS JOIN generate_series(1, $1::int) s`,
        [settings.spans],
      );
      for (const index of indexes) await sql.query(index.indexdef);
    }
    const seedSeconds = (performance.now() - seedStart) / 1000;
    log(`seeded ${settings.traces} traces, ${settings.traces * settings.spans} spans in ${round(seedSeconds)} s; analyzing`);
    for (const table of ["Trace", "Span", "Violation", "AgentTrace"]) await sql.query(`VACUUM ANALYZE "${table}"`);

    const address = await fleet.app.listen({ port: 0, host: "127.0.0.1" });
    const key = fleet.apiKey;
    const n = settings.samples;
    // Warm the pool and the caches a little, as a running gateway is.
    await timed(`${address}/api/traces?limit=50`, key, 5);
    const first = await timed(`${address}/api/traces?limit=50`, key, n);
    // The cursor of the row 50 from the oldest: a page as deep as the table.
    const { rows: deepRows } = await sql.query(
      `SELECT "timestamp", "id"::text AS id FROM "Trace" WHERE "organizationId" = $1 ORDER BY "timestamp" ASC, "id" ASC OFFSET 50 LIMIT 1`,
      [org],
    );
    const deepCursor = encodeCursor(TRACES, deepRows[0]);
    const deep = await timed(`${address}/api/traces?limit=50&cursor=${deepCursor}`, key, n);
    const day = new Date(Date.now() - 5 * 24 * 3600 * 1000);
    const filters: Record<string, string> = {
      integration: `integrationId=${integrations[7]}`,
      agent: "agent=agent-3",
      status: "status=ERROR",
      time_range: `from=${encodeURIComponent(new Date(day.getTime() - 3600_000).toISOString())}&to=${encodeURIComponent(day.toISOString())}`,
    };
    const filtered: number[] = [];
    const perFilter: Record<string, number> = {};
    for (const [name, query] of Object.entries(filters)) {
      const samples = await timed(`${address}/api/traces?limit=50&${query}`, key, n);
      perFilter[name] = round(p95(samples));
      filtered.push(...samples);
    }
    const violations = await timed(`${address}/api/policies/violations?limit=50`, key, n);
    const violationsDeep = await timed(`${address}/api/policies/violations?limit=50&status=new&severity=high`, key, n);
    log(
      `p95 ms: first ${round(p95(first))}, deep ${round(p95(deep))}, filters ${JSON.stringify(perFilter)}, violations ${round(p95(violations))} (filtered ${round(p95(violationsDeep))})`,
    );

    // Retention beside a writer: a writer inserts new traces (with spans) in pages of 100, as a
    // sync commits them, while the oldest traces are deleted. First the baseline, deletion left to
    // the foreign keys' cascades (a plain batched DELETE of traces), on the oldest
    // BENCH_BASELINE_EXPIRE traces; then the retention job itself on the next BENCH_EXPIRE.
    const baseline = await besideWriter(sql, org, integrations[0]!, settings.baselineExpire, async (cutoff) => {
      let deleted = 0;
      for (;;) {
        const { rowCount } = await sql.query(
          `DELETE FROM "Trace" WHERE "id" IN (SELECT "id" FROM "Trace" WHERE "organizationId" = $1 AND "timestamp" < $2 ORDER BY "timestamp" LIMIT $3)`,
          [org, cutoff, settings.batch],
        );
        deleted += rowCount ?? 0;
        if ((rowCount ?? 0) < settings.batch) return deleted;
      }
    });
    const retention = await besideWriter(sql, org, integrations[0]!, settings.expire, async (cutoff) => {
      // The organization keeps whole days: the clock is set so that its cutoff falls on this trace.
      const retentionDays = Math.floor((Date.now() - cutoff.getTime()) / DAY_MS);
      await sql.query(`UPDATE "Organization" SET "retentionDays" = $2 WHERE "id" = $1`, [org, retentionDays]);
      const results = await deleteExpired(
        fleet.db,
        { batchSize: settings.batch, maxBatches: 1_000_000, lanes: settings.lanes },
        new Date(cutoff.getTime() + retentionDays * DAY_MS),
      );
      return results.reduce((sum, r) => sum + r.traces, 0);
    });
    for (const [name, r] of Object.entries({ "cascade baseline": baseline, "retention job": retention }))
      log(
        `${name}: deleted ${r.deleted} traces in ${round(r.seconds)} s → ${round(r.perSecond, 0)} traces/s, batches of ${settings.batch} (job: ${settings.lanes} lanes); ` +
          `beside it the writer committed ${r.written} traces in pages of 100, p95 page ${round(r.writerP95)} ms`,
      );

    process.stdout.write(
      `${JSON.stringify({
        traces: settings.traces,
        spans_per_trace: settings.spans,
        seed_s: round(seedSeconds),
        p95_first_page_ms: round(p95(first)),
        p95_deep_page_ms: round(p95(deep)),
        p95_filtered_ms: round(p95(filtered)),
        p95_by_filter_ms: perFilter,
        p95_violations_ms: round(p95(violations)),
        retention_deleted: retention.deleted,
        retention_delete_per_s: round(retention.perSecond, 0),
        retention_baseline_cascade_per_s: round(baseline.perSecond, 0),
        retention_ratio_vs_cascade: round(retention.perSecond / baseline.perSecond, 2),
        writer_traces_during_retention: retention.written,
        writer_p95_page_ms: round(retention.writerP95),
      })}\n`,
    );
  } finally {
    await sql.end();
    await fleet.close();
    if (!settings.keep) {
      const admin = new URL(settings.databaseUrl);
      admin.pathname = "/postgres";
      const client = new pg.Client({ connectionString: admin.toString() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${decodeURIComponent(new URL(settings.databaseUrl).pathname.slice(1))}" WITH (FORCE)`);
      await client.end();
      log("benchmark database dropped");
    }
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
