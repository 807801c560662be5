import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { registry } from "@langguard/service-runtime";
import {
  type FakeEntraId,
  type FaultProxy,
  type FakeWorkspace,
  type ServicePrincipal,
  startFakeEntraId,
  startFakeWorkspace,
  startFaultProxy,
} from "../helpers/databricks/index.ts";
import { createIntegration, startFleet, syncAndWait, type Fleet } from "../helpers/fleet.ts";
import { runFixture, startMlflowServer, type MlflowServer } from "../helpers/mlflow-server.ts";

// Databricks' OAuth tokens live an hour; these live 42 s, which databricks-sdk (refreshing 40 s
// before expiry) holds for 2 s, so one sync goes through several of them.
const TOKEN_LIFETIME_S = 42;

const principal = (overrides: Partial<ServicePrincipal> = {}): ServicePrincipal => ({
  clientId: randomUUID(),
  clientSecret: `dose${randomUUID().replaceAll("-", "")}`,
  ...overrides,
});

type Step = { step: string; status: string; message: string; hint: string | null; kind: string | null };

describe("authentication methods", () => {
  const mlflowUrl = inject("mlflowUrl");
  const experimentId = inject("demoExperimentId");
  const member = principal();
  const expired = principal({ secretExpired: true });
  const stranger = principal({ inWorkspace: false });
  const expiring = principal({ secretExpiresAt: Date.now() + 10 * 86_400_000 - 3_600_000 });
  let fleet: Fleet;
  let workspace: FakeWorkspace;

  beforeAll(async () => {
    workspace = await startFakeWorkspace({
      mlflow: mlflowUrl,
      oauth: { principals: [member, expired, stranger, expiring], lifetimeSeconds: TOKEN_LIFETIME_S },
    });
    fleet = await startFleet({ worker: true });
  });
  afterAll(async () => {
    await fleet?.close();
    await workspace?.stop();
  });

  const test = async (id: string) => (await fleet.inject({ method: "POST", url: `/api/integrations/${id}/test` })).json() as { status: string; steps: Step[] };
  const m2m = (p: ServicePrincipal, secret = p.clientSecret) =>
    createIntegration(fleet, {
      source: "databricks",
      host: workspace.url,
      authType: "oauth-m2m",
      clientId: p.clientId,
      clientSecret: secret,
      experiments: [experimentId],
    });

  it("oauth-m2m: a service principal's token comes from the workspace's OIDC server, is refreshed during a sync, and the sync completes", async () => {
    const { id } = await m2m(member);
    const view = (await fleet.inject({ method: "GET", url: `/api/integrations/${id}` })).json();
    expect(view).toMatchObject({ authType: "oauth-m2m", clientId: member.clientId, hasToken: true });
    expect(JSON.stringify(view)).not.toContain(member.clientSecret);

    const report = await test(id);
    expect(report.steps.find((s) => s.step === "auth")).toMatchObject({ status: "ok" });
    expect(report.status).not.toBe("failed");

    const before = workspace.oauth!.issued.length;
    // A remote workspace's pace, so the sync outlasts a token's usable life several times over.
    workspace.latencyMs = 250;
    const run = await syncAndWait(fleet, id, { mode: "full" });
    workspace.latencyMs = 0;
    expect(run.durationMs).toBeGreaterThan((TOKEN_LIFETIME_S - 40) * 1000 * 2);
    expect(run).toMatchObject({ status: "succeeded", errorKind: null });
    expect(run.itemsIngested + run.itemsUpdated + run.itemsSkipped).toBeGreaterThan(0);
    // More than one token in one sync: the SDK refreshed before expiry, and never sent a stale one.
    expect(workspace.oauth!.issued.length - before).toBeGreaterThanOrEqual(2);
    expect(workspace.oauth!.expiredUses).toEqual([]);
    // Discovery, then the token endpoint: the secret went nowhere but the workspace's own OIDC server.
    const paths = workspace.requests.map((r) => r.path);
    expect(paths).toContain("/oidc/.well-known/oauth-authorization-server");
    expect(paths).toContain("/oidc/v1/token");
  });

  it("oauth-m2m: unsaved credentials are tested and list experiments with the method too", async () => {
    const body = { source: "databricks", host: workspace.url, authType: "oauth-m2m", clientId: member.clientId, clientSecret: member.clientSecret };
    const report = (await fleet.inject({ method: "POST", url: "/api/integrations/test", payload: body })).json();
    expect(report.steps.find((s: Step) => s.step === "auth")).toMatchObject({ status: "ok" });
    const listed = await fleet.inject({ method: "POST", url: "/api/integrations/experiments", payload: { ...body, limit: 5 } });
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().items.length).toBeGreaterThan(0);
    expect(listed.body).not.toContain(member.clientSecret);
  });

  it("oauth-m2m: the catalog sync reads Unity Catalog and the warehouse with the service principal's tokens", async () => {
    fleet.startCatalogWorker();
    const { id } = await createIntegration(fleet, {
      source: "databricks",
      host: workspace.url,
      authType: "oauth-m2m",
      clientId: member.clientId,
      clientSecret: member.clientSecret,
      warehouseId: workspace.warehouseId,
      syncCatalog: true,
      syncTraces: false,
    });
    const report = await test(id);
    expect(report.steps.filter((s) => ["auth", "catalog", "warehouse"].includes(s.step)).map((s) => `${s.step}:${s.status}`)).toEqual([
      "auth:ok",
      "catalog:ok",
      "warehouse:ok",
    ]);
    const run = await syncAndWait(fleet, id, { type: "catalog" }, 180_000);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    const tables = (await fleet.inject({ method: "GET", url: `/api/catalog/entities?integrationId=${id}&kind=table&limit=1&count=true` })).json();
    expect(tables.total).toBeGreaterThan(0);
    expect(workspace.oauth!.expiredUses).toEqual([]);
  });

  it("changing the method needs the new method's secret; MLflow's none keeps no secret", async () => {
    const { id } = await m2m(member);
    const patch = (payload: object) => fleet.inject({ method: "PATCH", url: `/api/integrations/${id}`, payload });
    // The sealed client secret opens only as a client secret: a PAT must be given to switch to pat.
    const noToken = await patch({ authType: "pat" });
    expect(noToken.statusCode).toBe(400);
    expect(noToken.json().issues).toContainEqual({ field: "body.token", reason: "is required for a Databricks workspace (a personal access token)" });
    const toPat = await patch({ authType: "pat", token: workspace.token });
    expect(toPat.json()).toMatchObject({ authType: "pat", clientId: null, hasToken: true });
    expect((await test(id)).steps.find((s) => s.step === "auth")).toMatchObject({ status: "ok" });
    // A new client id alone keeps the stored secret of the same method.
    const back = await patch({ authType: "oauth-m2m", clientId: member.clientId, clientSecret: member.clientSecret });
    expect(back.json()).toMatchObject({ authType: "oauth-m2m", clientId: member.clientId });
    expect((await patch({ clientId: stranger.clientId })).json()).toMatchObject({ clientId: stranger.clientId, hasToken: true });
    // Moving the service principal to another host asks for its secret again, by the field it goes in.
    const elsewhere = await patch({ host: workspace.url.replace("127.0.0.1", "localhost") });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.json().issues[0]).toMatchObject({ field: "body.clientSecret" });

    // Another source without a method: the source's default, as before methods existed.
    const moved = await patch({ source: "mlflow", host: mlflowUrl, token: "mlflow-token-5678" });
    expect(moved.json()).toMatchObject({ source: "mlflow", authType: "bearer", clientId: null, hasToken: true });

    const server = await createIntegration(fleet, { source: "mlflow", host: mlflowUrl, authType: "bearer", token: "mlflow-token-1234" });
    const none = await fleet.inject({ method: "PATCH", url: `/api/integrations/${server.id}`, payload: { authType: "none" } });
    expect(none.json()).toMatchObject({ authType: "none", hasToken: false, token: null });
  });

  it("oauth-m2m: a secret that expires in 10 days warns, as a PAT does", async () => {
    const { id } = await m2m(expiring);
    const report = await test(id);
    expect(report.steps.find((s) => s.step === "auth")).toMatchObject({
      status: "warning",
      message: expect.stringMatching(/the token expires in 10 days$/),
      hint: expect.stringContaining("Generate a new OAuth secret"),
    });
    expect((await fleet.inject({ method: "GET", url: `/api/integrations/${id}` })).json().credentialWarning).toEqual({
      status: "warning",
      message: "token expires in 10 days",
    });
    // A secret that never expires says nothing.
    const { id: lasting } = await m2m(member);
    expect((await test(lasting)).steps.find((s) => s.step === "auth")).toMatchObject({ status: "ok" });
  });

  it("oauth-m2m: each failure says what is wrong and how to fix it", async () => {
    const wrong = await test((await m2m(member, "dosewrongsecret")).id);
    expect(wrong.status).toBe("failed");
    expect(wrong.steps.find((s) => s.step === "auth")).toMatchObject({
      status: "failed",
      kind: "auth",
      message: "The workspace's token endpoint refused the service principal's client id or secret (invalid_client)",
      hint: expect.stringContaining("generate a new OAuth secret"),
    });

    const old = await test((await m2m(expired)).id);
    expect(old.steps.find((s) => s.step === "auth")).toMatchObject({
      status: "failed",
      message: "The workspace's token endpoint refused the client secret: it has expired (invalid_client)",
      hint: expect.stringContaining("generate a new OAuth secret"),
    });

    const outsider = await test((await m2m(stranger)).id);
    expect(outsider.steps.find((s) => s.step === "auth")).toMatchObject({
      status: "failed",
      message: expect.stringContaining("does not accept the service principal (it is not a member of this workspace)"),
      hint: expect.stringContaining("Service principals → Add service principal"),
    });
  });

  it("refuses a method's fields that do not fit, naming the field", async () => {
    const post = (payload: object) =>
      fleet.inject({ method: "POST", url: "/api/integrations", payload: { name: `bad-${randomUUID().slice(0, 8)}`, ...payload } });
    const noId = await post({ source: "databricks", host: workspace.url, authType: "oauth-m2m", clientSecret: "x1234" });
    expect(noId.statusCode).toBe(400);
    expect(noId.json().issues).toContainEqual({ field: "body.clientId", reason: expect.stringContaining("is required for the oauth-m2m method") });
    const mixed = await post({ source: "databricks", host: workspace.url, authType: "oauth-m2m", clientId: member.clientId, token: "dapi1234" });
    expect(mixed.json().issues).toContainEqual({ field: "body.token", reason: expect.stringContaining("is not used by the oauth-m2m method") });
    const wrongSource = await post({ source: "mlflow", host: mlflowUrl, authType: "oauth-m2m", clientId: member.clientId, clientSecret: "x1234" });
    expect(wrongSource.json().issues).toContainEqual({ field: "body.authType", reason: "must be one of none, basic, bearer for an MLflow server" });
  });
});

