/**
 * The fault suite (`pnpm test:faults`): each case breaks something during a sync of thousands of
 * traces from a real MLflow server, then compares Postgres with the source.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createQueue, jobId, QueueName } from "@langguard/queue-contracts";
import { reconcileSyncRuns } from "@langguard/sync-runs";
import { resetDatabase } from "../helpers/database.ts";
import { startFaultProxy, type FaultProxy } from "../helpers/databricks/index.ts";
import { createIntegration, startFleet, syncAndWait, waitForRun, type Fleet } from "../helpers/fleet.ts";
import { runPythonScript, startMlflowServer, type MlflowServer } from "../helpers/mlflow-server.ts";
import { repoRoot, TEST_DATABASE_URL } from "../helpers/test-env.ts";
import { startPrivatePostgres, startPrivateRedis } from "./private-services.ts";
import { bridgeProcesses, expectMatchesSource, readSource, type SourceTruth } from "./source-truth.ts";
import { WorkerProcess } from "./worker-process.ts";

const TRACES = Number(process.env.FAULT_TRACES ?? 5_000);
const DATABASE_URL = TEST_DATABASE_URL.replace(/\/[^/]+$/, "/langguard_faults");
const logDir = path.join(repoRoot, ".data/faults");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let mlflow: MlflowServer;
let source: SourceTruth;

async function untilStored(fleet: Fleet, integrationId: string, atLeast: number, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await fleet.db.trace.count({ where: { integrationId } })) >= atLeast) return;
    await sleep(50);
  }
  throw new Error(`fewer than ${atLeast} traces stored within ${timeoutMs} ms`);
}

/** The end of every case: the data matches the source, no bridge is left, and the next sync works. */
async function finishCase(fleet: Fleet, integrationId: string, syncRunId: string, workers: WorkerProcess[]) {
  await expectMatchesSource(fleet.db, integrationId, syncRunId, source);
  const next = await syncAndWait(fleet, integrationId, {}, 180_000);
  expect(next.status).toBe("succeeded");
  for (const worker of workers) await worker.kill();
  await sleep(500);
  expect(bridgeProcesses(workers.map((w) => w.child.pid!))).toEqual([]);
}

beforeAll(async () => {
  mkdirSync(logDir, { recursive: true });
  await resetDatabase(DATABASE_URL);
  mlflow = await startMlflowServer();
  const seeded = await runPythonScript<{ experiments: Array<{ experimentId: string }>; spansPerTrace: number }>(
    path.join(repoRoot, "bench/trace-sync/seed_bulk.py"),
    ["--tracking-uri", mlflow.url, "--store-uri", mlflow.storeUri, "--target", `faults=${TRACES}`],
  );
  source = await readSource(mlflow.url, seeded.experiments[0]!.experimentId, seeded.spansPerTrace);
  expect(source.traceIds).toHaveLength(TRACES);
}, 600_000);

afterAll(async () => {
  await mlflow?.stop();
});

