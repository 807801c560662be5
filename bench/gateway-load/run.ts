/**
 * Gateway under load: `pnpm bench:gateway-load`. autocannon drives, one after the other and for
 * BENCH_SECONDS each with BENCH_CONNECTIONS connections: a bare Fastify route (the baseline: the
 * same machine, the same process, no work), `POST /api/integrations/:id/sync` (a storm of
 * triggers that coalesces into one queued run), `GET /api/traces` and `GET /api/traces/:id`, on
 * the real gateway (Postgres, Redis, API key) listening on loopback. A second baseline, the floor,
 * is a route of the same bare server that does the least a gateway route touching storage does:
 * one Postgres read by primary key through Prisma and one Redis command. No route that reads the
 * database can beat it, so the ratios against it say how much the gateway adds on top. The per-key rate limits are
 * raised through their settings (RATE_LIMIT_PER_MINUTE, RATE_LIMIT_EXPENSIVE_PER_MINUTE), as an
 * operator would, not in code. Its own database (BENCH_DATABASE_URL) is dropped at the end.
 * Logs go to stderr; the last stdout line is one JSON object.
 */
import autocannon from "autocannon";
import Fastify from "fastify";
import pg from "pg";
import { intSetting } from "../common/settings.ts";
import { resetDatabase } from "../../tests/helpers/database.ts";
import { startFleet } from "../../tests/helpers/fleet.ts";

const settings = {
  seconds: intSetting("BENCH_SECONDS", 10, 1),
  connections: intSetting("BENCH_CONNECTIONS", 16, 1),
  traces: intSetting("BENCH_TRACES", 10_000, 100),
  databaseUrl: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/langguard_bench_gateway_load",
};
const log = (line: string) => process.stderr.write(`${line}\n`);
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

interface Figures {
  rps: number;
  p99: number;
  errors: number;
  statuses: Record<string, number>;
}

async function load(name: string, options: autocannon.Options): Promise<Figures> {
  const result = await autocannon({ connections: settings.connections, duration: settings.seconds, ...options });
  const statuses: Record<string, number> = {};
  for (const [code, count] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = (count as { count: number }).count;
  // Anything but 2xx is an error here: a 429 would mean the settings did not raise the limit.
  const errors = result.errors + result.timeouts + result.non2xx;
  const figures = { rps: result.requests.average, p99: result.latency.p99, errors, statuses };
  log(`${name}: ${round(figures.rps)} req/s, p99 ${figures.p99} ms, errors ${errors} ${JSON.stringify(statuses)}`);
  return figures;
}

async function main() {
  await resetDatabase(settings.databaseUrl);
  const fleet = await startFleet({
    worker: false,
    databaseUrl: settings.databaseUrl,
    logLevel: "warn",
    env: { RATE_LIMIT_PER_MINUTE: "100000000", RATE_LIMIT_EXPENSIVE_PER_MINUTE: "100000000" },
  });
  const bare = Fastify();
  bare.get("/bare", async () => ({ ok: true }));
  let floorId = "";
  bare.get("/floor", async () => {
    const [row] = await Promise.all([fleet.db.integration.findUnique({ where: { id: floorId }, select: { id: true } }), fleet.redis.get("bench:floor")]);
    return { ok: row !== null };
  });
  const sql = new pg.Client({ connectionString: settings.databaseUrl });
  await sql.connect();
  try {
    const integration = await fleet.db.integration.create({
      data: { organizationId: fleet.organizationId, name: "load", source: "mlflow", host: "http://127.0.0.1:1" },
    });
    await sql.query(
      `INSERT INTO "Trace" ("id", "organizationId", "integrationId", "externalId", "timestamp", "status", "contentHash", "spanCount", "updatedAt")
       SELECT gen_random_uuid(), $1, $2, 'tr-' || g, now() - g * interval '1 second', 'OK', 'x', 4, now() FROM generate_series(1, $3::int) g`,
      [fleet.organizationId, integration.id, settings.traces],
    );
    await sql.query(
      `INSERT INTO "Span" ("id", "traceId", "spanId", "name", "startTime", "status") SELECT gen_random_uuid(), t."id", 's' || s, 'span', t."timestamp", 'OK' FROM "Trace" t CROSS JOIN generate_series(1, 4) s`,
    );
    await sql.query(`VACUUM ANALYZE "Trace"`);
    await sql.query(`VACUUM ANALYZE "Span"`);
    const { rows } = await sql.query(`SELECT "id"::text AS id FROM "Trace" ORDER BY "timestamp" DESC LIMIT 1`);
    const traceId = rows[0].id as string;

    floorId = integration.id;
    const api = await fleet.app.listen({ port: 0, host: "127.0.0.1" });
    const bareUrl = await bare.listen({ port: 0, host: "127.0.0.1" });
    const headers = { authorization: `Bearer ${fleet.apiKey}` };
    const baseline = await load("bare Fastify", { url: `${bareUrl}/bare` });
    const floor = await load("floor (one Prisma read + one Redis command)", { url: `${bareUrl}/floor` });
    const trigger = await load("POST sync", {
      url: `${api}/api/integrations/${integration.id}/sync`,
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body: JSON.stringify({ type: "traces" }),
    });
    const list = await load("GET /api/traces", { url: `${api}/api/traces?limit=50`, headers });
    const trace = await load("GET /api/traces/:id", { url: `${api}/api/traces/${traceId}`, headers });
    // The storm coalesced: one run, however many triggers.
    const runs = await fleet.db.syncRun.count({ where: { integrationId: integration.id } });
    log(`sync runs created by ${round(trigger.rps * settings.seconds, 0)} triggers: ${runs}`);

    process.stdout.write(
      `${JSON.stringify({
        seconds: settings.seconds,
        connections: settings.connections,
        trigger_rps: round(trigger.rps),
        trigger_p99_ms: trigger.p99,
        trigger_runs_created: runs,
        list_rps: round(list.rps),
        list_p99_ms: list.p99,
        trace_rps: round(trace.rps),
        trace_p99_ms: trace.p99,
        bare_rps: round(baseline.rps),
        trigger_ratio_vs_bare: round(trigger.rps / baseline.rps, 3),
        list_ratio_vs_bare: round(list.rps / baseline.rps, 3),
        floor_rps: round(floor.rps),
        floor_ratio_vs_bare: round(floor.rps / baseline.rps, 3),
        trigger_ratio_vs_floor: round(trigger.rps / floor.rps, 3),
        list_ratio_vs_floor: round(list.rps / floor.rps, 3),
        errors: trigger.errors + list.errors + trace.errors + baseline.errors + floor.errors,
      })}\n`,
    );
  } finally {
    await sql.end();
    await bare.close();
    await fleet.close();
    const admin = new URL(settings.databaseUrl);
    admin.pathname = "/postgres";
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${decodeURIComponent(new URL(settings.databaseUrl).pathname.slice(1))}" WITH (FORCE)`);
    await client.end();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
