import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIntegration, startFleet, syncAndWait, type Fleet } from "../helpers/fleet.ts";
import { runFixture, runPython, startMlflowServer, writeTraces, type MlflowServer } from "../helpers/mlflow-server.ts";

const MINUTE = 60_000;

describe("incremental trace sync against a real MLflow server", () => {
  let mlflow: MlflowServer;
  let fleet: Fleet;

  beforeAll(async () => {
    mlflow = await startMlflowServer();
    // Pages of two traces make every page boundary easy to reach.
    fleet = await startFleet({ env: { TRACE_SYNC_BATCH_SIZE: "2", TRACE_SYNC_WORKSPACE_CONCURRENCY: "2", TRACE_SYNC_MAX_PAYLOAD_BYTES: "20000" } });
  });
  afterAll(async () => {
    await fleet?.close();
    await mlflow?.stop();
  });

  const externalIds = async (integrationId: string) =>
    (await fleet.db.trace.findMany({ where: { integrationId }, select: { externalId: true } })).map((t) => t.externalId).sort();

  it("never skips traces that share a timestamp across a page boundary, nor ones written during and after a sync", async () => {
    const t = Date.now() - 30 * MINUTE;
    const first = await writeTraces(
      mlflow.url,
      "same-ms",
      [0, 1, 2, 3, 4].map((i) => ({ name: `same-${i}`, timestampMs: t })),
    );
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: ["same-ms"] });
    const run1 = await syncAndWait(fleet, id);
    expect(run1).toMatchObject({ status: "succeeded", itemsIngested: 5 });
    expect(await externalIds(id)).toEqual([...first.traceIds].sort());

    // More traces in the cursor's very millisecond, and one arriving late (older than the cursor).
    const later = await writeTraces(mlflow.url, "same-ms", [
      { name: "same-5", timestampMs: t },
      { name: "same-6", timestampMs: t },
      { name: "late", timestampMs: t - 2 * MINUTE },
      { name: "newer", timestampMs: t + MINUTE },
    ]);
    const run2 = await syncAndWait(fleet, id);
    expect(run2).toMatchObject({ status: "succeeded", itemsIngested: 4, itemsUpdated: 0 });
    expect(await externalIds(id)).toEqual([...first.traceIds, ...later.traceIds].sort());

    const run3 = await syncAndWait(fleet, id);
    expect(run3).toMatchObject({ status: "succeeded", itemsIngested: 0, itemsUpdated: 0 });
    expect(await fleet.db.trace.count({ where: { integrationId: id } })).toBe(9);
    const cursor = await fleet.db.syncCursor.findFirstOrThrow({ where: { integrationId: id } });
    expect(Number(cursor.cursorMs)).toBe(t + MINUTE);
  });

  it("imports a long agent run whose trace MLflow wrote after later traces were synced", async () => {
    const now = Date.now();
    const early = await writeTraces(mlflow.url, "late", [{ name: "short", timestampMs: now - 5 * MINUTE }]);
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: ["late"] });
    expect(await syncAndWait(fleet, id)).toMatchObject({ status: "succeeded", itemsIngested: 1 });
    // Started 30 minutes before the newest synced trace, far outside the 10-minute overlap, and
    // written only now that it ended.
    const long = await writeTraces(mlflow.url, "late", [{ name: "long-run", timestampMs: now - 35 * MINUTE, durationMs: 35 * MINUTE }]);
    const next = await syncAndWait(fleet, id);
    expect(next).toMatchObject({ status: "succeeded", itemsIngested: 1 });
    expect(await externalIds(id)).toEqual([...early.traceIds, ...long.traceIds].sort());
    // Found again by later sweeps while within the window, but stored once and unchanged.
    expect(await syncAndWait(fleet, id)).toMatchObject({ status: "succeeded", itemsIngested: 0, itemsUpdated: 0 });
    const cursor = await fleet.db.syncCursor.findFirstOrThrow({ where: { integrationId: id } });
    expect(Number(cursor.cursorMs)).toBe(now - 5 * MINUTE);
  });

  it("updates a trace read while still in progress once it completes, however long ago it started", async () => {
    const now = Date.now();
    const recent = await writeTraces(mlflow.url, "in-progress", [{ name: "recent", timestampMs: now - 2 * MINUTE }]);
    const state = path.join(mkdtempSync(path.join(tmpdir(), "lg-in-progress-")), "trace.json");
    // Its agent started 30 minutes ago and has so far finished one step: MLflow lists it as in progress.
    const { traceId } = await runFixture<{ traceId: string }>("write_in_progress_trace.py", [mlflow.storeUri, "in-progress", "start", state, "30"]);
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: ["in-progress"] });
    expect(await syncAndWait(fleet, id)).toMatchObject({ status: "succeeded", itemsIngested: 2 });
    expect(await fleet.db.trace.findFirstOrThrow({ where: { integrationId: id, externalId: traceId } })).toMatchObject({ status: "IN_PROGRESS", spanCount: 1 });

    // The run ends now. Its start lies 28 minutes before the cursor, far outside the overlap.
    await runFixture("write_in_progress_trace.py", [mlflow.storeUri, "in-progress", "finish", state]);
    expect(await syncAndWait(fleet, id)).toMatchObject({ status: "succeeded", itemsIngested: 0, itemsUpdated: 1 });
    const done = await fleet.db.trace.findFirstOrThrow({ where: { integrationId: id, externalId: traceId } });
    expect(done).toMatchObject({ status: "OK", spanCount: 2 });
    expect(Number(done.durationMs)).toBeGreaterThanOrEqual(30 * MINUTE);
    expect(await externalIds(id)).toEqual([...recent.traceIds, traceId].sort());
  });

  it("takes an experiment out of quarantine once its row is stored", async () => {
    const written = await writeTraces(mlflow.url, "released", [{ name: "r-0", timestampMs: Date.now() - MINUTE }]);
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: ["released"] });
    // As an earlier run would have left it when Postgres refused the experiment's metadata.
    const target = {
      organizationId: fleet.organizationId,
      integrationId: id,
      kind: "experiment" as const,
      experimentId: written.experimentId,
      externalId: written.experimentId,
      reason: "earlier refusal",
    };
    await fleet.db.quarantinedRecord.create({ data: target });
    const other = await fleet.db.quarantinedRecord.create({ data: { ...target, externalId: "999999", experimentId: "999999" } });
    expect(await syncAndWait(fleet, id)).toMatchObject({ status: "succeeded" });
    const left = await fleet.db.quarantinedRecord.findMany({ where: { integrationId: id } });
    expect(left.map((r) => r.id)).toEqual([other.id]);
  });

  it("picks up traces written while a sync is running", async () => {
    const base = Date.now() - 20 * MINUTE;
    await writeTraces(
      mlflow.url,
      "during",
      Array.from({ length: 12 }, (_, i) => ({ name: `d-${i}`, timestampMs: base + i })),
    );
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: ["during"] });
    const trigger = await fleet.inject({ method: "POST", url: `/api/integrations/${id}/sync`, payload: {} });
    const during = await writeTraces(mlflow.url, "during", [{ name: "while-running", timestampMs: Date.now() }]);
    const { waitForRun } = await import("../helpers/fleet.ts");
    await waitForRun(fleet, id, trigger.json().syncRunId);
    await syncAndWait(fleet, id);
    const ids = await externalIds(id);
    expect(ids).toHaveLength(13);
    expect(ids).toContain(during.traceIds[0]);
  });

  it("updates a trace that changed at the source", async () => {
    const written = await writeTraces(mlflow.url, "changing", [{ name: "c-0", timestampMs: Date.now() - 5 * MINUTE }]);
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: ["changing"] });
    await syncAndWait(fleet, id);
    await runPython(
      mlflow.url,
      `import json; from mlflow import MlflowClient\nMlflowClient().set_trace_tag("${written.traceIds[0]}", "reviewed", "yes")\nprint(json.dumps({}))`,
    );
    const run = await syncAndWait(fleet, id);
    expect(run).toMatchObject({ itemsIngested: 0, itemsUpdated: 1 });
    const trace = await fleet.db.trace.findFirstOrThrow({ where: { integrationId: id }, include: { spans: true } });
    expect(trace.tags).toMatchObject({ reviewed: "yes" });
    expect(trace.spans).toHaveLength(2);
  });

  it("reaches back only the lookback on a first sync, and a full sync ignores it", async () => {
    const old = await writeTraces(mlflow.url, "history", [
      { name: "ten-days-old", timestampMs: Date.now() - 10 * 24 * 60 * MINUTE },
      { name: "recent", timestampMs: Date.now() - MINUTE },
    ]);
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: ["history"] });
    await syncAndWait(fleet, id);
    expect(await externalIds(id)).toEqual([old.traceIds[1]]);
    const full = await syncAndWait(fleet, id, { mode: "full" });
    expect(full).toMatchObject({ status: "succeeded", itemsIngested: 1 });
    expect(await externalIds(id)).toEqual([...old.traceIds].sort());
  });

  it("syncs only the selected experiments, and an unreadable one does not fail the run", async () => {
    const now = Date.now() - MINUTE;
    const a = await writeTraces(mlflow.url, "selected-a", [{ name: "a", timestampMs: now }]);
    const b = await writeTraces(mlflow.url, "selected-b", [{ name: "b", timestampMs: now }]);
    await writeTraces(mlflow.url, "not-selected", [{ name: "x", timestampMs: now }]);
    const gone = await writeTraces(mlflow.url, "deleted", [{ name: "gone", timestampMs: now }]);
    await runPython(
      mlflow.url,
      `import json; from mlflow import MlflowClient\nMlflowClient().delete_experiment("${gone.experimentId}")\nprint(json.dumps({}))`,
    );

    const { id } = await createIntegration(fleet, {
      source: "mlflow",
      host: mlflow.url,
      experiments: [a.experimentId, "selected-b", "987654", gone.experimentId],
    });
    const run = await syncAndWait(fleet, id);
    expect(run.status).toBe("partial");
    expect(run.experimentErrors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ experimentId: "987654", kind: "not_found" }),
        expect.objectContaining({ experimentId: gone.experimentId, kind: "not_found", message: expect.stringContaining("deleted") }),
      ]),
    );
    expect(await externalIds(id)).toEqual([a.traceIds[0], b.traceIds[0]].sort());
    const history = (await fleet.inject({ method: "GET", url: `/api/integrations/${id}/sync/history` })).json();
    expect(history.items[0].experimentErrors).toHaveLength(2);
  });

  it("syncs every active experiment when none are selected", async () => {
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflow.url });
    const run = await syncAndWait(fleet, id, { mode: "full" });
    expect(run.status).toBe("succeeded");
    const experiments = await fleet.db.experiment.findMany({ where: { integrationId: id } });
    expect(experiments.map((e) => e.name)).toEqual(expect.arrayContaining(["same-ms", "during", "changing", "history", "selected-a", "not-selected"]));
    expect(experiments.map((e) => e.name)).not.toContain("deleted");
  });

  it("truncates a payload over the limit with an explicit flag, never silently", async () => {
    await writeTraces(mlflow.url, "large-payload", [{ name: "big", timestampMs: Date.now() - MINUTE, inputBytes: 50_000 }]);
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: ["large-payload"] });
    await syncAndWait(fleet, id);
    const trace = await fleet.db.trace.findFirstOrThrow({ where: { integrationId: id }, include: { spans: true } });
    const root = trace.spans.find((s) => s.parentSpanId === null)!;
    expect(root.truncated).toBe(true);
    expect(root.inputs).toMatchObject({ truncated: true, originalBytes: expect.any(Number) });
    expect((root.inputs as { originalBytes: number }).originalBytes).toBeGreaterThan(50_000);
    expect((root.inputs as { preview: string }).preview.length).toBeLessThanOrEqual(20_000);
    expect(trace.spans.find((s) => s.parentSpanId !== null)!.truncated).toBe(false);
  });

  it("syncs a trace of 10,000 spans", async () => {
    const wide = await runFixture<{ traceIds: string[] }>("write_span_traces.py", [mlflow.storeUri, "wide", "1", "10000"]);
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: ["wide"] });
    const run = await syncAndWait(fleet, id);
    expect(run).toMatchObject({ status: "succeeded", itemsIngested: 1, spansIngested: 10_000 });
    const trace = await fleet.db.trace.findFirstOrThrow({ where: { integrationId: id, externalId: wide.traceIds[0] } });
    expect(trace.spanCount).toBe(10_000);
    const roots = await fleet.db.span.count({ where: { traceId: trace.id, parentSpanId: null } });
    expect(roots).toBe(1);
    expect(await fleet.db.span.count({ where: { traceId: trace.id } })).toBe(10_000);
  });
});
