import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { parseEnv } from "@langguard/config";
import { createPrismaClient, type Database } from "@langguard/database";
import { createLogger, type Logger } from "@langguard/logger";
import { createQueue, createRedisConnection, QueueName, queuePrefix, type RedisClient } from "@langguard/queue-contracts";
import type { RegisteredWorker } from "@langguard/service-runtime";
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import { buildApp } from "../../services/gateway/src/app.ts";
import { createApiKey, type Scope } from "../../services/gateway/src/auth/api-keys.ts";
import { envSchema as gatewayEnvSchema } from "../../services/gateway/src/env.ts";
import { gatewayDeps, queuesOf } from "../../services/gateway/src/wiring.ts";
import { registerTraceSyncWorker } from "../../services/trace-sync/src/registration.ts";
import { envSchema as traceSyncEnvSchema } from "../../services/trace-sync/src/env.ts";
import { envSchema as policyEnvSchema } from "../../services/policy-evaluation/src/env.ts";
import { registerPolicyEvaluationWorker } from "../../services/policy-evaluation/src/registration.ts";
import { envSchema as catalogEnvSchema } from "../../services/catalog-sync/src/env.ts";
import { registerCatalogSyncWorker } from "../../services/catalog-sync/src/registration.ts";
import { LOCAL_SOURCES_ENV, PYTHON_PATH, REDIS_URL, TEST_DATABASE_URL, TEST_ENCRYPTION_KEY } from "./test-env.ts";

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
  redis: RedisClient;
  /** The prefix of the fleet's BullMQ keys: hash-tagged when REDIS_URL names a cluster. */
  prefix: string;
  logs: LogCapture;
  logger: Logger;
  /** The organization this fleet's API key belongs to. */
  organizationId: string;
  /** An admin key of that organization. */
  apiKey: string;
  worker?: RegisteredWorker;
  /** app.inject with this fleet's API key (unless the options carry their own authorization). */
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Another organization with a key of the given scopes: for isolation and scope tests. */
  newOrganization(scopes?: Scope[]): Promise<{ organizationId: string; apiKey: string }>;
  startWorker(overrides?: Record<string, string>): RegisteredWorker;
  /** A catalog-sync worker on this fleet's queues. */
  startCatalogWorker(overrides?: Record<string, string>): RegisteredWorker;
  /** A policy-evaluation worker (evaluation, sweep and webhook delivery) on this fleet's queues. */
  startPolicyWorker(overrides?: Record<string, string>): RegisteredWorker;
  close(): Promise<void>;
}

export interface FleetOptions {
  worker?: boolean;
  /** Settings for the worker and gateway, over the test defaults. */
  env?: Record<string, string>;
  databaseUrl?: string;
  logLevel?: string;
  /** Where logs go; by default they are captured in `logs` for assertions. */
  logDestination?: NodeJS.WritableStream;
}

/**
 * The gateway and a trace-sync worker in this process, on the real Postgres, Redis and Python
 * bridge, with a queue prefix and an organization of their own so tests never see each other's
 * jobs or data.
 */
