import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQueue, jobId, QueueName } from "@langguard/queue-contracts";
import { createIntegration, startFleet, syncAndWait, waitForRun, type Fleet } from "../helpers/fleet.ts";
import { runFixture, startMlflowServer, type MlflowServer } from "../helpers/mlflow-server.ts";
import { groupMembers, groupMembersAfter } from "../helpers/process-group.ts";
import { killWorkerGroup, spawnTraceSyncWorker } from "../helpers/worker-process.ts";

const TRACES = 150;
const SPANS_PER_TRACE = 4;

describe("a worker killed in the middle of a sync", () => {
  let mlflow: MlflowServer;
  let fleet: Fleet;
  const workers: ChildProcess[] = [];

  function startWorkerProcess(): ChildProcess {
    // Short locks so the restarted worker takes over the orphaned job quickly.
    const child = spawnTraceSyncWorker(fleet.prefix, { TRACE_SYNC_BATCH_SIZE: "5", SYNC_LOCK_DURATION_MS: "3000" });
    workers.push(child);
    return child;
  }

  beforeAll(async () => {
    mlflow = await startMlflowServer();
    fleet = await startFleet({ worker: false });
  });
  function stopWorkerProcesses() {
    for (const child of workers.splice(0)) killWorkerGroup(child);
  }

  afterAll(async () => {
    stopWorkerProcesses();
    await fleet?.close();
    await mlflow?.stop();
  });

  it("leaves exactly the source's traces after the next worker finishes the job: none lost, none duplicated", async () => {
    // Spread over most of the hour, so the window is cut into time slices that are read at once.
    const source = await runFixture<{ traceIds: string[]; timestampsMs: number[] }>("write_span_traces.py", [
      mlflow.storeUri,
      "crash",
      String(TRACES),
      String(SPANS_PER_TRACE),
      "20",
    ]);
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: ["crash"] });
    const first = startWorkerProcess();
    const trigger = await fleet.inject({ method: "POST", url: `/api/integrations/${id}/sync`, payload: { mode: "full" } });
    const syncRunId = trigger.json().syncRunId as string;

    // Kill it (no chance to clean up) once some batches are committed and many are not.
    const deadline = Date.now() + 120_000;
    let committed = 0;
    while (Date.now() < deadline) {
      committed = await fleet.db.trace.count({ where: { integrationId: id } });
      const partsStarted = await fleet.db.runCheckpoint.count({ where: { syncRunId, key: { contains: "#slice:" } } });
      if (committed >= 10 && partsStarted >= 3) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    // A running job reports its progress.
    const status = (await fleet.inject({ method: "GET", url: `/api/integrations/${id}/sync/status` })).json();
    expect(status).toMatchObject({ isActive: true, currentRun: { id: syncRunId, status: "running" } });
    expect(status.currentRun.progress.fetched).toBeGreaterThan(0);
    // SIGKILL to the worker alone, as an OOM kill would: its Python bridge (the warm server and the
    // job's forked child) must not outlive it, still reading and holding connections.
    expect(groupMembers(first.pid!).filter((m) => m.includes("python-bridge/bridge.py")).length).toBeGreaterThanOrEqual(2);
    process.kill(first.pid!, "SIGKILL");
    expect(await groupMembersAfter(first.pid!, 5_000)).toEqual([]);
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(TRACES);
    const cursorAtCrash = await fleet.db.syncCursor.findFirst({ where: { integrationId: id } });
    expect(cursorAtCrash).not.toBeNull();
    // The read was sliced, and the cursor stands where every trace before it is stored: slices
    // finish in any order, and it moves only over the committed prefix.
    const parts = await fleet.db.runCheckpoint.findMany({ where: { syncRunId, key: { contains: "#slice:" } } });
    expect(parts.length).toBeGreaterThan(1);
    const storedAtCrash = new Set((await fleet.db.trace.findMany({ where: { integrationId: id }, select: { externalId: true } })).map((t) => t.externalId));
    const missedBeforeCursor = source.traceIds.filter((traceId, i) => source.timestampsMs[i]! < Number(cursorAtCrash!.cursorMs) && !storedAtCrash.has(traceId));
    expect(missedBeforeCursor).toEqual([]);

    startWorkerProcess();
    const run = await waitForRun(fleet, id, syncRunId, 180_000);
    expect(run.status).toBe("succeeded");

    const stored = await fleet.db.trace.findMany({ where: { integrationId: id }, select: { externalId: true, spanCount: true } });
    expect(stored.map((t) => t.externalId).sort()).toEqual([...source.traceIds].sort());
    expect(await fleet.db.span.count({ where: { trace: { integrationId: id } } })).toBe(TRACES * SPANS_PER_TRACE);
    const attempts = await fleet.db.syncRun.findUniqueOrThrow({ where: { id: syncRunId } });
    expect(attempts.attempts).toBeGreaterThanOrEqual(2);
    stopWorkerProcesses();
  });

  it("finishes a run whose worker was killed three times in a row, with no operator action", async () => {
    const source = await runFixture<{ traceIds: string[] }>("write_span_traces.py", [mlflow.storeUri, "thrice", String(TRACES), String(SPANS_PER_TRACE)]);
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: ["thrice"] });
    let worker = startWorkerProcess();
    const trigger = await fleet.inject({ method: "POST", url: `/api/integrations/${id}/sync`, payload: { mode: "full" } });
    const syncRunId = trigger.json().syncRunId as string;
    for (let kill = 1; kill <= 3; kill += 1) {
      // Each time a little further: wait for new pages to be committed, then kill without warning.
      const before = await fleet.db.trace.count({ where: { integrationId: id } });
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline && (await fleet.db.trace.count({ where: { integrationId: id } })) < Math.min(TRACES - 1, before + 10))
        await new Promise((r) => setTimeout(r, 20));
      process.kill(-worker.pid!, "SIGKILL");
      worker = startWorkerProcess();
    }
    const run = await waitForRun(fleet, id, syncRunId, 180_000);
    expect(run.status).toBe("succeeded");
    expect(run.attempts).toBeGreaterThanOrEqual(4);
    const stored = await fleet.db.trace.findMany({ where: { integrationId: id }, select: { externalId: true } });
    expect(stored.map((t) => t.externalId).sort()).toEqual([...source.traceIds].sort());
    expect(await fleet.db.span.count({ where: { trace: { integrationId: id } } })).toBe(TRACES * SPANS_PER_TRACE);
    // The integration is free for the next sync.
    expect((await syncAndWait(fleet, id)).status).toBe("succeeded");
    stopWorkerProcesses();
  });

  it("hands an unfinished job back on graceful shutdown without spending an attempt, and the next worker finishes it", async () => {
    const source = await runFixture<{ traceIds: string[] }>("write_span_traces.py", [mlflow.storeUri, "drain", String(TRACES), String(SPANS_PER_TRACE)]);
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: ["drain"] });
    const worker = fleet.startWorker({ TRACE_SYNC_BATCH_SIZE: "5" });
    const trigger = await fleet.inject({ method: "POST", url: `/api/integrations/${id}/sync`, payload: { mode: "full" } });
    const syncRunId = trigger.json().syncRunId as string;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && (await fleet.db.trace.count({ where: { integrationId: id } })) < 10) await new Promise((r) => setTimeout(r, 20));

    await worker.close(); // what SIGTERM does
    const interrupted = await fleet.db.syncRun.findUniqueOrThrow({ where: { id: syncRunId } });
    expect(interrupted.status).toBe("queued");
    expect(await fleet.db.trace.count({ where: { integrationId: id } })).toBeLessThan(TRACES);
    const queue = createQueue(QueueName.TraceSync, { connection: fleet.redis, prefix: fleet.prefix });
    const job = await queue.getJob(jobId.traceSync(syncRunId));
    expect(job?.attemptsMade).toBe(0);
    await queue.close();

    fleet.startWorker();
    const run = await waitForRun(fleet, id, syncRunId, 180_000);
    expect(run.status).toBe("succeeded");
    const stored = await fleet.db.trace.findMany({ where: { integrationId: id }, select: { externalId: true } });
    expect(stored.map((t) => t.externalId).sort()).toEqual([...source.traceIds].sort());
  });
});
