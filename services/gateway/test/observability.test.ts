import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registry } from "@langguard/service-runtime";
import { createOperatorKey } from "../src/auth/api-keys.ts";
import { createIntegration, startFleet, type Fleet } from "../../../tests/helpers/fleet.ts";

/** The value of one sample in Prometheus' text format, 0 when absent. */
async function sample(name: string, labels: Record<string, string>): Promise<number> {
  const text = await registry.metrics();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.indexOf("}"));
    if (wanted.every((w) => labelText.split(",").includes(w))) return Number(line.split(" ").at(-1));
  }
  return 0;
}

describe("gateway observability", () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ worker: false });
  });
  afterAll(() => fleet?.close());

  it("times requests by route pattern and status, never by raw URL", async () => {
    const labels = { method: "GET", route: "/api/integrations/:id", status_code: "404" };
    const before = await sample("langguard_http_request_duration_seconds_count", labels);
    for (let i = 0; i < 3; i += 1) {
      expect((await fleet.inject({ method: "GET", url: `/api/integrations/${crypto.randomUUID()}` })).statusCode).toBe(404);
    }
    expect(await sample("langguard_http_request_duration_seconds_count", labels)).toBe(before + 3);
    expect(await registry.metrics()).not.toMatch(/route="\/api\/integrations\/[0-9a-f]{8}-/);
  });

  it("reports queue depth by state, moving as jobs are enqueued", async () => {
    const waiting = { queue: "trace-sync", state: "waiting" };
    const before = await sample("langguard_queue_jobs", waiting);
    const { id } = await createIntegration(fleet, { source: "mlflow", host: "http://127.0.0.1:5000", experiments: [] });
    expect((await fleet.inject({ method: "POST", url: `/api/integrations/${id}/sync`, payload: {} })).statusCode).toBe(202);
    expect(await sample("langguard_queue_jobs", waiting)).toBe(before + 1);
  });

  it("serves Bull Board at /admin/queues to operator keys only (queue-board.test.ts tries every route)", async () => {
    expect((await fleet.app.inject({ method: "GET", url: "/admin/queues" })).statusCode).toBe(401);
    const reader = await fleet.newOrganization(["read"]);
    expect((await fleet.app.inject({ method: "GET", url: "/admin/queues", headers: { authorization: `Bearer ${reader.apiKey}` } })).statusCode).toBe(403);
    expect((await fleet.inject({ method: "GET", url: "/admin/queues" })).statusCode).toBe(403);
    const operator = { authorization: `Bearer ${(await createOperatorKey(fleet.db, "observability test")).key}` };
    const page = await fleet.app.inject({ method: "GET", url: "/admin/queues", headers: operator });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toContain("text/html");
    const api = await fleet.app.inject({ method: "GET", url: "/admin/queues/api/queues", headers: operator });
    expect(api.statusCode).toBe(200);
    expect(JSON.stringify(api.json())).toContain("trace-sync");
  });
});
