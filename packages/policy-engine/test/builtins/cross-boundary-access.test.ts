import { describe, expect, it } from "vitest";
import type { EntityState, Stage } from "../../src/index.ts";
import { declaredCrossings, getBuiltin } from "../../src/index.ts";
import { document, llm, observation, tool } from "../fixtures/documents.ts";

const policy = getBuiltin("cross-boundary-access")!;
const state = (stage: Stage | null): EntityState => ({ approval: "approved", stage });

function scenario(agentStage: Stage | null, assets: { tool?: Stage | null; data?: Stage | null; model?: Stage | null }) {
  return document({
    agents: [{ name: "etl-agent", version: "1" }],
    observations: [
      tool("warehouse_writer", { id: "t" }),
      observation({ id: "q", type: "RETRIEVER", input: { sql: "SELECT * FROM main.finance.payroll LIMIT 5" } }),
      llm("gpt-4o", { id: "m" }),
    ],
    entities: {
      agents: { "etl-agent": state(agentStage) },
      tools: assets.tool === undefined ? {} : { warehouse_writer: state(assets.tool) },
      data: assets.data === undefined ? {} : { "main.finance.payroll": state(assets.data) },
      models: assets.model === undefined ? {} : { "gpt-4o": state(assets.model) },
    },
  });
}

describe("cross-boundary-access", () => {
  it("is critical and on by default", () => {
    expect(policy).toMatchObject({ defaultSeverity: "critical", enabledByDefault: true });
  });

  it("fires when a dev agent uses a prod tool or prod data", () => {
    const out = policy.evaluate(scenario("dev", { tool: "prod", data: "staging" }), {});
    expect(out.evidence.map((e) => e.detail)).toEqual([
      'agent "etl-agent" (dev) used tool "warehouse_writer" (prod)',
      'agent "etl-agent" (dev) used data asset "main.finance.payroll" (staging)',
    ]);
  });

  it("fires when a prod agent uses a model that is only at poc", () => {
    const out = policy.evaluate(scenario("prod", { model: "poc" }), {});
    expect(out.evidence).toEqual([{ spanId: "m", detail: 'agent "etl-agent" (prod) used model "gpt-4o" (poc)' }]);
  });

  it("passes within a stage, downwards for tools/data, upwards for models", () => {
    expect(policy.evaluate(scenario("staging", { tool: "staging", data: "dev", model: "prod" }), {}).violated).toBe(false);
  });

  it("skips unknown stages", () => {
    expect(policy.evaluate(scenario(null, { tool: "prod", data: "prod", model: "dev" }), {}).violated).toBe(false);
    expect(policy.evaluate(scenario("dev", { tool: null, data: null }), {}).violated).toBe(false);
  });

  it("attributes spans to the nearest agent in a multi-agent trace", () => {
    const doc = document({
      agents: [
        { name: "planner", version: null },
        { name: "sandbox-coder", version: null },
      ],
      observations: [
        observation({ id: "p", type: "AGENT", name: "planner" }),
        observation({ id: "c", type: "AGENT", name: "sandbox-coder", parentId: "p" }),
        tool("deploy", { id: "d", parentId: "p" }),
        tool("run_tests", { id: "r", parentId: "c" }),
      ],
      entities: {
        agents: { planner: state("prod"), "sandbox-coder": state("dev") },
        tools: { deploy: state("prod"), run_tests: state("dev") },
        models: {},
        data: {},
      },
    });
    expect(policy.evaluate(doc, {}).violated).toBe(false);
    doc.observations[3] = tool("deploy", { id: "r2", parentId: "c" });
    expect(policy.evaluate(doc, {}).evidence).toEqual([{ spanId: "r2", detail: 'agent "sandbox-coder" (dev) used tool "deploy" (prod)' }]);
  });
});

describe("cross-boundary-access on declared uses (a Genie space's tables, an agent endpoint's model)", () => {
  const use = (agentStage: Stage | null, kind: "data asset" | "model", assetStage: Stage | null) => ({
    agent: "sales-genie",
    agentStage,
    kind,
    asset: kind === "model" ? "main.agents.bot" : "main.sales.orders",
    assetStage,
    via: "Genie space",
  });

  it("fires for a dev Genie space over a prod table, and for a prod agent serving a poc model", () => {
    const found = declaredCrossings([use("dev", "data asset", "prod"), use("prod", "model", "poc")], {});
    expect(found.map((f) => f.evidence[0]!.detail)).toEqual([
      'agent "sales-genie" (dev) uses data asset "main.sales.orders" (prod), declared by its Genie space',
      'agent "sales-genie" (prod) uses model "main.agents.bot" (poc), declared by its Genie space',
    ]);
  });

  it("stays quiet within a stage, downwards for data, without a stage, and where the config turns the check off", () => {
    expect(
      declaredCrossings(
        [use("prod", "data asset", "dev"), use("dev", "data asset", "dev"), use(null, "data asset", "prod"), use("dev", "data asset", null)],
        {},
      ),
    ).toEqual([]);
    expect(declaredCrossings([use("dev", "data asset", "prod")], { check_data: false })).toEqual([]);
  });
});