describe("azure-client-secret: a Microsoft Entra ID service principal", () => {
  const mlflowUrl = inject("mlflowUrl");
  const experimentId = inject("demoExperimentId");
  const tenantId = randomUUID();
  const member = principal();
  const expired = principal({ secretExpired: true });
  let entra: FakeEntraId;
  let fleet: Fleet;
  let workspace: FakeWorkspace;

  beforeAll(async () => {
    entra = await startFakeEntraId({ tenantId, principals: [member, expired], lifetimeSeconds: TOKEN_LIFETIME_S });
    workspace = await startFakeWorkspace({ mlflow: mlflowUrl, trustedIssuers: [entra.issuer] });
    // The host-policy entry that points Entra ID's login endpoint at the fake.
    fleet = await startFleet({ worker: true, env: { SOURCE_ENTRA_LOGIN_URL: entra.loginUrl } });
  });
  afterAll(async () => {
    await fleet?.close();
    await workspace?.stop();
    await entra?.stop();
  });

  const azure = (p: ServicePrincipal, overrides: object = {}) =>
    createIntegration(fleet, {
      source: "databricks",
      host: workspace.url,
      authType: "azure-client-secret",
      tenantId,
      clientId: p.clientId,
      clientSecret: p.clientSecret,
      experiments: [experimentId],
      ...overrides,
    });
  const authStep = async (id: string) =>
    ((await fleet.inject({ method: "POST", url: `/api/integrations/${id}/test` })).json().steps as Step[]).find((s) => s.step === "auth");

  it("gets its tokens from Entra ID for the Azure Databricks resource and syncs", async () => {
    const { id } = await azure(member);
    expect(await authStep(id)).toMatchObject({ status: "ok" });
    const run = await syncAndWait(fleet, id, { mode: "full" });
    expect(run).toMatchObject({ status: "succeeded", errorKind: null });
    // The SDK's own provider asked the tenant's token endpoint for Azure Databricks' application id.
    expect(entra.requests.some((r) => r.tenant === tenantId && r.resource === "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d")).toBe(true);
    expect(entra.issuer.expiredUses).toEqual([]);
    // Nothing was asked of the workspace's own OIDC server.
    expect(workspace.requests.some((r) => r.path.startsWith("/oidc/"))).toBe(false);
  });

  it("the catalog sync reads Unity Catalog and the warehouse with Entra ID's tokens", async () => {
    fleet.startCatalogWorker();
    const asked = entra.requests.length;
    const { id } = await azure(member, { experiments: [], warehouseId: workspace.warehouseId, syncCatalog: true, syncTraces: false });
    const run = await syncAndWait(fleet, id, { type: "catalog" }, 180_000);
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    const tables = (await fleet.inject({ method: "GET", url: `/api/catalog/entities?integrationId=${id}&kind=table&limit=1&count=true` })).json();
    expect(tables.total).toBeGreaterThan(0);
    // The catalog job asked Entra ID for its own tokens.
    expect(entra.requests.length).toBeGreaterThan(asked);
    expect(entra.issuer.expiredUses).toEqual([]);
    expect(workspace.requests.some((r) => r.path.startsWith("/oidc/"))).toBe(false);
  });

  it("says which part Entra ID refused, with the fix", async () => {
    expect(await authStep((await azure(member, { clientSecret: "wrong-secret-value" })).id)).toMatchObject({
      status: "failed",
      message: "Microsoft Entra ID refused the service principal's client id or secret (invalid_client)",
      hint: expect.stringContaining("Certificates & secrets"),
    });
    expect(await authStep((await azure(expired)).id)).toMatchObject({
      status: "failed",
      message: "Microsoft Entra ID refused the client secret: it has expired (invalid_client)",
    });
    expect(await authStep((await azure(member, { tenantId: randomUUID() })).id)).toMatchObject({
      status: "failed",
      message: "Microsoft Entra ID does not know this tenant or client id (invalid_request)",
    });
  });
});