describe("faults during a sync", () => {
  let fleet: Fleet;
  const workers: WorkerProcess[] = [];
  const worker = (env: Record<string, string> = {}) => {
    const w = new WorkerProcess({ databaseUrl: DATABASE_URL, prefix: fleet.prefix, env, logFile: path.join(logDir, "workers.log") });
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    fleet = await startFleet({ worker: false, databaseUrl: DATABASE_URL, logLevel: "warn", logDestination: process.stderr });
  });
  // A case that failed half way must not leave its workers to take the next case's jobs.
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.kill();
  });
  afterAll(async () => {
    await fleet?.close();
  });

  it("SIGKILL of the worker's process group at 10 random points, restarted each time", async () => {
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: [source.experimentId] });
    let current = worker();
    const syncRunId = (await fleet.inject({ method: "POST", url: `/api/integrations/${id}/sync`, payload: { mode: "full" } })).json().syncRunId;
    for (let kill = 0; kill < 10; kill += 1) {
      await untilStored(fleet, id, Math.min(TRACES - 1, (await fleet.db.trace.count({ where: { integrationId: id } })) + 1));
      await sleep(200 + Math.random() * 1_500);
      await current.kill();
      current = worker();
    }
    const run = await waitForRun(fleet, id, syncRunId, 600_000);
    expect(run.status).toBe("succeeded");
    expect(run.attempts).toBeGreaterThanOrEqual(2);
    await finishCase(fleet, id, syncRunId, workers);
  });

  it("SIGTERM through the start command compose uses, three times: the job is handed back each time", async () => {
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: [source.experimentId] });
    const syncRunId = (await fleet.inject({ method: "POST", url: `/api/integrations/${id}/sync`, payload: { mode: "full" } })).json().syncRunId;
    const queue = createQueue(QueueName.TraceSync, { connection: fleet.redis, prefix: fleet.prefix });
    try {
      for (let stop = 1; stop <= 3; stop += 1) {
        const current = worker();
        await untilStored(fleet, id, Math.min(TRACES - 1, (await fleet.db.trace.count({ where: { integrationId: id } })) + 200));
        const exit = await current.terminate();
        expect(exit, `stop ${stop}`).toMatchObject({ code: 0, signal: null });
        expect(exit.ms).toBeLessThan(20_000);
        const run = await fleet.db.syncRun.findUniqueOrThrow({ where: { id: syncRunId } });
        expect(run.status).toBe("queued");
        expect((await queue.getJob(jobId.traceSync(syncRunId)))?.attemptsMade).toBe(0);
      }
      worker();
      const run = await waitForRun(fleet, id, syncRunId, 600_000);
      expect(run.status).toBe("succeeded");
      // Resumed each time from its own checkpoint: a full run read each trace about once, not four times.
      expect(run.itemsFetched).toBeLessThan(TRACES * 1.5);
      await finishCase(fleet, id, syncRunId, workers);
    } finally {
      await queue.close();
    }
  });

  it("MLflow killed in the middle of a sync and started again: the run retries and resumes from its checkpoint", async () => {
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: [source.experimentId] });
    worker();
    const syncRunId = (await fleet.inject({ method: "POST", url: `/api/integrations/${id}/sync`, payload: { mode: "full" } })).json().syncRunId;
    await untilStored(fleet, id, Math.floor(TRACES / 3));
    await mlflow.kill();
    let atCheckpoint: { fetched: number; storedBelowCursor: number };
    try {
      // Down long enough for the bridge to fail and the run to say so. An attempt that failed
      // earlier for another reason (a busy server's 500) may be the first message seen: wait for
      // the one about the refused connection.
      const refused = /Attempt \d+ failed, retrying: .*Cannot connect to 127\.0\.0\.1/;
      const deadline = Date.now() + 120_000;
      let waiting = await fleet.db.syncRun.findUniqueOrThrow({ where: { id: syncRunId } });
      while (Date.now() < deadline && !refused.test(waiting.errorMessage ?? "")) {
        await sleep(250);
        waiting = await fleet.db.syncRun.findUniqueOrThrow({ where: { id: syncRunId } });
      }
      expect(waiting.errorMessage).toMatch(refused);
      expect(waiting.errorMessage).not.toMatch(/https?:\/\/|\?|tr-[0-9a-f]{8}/);
      // Slices finish in any order: the experiment's checkpoint stands at the prefix of slices
      // completely stored, which is where the next attempt reads from.
      const checkpoint = await fleet.db.runCheckpoint.findUniqueOrThrow({ where: { syncRunId_key: { syncRunId, key: source.experimentId } } });
      const storedBelowCursor = await fleet.db.trace.count({ where: { integrationId: id, timestamp: { lt: new Date(Number(checkpoint.cursorMs)) } } });
      atCheckpoint = { fetched: waiting.itemsFetched, storedBelowCursor };
    } finally {
      // Whatever happened above, the next cases need their server back.
      mlflow = await startMlflowServer({ dir: mlflow.dir, port: mlflow.port });
    }
    const run = await waitForRun(fleet, id, syncRunId, 600_000);
    expect(run.status).toBe("succeeded");
    // It went on from its checkpoint, not from the start: what lay below the cursor was not read
    // again (a little slack for traces sharing the cursor's millisecond).
    expect(atCheckpoint.storedBelowCursor).toBeGreaterThan(0);
    expect(run.itemsFetched).toBeLessThanOrEqual(atCheckpoint.fetched + TRACES - atCheckpoint.storedBelowCursor + 20);
    await finishCase(fleet, id, syncRunId, workers);
  });

  it("a misbehaving bridge (hang, garbage, a 100 MB line, a crash, a malformed error) gives typed errors while the worker serves other jobs", async () => {
    const current = worker({
      PYTHON_PATH: path.join(repoRoot, "tests/faults/fixtures/misbehaving-python.sh"),
      PYTHON_BRIDGE_MODE: "cold",
      // Long enough for the healthy integration's cold bridge (a fresh interpreter importing MLflow
      // and the Databricks SDK, then validating its parameters) to send its first message on a
      // busy two-core machine; the hanging one is still stopped well inside the case's deadline.
      DATABRICKS_PYTHON_TIMEOUT: "15000",
      TRACE_SYNC_CONCURRENCY: "6",
    });
    const expected = {
      hang: { kind: "timeout", text: "DATABRICKS_PYTHON_TIMEOUT exceeded" },
      garbage: { kind: "protocol", text: "not a protocol message" },
      "long-line": { kind: "protocol", text: "longer than" },
      crash: { kind: "crashed", text: "killed by SIGSEGV" },
      "wrong-shape": { kind: "protocol", text: "invalid message" },
    } as const;
    const runs: Array<{ name: keyof typeof expected; id: string; runId: string }> = [];
    for (const name of Object.keys(expected) as Array<keyof typeof expected>) {
      const { id } = await createIntegration(fleet, { source: "mlflow", host: `http://127.0.0.1:9/misbehave-${name}` });
      runs.push({ name, id, runId: (await fleet.inject({ method: "POST", url: `/api/integrations/${id}/sync`, payload: {} })).json().syncRunId });
    }
    // A healthy integration synced by the same worker at the same time.
    const { id: healthy } = await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: [source.experimentId] });
    const healthyRunId = (await fleet.inject({ method: "POST", url: `/api/integrations/${healthy}/sync`, payload: { mode: "full" } })).json().syncRunId;
    for (const { name, id, runId } of runs) {
      const deadline = Date.now() + 120_000;
      let run = await fleet.db.syncRun.findUniqueOrThrow({ where: { id: runId } });
      while (Date.now() < deadline && !run.errorKind) {
        await sleep(200);
        run = await fleet.db.syncRun.findUniqueOrThrow({ where: { id: runId } });
      }
      expect(run.errorKind, name).toBe(expected[name].kind);
      expect(run.errorMessage, name).toContain(expected[name].text);
      // Stop its retries: the next attempt finds the integration gone and fails for good.
      await fleet.inject({ method: "DELETE", url: `/api/integrations/${id}` });
    }
    const run = await waitForRun(fleet, healthy, healthyRunId, 600_000);
    expect(run.status).toBe("succeeded");
    expect(current.alive).toBe(true);
    await finishCase(fleet, healthy, healthyRunId, workers);
  });

  it("upstream answers through a Databricks-style proxy: 401 and 403 fail with the spec's message, 429 and 503 are retried", async () => {
    const proxy: FaultProxy = await startFaultProxy({ target: mlflow.url });
    try {
      worker();
      for (const [status, kind, text] of [
        [401, "auth", "401 Unauthorized"],
        [403, "permission", "403 Forbidden"],
      ] as const) {
        const rule = proxy.setFault({ path: /\/api\//, status });
        const { id } = await createIntegration(fleet, { source: "mlflow", host: proxy.url, experiments: [source.experimentId] });
        const run = await syncAndWait(fleet, id, {}, 120_000);
        expect(run, `${status}`).toMatchObject({ status: "failed", errorKind: kind, attempts: 1 });
        expect(run.errorMessage).toContain(text);
        rule.remove();
      }
      // Throttled, then unavailable, then slow: every page gets through in the end.
      const { id } = await createIntegration(fleet, { source: "mlflow", host: proxy.url, experiments: [source.experimentId] });
      proxy.setFault({ path: /traces/, status: 429, retryAfterSeconds: 2, times: 6 });
      proxy.setFault({ path: /traces/, status: 503, times: 6, skip: 10 });
      proxy.setFault({ path: /traces/, delayMs: 1_500, times: 3, skip: 20 });
      const syncRunId = (await fleet.inject({ method: "POST", url: `/api/integrations/${id}/sync`, payload: { mode: "full" } })).json().syncRunId;
      const run = await waitForRun(fleet, id, syncRunId, 600_000);
      expect(run.status).toBe("succeeded");
      expect(proxy.requests.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(6);
      expect(proxy.requests.filter((r) => r.status === 503).length).toBeGreaterThanOrEqual(6);
      await finishCase(fleet, id, syncRunId, workers);
    } finally {
      await proxy.stop();
    }
  });
});

describe("Redis restarted empty in the middle of a sync", () => {
  it("the reconciler restores the lost job from Postgres and the run finishes", async () => {
    const redis = await startPrivateRedis();
    const fleet = await startFleet({
      worker: false,
      databaseUrl: DATABASE_URL,
      logLevel: "warn",
      logDestination: process.stderr,
      env: { REDIS_URL: redis.url },
    });
    const workers = [new WorkerProcess({ databaseUrl: DATABASE_URL, redisUrl: redis.url, prefix: fleet.prefix, logFile: path.join(logDir, "workers.log") })];
    try {
      const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: [source.experimentId] });
      const syncRunId = (await fleet.inject({ method: "POST", url: `/api/integrations/${id}/sync`, payload: { mode: "full" } })).json().syncRunId;
      await untilStored(fleet, id, Math.floor(TRACES / 3));
      await redis.restartEmpty();
      const queue = createQueue(QueueName.TraceSync, { connection: fleet.redis, prefix: fleet.prefix });
      // What the gateway's reconciler does every minute, here until the run is done.
      const deadline = Date.now() + 600_000;
      let run = await fleet.db.syncRun.findUniqueOrThrow({ where: { id: syncRunId } });
      let repaired = 0;
      while (Date.now() < deadline && (run.status === "queued" || run.status === "running")) {
        const repairs = await reconcileSyncRuns(fleet.db, { traces: queue }, { lockDurationMs: 3_000, graceMs: 1_000, minAgeMs: 0 });
        repaired += repairs.enqueued + repairs.retried + repairs.requeued;
        await sleep(1_000);
        run = await fleet.db.syncRun.findUniqueOrThrow({ where: { id: syncRunId } });
      }
      await queue.close();
      expect(repaired).toBeGreaterThanOrEqual(1);
      expect(run.status).toBe("succeeded");
      await finishCase(fleet, id, syncRunId, workers);
    } finally {
      for (const w of workers) await w.kill();
      await fleet.close();
      await redis.close();
    }
  });
});

