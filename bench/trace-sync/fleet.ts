import { randomBytes, randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { parseEnv } from "@langguard/config";
import { createPrismaClient, type Database } from "@langguard/database";
import { createLogger } from "@langguard/logger";
import { createQueue, createRedisConnection, QueueName } from "@langguard/queue-contracts";
import { parseEncryptionKey } from "@langguard/secrets";
import type { RegisteredWorker } from "@langguard/service-runtime";
import { execa } from "execa";
import type { FastifyInstance } from "fastify";
import pg from "pg";
import { buildApp } from "../../services/gateway/src/app.ts";
import { connectionTester } from "../../services/gateway/src/connection-test.ts";
import { envSchema } from "../../services/trace-sync/src/env.ts";
import { bridgeFor, registerTraceSyncWorker } from "../../services/trace-sync/src/registration.ts";
import { PYTHON_PATH, repoRoot } from "./python.ts";

export interface SyncRunView {
  id: string;
  status: string;
  itemsFetched: number;
  itemsIngested: number;
  itemsUpdated: number;
  itemsSkipped: number;
  spansIngested: number;
  errorMessage: string | null;
  experimentErrors: unknown[];
  durationMs: number | null;
}

export interface TimedSync {
  run: SyncRunView;
  /** From the trigger request to the poll that saw the run finished. */
  seconds: number;
}

/** Drops and recreates the benchmark's database, then applies the project's migrations to it. */
export async function resetDatabase(databaseUrl: string): Promise<void> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  const admin = new URL(databaseUrl);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const quoted = `"${name.replaceAll('"', '""')}"`;
    await client.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${quoted}`);
  } finally {
    await client.end();
  }
  await execa(process.execPath, ["--experimental-wasm-modules", "--no-warnings", "scripts/migrate.mjs"], {
    cwd: repoRoot,
    env: { DATABASE_URL: databaseUrl },
  });
}

/**
 * The gateway and a trace-sync worker in this process, as the tests run them: real Postgres,
 * Redis and Python bridge, with a queue prefix of their own so no other fleet sees the jobs.
 */
export class BenchFleet {
  private constructor(
    readonly app: FastifyInstance,
    readonly db: Database,
    private readonly closers: Array<() => Promise<unknown>>,
  ) {}

  static async start(options: { databaseUrl: string; redisUrl: string; logLevel: string; lookbackDays: number }): Promise<BenchFleet> {
    const prefix = `bench-${randomUUID().slice(0, 8)}`;
    const env = parseEnv(envSchema, {
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      QUEUE_PREFIX: prefix,
      // Throwaway: the integrations carry no token.
      ENCRYPTION_KEY: randomBytes(32).toString("hex"),
      PYTHON_PATH,
      LOG_LEVEL: options.logLevel,
      TRACE_SYNC_LOOKBACK_DAYS: String(options.lookbackDays),
      METRICS_PORT: "0",
    });
    // Logs go to stderr: stdout carries the figures, and its last line must be the JSON summary.
    const logger = createLogger({ name: "bench-trace-sync", level: env.LOG_LEVEL, destination: process.stderr });
    const db = createPrismaClient({ url: env.DATABASE_URL, maxConnections: 5 });
    const redis = createRedisConnection(env.REDIS_URL);
    const workerRedis = createRedisConnection(env.REDIS_URL);
    const key = parseEncryptionKey(env.ENCRYPTION_KEY);
    const traceSyncQueue = createQueue(QueueName.TraceSync, { connection: redis, prefix });
    // The worker enqueues policy evaluations that nothing consumes here; opened only to be emptied.
    const policyQueue = createQueue(QueueName.PolicyEvaluation, { connection: redis, prefix });
    const app = await buildApp({ db, redis, traceSyncQueue, encryptionKey: key, testConnection: connectionTester(bridgeFor(env, logger), key) }, logger);
    const worker: RegisteredWorker = registerTraceSyncWorker({ env, db, queue: { connection: workerRedis, prefix }, logger });
    return new BenchFleet(app, db, [
      () => worker.close(),
      () => app.close(),
      () => traceSyncQueue.obliterate({ force: true }),
      () => policyQueue.obliterate({ force: true }),
      () => traceSyncQueue.close(),
      () => policyQueue.close(),
      () => db.$disconnect(),
      () => workerRedis.quit(),
      () => redis.quit(),
    ]);
  }

  async createIntegration(host: string, experimentIds: string[]): Promise<string> {
    const res = await this.app.inject({
      method: "POST",
      url: "/api/integrations",
      payload: { name: `bench-${randomUUID().slice(0, 8)}`, source: "mlflow", host, experiments: experimentIds },
    });
    if (res.statusCode !== 201) throw new Error(`creating the integration answered ${res.statusCode}: ${res.body}`);
    return (res.json() as { id: string }).id;
  }

  /** Triggers a sync through the API and polls its history until the run has finished. */
  async syncAndTime(integrationId: string, timeoutMs: number, pollMs = 100): Promise<TimedSync> {
    const started = performance.now();
    const trigger = await this.app.inject({ method: "POST", url: `/api/integrations/${integrationId}/sync`, payload: {} });
    if (trigger.statusCode !== 202) throw new Error(`the sync trigger answered ${trigger.statusCode}: ${trigger.body}`);
    const { syncRunId } = trigger.json() as { syncRunId: string };
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await this.app.inject({ method: "GET", url: `/api/integrations/${integrationId}/sync/history?limit=5` });
      const run = (res.json() as { items: SyncRunView[] }).items.find((r) => r.id === syncRunId);
      if (run && run.status !== "queued" && run.status !== "running") {
        const seconds = (performance.now() - started) / 1000;
        if (run.status !== "succeeded") throw new Error(`sync run ${syncRunId} ended ${run.status}: ${run.errorMessage ?? JSON.stringify(run.experimentErrors)}`);
        return { run, seconds };
      }
      if (Date.now() > deadline) throw new Error(`sync run ${syncRunId} did not finish within ${timeoutMs} ms: ${JSON.stringify(run)}`);
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }

  /** What the integration holds in Postgres. */
  async stored(integrationId: string): Promise<{ traces: number; spans: number }> {
    const [traces, spans] = await Promise.all([
      this.db.trace.count({ where: { integrationId } }),
      this.db.span.count({ where: { trace: { integrationId } } }),
    ]);
    return { traces, spans };
  }

  async close(): Promise<void> {
    for (const close of this.closers) await close().catch(() => undefined);
  }
}
