import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIntegration, startFleet, type Fleet } from "../../../tests/helpers/fleet.ts";

/** Which of organization A's ids each :id route takes. */
function idFor(url: string, ids: Record<string, string>): string {
  if (url.startsWith("/api/traces/")) return ids.trace!;
  if (url.startsWith("/api/agents/")) return ids.agent!;
  if (url.startsWith("/api/keys/")) return ids.key!;
  if (url.startsWith("/api/policies/violations/")) return ids.violation!;
  if (url.startsWith("/api/policies/")) return ids.policy!;
  if (url.startsWith("/api/entities/")) return ids.entity!;
  if (url.startsWith("/api/webhooks/")) return ids.webhook!;
  return ids.integration!;
}

/** A body that passes validation, so the answer is about the id and nothing else. */
function bodyFor(method: string, url: string, ids: Record<string, string>): object | undefined {
  if (method !== "POST" && method !== "PATCH") return undefined;
  if (url.endsWith("/test") && url.startsWith("/api/policies/")) return { input: sample(ids) };
  if (url.endsWith("/evaluate")) return { from: new Date(0).toISOString(), to: new Date().toISOString() };
  if (url.startsWith("/api/policies/violations/")) return { status: "resolved" };
  if (url.startsWith("/api/policies/")) return { severity: "low" };
  if (url.startsWith("/api/entities/")) return { approval: "approved" };
  if (url.startsWith("/api/webhooks/")) return { enabled: false };
  return {};
}

function sample(ids: Record<string, string>) {
  return {
    trace: {
      id: ids.trace,
      externalId: "tr-x",
      integrationId: ids.integration,
      name: null,
      timestamp: new Date().toISOString(),
      durationMs: null,
      status: "OK",
      input: null,
      output: null,
      metadata: {},
      tags: {},
      inputTokens: null,
      outputTokens: null,
      totalTokens: null,
    },
    observations: [],
    agents: [],
    identity: { userId: null, userName: null, servicePrincipal: false, applicationId: null },
    entities: { agents: {}, models: {}, tools: {}, data: {} },
    agentStats: {},
  };
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
      data: {
        organizationId: fleet.organizationId,
        integrationId: ids.integration,
        externalId: "tr-isolation",
        timestamp: new Date(),
        status: "OK",
        contentHash: "x",
      },
    });
    ids.trace = trace.id;
    const agent = await fleet.db.agent.create({
      data: { organizationId: fleet.organizationId, name: `agent-${trace.id}`, firstSeenAt: new Date(), lastSeenAt: new Date() },
    });
    await fleet.db.agentTrace.create({ data: { agentId: agent.id, traceId: trace.id, integrationId: ids.integration, seenAt: new Date() } });
    ids.agent = agent.id;
    ids.key = (await fleet.db.apiKey.findFirstOrThrow({ where: { organizationId: fleet.organizationId } })).id;
    const policy = await fleet.inject({
      method: "POST",
      url: "/api/policies",
      payload: { name: "isolation", severity: "low", expression: "trace.name == 'x'" },
    });
    ids.policy = policy.json().id;
    ids.violation = (
      await fleet.db.violation.create({
        data: {
          organizationId: fleet.organizationId,
          integrationId: ids.integration,
          traceId: trace.id,
          policyId: ids.policy,
          policyVersion: 1,
          severity: "low",
          message: "m",
        },
      })
    ).id;
    ids.entity = (await fleet.db.entity.create({ data: { organizationId: fleet.organizationId, kind: "tool", name: `tool-${trace.id}` } })).id;
    ids.webhook = (await fleet.inject({ method: "POST", url: "/api/webhooks", payload: { url: "http://127.0.0.1:9/hook" } })).json().id;
  });
  afterAll(() => fleet?.close());

  it("answers 404 to another organization on every route that takes an id, and changes nothing", async () => {
    const routes = fleet.app.routeTable.filter((r) => r.url.includes(":id"));
    expect(routes.length).toBeGreaterThanOrEqual(18);
    for (const route of routes) {
      const url = route.url.replace(":id", idFor(route.url, ids)).replace(":jobId", `policy-window-${ids.policy}-${ids.trace}`);
      const res = await fleet.app.inject({
        method: route.method as "GET",
        url,
        headers: { authorization: `Bearer ${other.apiKey}` },
        payload: bodyFor(route.method, route.url, ids),
      });
      expect(res.statusCode, `${route.method} ${url}`).toBe(404);
    }
    // Still there, unchanged, for its owner.
    expect((await fleet.inject({ method: "GET", url: `/api/integrations/${ids.integration}` })).statusCode).toBe(200);
    expect((await fleet.inject({ method: "GET", url: `/api/traces/${ids.trace}` })).statusCode).toBe(200);
    expect(await fleet.db.apiKey.count({ where: { id: ids.key, revokedAt: null } })).toBe(1);
    expect(await fleet.db.syncRun.count({ where: { integrationId: ids.integration } })).toBe(1);
    expect(await fleet.db.violation.findUniqueOrThrow({ where: { id: ids.violation } })).toMatchObject({ status: "new" });
    expect(await fleet.db.entity.findUniqueOrThrow({ where: { id: ids.entity } })).toMatchObject({ approval: "pending" });
    expect(await fleet.db.webhook.findUniqueOrThrow({ where: { id: ids.webhook } })).toMatchObject({ enabled: true });
    expect(await fleet.db.policy.findUniqueOrThrow({ where: { id: ids.policy } })).toMatchObject({ severity: "low", version: 1 });
  });

  it("lists nothing of another organization, even when asked by its ids", async () => {
    const as = (url: string) => fleet.app.inject({ method: "GET", url, headers: { authorization: `Bearer ${other.apiKey}` } });
    for (const url of [
      "/api/integrations",
      "/api/traces",
      `/api/traces?integrationId=${ids.integration}`,
      "/api/agents",
      `/api/agents?integrationId=${ids.integration}`,
      "/api/keys",
      "/api/policies",
      `/api/policies/violations?integrationId=${ids.integration}`,
      "/api/entities",
      "/api/webhooks",
    ]) {
      const res = await as(url);
      expect(res.statusCode, url).toBe(200);
      const body = JSON.stringify(res.json());
      for (const id of Object.values(ids)) expect(body, url).not.toContain(id);
    }
    const own = (await fleet.inject({ method: "GET", url: "/api/traces" })).json();
    expect(own.items.map((t: { id: string }) => t.id)).toContain(ids.trace);
  });
});
