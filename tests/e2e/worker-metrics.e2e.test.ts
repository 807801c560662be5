import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { registry } from "@langguard/service-runtime";
import { startFaultProxy, type FaultProxy } from "../helpers/databricks/fault-proxy.ts";
import { createIntegration, startFleet, syncAndWait, type Fleet } from "../helpers/fleet.ts";
import { runFixture } from "../helpers/mlflow-server.ts";
import { metricValue } from "../helpers/prometheus.ts";

const OPENAI_KEY = ["sk-proj-", "Zx8cV6bN4mQ2wE0rT8yU6iO4pA2sD0fG8hJ6kL4zX2cV0bN8"].join("");

/** What this process's /metrics would say (the workers run in this process, on its registry). */
const metric = async (name: string, labels: Record<string, string>) => metricValue(await registry.metrics(), name, labels);

/** The worker metrics /metrics serves (same registry), moving as a sync and an evaluation run. */
describe("worker metrics", () => {
  const mlflowUrl = inject("mlflowUrl");
  let fleet: Fleet;
  let proxy: FaultProxy;

  beforeAll(async () => {
    fleet = await startFleet({ logLevel: "warn", env: { POLICY_SWEEP_INTERVAL_MS: "500", POLICY_SWEEP_GRACE_MS: "0" } });
    fleet.startPolicyWorker({ POLICY_SWEEP_INTERVAL_MS: "500", POLICY_SWEEP_GRACE_MS: "0" });
    proxy = await startFaultProxy({ target: mlflowUrl });
  });
  afterAll(async () => {
    await fleet?.close();
    await proxy?.stop();
  });

  it("count traces and spans synced, bridge calls and their errors by kind, and violations by severity", async () => {
    const experiment = `metrics-${randomUUID().slice(0, 8)}`;
    const traces = [
      { name: "leaky", agent: "MetricsBot", question: `use ${OPENAI_KEY}`, answer: "ok" },
      { name: "plain", agent: "MetricsBot", question: "hello", tool: "lookup", toolInput: "x", answer: "hi" },
    ];
    await runFixture("write_governance_traces.py", [mlflowUrl, experiment, JSON.stringify(traces)]);
    const before = {
      traces: await metric("langguard_items_synced_total", { kind: "trace", outcome: "inserted" }),
      spans: await metric("langguard_items_synced_total", { kind: "span", outcome: "inserted" }),
      calls: await metric("langguard_bridge_call_duration_seconds_count", { command: "stream-traces", outcome: "ok" }),
      critical: await metric("langguard_violations_total", { severity: "critical" }),
      authErrors: await metric("langguard_bridge_errors_total", { command: "stream-traces", kind: "auth" }),
      completed: await metric("langguard_jobs_total", { queue: "trace-sync", outcome: "completed" }),
    };

    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflowUrl, experiments: [experiment] });
    expect(await syncAndWait(fleet, id)).toMatchObject({ status: "succeeded", itemsIngested: 2 });
    const spans = await fleet.db.span.count({ where: { trace: { integrationId: id } } });
    expect(await metric("langguard_items_synced_total", { kind: "trace", outcome: "inserted" })).toBe(before.traces + 2);
    expect(await metric("langguard_items_synced_total", { kind: "span", outcome: "inserted" })).toBe(before.spans + spans);
    expect(await metric("langguard_bridge_call_duration_seconds_count", { command: "stream-traces", outcome: "ok" })).toBe(before.calls + 1);
    expect(await metric("langguard_jobs_total", { queue: "trace-sync", outcome: "completed" })).toBe(before.completed + 1);

    // The credential in the first trace is a critical violation once evaluated.
    const deadline = Date.now() + 60_000;
    while ((await metric("langguard_violations_total", { severity: "critical" })) === before.critical && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    const critical = await fleet.db.violation.count({ where: { integrationId: id, severity: "critical" } });
    expect(critical).toBeGreaterThan(0);
    expect(await metric("langguard_violations_total", { severity: "critical" })).toBe(before.critical + critical);

    // A workspace that refuses the token: the error is counted by its kind.
    proxy.setFault({ path: /\/api\//, status: 401 });
    const refused = await createIntegration(fleet, { source: "mlflow", host: proxy.url, experiments: [experiment] });
    expect(await syncAndWait(fleet, refused.id)).toMatchObject({ status: "failed", errorKind: "auth" });
    expect(await metric("langguard_bridge_errors_total", { command: "stream-traces", kind: "auth" })).toBe(before.authErrors + 1);
  });
});