describe("expiring personal access tokens", () => {
  const mlflowUrl = inject("mlflowUrl");
  const DAY = 86_400_000;
  let fleet: Fleet;
  const workspaces: FakeWorkspace[] = [];

  beforeAll(async () => {
    fleet = await startFleet({ worker: true });
  });
  afterAll(async () => {
    await fleet?.close();
    for (const w of workspaces) await w.stop();
  });

  const patIntegration = async (tokenExpiresAt: number) => {
    const workspace = await startFakeWorkspace({ mlflow: mlflowUrl, tokenExpiresAt });
    workspaces.push(workspace);
    const { id } = await createIntegration(fleet, {
      source: "databricks",
      host: workspace.url,
      token: workspace.token,
      experiments: [inject("demoExperimentId")],
    });
    return id;
  };

  it("a PAT that expires in 10 days: the test, the integration and a metric warn", async () => {
    const id = await patIntegration(Date.now() + 10 * DAY - 3_600_000);
    const report = (await fleet.inject({ method: "POST", url: `/api/integrations/${id}/test` })).json();
    expect(report.status).toBe("warning");
    expect(report.steps.find((s: Step) => s.step === "auth")).toMatchObject({
      status: "warning",
      message: expect.stringMatching(/; the token expires in 10 days$/),
      hint: expect.stringContaining("Generate a new personal access token"),
    });
    const view = (await fleet.inject({ method: "GET", url: `/api/integrations/${id}` })).json();
    expect(view.credentialWarning).toEqual({ status: "warning", message: "token expires in 10 days" });
    expect(view.connection).toMatchObject({ status: "warning" });
    const line = (await registry.metrics()).split("\n").find((l) => l.startsWith(`langguard_integration_credential_expiry_seconds{integration_id="${id}"}`));
    expect(Number(line?.split(" ").at(-1))).toBeGreaterThan(9 * 86_400);
    expect(Number(line?.split(" ").at(-1))).toBeLessThan(10 * 86_400);
  });

  it("an expired PAT fails the test and the sync with the expiry and its fix", async () => {
    const id = await patIntegration(Date.now() - 1_000);
    const report = (await fleet.inject({ method: "POST", url: `/api/integrations/${id}/test` })).json();
    expect(report.steps.find((s: Step) => s.step === "auth")).toMatchObject({
      status: "failed",
      kind: "auth",
      message: expect.stringMatching(/^401 Unauthorized: the token has expired/),
      hint: expect.stringContaining("Generate a new personal access token"),
    });
    const run = await syncAndWait(fleet, id);
    expect(run).toMatchObject({ status: "failed", errorKind: "auth", errorMessage: expect.stringMatching(/the token has expired/) });
  });
});