export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const namespace = `test-${randomUUID().slice(0, 8)}`;
  const redisUrl = options.env?.REDIS_URL ?? REDIS_URL;
  const prefix = queuePrefix({ QUEUE_PREFIX: namespace, REDIS_URL: redisUrl });
  const logs = new LogCapture();
  const logLevel = options.logLevel ?? "debug";
  const logger = createLogger({ name: "test-fleet", level: logLevel, destination: (options.logDestination ?? logs) as Writable });
  const databaseUrl = options.databaseUrl ?? TEST_DATABASE_URL;
  const db = createPrismaClient({ url: databaseUrl, maxConnections: 5 });
  const redis = createRedisConnection(redisUrl);
  const baseEnv = {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    PYTHON_PATH,
    QUEUE_PREFIX: namespace,
    LOG_LEVEL: logLevel,
    METRICS_PORT: "0",
    OPS_PORT: "0",
    RATE_LIMIT_PER_MINUTE: "100000",
    RATE_LIMIT_EXPENSIVE_PER_MINUTE: "100000",
    RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: "100000",
    ...LOCAL_SOURCES_ENV,
    ...options.env,
  };
  const gatewayEnv = parseEnv(gatewayEnvSchema, baseEnv);
  // Wired exactly as the deployed gateway is.
  const deps = gatewayDeps(gatewayEnv, db, redis, logger);
  const app = await buildApp(deps, logger);

  const newOrganization = async (scopes: Scope[] = ["admin"]) => {
    const org = await db.organization.create({ data: { slug: `test-${randomUUID().slice(0, 12)}`, name: "Test organization" } });
    const { key } = await createApiKey(db, org.id, "test key", scopes);
    return { organizationId: org.id, apiKey: key };
  };
  const own = await newOrganization();
  const workers: RegisteredWorker[] = [];
  /** Each worker on a connection of its own, closed with it, once. */
  const track = (registered: RegisteredWorker, connection: RedisClient): RegisteredWorker => {
    let closed: Promise<void> | undefined;
    const worker: RegisteredWorker = {
      ...registered,
      close: () =>
        (closed ??= (async () => {
          await registered.close();
          await connection.quit();
        })()),
    };
    workers.push(worker);
    return worker;
  };
  const fleet: Fleet = {
    app,
    db,
    redis,
    prefix,
    logs,
    logger,
    organizationId: own.organizationId,
    apiKey: own.apiKey,
    inject: (injected) => app.inject({ ...injected, headers: { authorization: `Bearer ${own.apiKey}`, ...injected.headers } }),
    newOrganization,
    startWorker(overrides = {}) {
      const env = parseEnv(traceSyncEnvSchema, { ...baseEnv, ...overrides });
      const connection = createRedisConnection(env.REDIS_URL);
      fleet.worker = track(registerTraceSyncWorker({ env, db, queue: { connection, prefix }, logger }), connection);
      return fleet.worker;
    },
    startCatalogWorker(overrides = {}) {
      const env = parseEnv(catalogEnvSchema, { ...baseEnv, ...overrides });
      const connection = createRedisConnection(env.REDIS_URL);
      return track(registerCatalogSyncWorker({ env, db, queue: { connection, prefix }, logger }), connection);
    },
    startPolicyWorker(overrides = {}) {
      const env = parseEnv(policyEnvSchema, { ...baseEnv, ...overrides });
      const connection = createRedisConnection(env.REDIS_URL);
      return track(registerPolicyEvaluationWorker({ env, db, queue: { connection, prefix }, logger }), connection);
    },
    async close() {
      for (const worker of workers) await worker.close();
      await app.close();
      await deps.bridge.close();
      const deliveryQueue = createQueue(QueueName.WebhookDelivery, { connection: redis, prefix });
      for (const queue of [...queuesOf(deps), deliveryQueue]) {
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
  createdAt: string;
  completedAt: string | null;
  attempts: number;
  experimentErrors: Array<{ experimentId: string; kind: string; message: string }>;
  containerErrors: Array<{ kind: string; fullName: string; errorKind: string; message: string }>;
  warnings: Array<{ kind: string; message: string }>;
  deletionsHeldBack?: Array<{
    id: string;
    kind: string;
    fullName: string;
    count: number;
    byKind: Record<string, number>;
    reason: string;
    confirmedAt: string | null;
  }>;
  progress: Record<string, unknown>;
}

type Api = Pick<Fleet, "inject">;

/** Triggers a sync through the API and waits for its run to finish. */
export async function syncAndWait(api: Api, integrationId: string, body: object = {}, timeoutMs = 120_000): Promise<SyncRunView> {
  const trigger = await api.inject({ method: "POST", url: `/api/integrations/${integrationId}/sync`, payload: body });
  if (trigger.statusCode !== 202) throw new Error(`sync trigger answered ${trigger.statusCode}: ${trigger.body}`);
  const { syncRunId } = trigger.json() as { syncRunId: string };
  return waitForRun(api, integrationId, syncRunId, timeoutMs);
}

export async function waitForRun(api: Api, integrationId: string, syncRunId: string, timeoutMs = 120_000): Promise<SyncRunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const history = (await api.inject({ method: "GET", url: `/api/integrations/${integrationId}/sync/history?limit=20` })).json() as { items: SyncRunView[] };
    const run = history.items.find((r) => r.id === syncRunId);
    if (run && !["queued", "running"].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`sync run ${syncRunId} did not finish: ${JSON.stringify(run)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export async function createIntegration(api: Api, body: Record<string, unknown>): Promise<{ id: string; token: string | null }> {
  const res = await api.inject({ method: "POST", url: "/api/integrations", payload: { name: `it-${randomUUID().slice(0, 8)}`, ...body } });
  if (res.statusCode !== 201) throw new Error(`create integration answered ${res.statusCode}: ${res.body}`);
  return res.json();
}
