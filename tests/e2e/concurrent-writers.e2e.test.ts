import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIntegration, startFleet, waitForRun, type Fleet } from "../helpers/fleet.ts";
import { runFixture, seed, startMlflowServer, type MlflowServer } from "../helpers/mlflow-server.ts";
import { killWorkerGroup, spawnTraceSyncWorker } from "../helpers/worker-process.ts";

const TRACES = 200;

describe("two worker processes writing the same agents at once", () => {
  let mlflow: MlflowServer;
  let fleet: Fleet;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    mlflow = await startMlflowServer();
    fleet = await startFleet({ worker: false });
  });
  afterAll(async () => {
    for (const child of workers.splice(0)) killWorkerGroup(child);
    await fleet?.close();
    await mlflow?.stop();
  });

  it("stores both integrations completely, without a deadlock, with the shared agents' trace counts exact", async () => {
    // One experiment read by two integrations of one organization: every page of each links the
    // same agents, so both processes upsert the same Agent rows all through the sync.
    await runFixture("write_span_traces.py", [mlflow.storeUri, "shared", String(TRACES), "3", "15"]);
    const demo = await seed(mlflow.url, "shared", { scenario: "demo" });
    const total = TRACES + demo.traces;
    // One job per process, pages of five: many small transactions racing for the same rows.
    for (let i = 0; i < 2; i += 1) workers.push(spawnTraceSyncWorker(fleet.prefix, { TRACE_SYNC_BATCH_SIZE: "5", TRACE_SYNC_CONCURRENCY: "1" }));
    const ids = [
      (await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: ["shared"], name: "first" })).id,
      (await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: ["shared"], name: "second" })).id,
    ];
    const triggers = await Promise.all(ids.map((id) => fleet.inject({ method: "POST", url: `/api/integrations/${id}/sync`, payload: { mode: "full" } })));
    const runs = await Promise.all(ids.map((id, i) => waitForRun(fleet, id, triggers[i]!.json().syncRunId, 240_000)));

    for (const run of runs) expect(run).toMatchObject({ status: "succeeded", attempts: 1, itemsIngested: total });
    // The two runs overlapped: each process had one, at the same time.
    const [a, b] = await Promise.all(runs.map((r) => fleet.db.syncRun.findUniqueOrThrow({ where: { id: r.id } })));
    expect(a!.startedAt! < b!.completedAt! && b!.startedAt! < a!.completedAt!).toBe(true);

    const agents = await fleet.db.agent.findMany({ where: { organizationId: fleet.organizationId }, include: { _count: { select: { traces: true } } } });
    expect(agents.length).toBeGreaterThan(1);
    const linked = await fleet.db.agentTrace.count({ where: { integrationId: { in: ids } } });
    expect(agents.reduce((sum, agent) => sum + agent._count.traces, 0)).toBe(linked);
    // Each integration links exactly the same agents to its own copy of every trace.
    const perIntegration = await Promise.all(ids.map((id) => fleet.db.agentTrace.count({ where: { integrationId: id } })));
    expect(perIntegration[0]).toBe(perIntegration[1]);
    expect(perIntegration[0]).toBeGreaterThanOrEqual(total);
    const writer = agents.find((agent) => agent.name === "SpanWriter")!;
    expect(writer._count.traces).toBe(2 * TRACES);
  });
});
