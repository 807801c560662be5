/**
 * Soak: `pnpm soak [minutes]` (or SOAK_MINUTES; default 60). Documented, not run in CI.
 *
 * Two real MLflow servers hold 10 experiments each; 20 integrations (one per experiment) sync
 * every minute on their schedules, through the built services as compose runs them (gateway with
 * its scheduler, trace-sync, policy-evaluation: `dist/*.mjs`), while a writer adds
 * SOAK_TRACES_PER_MINUTE new traces to every experiment through the MLflow SDK. At the end it
 * prints one JSON line: the RSS of every process (and its bridges) and Redis memory at the start
 * (after SOAK_WARMUP_MINUTES of warm-up) and at the end with their growth per hour, Postgres'
 * size and dead tuples, sync runs by status, and how many source traces are not stored (0
 * expected once the last schedule ran). Its own database (SOAK_DATABASE_URL) is left for
 * inspection; its queues use a prefix of their own.
 */
import { execa } from "execa";
import { readdirSync, readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { Redis } from "ioredis";
import { createPrismaClient } from "@langguard/database";
import { intSetting } from "../common/settings.ts";
import { resetDatabase } from "../../tests/helpers/database.ts";
import { startMlflowServer, runPython, type MlflowServer } from "../../tests/helpers/mlflow-server.ts";
import { killWorkerGroup, startReadyService, type ReadyService } from "../../tests/helpers/worker-process.ts";
import { REDIS_URL, repoRoot } from "../../tests/helpers/test-env.ts";
import { createApiKey } from "../../services/gateway/src/auth/api-keys.ts";

const minutes = Number(process.argv[2] ?? process.env.SOAK_MINUTES ?? 60);
if (!Number.isFinite(minutes) || minutes <= 0)
  throw new Error(`the duration must be a positive number of minutes, got ${process.argv[2] ?? process.env.SOAK_MINUTES}`);
const settings = {
  minutes,
  warmupMinutes: intSetting("SOAK_WARMUP_MINUTES", Math.min(5, Math.floor(minutes / 4)), 0),
  tracesPerMinute: intSetting("SOAK_TRACES_PER_MINUTE", 2, 1),
  databaseUrl: process.env.SOAK_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/langguard_soak",
};
const EXPERIMENTS_PER_SERVER = 10;
const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssMb(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return kb ? Number(kb[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** A process with all its descendants (the bridges a worker spawned), in MB. */
function treeRssMb(root: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += rssMb(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

async function main() {
  log(`soak for ${settings.minutes} min (warm-up ${settings.warmupMinutes} min), ${settings.tracesPerMinute} traces/min per experiment`);
  await execa("node", ["scripts/build.mjs"], { cwd: repoRoot, stdio: "inherit" });
  await resetDatabase(settings.databaseUrl);
  const db = createPrismaClient({ url: settings.databaseUrl, maxConnections: 2 });
  const redis = new Redis(REDIS_URL);
  const prefix = `soak-${randomUUID().slice(0, 8)}`;
  const servers: MlflowServer[] = [];
  const services: Record<string, ReadyService> = {};
  try {
    servers.push(await startMlflowServer(), await startMlflowServer());
    const org = await db.organization.create({ data: { slug: prefix, name: "Soak" } });
    const { key } = await createApiKey(db, org.id, "soak", ["admin"]);
    const env = { LOG_LEVEL: "warn" };
    for (const service of ["gateway", "trace-sync", "policy-evaluation"] as const) {
      services[service] = await startReadyService(service, prefix, { databaseUrl: settings.databaseUrl, env });
    }
    const api = `http://127.0.0.1:${services.gateway!.port}`;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${api}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body ? { "content-type": "application/json" } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
      return res.json() as Promise<Record<string, unknown>>;
    };
    // Ten experiments per server, each with a first trace, and an integration syncing each every minute.
    const experiments: Array<{ server: MlflowServer; id: string }> = [];
    for (const server of servers) {
      const ids = await runPython<string[]>(
        server.url,
        `import json, mlflow
ids = [mlflow.create_experiment(f"soak-{i}") for i in range(${EXPERIMENTS_PER_SERVER})]
print(json.dumps(ids))`,
      );
      for (const id of ids) experiments.push({ server, id });
    }
    for (const [i, e] of experiments.entries()) {
      await call("POST", "/api/integrations", { name: `soak-${i}`, source: "mlflow", host: e.server.url, experiments: [e.id], syncIntervalMinutes: 1 });
    }
    // The writer: every minute, new traces in every experiment, through the SDK.
    let writing = true;
    const written = { count: 0 };
    const writer = (async () => {
      while (writing) {
        const started = Date.now();
        for (const server of servers) {
          const ids = experiments.filter((e) => e.server === server).map((e) => e.id);
          await runPython(
            server.url,
            `import json, mlflow
for eid in ${JSON.stringify(ids)}:
    mlflow.set_experiment(experiment_id=eid)
    for n in range(${settings.tracesPerMinute}):
        with mlflow.start_span(name="soak") as span:
            span.set_inputs({"q": "hello"})
            with mlflow.start_span(name="llm", span_type="LLM") as child:
                child.set_outputs({"a": "world"})
print(json.dumps(1))`,
          );
        }
        written.count += experiments.length * settings.tracesPerMinute;
        await sleep(Math.max(0, 60_000 - (Date.now() - started)));
      }
    })();

    const snapshot = async () => {
      const info = await redis.info("memory");
      return {
        at: Date.now(),
        rssMb: Object.fromEntries(Object.entries(services).map(([name, s]) => [name, round(treeRssMb(s.child.pid!))])),
        redisMb: round(Number(/^used_memory:(\d+)/m.exec(info)![1]) / 1024 / 1024, 2),
      };
    };
    await sleep(settings.warmupMinutes * 60_000);
    const start = await snapshot();
    log(`after warm-up: ${JSON.stringify(start)}`);
    const endAt = Date.now() + (settings.minutes - settings.warmupMinutes) * 60_000;
    while (Date.now() < endAt) {
      await sleep(Math.min(60_000, endAt - Date.now()));
      log(`${JSON.stringify(await snapshot())} written ${written.count}`);
    }
    writing = false;
    await writer;
    const end = await snapshot();
    // The last schedule reads what the writer wrote last: give it two minutes.
    await sleep(120_000);
    const hours = (end.at - start.at) / 3_600_000;
    const growth = (a: number, b: number) => (a > 0 && hours > 0 ? round(((b - a) / a / hours) * 100, 2) : null);
    const sql = new pg.Client({ connectionString: settings.databaseUrl });
    await sql.connect();
    const size = (await sql.query(`SELECT pg_database_size(current_database()) AS bytes`)).rows[0].bytes;
    const dead = (await sql.query(`SELECT coalesce(sum(n_dead_tup), 0)::bigint AS dead, coalesce(sum(n_live_tup), 0)::bigint AS live FROM pg_stat_user_tables`))
      .rows[0];
    const runs = Object.fromEntries((await sql.query(`SELECT "status", count(*)::int AS n FROM "SyncRun" GROUP BY "status"`)).rows.map((r) => [r.status, r.n]));
    const stored = (await sql.query(`SELECT count(*)::int AS n FROM "Trace"`)).rows[0].n as number;
    await sql.end();
    let source = 0;
    for (const server of servers) {
      const ids = experiments.filter((e) => e.server === server).map((e) => e.id);
      source += await runPython<number>(
        server.url,
        `import json
from mlflow import MlflowClient
c = MlflowClient(); total = 0; token = None
while True:
    page = c.search_traces(locations=${JSON.stringify(ids)}, max_results=500, page_token=token)
    total += len(page); token = page.token
    if not token: break
print(json.dumps(total))`,
      );
    }
    process.stdout.write(
      `${JSON.stringify({
        minutes: settings.minutes,
        measured_minutes: round(hours * 60),
        integrations: experiments.length,
        traces_written: written.count,
        rss_mb_start: start.rssMb,
        rss_mb_end: end.rssMb,
        rss_growth_pct_per_hour: Object.fromEntries(Object.keys(start.rssMb).map((k) => [k, growth(start.rssMb[k]!, end.rssMb[k]!)])),
        redis_mb_start: start.redisMb,
        redis_mb_end: end.redisMb,
        redis_growth_pct_per_hour: growth(start.redisMb, end.redisMb),
        postgres_mb: round(Number(size) / 1024 / 1024),
        postgres_dead_tuples: Number(dead.dead),
        postgres_live_tuples: Number(dead.live),
        runs_by_status: runs,
        traces_behind_source: source - stored,
      })}\n`,
    );
  } finally {
    for (const s of Object.values(services)) killWorkerGroup(s.child);
    for (const server of servers) await server.stop();
    await db.$disconnect();
    await redis.quit();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
