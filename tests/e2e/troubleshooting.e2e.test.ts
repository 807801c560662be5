import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startFakeWorkspace, startFaultProxy, type FakeWorkspace, type FaultProxy } from "../helpers/databricks/index.ts";
import { createIntegration, startFleet, syncAndWait, type Fleet } from "../helpers/fleet.ts";
import { runPython } from "../helpers/mlflow-server.ts";

interface Step {
  step: string;
  status: string;
  message: string;
  hint: string | null;
  kind: string | null;
}
const stepOf = (report: { steps: Step[] }, name: string) => report.steps.find((s) => s.step === name)!;

/** Each error row of the spec's Troubleshooting section, produced for real and read as a user reads it. */
describe("troubleshooting: what users see for each documented failure", () => {
  const mlflowUrl = inject("mlflowUrl");
  let fleet: Fleet;
  let workspace: FakeWorkspace;
  let proxy: FaultProxy;
  beforeAll(async () => {
    fleet = await startFleet({ env: { DATABRICKS_VALIDATION_TIMEOUT: "4000" } });
    workspace = await startFakeWorkspace();
    proxy = await startFaultProxy({ target: mlflowUrl });
  });
  afterAll(async () => {
    await fleet?.close();
    await workspace?.stop();
    await proxy?.stop();
  });

  const testCredentials = (payload: object) => fleet.inject({ method: "POST", url: "/api/integrations/test", payload });

  it("connection test: every step ok against a real MLflow server, and the verdict is stored", async () => {
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflowUrl });
    const res = await fleet.inject({ method: "POST", url: `/api/integrations/${id}/test` });
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report.status).toBe("connected");
    expect(report.steps.map((s: Step) => `${s.step}:${s.status}`)).toEqual([
      "host:ok",
      "python:ok",
      "mlflow:ok",
      "auth:ok",
      "experiments:ok",
      "traces:ok",
      "warehouse:skipped",
    ]);
    const stored = (await fleet.inject({ method: "GET", url: `/api/integrations/${id}` })).json();
    expect(stored.connection).toMatchObject({ status: "connected", message: "Connected" });
  });

  it("MLflow SDK not available: a PYTHON_PATH without mlflow, and one that does not exist", async () => {
    const bare = await startFleet({ worker: false, env: { PYTHON_PATH: "/usr/bin/python3" } });
    const missing = await startFleet({ worker: false, env: { PYTHON_PATH: "/nonexistent/bin/python" } });
    try {
      for (const [f, step] of [
        [bare, "mlflow"],
        [missing, "python"],
      ] as const) {
        const report = (await f.inject({ method: "POST", url: "/api/integrations/test", payload: { source: "mlflow", host: mlflowUrl } })).json();
        expect(report.status).toBe("failed");
        expect(stepOf(report, step)).toMatchObject({ status: "failed", kind: "sdk_missing", message: expect.stringContaining("MLflow SDK not available") });
        expect(stepOf(report, step).hint).toMatch(/Python 3\.11\+.*requirements\.lock.*PYTHON_PATH/);
        expect(stepOf(report, "auth").status).toBe("skipped");
      }
    } finally {
      await bare.close();
      await missing.close();
    }
  });

  it("401 Unauthorized: the connection test says so with the fix, and a sync fails at once without retrying", async () => {
    const wrong = `dapi${"0".repeat(32)}`.replace(/0{8}$/, "deadbeef");
    const report = (await testCredentials({ source: "databricks", host: workspace.url, token: wrong })).json();
    expect(report.status).toBe("failed");
    expect(stepOf(report, "auth")).toMatchObject({ status: "failed", kind: "auth", message: expect.stringContaining("401 Unauthorized") });
    expect(stepOf(report, "auth").hint).toContain("Generate a new token");
    expect(JSON.stringify(report)).not.toContain(wrong);

    const ok = (await testCredentials({ source: "databricks", host: workspace.url, token: workspace.token })).json();
    expect(stepOf(ok, "auth")).toMatchObject({ status: "ok", message: expect.stringContaining("Authenticated as") });

    const { id } = await createIntegration(fleet, { source: "databricks", host: workspace.url, token: wrong });
    const run = await syncAndWait(fleet, id);
    expect(run).toMatchObject({ status: "failed", errorKind: "auth", attempts: 1 });
    expect(run.errorMessage).toContain("401 Unauthorized");
    const status = (await fleet.inject({ method: "GET", url: `/api/integrations/${id}/sync/status` })).json();
    expect(status.lastSync).toMatchObject({ status: "failed", errorKind: "auth", errorMessage: expect.stringContaining("401 Unauthorized") });
  });

  it("timeout exceeded: the connection test is bounded by DATABRICKS_VALIDATION_TIMEOUT", async () => {
    const hang = proxy.setFault({ path: /experiments\/search/, hang: true });
    try {
      const started = Date.now();
      const report = (await testCredentials({ source: "mlflow", host: proxy.url })).json();
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(report.status).toBe("failed");
      const failed = report.steps.find((s: Step) => s.status === "failed");
      expect(failed).toMatchObject({ kind: "timeout", message: expect.stringContaining("DATABRICKS_VALIDATION_TIMEOUT exceeded") });
    } finally {
      hang.remove();
    }
  });

  it("timeout exceeded: a sync whose source stops answering reports DATABRICKS_PYTHON_TIMEOUT and retries", async () => {
    const slow = await startFleet({ env: { DATABRICKS_PYTHON_TIMEOUT: "3000" } });
    const hang = proxy.setFault({ path: /traces/, hang: true });
    try {
      const { id } = await createIntegration(slow, { source: "mlflow", host: proxy.url, experiments: [inject("demoExperimentId")] });
      const runId = (await slow.inject({ method: "POST", url: `/api/integrations/${id}/sync`, payload: {} })).json().syncRunId;
      const deadline = Date.now() + 60_000;
      let current: { errorMessage: string | null; status: string } | null = null;
      while (Date.now() < deadline) {
        current = (await slow.inject({ method: "GET", url: `/api/integrations/${id}/sync/status` })).json().currentRun;
        if (current?.errorMessage) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(current).toMatchObject({
        status: "queued",
        errorMessage: expect.stringMatching(/Attempt 1 failed, retrying: DATABRICKS_PYTHON_TIMEOUT exceeded.*Increase DATABRICKS_PYTHON_TIMEOUT/),
      });
      expect(runId).toBeTruthy();
    } finally {
      hang.remove();
      await slow.close();
    }
  });

  it("no traces found: the run succeeds with the possible causes, and the connection test warns", async () => {
    const empty = `empty-${randomUUID().slice(0, 8)}`;
    await runPython(mlflowUrl, `import json, mlflow\nprint(json.dumps({"id": mlflow.create_experiment("${empty}")}))`);
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflowUrl, experiments: [empty] });
    const run = await syncAndWait(fleet, id);
    expect(run.status).toBe("succeeded");
    expect(run.warnings).toEqual([expect.objectContaining({ kind: "no_traces", message: expect.stringContaining("MLflow tracing is not enabled") })]);
    for (const cause of ["runs but no traces", "time range", "archived"]) expect(run.warnings[0]!.message).toContain(cause);
  });

  it("warehouse ID required: catalog sync without a warehouse is flagged by the connection test", async () => {
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflowUrl, syncCatalog: true });
    const report = (await fleet.inject({ method: "POST", url: `/api/integrations/${id}/test` })).json();
    expect(stepOf(report, "warehouse")).toMatchObject({ status: "warning", message: "Warehouse ID required for catalog operations" });
    expect(stepOf(report, "warehouse").hint).toContain("Create a SQL warehouse");
    expect(report.status).toBe("warning");
  });

  it("caps connection tests running at once, whoever asks", async () => {
    const capped = await startFleet({ worker: false, env: { CONNECTION_TEST_CONCURRENCY: "1", DATABRICKS_VALIDATION_TIMEOUT: "3000" } });
    const hang = proxy.setFault({ path: /experiments\/search/, hang: true });
    try {
      const both = await Promise.all(
        [0, 1].map(() => capped.inject({ method: "POST", url: "/api/integrations/test", payload: { source: "mlflow", host: proxy.url } })),
      );
      expect(both.map((r) => r.statusCode).sort()).toEqual([200, 429]);
      expect(both.find((r) => r.statusCode === 429)!.json().message).toContain("connection tests are already running");
    } finally {
      hang.remove();
      await capped.close();
    }
  });
});
