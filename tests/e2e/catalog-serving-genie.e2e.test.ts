import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeWorkspace, layouts, makeGenieSpace, sampleEndpoints, startFakeWorkspace, type WorkspaceState } from "../helpers/databricks/index.ts";
import { createIntegration, type Fleet, startFleet, syncAndWait } from "../helpers/fleet.ts";

const catalogSync = (fleet: Fleet, id: string) => syncAndWait(fleet, id, { type: "catalog" }, 180_000);

/** One table, an agent endpoint (chat agent task), a foundation and an external model endpoint, and 25 Genie spaces (two pages). */
function workspaceState(): WorkspaceState {
  const state = layouts.minimal();
  for (const e of [sampleEndpoints.agent(), sampleEndpoints.foundation(), sampleEndpoints.external()]) state.servingEndpoints.set(e.name, e);
  for (let i = 0; i < 25; i++) {
    const space = makeGenieSpace(`Genie ${i}`, ["main.schema_0.table_0"]);
    state.genieSpaces.set(space.space_id, space);
  }
  return state;
}

describe("catalog sync: Model Serving endpoints and Genie spaces become governed entities", () => {
  let fleet: Fleet;
  let workspace: FakeWorkspace;
  beforeAll(async () => {
    fleet = await startFleet({ worker: false });
    fleet.startCatalogWorker();
    workspace = await startFakeWorkspace({ state: workspaceState() });
  });
  afterAll(async () => {
    await fleet?.close();
    await workspace?.stop();
  });

  const integration = (extra: Record<string, unknown> = {}) =>
    createIntegration(fleet, { source: "databricks", host: workspace.url, token: workspace.token, syncCatalog: true, syncTraces: false, ...extra });
  const catalog = async (id: string, query = "") =>
    (await fleet.inject({ method: "GET", url: `/api/catalog/entities?integrationId=${id}&limit=200&count=true${query}` })).json();
  const entity = async (kind: string, name: string) =>
    (await fleet.inject({ method: "GET", url: `/api/entities?kind=${kind}&name=${encodeURIComponent(name)}&limit=200` }))
      .json()
      .items.find((e: { name: string }) => e.name === name);

  it("stores endpoints and spaces, and makes them pending agents and models linked to their tables", async () => {
    const { id } = await integration();
    const run = await catalogSync(fleet, id);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    expect((await catalog(id, "&kind=servingEndpoint")).total).toBe(3);
    expect((await catalog(id, "&kind=genieSpace")).total).toBe(25);
    expect((await catalog(id, "&kind=table")).total).toBe(1);

    const agentEndpoint = (await catalog(id, "&kind=servingEndpoint")).items.find((e: { name: string }) => e.name === "support-agent");
    expect(agentEndpoint).toMatchObject({
      catalogName: "",
      schemaName: null,
      owner: "fake.user@example.com",
      details: { entityKind: "agent", task: "agent/v1/chat", tables: ["main.agents.support_agent_payload"], models: ["main.agents.support_agent"] },
    });
    const space = (await catalog(id, "&kind=genieSpace")).items[0];
    expect(space.details).toMatchObject({ tables: ["main.schema_0.table_0"], tablesKnown: true, warehouseId: "fake0123456789ab" });

    // The rule: an agent task makes an agent; a foundation or external model is a model. New ones wait for approval.
    expect(await entity("agent", "support-agent")).toMatchObject({ approval: "pending", stage: null });
    expect(await entity("model", "databricks-meta-llama-3-3-70b-instruct")).toMatchObject({ approval: "pending" });
    expect(await entity("model", "openai-gpt")).toMatchObject({ approval: "pending" });
    expect(await entity("model", "support-agent")).toBeUndefined();
    expect(await entity("agent", space.fullName)).toMatchObject({ approval: "pending" });
  });

  it("a 403 on the Genie API makes the run partial, keeps the stored spaces, and the rest still syncs; a completed listing then deletes what vanished", async () => {
    const { id } = await integration();
    expect((await catalogSync(fleet, id)).status).toBe("succeeded");
    const [gone] = [...workspace.state.genieSpaces.values()];
    workspace.state.genieSpaces.delete(gone!.space_id);
    const denial = { path: "/api/2.0/genie/spaces" };
    workspace.state.denials.push(denial);
    const denied = await catalogSync(fleet, id);
    expect(denied.status).toBe("partial");
    expect(denied.containerErrors).toEqual([expect.objectContaining({ kind: "genieSpaces", errorKind: "permission" })]);
    // Nothing of the failed listing is taken for deleted, and the other listings completed.
    expect((await catalog(id, "&kind=genieSpace&deleted=true")).total).toBe(0);
    expect((await catalog(id, "&kind=genieSpace")).total).toBe(25);
    expect((await catalog(id, "&kind=servingEndpoint")).total).toBe(3);

    workspace.state.denials.splice(workspace.state.denials.indexOf(denial), 1);
    const again = await catalogSync(fleet, id);
    expect(again.status).toBe("succeeded");
    const deleted = (await catalog(id, "&kind=genieSpace&deleted=true")).items;
    expect(deleted.map((s: { fullName: string }) => s.fullName)).toEqual([gone!.space_id]);
    workspace.state.genieSpaces.set(gone!.space_id, gone!);
  });

  it("a 403 on one endpoint's details fails the endpoints listing only, without deleting its endpoints", async () => {
    const { id } = await integration();
    expect((await catalogSync(fleet, id)).status).toBe("succeeded");
    const saved = workspace.state.servingEndpoints.get("support-agent")!;
    workspace.state.servingEndpoints.delete("support-agent");
    const denial = { path: "/api/2.0/serving-endpoints/openai-gpt" };
    workspace.state.denials.push(denial);
    try {
      const run = await catalogSync(fleet, id);
      expect(run.status).toBe("partial");
      expect(run.containerErrors).toEqual([expect.objectContaining({ kind: "servingEndpoint", fullName: "openai-gpt", errorKind: "permission" })]);
      expect((await catalog(id, "&kind=servingEndpoint&deleted=true")).total).toBe(0);
      expect((await catalog(id, "&kind=genieSpace")).total).toBe(25);
    } finally {
      workspace.state.denials.splice(workspace.state.denials.indexOf(denial), 1);
      workspace.state.servingEndpoints.set(saved.name, saved);
    }
  });

  it("a workspace that does not serve the Genie API (404) syncs as before, with a warning", async () => {
    const { id } = await integration();
    const fault = workspace.setFault({ path: "/api/2.0/genie/spaces", status: 404, body: { error_code: "ENDPOINT_NOT_FOUND", message: "No API found" } });
    try {
      const run = await catalogSync(fleet, id);
      expect(run.status).toBe("succeeded");
      expect(run.warnings).toEqual(
        expect.arrayContaining([expect.objectContaining({ kind: "not_found", message: expect.stringContaining("syncGenieSpaces") })]),
      );
      expect((await catalog(id, "&kind=servingEndpoint")).total).toBe(3);
    } finally {
      fault.remove();
    }
  });

  it("reads neither when the integration turns them off", async () => {
    const { id } = await integration({ syncServingEndpoints: false, syncGenieSpaces: false });
    const before = workspace.requests.length;
    expect((await catalogSync(fleet, id)).status).toBe("succeeded");
    const asked = workspace.requests.slice(before).filter((r) => r.path.startsWith("/api/2.0/serving-endpoints") || r.path.startsWith("/api/2.0/genie"));
    expect(asked).toEqual([]);
    expect((await catalog(id, "&kind=servingEndpoint")).total).toBe(0);
    const view = (await fleet.inject({ method: "GET", url: `/api/integrations/${id}` })).json();
    expect(view).toMatchObject({ syncServingEndpoints: false, syncGenieSpaces: false });
  });

  it("cross-boundary-access flags a dev Genie space over a prod table, once", async () => {
    const state = workspaceState();
    const space = makeGenieSpace("Payroll questions", ["main.schema_0.table_0"]);
    state.genieSpaces.set(space.space_id, space);
    const own = await startFakeWorkspace({ state });
    try {
      const { id } = await createIntegration(fleet, { source: "databricks", host: own.url, token: own.token, syncCatalog: true, syncTraces: false });
      expect((await catalogSync(fleet, id)).status).toBe("succeeded");
      const violations = async () =>
        (await fleet.inject({ method: "GET", url: `/api/policies/violations?integrationId=${id}&limit=100` }))
          .json()
          .items.filter((v: { agents: string[] }) => v.agents.includes(space.space_id));
      // No stages yet: nothing to compare.
      expect(await violations()).toEqual([]);
      const setStage = async (kind: string, name: string, stage: string) => {
        const e = await entity(kind, name);
        const res = await fleet.inject({ method: "PATCH", url: `/api/entities/${e.id}`, payload: { stage } });
        expect(res.statusCode, res.body).toBe(200);
      };
      // A subscriber hears of it as of any violation: a delivery row written with it.
      const { organizationId } = await fleet.db.integration.findUniqueOrThrow({ where: { id }, select: { organizationId: true } });
      const hook = await fleet.db.webhook.create({
        data: { organizationId, url: "https://hooks.example.com/langguard", secretCiphertext: "unused-here", events: ["policy.violation"] },
      });
      await setStage("agent", space.space_id, "dev");
      await setStage("data", "main.schema_0.table_0", "prod");
      expect((await catalogSync(fleet, id)).status).toBe("succeeded");
      const found = await violations();
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        traceId: null,
        severity: "critical",
        message: expect.stringContaining('uses data asset "main.schema_0.table_0" (prod)'),
      });
      expect(await fleet.db.webhookDelivery.count({ where: { webhookId: hook.id, violationId: found[0].id } })).toBe(1);
      // The next sync finds the same crossing and records nothing new.
      expect((await catalogSync(fleet, id)).status).toBe("succeeded");
      expect(await violations()).toHaveLength(1);
      // Promoted to prod, the space no longer crosses; the recorded violation stays for people to resolve.
      await setStage("agent", space.space_id, "prod");
      expect((await catalogSync(fleet, id)).status).toBe("succeeded");
      expect(await violations()).toHaveLength(1);
      await fleet.db.webhook.delete({ where: { id: hook.id } });
    } finally {
      await own.stop();
    }
  });
});
