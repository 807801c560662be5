import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type FakeWorkspace, generateToken, startFakeWorkspace } from "../helpers/databricks/index.ts";
import { createIntegration, startFleet, syncAndWait, type Fleet } from "../helpers/fleet.ts";
import { runPython } from "../helpers/mlflow-server.ts";

/** What the console's setup journey asks of the API beyond the integration itself. */
describe("integration setup routes", () => {
  const mlflowUrl = inject("mlflowUrl");
  const tag = randomUUID().slice(0, 8);
  let fleet: Fleet;
  let workspace: FakeWorkspace;
  const names = [`setup-${tag}-alpha`, `setup-${tag}-beta`, `setup-${tag}-gamma`, `Setup-${tag}-'quoted'`];

  beforeAll(async () => {
    await runPython(mlflowUrl, `import json, mlflow\nfor n in ${JSON.stringify(names)}: mlflow.create_experiment(n)\nprint(json.dumps({}))`);
    workspace = await startFakeWorkspace({ mlflow: mlflowUrl });
    fleet = await startFleet({ worker: true });
    fleet.startCatalogWorker();
  });
  afterAll(async () => {
    await fleet?.close();
    await workspace?.stop();
  });

  it("lists a workspace's experiments through the bridge for unsaved credentials: paged, searchable, by name", async () => {
    const list = (body: object) =>
      fleet.inject({
        method: "POST",
        url: "/api/integrations/experiments",
        payload: { source: "databricks", host: workspace.url, token: workspace.token, ...body },
      });
    const first = await list({ search: `setup-${tag}`, limit: 2 });
    expect(first.statusCode).toBe(200);
    // ILIKE: any case; name order.
    expect(first.json().items.map((e: { name: string }) => e.name)).toEqual([`Setup-${tag}-'quoted'`, `setup-${tag}-alpha`]);
    expect(first.json().nextCursor).toEqual(expect.any(String));
    const second = await list({ search: `setup-${tag}`, limit: 2, cursor: first.json().nextCursor });
    expect(second.json().items.map((e: { name: string }) => e.name)).toEqual([`setup-${tag}-beta`, `setup-${tag}-gamma`]);
    expect(second.json().nextCursor).toBeNull();
    expect((await list({ search: `'quoted'` })).json().items.map((e: { name: string }) => e.name)).toEqual([`Setup-${tag}-'quoted'`]);
    expect((await list({ search: `${tag}-nothing` })).json()).toMatchObject({ items: [], nextCursor: null });
    // Refused before Python starts: both quote kinds, a host outside the policy, a missing token.
    expect((await list({ search: `a'b"c` })).json().issues).toEqual([{ field: "body.search", reason: "must not contain both ' and \"" }]);
    expect(
      (await fleet.inject({ method: "POST", url: "/api/integrations/experiments", payload: { source: "databricks", host: "https://example.com", token: "x" } }))
        .statusCode,
    ).toBe(400);
    expect((await list({ token: undefined })).json().issues).toEqual([
      { field: "body.token", reason: "is required for a Databricks workspace (a personal access token)" },
    ]);
  });

  it("lists a saved integration's experiments with its stored token, says why when the token is wrong, and hides other organizations'", async () => {
    const { id } = await createIntegration(fleet, { source: "databricks", host: workspace.url, token: workspace.token });
    const saved = await fleet.inject({ method: "GET", url: `/api/integrations/${id}/experiments?search=setup-${tag}-&limit=50` });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().items).toHaveLength(4);
    const wrong = await createIntegration(fleet, { source: "databricks", host: workspace.url, token: generateToken() });
    const refused = await fleet.inject({ method: "GET", url: `/api/integrations/${wrong.id}/experiments` });
    expect(refused.statusCode).toBe(502);
    expect(refused.json().message).toMatch(/^Could not list the experiments: .*401 Unauthorized.*Generate a new token/);
    expect(refused.body).not.toContain(workspace.token);
    const other = await fleet.newOrganization(["write"]);
    const foreign = await fleet.app.inject({ method: "GET", url: `/api/integrations/${id}/experiments`, headers: { authorization: `Bearer ${other.apiKey}` } });
    expect(foreign.statusCode).toBe(404);
  });

  it("gives each integration of a page its last run and active run per kind and its next scheduled syncs; other organizations' ids are absent", async () => {
    const { id } = await createIntegration(fleet, {
      source: "databricks",
      host: workspace.url,
      token: workspace.token,
      experiments: [],
      syncCatalog: true,
      syncIntervalMinutes: 30,
      nightlyFullSync: true,
    });
    const quiet = await createIntegration(fleet, { source: "mlflow", host: mlflowUrl, syncIntervalMinutes: 0, syncTraces: false });
    const catalog = await syncAndWait(fleet, id, { type: "catalog" });
    expect(catalog.status).toBe("succeeded");
    const other = await fleet.newOrganization(["write"]);
    const theirs = await createIntegration(
      { inject: (o) => fleet.app.inject({ ...o, headers: { authorization: `Bearer ${other.apiKey}` } }) },
      { source: "mlflow", host: mlflowUrl },
    );
    const res = await fleet.inject({ method: "GET", url: `/api/integrations/sync-overview?ids=${[id, quiet.id, theirs.id].join(",")}` });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Array<Record<string, any>>;
    expect(items.map((i) => i.integrationId).sort()).toEqual([id, quiet.id].sort());
    const busy = items.find((i) => i.integrationId === id)!;
    expect(busy.catalog).toMatchObject({ enabled: true, activeRun: null, lastRun: { id: catalog.id, status: "succeeded", kind: "catalog" } });
    expect(busy.traces).toMatchObject({ enabled: true, activeRun: null, lastRun: null });
    for (const next of [busy.traces.nextSyncAt, busy.catalog.nextSyncAt]) {
      const at = new Date(next).getTime();
      expect(at).toBeGreaterThan(Date.now() - 1_000);
      expect(at).toBeLessThanOrEqual(Date.now() + 30 * 60_000 + 1_000);
    }
    expect(new Date(busy.nightlyFullSyncAt).getUTCHours()).toBe(3);
    const still = items.find((i) => i.integrationId === quiet.id)!;
    expect(still).toMatchObject({ traces: { enabled: false, nextSyncAt: null }, catalog: { enabled: false, nextSyncAt: null }, nightlyFullSyncAt: null });
    expect((await fleet.inject({ method: "GET", url: "/api/integrations/sync-overview?ids=nope" })).statusCode).toBe(400);
  });

  it("reports a trace run's experiments done of listed as it goes and at the end", async () => {
    const { id } = await createIntegration(fleet, { source: "mlflow", host: mlflowUrl, experiments: [inject("demoExperimentId")] });
    const run = await syncAndWait(fleet, id);
    const history = (await fleet.inject({ method: "GET", url: `/api/integrations/${id}/sync/history` })).json();
    expect(run.status).toBe("succeeded");
    expect(history.items[0].progress).toMatchObject({ phase: "done", experiments: 1, experimentsDone: 1, fetched: run.itemsFetched });
  });

  it("tells the console the host policy and the allowed forms, and checks catalog filters as the gateway saves them", async () => {
    const sources = (await fleet.inject({ method: "GET", url: "/api/integrations/sources" })).json();
    expect(sources.sources).toEqual(["databricks", "mlflow"]);
    expect(sources.hostPolicy).toMatchObject({ allowHttp: true, extraHosts: ["127.0.0.1", "localhost"], allowedPorts: [443, 0] });
    expect(sources.hostForms).toContain("https://<workspace>.cloud.databricks.com");
    expect(sources.ports).toBe("any port");
    const strict = await startFleet({
      worker: false,
      env: { SOURCE_ALLOW_HTTP: "false", SOURCE_ALLOWED_HOSTS: "", SOURCE_ALLOWED_NETWORKS: "", SOURCE_ALLOWED_PORTS: "" },
    });
    try {
      const only = (await strict.inject({ method: "GET", url: "/api/integrations/sources" })).json();
      expect(only).toMatchObject({ sources: ["databricks"], ports: "443 only" });
      expect(only.hostForms).toHaveLength(6);
    } finally {
      await strict.close();
    }
    const check = (catalogFilters: unknown) => fleet.inject({ method: "POST", url: "/api/integrations/catalog-filters/check", payload: { catalogFilters } });
    expect((await check({ include: { catalogs: ["main"], tables: ["main\\.sales\\..*"] } })).json()).toEqual({ valid: true, issues: [] });
    expect((await check({ include: { catalogs: ["main", "(unclosed"] }, exclude: { nope: [] } })).json()).toEqual({
      valid: false,
      issues: [
        { field: "body.catalogFilters.include.catalogs.1", reason: "must be an RE2 regular expression (missing ): (unclosed)" },
        { field: "body.catalogFilters.exclude.nope", reason: "unknown field" },
      ],
    });
    // The same words as saving would give.
    const saved = await fleet.inject({
      method: "POST",
      url: "/api/integrations",
      payload: { name: `f-${tag}`, source: "mlflow", host: mlflowUrl, catalogFilters: { include: { catalogs: ["main", "(unclosed"] } } },
    });
    expect(saved.json().issues).toEqual([
      { field: "body.catalogFilters.include.catalogs.1", reason: "must be an RE2 regular expression (missing ): (unclosed)" },
    ]);
  });
});
