import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { promtool } from "./helpers/prometheus-server.ts";
import { repoRoot } from "./helpers/test-env.ts";

const dir = path.join(repoRoot, "deploy/prometheus");
const alerts = parse(readFileSync(path.join(dir, "alerts.yml"), "utf8")) as { groups: Array<{ rules: Array<{ alert: string }> }> };
const unitTests = parse(readFileSync(path.join(dir, "alerts.test.yml"), "utf8")) as {
  tests: Array<{ alert_rule_test: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
};

describe("the Prometheus alert rules (deploy/prometheus)", () => {
  it("are valid rules, and the compose profile's Prometheus configuration loads them", async () => {
    const rules = await promtool(["check", "rules", path.join(dir, "alerts.yml")]);
    expect(rules.exitCode, rules.all).toBe(0);
    const config = await promtool(["check", "config", path.join(dir, "prometheus.yml")]);
    expect(config.exitCode, config.all).toBe(0);
  });

  it("pass their unit tests (promtool test rules), which make every alert fire and stay quiet", async () => {
    const names = alerts.groups.flatMap((g) => g.rules.map((r) => r.alert));
    const cases = unitTests.tests.flatMap((t) => t.alert_rule_test);
    for (const name of names) {
      expect(
        cases.some((c) => c.alertname === name && c.exp_alerts.length > 0),
        `${name} is never shown firing`,
      ).toBe(true);
      expect(
        cases.some((c) => c.alertname === name && c.exp_alerts.length === 0),
        `${name} is never shown quiet`,
      ).toBe(true);
    }
    const result = await promtool(["test", "rules", path.join(dir, "alerts.test.yml")]);
    console.log(result.all);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.all).toContain("SUCCESS");
  });
});