describe("Postgres stopped for 30 s in the middle of a sync", () => {
  it("writes retry with backoff, the run completes, and the data is whole", async () => {
    const pg = await startPrivatePostgres();
    await resetDatabase(pg.url);
    const fleet = await startFleet({ worker: false, databaseUrl: pg.url, logLevel: "warn", logDestination: process.stderr });
    const workers = [new WorkerProcess({ databaseUrl: pg.url, prefix: fleet.prefix, logFile: path.join(logDir, "workers.log") })];
    try {
      const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: [source.experimentId] });
      const syncRunId = (await fleet.inject({ method: "POST", url: `/api/integrations/${id}/sync`, payload: { mode: "full" } })).json().syncRunId;
      await untilStored(fleet, id, Math.floor(TRACES / 3));
      await pg.stop();
      await sleep(30_000);
      await pg.start();
      const run = await waitForRun(fleet, id, syncRunId, 600_000);
      expect(["succeeded", "failed"]).toContain(run.status);
      // A run that gave up says why; the next one completes the data either way.
      if (run.status === "failed") {
        expect(run.errorMessage).toBeTruthy();
        expect((await syncAndWait(fleet, id, { mode: "full" }, 600_000)).status).toBe("succeeded");
      }
      await finishCase(fleet, id, syncRunId, workers);
    } finally {
      for (const w of workers) await w.kill();
      await fleet.close();
      await pg.close();
    }
  });
});
