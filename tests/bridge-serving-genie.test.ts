import { BridgeMessage } from "@langguard/bridge-client";
import { describe, expect, it } from "vitest";
import { type FakeWorkspace, fakeWorkspacesOfThisFile, layouts, makeGenieSpace, sampleEndpoints, type WorkspaceState } from "./helpers/databricks/index.ts";
import { streamCatalog } from "./helpers/stream-catalog.ts";

/** A workspace with one table, three endpoints (an agent, a foundation and an external model) and `spaces` Genie spaces. */
function agentWorkspace(spaces = 45): WorkspaceState {
  const state = layouts.minimal();
  for (const e of [sampleEndpoints.agent(), sampleEndpoints.foundation(), sampleEndpoints.external()]) state.servingEndpoints.set(e.name, e);
  for (let i = 0; i < spaces; i++) {
    const space = makeGenieSpace(`Space ${String(i).padStart(2, "0")}`, i === 0 ? ["main.schema_0.table_0", "main.sales.orders"] : ["main.schema_0.table_0"]);
    state.genieSpaces.set(space.space_id, space);
  }
  return state;
}

const workspace = fakeWorkspacesOfThisFile();

const params = { pageSize: 20, concurrency: 4, retryTimeoutSeconds: 2, tags: false };
const listRequests = (ws: FakeWorkspace, path: string) => ws.requests.filter((r) => r.path === path);