describe("traces stored in Unity Catalog tables", () => {
  let fleet: Fleet;
  let workspace: FakeWorkspace;
  beforeAll(async () => {
    workspace = await startFakeWorkspace({ mlflow: inject("mlflowUrl"), tracesInUnityCatalog: true });
    fleet = await startFleet({ worker: true });
  });
  afterAll(async () => {
    await fleet?.close();
    await workspace?.stop();
  });

  it("are read through the integration's SQL warehouse; without one, the experiment is reported with the fix", async () => {
    const experimentId = inject("demoExperimentId");
    const bare = await createIntegration(fleet, { source: "databricks", host: workspace.url, token: workspace.token, experiments: [experimentId] });
    const without = await syncAndWait(fleet, bare.id, { mode: "full" });
    expect(without.status).not.toBe("succeeded");
    expect(without.experimentErrors).toContainEqual({
      experimentId,
      kind: "warehouse_required",
      message: expect.stringMatching(
        /stored in Unity Catalog tables, and the integration has no SQL warehouse.*Set the integration's SQL warehouse \(warehouseId/s,
      ),
    });

    const { id } = await createIntegration(fleet, {
      source: "databricks",
      host: workspace.url,
      token: workspace.token,
      warehouseId: workspace.warehouseId,
      experiments: [experimentId],
    });
    const run = await syncAndWait(fleet, id, { mode: "full" });
    expect(run).toMatchObject({ status: "succeeded", experimentErrors: [] });
    expect(run.itemsIngested).toBeGreaterThan(0);
    expect(workspace.requests.some((r) => r.path.endsWith("/batchGet") && r.query.sql_warehouse_id === workspace.warehouseId)).toBe(true);
  });
});

