import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QueueName, queueCatalog, queueNames } from "@langguard/queue-contracts";
import { registry } from "@langguard/service-runtime";
import { startFleet, type Fleet } from "../../../tests/helpers/fleet.ts";
import { createOperatorKey } from "../src/auth/api-keys.ts";
import { metricValue } from "../../../tests/helpers/prometheus.ts";
import { repoRoot } from "../../../tests/helpers/test-env.ts";

/** The queues a service's source registers workers for: `registerWorker(QueueName.X, …)`. */
function consumedBy(service: string): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith(".ts")) {
        for (const [, key] of readFileSync(file, "utf8").matchAll(/registerWorker\(\s*QueueName\.(\w+)/g)) found.add(QueueName[key as keyof typeof QueueName]);
      }
    }
  };
  walk(path.join(repoRoot, "services", service, "src"));
  return [...found].sort();
}

describe("the catalogue of queues (queue-contracts)", () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ worker: false });
  });
  afterAll(() => fleet?.close());

  it("names every queue once, and each service consumes exactly the queues it lists for that service", () => {
    expect(queueNames.sort()).toEqual(Object.values(QueueName).sort());
    for (const service of readdirSync(path.join(repoRoot, "services"))) {
      const listed = queueNames.filter((name) => queueCatalog[name].consumer === service).sort();
      expect(consumedBy(service), service).toEqual(listed);
    }
  });

  it("shows every queue in Bull Board and in langguard_queue_jobs, including the ones the gateway never produces to", async () => {
    // The board is the fleet operators' (an organization key gets 403; queue-board.test.ts).
    const operator = await createOperatorKey(fleet.db, "queue catalogue test");
    const board = await fleet.app.inject({ method: "GET", url: "/admin/queues/api/queues", headers: { authorization: `Bearer ${operator.key}` } });
    expect(board.statusCode).toBe(200);
    const shown = (board.json() as { queues: Array<{ name: string }> }).queues.map((q) => q.name).sort();
    expect(shown).toEqual([...queueNames].sort());

    const metrics = await registry.metrics();
    for (const name of queueNames) {
      expect(metrics, name).toMatch(new RegExp(`^langguard_queue_jobs\\{queue="${name}",state="waiting"\\} \\d+`, "m"));
    }
    expect(metricValue(metrics, "langguard_queue_jobs", { queue: QueueName.WebhookDelivery, state: "failed" })).toBeGreaterThanOrEqual(0);
  });
});