describe("stream-catalog: Model Serving endpoints and Genie spaces", () => {
  it("emits every endpoint with its served entities and AI Gateway settings, and every Genie space over pages", async () => {
    const state = agentWorkspace();
    const viewOnly = [...state.genieSpaces.values()][7]!;
    viewOnly.viewOnly = true;
    const ws = await workspace({ state });
    const run = await streamCatalog(ws, params);
    expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);
    for (const m of run.messages) expect(BridgeMessage.safeParse(m).success, JSON.stringify(m).slice(0, 300)).toBe(true);

    const endpoints = new Map(run.records.filter((r) => r.kind === "servingEndpoint").map((r) => [r.name, r]));
    expect([...endpoints.keys()].sort()).toEqual(["databricks-meta-llama-3-3-70b-instruct", "openai-gpt", "support-agent"]);
    expect(endpoints.get("support-agent")).toMatchObject({
      fullName: "support-agent",
      entityKind: "agent",
      task: "agent/v1/chat",
      owner: "fake.user@example.com",
      state: { ready: "READY", configUpdate: "NOT_UPDATING" },
      servedEntities: [{ name: "support_agent-3", entityName: "main.agents.support_agent", entityVersion: "3", foundationModel: null, externalModel: null }],
      models: ["main.agents.support_agent"],
      tables: ["main.agents.support_agent_payload"],
      aiGateway: { inferenceTable: { enabled: true, table: "main.agents.support_agent_payload" } },
    });
    expect(endpoints.get("databricks-meta-llama-3-3-70b-instruct")).toMatchObject({
      entityKind: "model",
      servedEntities: [{ foundationModel: { name: "databricks-meta-llama-3-3-70b-instruct" } }],
      aiGateway: {
        usageTracking: true,
        inferenceTable: null,
        guardrails: { input: { safety: true, pii: "BLOCK", invalidKeywords: 1 }, output: { pii: "MASK" } },
        rateLimits: [{ calls: 100, key: "user", renewalPeriod: "minute" }],
      },
      models: [],
      tags: [
        { key: "cost-center", value: "cc-42" },
        { key: "team", value: "platform" },
      ],
    });
    expect(endpoints.get("openai-gpt")).toMatchObject({
      entityKind: "model",
      servedEntities: [{ externalModel: { provider: "openai", name: "gpt-4o", task: "llm/v1/chat" } }],
    });
    // The provider's config (its key reference) never leaves the bridge.
    expect(JSON.stringify(run.messages)).not.toContain("secrets/llm/openai_key");
    // Each endpoint's details were read, once.
    for (const name of endpoints.keys()) expect(listRequests(ws, `/api/2.0/serving-endpoints/${name}`)).toHaveLength(1);

    const spaces = run.records.filter((r) => r.kind === "genieSpace");
    expect(spaces).toHaveLength(45);
    const first = spaces.find((s) => s.title === "Space 00")!;
    expect(first).toMatchObject({ warehouseId: "fake0123456789ab", tables: ["main.sales.orders", "main.schema_0.table_0"], tablesKnown: true });
    expect(first.name).toBe(first.fullName);
    // 45 spaces at 20 a page: three list requests, each with the page size, the later ones with a token.
    const pages = listRequests(ws, "/api/2.0/genie/spaces");
    expect(pages.map((r) => r.query.page_size)).toEqual(["20", "20", "20"]);
    expect(pages.map((r) => Boolean(r.query.page_token))).toEqual([false, true, true]);
    // A space the principal may only view: kept, its tables unknown, and a warning that says how to fix it.
    expect(spaces.find((s) => s.name === viewOnly.space_id)).toMatchObject({ tablesKnown: false, tables: [] });
    const warning = run.errors.find((e) => e.container === `genieTables:${viewOnly.space_id}`);
    expect(warning).toMatchObject({ kind: "permission", hint: expect.stringContaining("CAN EDIT") });

    expect(run.checkpoints.get("servingEndpoints:")).toMatchObject({ listing: "servingEndpoints", parent: [], items: 3 });
    expect(run.checkpoints.get("genieSpaces:")).toMatchObject({ listing: "genieSpaces", parent: [], items: 45 });
    expect(run.result).toMatchObject({ servingEndpoints: 3, genieSpaces: 45, tables: 1 });
  });

  it("a 403 on one endpoint's details fails that listing only: the other endpoints, the spaces and the tables still come", async () => {
    const state = agentWorkspace(3);
    state.denials.push({ path: "/api/2.0/serving-endpoints/openai-gpt" });
    const ws = await workspace({ state });
    const run = await streamCatalog(ws, params);
    expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);
    expect(
      run.records
        .filter((r) => r.kind === "servingEndpoint")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["databricks-meta-llama-3-3-70b-instruct", "support-agent"]);
    expect(run.errors).toEqual([
      expect.objectContaining({ kind: "permission", status: 403, container: "servingEndpoint:openai-gpt", containerKind: "servingEndpoint" }),
    ]);
    // No checkpoint: nothing the listing held may be taken for deleted.
    expect(run.checkpoints.has("servingEndpoints:")).toBe(false);
    expect(run.checkpoints.get("genieSpaces:")).toMatchObject({ items: 3 });
    expect(run.checkpoints.has("tables:main.schema_0")).toBe(true);
  });

  it("an endpoint gone between the listing and its details is left out, and the listing still completes", async () => {
    const ws = await workspace({ state: agentWorkspace(1) });
    ws.setFault({
      path: "/api/2.0/serving-endpoints/openai-gpt",
      status: 404,
      body: { error_code: "RESOURCE_DOES_NOT_EXIST", message: "Endpoint with name 'openai-gpt' does not exist." },
    });
    const run = await streamCatalog(ws, params);
    expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);
    expect(run.errors).toEqual([]);
    expect(run.records.filter((r) => r.kind === "servingEndpoint").map((r) => r.name)).not.toContain("openai-gpt");
    expect(run.checkpoints.get("servingEndpoints:")).toMatchObject({ items: 2 });
  });

  it("a 403 on the Genie API fails the Genie listing only", async () => {
    const state = agentWorkspace(3);
    state.denials.push({ path: "/api/2.0/genie/spaces" });
    const ws = await workspace({ state });
    const run = await streamCatalog(ws, params);
    expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);
    expect(run.records.filter((r) => r.kind === "genieSpace")).toEqual([]);
    expect(run.errors).toEqual([expect.objectContaining({ kind: "permission", status: 403, container: "genieSpaces:", containerKind: "genieSpaces" })]);
    expect(run.checkpoints.has("genieSpaces:")).toBe(false);
    expect(run.checkpoints.get("servingEndpoints:")).toMatchObject({ items: 3 });
    expect(run.records.filter((r) => r.kind === "table")).toHaveLength(1);
  });

  it("a workspace without the Genie API (404) gets a warning, not a failed listing, and no checkpoint", async () => {
    const ws = await workspace({ state: agentWorkspace(3) });
    ws.setFault({ path: "/api/2.0/genie/spaces", status: 404, body: { error_code: "ENDPOINT_NOT_FOUND", message: "No API found for 'GET /genie/spaces'" } });
    const run = await streamCatalog(ws, params);
    expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);
    expect(run.errors).toEqual([
      expect.objectContaining({ kind: "not_found", container: "unavailable:genieSpaces", hint: expect.stringContaining("syncGenieSpaces") }),
    ]);
    expect(run.checkpoints.has("genieSpaces:")).toBe(false);
    expect(run.checkpoints.get("servingEndpoints:")).toMatchObject({ items: 3 });
  });

  it("reads neither API when the kinds leave them out", async () => {
    const ws = await workspace({ state: agentWorkspace(3) });
    const run = await streamCatalog(ws, { ...params, kinds: ["tables", "volumes", "functions", "models"] });
    expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);
    expect(ws.requests.filter((r) => r.path.startsWith("/api/2.0/serving-endpoints") || r.path.startsWith("/api/2.0/genie"))).toEqual([]);
    expect(run.records.filter((r) => r.kind === "servingEndpoint" || r.kind === "genieSpace")).toEqual([]);
  });
});