describe("a self-hosted MLflow server with basic auth", () => {
  let mlflow: MlflowServer;
  let fleet: Fleet;
  let experimentId: string;

  beforeAll(async () => {
    mlflow = await startMlflowServer({ basicAuth: true });
    // Written straight into the server's store: the traces an agent logged.
    ({ experimentId } = await runFixture<{ experimentId: string }>("write_span_traces.py", [mlflow.storeUri, "behind-basic-auth", "12", "2", "20"]));
    fleet = await startFleet({ worker: true });
  });
  afterAll(async () => {
    await fleet?.close();
    await mlflow?.stop();
  });

  it("is refused without credentials and synced with MLflow's own user name and password", async () => {
    const anonymous = await fetch(`${mlflow.url}/api/2.0/mlflow/experiments/search?max_results=1`);
    expect(anonymous.status).toBe(401);

    const bare = await createIntegration(fleet, { source: "mlflow", host: mlflow.url, experiments: [experimentId] });
    const refused = (await fleet.inject({ method: "POST", url: `/api/integrations/${bare.id}/test` })).json();
    expect(refused.steps.find((s: Step) => s.step === "auth")).toMatchObject({ status: "failed", kind: "auth" });

    const wrong = await createIntegration(fleet, {
      source: "mlflow",
      host: mlflow.url,
      authType: "basic",
      username: mlflow.admin!.username,
      password: "not it",
    });
    const wrongReport = (await fleet.inject({ method: "POST", url: `/api/integrations/${wrong.id}/test` })).json();
    expect(wrongReport.steps.find((s: Step) => s.step === "auth")).toMatchObject({ status: "failed", kind: "auth", message: expect.stringContaining("401") });

    const { id } = await createIntegration(fleet, {
      source: "mlflow",
      host: mlflow.url,
      authType: "basic",
      username: mlflow.admin!.username,
      password: mlflow.admin!.password,
      experiments: [experimentId],
    });
    const view = (await fleet.inject({ method: "GET", url: `/api/integrations/${id}` })).json();
    expect(view).toMatchObject({ authType: "basic", username: "admin", hasToken: true });
    expect(JSON.stringify(view)).not.toContain(mlflow.admin!.password);
    const report = (await fleet.inject({ method: "POST", url: `/api/integrations/${id}/test` })).json();
    expect(report.steps.find((s: Step) => s.step === "auth")).toMatchObject({ status: "ok" });
    const run = await syncAndWait(fleet, id, { mode: "full" });
    expect(run).toMatchObject({ status: "succeeded", itemsIngested: 12 });
    expect(fleet.logs.text()).not.toContain(mlflow.admin!.password);
  });
});

