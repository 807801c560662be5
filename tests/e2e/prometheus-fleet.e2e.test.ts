import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { parse } from "yaml";
import { createPrismaClient, type Database } from "@langguard/database";
import { createApiKey } from "../../services/gateway/src/auth/api-keys.ts";
import { createIntegration, waitForRun } from "../helpers/fleet.ts";
import { runFixture } from "../helpers/mlflow-server.ts";
import { promtool, selectorsOf, startPrometheus, type PrometheusServer } from "../helpers/prometheus-server.ts";
import { repoRoot, TEST_DATABASE_URL } from "../helpers/test-env.ts";
import { killWorkerGroup, startReadyService, type ReadyService, type Service } from "../helpers/worker-process.ts";
import { until } from "../helpers/until.ts";

const SERVICES: Service[] = ["gateway", "trace-sync", "catalog-sync", "policy-evaluation"];
const OPENAI_KEY = ["sk-proj-", "Qw8eR6tY4uI2oP0aS8dF6gH4jK2lZ0xC8vB6nM4"].join("");

interface Panel {
  title: string;
  type: string;
  targets?: Array<{ expr: string; legendFormat?: string }>;
}
const dashboard = JSON.parse(readFileSync(path.join(repoRoot, "deploy/grafana/dashboards/langguard-fleet.json"), "utf8")) as { panels: Panel[] };
const alerts = parse(readFileSync(path.join(repoRoot, "deploy/prometheus/alerts.yml"), "utf8")) as {
  groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
};

/**
 * Metrics the dashboard and the alerts read that another change adds (named with it). Their queries
 * must still be valid; their series are required as soon as a process exports the metric.
 */
const PENDING: Record<string, string> = {};

/** The panels the issue asks for, each found by its title. */
const REQUIRED_PANELS = [
  /throughput/i,
  /lag/i,
  /run outcomes/i,
  /throttled/i,
  /queue depth/i,
  /bridge errors/i,
  /violations by severity/i,
  /webhook failures/i,
  /p95 latency by route/i,
];

