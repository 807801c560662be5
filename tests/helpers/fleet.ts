import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { createPrismaClient, type Database } from "@langguard/database";
import { createLogger, type Logger } from "@langguard/logger";
import { createQueue, createRedisConnection, QueueName } from "@langguard/queue-contracts";
import { parseEncryptionKey } from "@langguard/secrets";
import type { RegisteredWorker } from "@langguard/service-runtime";
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import { buildApp } from "../../services/gateway/src/app.ts";
import { connectionTester } from "../../services/gateway/src/connection-test.ts";
import { bridgeFor, registerTraceSyncWorker } from "../../services/trace-sync/src/registration.ts";
import { envSchema as traceSyncEnvSchema } from "../../services/trace-sync/src/env.ts";
import { parseEnv } from "@langguard/config";
import { PYTHON_PATH, REDIS_URL, TEST_DATABASE_URL, TEST_ENCRYPTION_KEY } from "./test-env.ts";

/** Captures every log line the fleet writes, so tests can assert on them. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void) {
    this.lines.push(chunk.toString("utf8"));
    done();
  }
  text() {
    return this.lines.join("");
  }
}

export interface Fleet {
  app: FastifyInstance;
  db: Database;
  redis: Redis;
  prefix: string;
  logs: LogCapture;
  logger: Logger;
  worker?: RegisteredWorker;
  startWorker(overrides?: Record<string, string>): RegisteredWorker;
  close(): Promise<void>;
}

/**
 * The gateway and a trace-sync worker in this process, on the real Postgres, Redis and Python
 * bridge, with a queue prefix of their own so tests never see each other's jobs.
 */
export interface FleetOptions {
  worker?: boolean;
  /** Settings for the worker, over the test defaults. */
  env?: Record<string, string>;
  databaseUrl?: string;
  logLevel?: string;
  /** Where logs go; by default they are captured in `logs` for assertions. */
  logDestination?: NodeJS.WritableStream;
}

export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const logs = new LogCapture();
  const logLevel = options.logLevel ?? "debug";
  const logger = createLogger({ name: "test-fleet", level: logLevel, destination: (options.logDestination ?? logs) as Writable });
  const databaseUrl = options.databaseUrl ?? TEST_DATABASE_URL;
  const db = createPrismaClient({ url: databaseUrl, maxConnections: 5 });
  const redis = createRedisConnection(REDIS_URL);
  const key = parseEncryptionKey(TEST_ENCRYPTION_KEY);
  const traceSyncQueue = createQueue(QueueName.TraceSync, { connection: redis, prefix });
  // Nothing consumes policy evaluations here yet; the queue is opened to be emptied on close.
  const policyQueue = createQueue(QueueName.PolicyEvaluation, { connection: redis, prefix });
  const baseEnv = { DATABASE_URL: databaseUrl, REDIS_URL, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, PYTHON_PATH, QUEUE_PREFIX: prefix, LOG_LEVEL: logLevel, METRICS_PORT: "0", ...options.env };
  const bridge = bridgeFor(parseEnv(traceSyncEnvSchema, baseEnv), logger);
  const app = await buildApp({ db, redis, traceSyncQueue, encryptionKey: key, testConnection: connectionTester(bridge, key) }, logger);
  const workers: RegisteredWorker[] = [];
  const fleet: Fleet = {
    app,
    db,
    redis,
    prefix,
    logs,
    logger,
    startWorker(overrides = {}) {
      const env = parseEnv(traceSyncEnvSchema, { ...baseEnv, ...overrides });
      const connection = createRedisConnection(REDIS_URL);
      const registered = registerTraceSyncWorker({ env, db, queue: { connection, prefix }, logger });
      let closed: Promise<void> | undefined;
      const worker: RegisteredWorker = {
        ...registered,
        // Tests close workers themselves; the fleet closes them again at the end.
        close: () =>
          (closed ??= (async () => {
            await registered.close();
            await connection.quit();
          })()),
      };
      workers.push(worker);
      fleet.worker = worker;
      return worker;
    },
    async close() {
      for (const worker of workers) await worker.close();
      await app.close();
      for (const queue of [traceSyncQueue, policyQueue]) {
        await queue.obliterate({ force: true }).catch(() => undefined);
        await queue.close();
      }
      await db.$disconnect();
      await redis.quit();
    },
  };
  if (options.worker !== false) fleet.startWorker();
  return fleet;
}

export interface SyncRunView {
  id: string;
  status: string;
  itemsFetched: number;
  itemsIngested: number;
  itemsUpdated: number;
  itemsSkipped: number;
  spansIngested: number;
  errorKind: string | null;
  errorMessage: string | null;
  durationMs: number | null;
  experimentErrors: Array<{ experimentId: string; kind: string; message: string }>;
}

/** Triggers a sync through the API and waits for its run to finish. */
export async function syncAndWait(app: FastifyInstance, integrationId: string, body: object = {}, timeoutMs = 120_000): Promise<SyncRunView> {
  const trigger = await app.inject({ method: "POST", url: `/api/integrations/${integrationId}/sync`, payload: body });
  if (trigger.statusCode !== 202) throw new Error(`sync trigger answered ${trigger.statusCode}: ${trigger.body}`);
  const { syncRunId } = trigger.json() as { syncRunId: string };
  return waitForRun(app, integrationId, syncRunId, timeoutMs);
}

export async function waitForRun(app: FastifyInstance, integrationId: string, syncRunId: string, timeoutMs = 120_000): Promise<SyncRunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const history = (await app.inject({ method: "GET", url: `/api/integrations/${integrationId}/sync/history?limit=20` })).json() as { items: SyncRunView[] };
    const run = history.items.find((r) => r.id === syncRunId);
    if (run && !["queued", "running"].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`sync run ${syncRunId} did not finish: ${JSON.stringify(run)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function createIntegration(app: FastifyInstance, body: Record<string, unknown>): Promise<{ id: string; token: string | null }> {
  const res = await app.inject({ method: "POST", url: "/api/integrations", payload: { name: `it-${randomUUID().slice(0, 8)}`, ...body } });
  if (res.statusCode !== 201) throw new Error(`create integration answered ${res.statusCode}: ${res.body}`);
  return res.json();
}