describe("a self-hosted MLflow server behind a proxy that wants a bearer token", () => {
  const mlflowUrl = inject("mlflowUrl");
  const experimentId = inject("demoExperimentId");
  const token = `mlflow-bearer-${randomUUID()}`;
  let proxy: FaultProxy;
  let fleet: Fleet;

  beforeAll(async () => {
    proxy = await startFaultProxy({ target: mlflowUrl, requireBearer: token });
    fleet = await startFleet({ worker: true });
  });
  afterAll(async () => {
    await fleet?.close();
    await proxy?.stop();
  });

  it("is refused with a wrong token, and synced with the right one sent as MLflow's tracking token", async () => {
    const wrong = await createIntegration(fleet, { source: "mlflow", host: proxy.url, authType: "bearer", token: "not-the-token" });
    const refused = (await fleet.inject({ method: "POST", url: `/api/integrations/${wrong.id}/test` })).json();
    expect(refused.steps.find((s: Step) => s.step === "auth")).toMatchObject({ status: "failed", kind: "auth" });
    const refusals = () => proxy.requests.filter((r) => r.status === 401).length;
    const refusedSoFar = refusals();
    expect(refusedSoFar).toBeGreaterThan(0);

    const { id } = await createIntegration(fleet, { source: "mlflow", host: proxy.url, authType: "bearer", token, experiments: [experimentId] });
    const view = (await fleet.inject({ method: "GET", url: `/api/integrations/${id}` })).json();
    expect(view).toMatchObject({ authType: "bearer", hasToken: true });
    expect(JSON.stringify(view)).not.toContain(token);
    const report = (await fleet.inject({ method: "POST", url: `/api/integrations/${id}/test` })).json();
    expect(report.steps.find((s: Step) => s.step === "auth")).toMatchObject({ status: "ok" });
    const run = await syncAndWait(fleet, id, { mode: "full" });
    expect(run.status, JSON.stringify(run)).toBe("succeeded");
    expect(run.itemsFetched).toBeGreaterThan(0);
    // Every request of the test and the sync carried the token (the proxy refuses any other), and no log shows it.
    expect(refusals()).toBe(refusedSoFar);
    expect(proxy.requests.filter((r) => r.status === 200).length).toBeGreaterThan(0);
    expect(fleet.logs.text()).not.toContain(token);
  });
});