describe("a real Prometheus scraping a running fleet", () => {
  const mlflowUrl = inject("mlflowUrl");
  const prefix = `prom-${randomUUID().slice(0, 8)}`;
  const services = new Map<Service, ReadyService>();
  let prometheus: PrometheusServer;
  let db: Database;
  let key: string;
  const api = {
    inject: async ({ method, url, payload }: { method: string; url: string; payload?: unknown }) => {
      const res = await fetch(`http://127.0.0.1:${services.get("gateway")!.port}${url}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(payload === undefined ? {} : { "content-type": "application/json" }) },
        body: payload === undefined ? undefined : JSON.stringify(payload),
      });
      const body = await res.text();
      return { statusCode: res.status, body, json: () => JSON.parse(body) };
    },
  } as unknown as Parameters<typeof createIntegration>[0];

  beforeAll(async () => {
    db = createPrismaClient({ url: TEST_DATABASE_URL, maxConnections: 2 });
    const org = await db.organization.create({ data: { slug: `prom-${randomUUID().slice(0, 12)}`, name: "Prometheus test" } });
    key = (await createApiKey(db, org.id, "prometheus test", ["admin"])).key;
    for (const service of SERVICES) {
      services.set(
        service,
        await startReadyService(service, prefix, { env: { POLICY_SWEEP_INTERVAL_MS: "1000", POLICY_SWEEP_GRACE_MS: "0", LOG_LEVEL: "error" } }),
      );
    }
    prometheus = await startPrometheus(Object.fromEntries(SERVICES.map((s) => [s, [`127.0.0.1:${services.get(s)!.opsPort}`]])), [
      path.join(repoRoot, "deploy/prometheus/alerts.yml"),
    ]);

    // Work for every panel: a sync whose trace leaks a credential (a violation), a policy that
    // cannot evaluate, a connection test that cannot reach its workspace (a bridge error), and an
    // integration whose last three runs failed and one whose workspace throttles it.
    const experiment = `prom-${randomUUID().slice(0, 8)}`;
    await runFixture("write_governance_traces.py", [
      mlflowUrl,
      experiment,
      JSON.stringify([
        { name: "leaky", agent: "PromBot", question: `use ${OPENAI_KEY}`, answer: "ok" },
        { name: "plain", agent: "PromBot", question: "hello", answer: "hi" },
      ]),
    ]);
    const broken = await api.inject({
      method: "POST",
      url: "/api/policies",
      payload: { name: `Broken ${randomUUID().slice(0, 6)}`, severity: "low", expression: 'trace.metadata["no-such-key"] == "x"' },
    });
    expect(broken.statusCode, broken.body).toBe(201);
    const { id } = await createIntegration(api, { source: "mlflow", host: mlflowUrl, experiments: [experiment], syncIntervalMinutes: 0 });
    const trigger = await api.inject({ method: "POST", url: `/api/integrations/${id}/sync`, payload: {} });
    expect(await waitForRun(api, id, (trigger.json() as { syncRunId: string }).syncRunId)).toMatchObject({ status: "succeeded" });
    await until("a violation of the leaked credential", async () => (await db.violation.count({ where: { integrationId: id } })) > 0);
    const unreachable = await createIntegration(api, { source: "mlflow", host: "http://127.0.0.1:9", experiments: [], syncIntervalMinutes: 0 });
    expect((await api.inject({ method: "POST", url: `/api/integrations/${unreachable.id}/sync`, payload: {} })).statusCode).toBe(202);
    const traceSyncMetrics = `http://127.0.0.1:${services.get("trace-sync")!.opsPort}/metrics`;
    await until("the bridge error of the unreachable workspace", async () =>
      /^langguard_bridge_errors_total\{/m.test(await (await fetch(traceSyncMetrics)).text()),
    );

    const failing = await createIntegration(api, { source: "mlflow", host: mlflowUrl, experiments: [], syncIntervalMinutes: 0 });
    for (let i = 0; i < 3; i += 1) {
      await db.syncRun.create({
        data: {
          organizationId: org.id,
          integrationId: failing.id,
          status: "failed",
          errorKind: "auth",
          errorMessage: "401",
          createdAt: new Date(Date.now() - (3 - i) * 60_000),
        },
      });
    }
    const throttled = await createIntegration(api, { source: "mlflow", host: mlflowUrl, experiments: [], syncIntervalMinutes: 0 });
    await db.integration.update({
      where: { id: throttled.id },
      data: { rateLimitedAt: new Date(Date.now() - 2 * 3_600_000), rateLimitedUntil: new Date(Date.now() + 60_000), rateLimitedCount: 9 },
    });
    // A credential the workspace said expires in 10 days (what a connection test stores).
    const expiring = await createIntegration(api, { source: "mlflow", host: mlflowUrl, experiments: [], syncIntervalMinutes: 0 });
    await db.integration.update({ where: { id: expiring.id }, data: { credentialExpiresAt: new Date(Date.now() + 10 * 86_400_000) } });
    // Enough scrapes after the work for every rate() to have two samples.
    await new Promise((r) => setTimeout(r, 8_000));
  });

  afterAll(async () => {
    await prometheus?.stop();
    for (const service of services.values()) killWorkerGroup(service.child as ChildProcess);
    await db?.$disconnect();
  });

  it("scrapes every process, and every process's exposition passes promtool check metrics", async () => {
    const targets = await prometheus.targets();
    expect(targets.map((t) => t.job).sort()).toEqual([...SERVICES].sort());
    for (const target of targets) expect(target, target.job).toMatchObject({ health: "up", lastError: "" });
    for (const [service, { opsPort }] of services) {
      const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
      const checked = await promtool(["check", "metrics"], text);
      expect(checked.all, service).toBe("");
      expect(checked.exitCode, service).toBe(0);
    }
  });

  it("answers every dashboard panel's queries with series", async () => {
    const panels = dashboard.panels.filter((p) => p.type !== "row");
    for (const wanted of REQUIRED_PANELS)
      expect(
        panels.some((p) => wanted.test(p.title)),
        String(wanted),
      ).toBe(true);
    const report: string[] = [];
    const exported = await exportedMetrics();
    for (const panel of panels) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const target of panel.targets!) {
        const answer = await prometheus.query(target.expr);
        expect(answer, `${panel.title}: ${target.expr}`).toMatchObject({ status: "success" });
        const pending = pendingIn(target.expr, exported);
        report.push(`${panel.title} | ${target.expr} | ${answer.data!.result.length} series${pending ? ` (pending: ${pending})` : ""}`);
        if (!pending) expect(answer.data!.result.length, `${panel.title}: ${target.expr} returned no series`).toBeGreaterThan(0);
      }
    }
    console.log(`dashboard panels:\n${report.join("\n")}`);
  });

  it("runs every alert's expression, over selectors that all return series, and evaluates every rule without error", async () => {
    const rules = alerts.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert).sort()).toEqual([
      "LangGuardCredentialExpiring",
      "LangGuardIntegrationFailing",
      "LangGuardPolicyEvaluationErrors",
      "LangGuardPostgresConnectionsNearLimit",
      "LangGuardQueueBacklogGrowing",
      "LangGuardRedisMemoryNearLimit",
      "LangGuardSyncRunStuck",
      "LangGuardWebhookFailures",
      "LangGuardWorkspaceThrottled",
    ]);
    const exported = await exportedMetrics();
    const report: string[] = [];
    for (const rule of rules) {
      const answer = await prometheus.query(rule.expr);
      expect(answer, `${rule.alert}: ${rule.expr}`).toMatchObject({ status: "success" });
      for (const selector of selectorsOf(rule.expr)) {
        const series = await prometheus.query(selector);
        const pending = pendingIn(selector, exported);
        report.push(`${rule.alert} | ${selector} | ${series.data!.result.length} series${pending ? ` (pending: ${pending})` : ""}`);
        if (!pending) expect(series.data!.result.length, `${rule.alert}: ${selector} returned no series`).toBeGreaterThan(0);
      }
    }
    // The failing, throttled and expiring integrations made above raise their alerts' conditions.
    expect(
      (await prometheus.query("min by (integration_id) (langguard_integration_credential_expiry_seconds) < 14 * 86400")).data!.result.length,
    ).toBeGreaterThan(0);
    expect((await prometheus.query("max by (integration_id, kind) (langguard_integration_failed_runs_in_a_row) >= 3")).data!.result.length).toBeGreaterThan(0);
    expect((await prometheus.query("max by (integration_id) (langguard_integration_throttled_seconds) > 3600")).data!.result.length).toBeGreaterThan(0);
    const loaded = await prometheus.rules();
    expect(loaded.map((r) => r.name).sort()).toEqual(rules.map((r) => r.alert).sort());
    for (const rule of loaded) expect(rule, rule.name).toMatchObject({ health: "ok" });
    console.log(`alert selectors:\n${report.join("\n")}`);
  });

  /** Every metric name some process of the fleet exports now. */
  async function exportedMetrics(): Promise<Set<string>> {
    const names = new Set<string>();
    for (const { opsPort } of services.values()) {
      const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
      for (const [, name] of text.matchAll(/^# TYPE (\S+)/gm)) names.add(name!);
    }
    return names;
  }

  /** The pending metric an expression reads, while no process exports it yet. */
  function pendingIn(expr: string, exported: Set<string>): string | null {
    for (const [metric, by] of Object.entries(PENDING)) if (expr.includes(metric) && !exported.has(metric)) return `${metric}, ${by}`;
    return null;
  }
});
