import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIntegration, startFleet, type Fleet } from "../../../tests/helpers/fleet.ts";

/** Which of organization A's ids each :id route takes. */
function idFor(url: string, ids: Record<string, string>): string {
  if (url.startsWith("/api/traces/")) return ids.trace!;
  if (url.startsWith("/api/agents/")) return ids.agent!;
  if (url.startsWith("/api/keys/")) return ids.key!;
  return ids.integration!;
}

describe("organizations are isolated", () => {
  let fleet: Fleet;
  let other: { organizationId: string; apiKey: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    fleet = await startFleet({ worker: false });
    other = await fleet.newOrganization(["admin"]);
    // Organization A owns an integration with a run, a trace, an agent and a key.
    ids.integration = (await createIntegration(fleet, { source: "mlflow", host: "http://127.0.0.1:5000" })).id;
    ids.run = (await fleet.inject({ method: "POST", url: `/api/integrations/${ids.integration}/sync`, payload: {} })).json().syncRunId;
    const trace = await fleet.db.trace.create({
      data: { organizationId: fleet.organizationId, integrationId: ids.integration, externalId: "tr-isolation", timestamp: new Date(), status: "OK", contentHash: "x" },
    });
    ids.trace = trace.id;
    const agent = await fleet.db.agent.create({ data: { organizationId: fleet.organizationId, name: `agent-${trace.id}`, firstSeenAt: new Date(), lastSeenAt: new Date() } });
    await fleet.db.agentTrace.create({ data: { agentId: agent.id, traceId: trace.id, integrationId: ids.integration, seenAt: new Date() } });
    ids.agent = agent.id;
    ids.key = (await fleet.db.apiKey.findFirstOrThrow({ where: { organizationId: fleet.organizationId } })).id;
  });
  afterAll(() => fleet?.close());

  it("answers 404 to another organization on every route that takes an id, and changes nothing", async () => {
    const routes = fleet.app.routeTable.filter((r) => r.url.includes(":id"));
    expect(routes.length).toBeGreaterThanOrEqual(9);
    for (const route of routes) {
      const url = route.url.replace(":id", idFor(route.url, ids));
      const res = await fleet.app.inject({ method: route.method as "GET", url, headers: { authorization: `Bearer ${other.apiKey}` }, payload: route.method === "POST" || route.method === "PATCH" ? {} : undefined });
      expect(res.statusCode, `${route.method} ${url}`).toBe(404);
    }
    // Still there, unchanged, for its owner.
    expect((await fleet.inject({ method: "GET", url: `/api/integrations/${ids.integration}` })).statusCode).toBe(200);
    expect((await fleet.inject({ method: "GET", url: `/api/traces/${ids.trace}` })).statusCode).toBe(200);
    expect(await fleet.db.apiKey.count({ where: { id: ids.key, revokedAt: null } })).toBe(1);
    expect(await fleet.db.syncRun.count({ where: { integrationId: ids.integration } })).toBe(1);
  });

  it("lists nothing of another organization, even when asked by its ids", async () => {
    const as = (url: string) => fleet.app.inject({ method: "GET", url, headers: { authorization: `Bearer ${other.apiKey}` } });
    for (const url of ["/api/integrations", "/api/traces", `/api/traces?integrationId=${ids.integration}`, "/api/agents", `/api/agents?integrationId=${ids.integration}`, "/api/keys"]) {
      const res = await as(url);
      expect(res.statusCode, url).toBe(200);
      const body = JSON.stringify(res.json());
      for (const id of Object.values(ids)) expect(body, url).not.toContain(id);
    }
    const own = (await fleet.inject({ method: "GET", url: "/api/traces" })).json();
    expect(own.items.map((t: { id: string }) => t.id)).toContain(ids.trace);
  });
});
