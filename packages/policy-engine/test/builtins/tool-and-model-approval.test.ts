import { describe, expect, it } from "vitest";
import { getBuiltin } from "../../src/index.ts";
import { document, llm, tool } from "../fixtures/documents.ts";

const tools = getBuiltin("unapproved-tool-use")!;
const models = getBuiltin("approved-model-version")!;

const openAiToolCall = (name: string) => ({
  choices: [{ message: { role: "assistant", tool_calls: [{ id: "call_1", type: "function", function: { name, arguments: "{}" } }] } }],
});

describe("unapproved-tool-use", () => {
  it("is high and on by default", () => {
    expect(tools).toMatchObject({ defaultSeverity: "high", enabledByDefault: true });
  });

  it("fires on a TOOL span whose tool is pending, rejected or unknown", () => {
    const doc = document({
      observations: [tool("web_search", { id: "a" }), tool("shell_exec", { id: "b" }), tool("sql_query", { id: "c" }), tool("calculator", { id: "d" })],
      entities: {
        agents: {},
        models: {},
        data: {},
        tools: {
          web_search: { approval: "pending", stage: null },
          shell_exec: { approval: "rejected", stage: null },
          calculator: { approval: "approved", stage: null },
        },
      },
    });
    const out = tools.evaluate(doc, {});
    expect(out.violated).toBe(true);
    expect(out.evidence.map((e) => e.spanId)).toEqual(["a", "b", "c"]);
    expect(out.evidence[2]?.detail).toContain('"sql_query" is pending');
  });

  it("counts tools an LLM called, but not tools it was only offered", () => {
    const offered = { tools: [{ type: "function", function: { name: "delete_everything" } }], messages: [] };
    const doc = document({
      observations: [llm("gpt-4o", { id: "m", input: offered, output: openAiToolCall("send_email") })],
      entities: { agents: {}, models: {}, data: {}, tools: {} },
    });
    const out = tools.evaluate(doc, {});
    expect(out.evidence).toEqual([{ spanId: "m", detail: 'tool "send_email" is pending (called by the model)' }]);
    expect(tools.evaluate(doc, { include_llm_tool_calls: false }).violated).toBe(false);
  });

  it("reads Anthropic tool_use blocks and JSON-encoded payloads", () => {
    const anthropic = {
      content: [
        { type: "text", text: "ok" },
        { type: "tool_use", id: "t", name: "lookup_order", input: {} },
      ],
    };
    const doc = document({ observations: [llm("claude-sonnet-4", { output: JSON.stringify(anthropic) })] });
    expect(tools.evaluate(doc, {}).evidence.map((e) => e.detail)).toEqual(['tool "lookup_order" is pending (called by the model)']);
  });

  it("passes when every tool is approved, matching names case-insensitively", () => {
    const doc = document({
      observations: [tool("Web_Search")],
      entities: { agents: {}, models: {}, data: {}, tools: { web_search: { approval: "approved", stage: "prod" } } },
    });
    expect(tools.evaluate(doc, {})).toEqual({ violated: false, message: "Every tool used is approved", evidence: [] });
    expect(tools.evaluate(document({ observations: [tool("x")] }), { ignore_tools: ["X"] }).violated).toBe(false);
  });
});

describe("approved-model-version", () => {
  it("is high and off by default", () => {
    expect(models).toMatchObject({ defaultSeverity: "high", enabledByDefault: false });
  });

  it("fires on LLM and CHAT_MODEL spans whose model is not approved", () => {
    const doc = document({
      observations: [llm("gpt-4o-2024-08-06", { id: "a" }), llm("gpt-4o-mini", { id: "b", type: "LLM" }), llm("claude-3-opus", { id: "c" })],
      entities: {
        agents: {},
        tools: {},
        data: {},
        models: { "gpt-4o-2024-08-06": { approval: "approved", stage: "prod" }, "claude-3-opus": { approval: "rejected", stage: null } },
      },
    });
    const out = models.evaluate(doc, {});
    expect(out.evidence.map((e) => e.spanId)).toEqual(["b", "c"]);
    expect(out.message).toBe("2 unapproved models called 2 times: gpt-4o-mini, claude-3-opus");
  });

  it("ignores spans that are not LLM calls and passes when all are approved", () => {
    const doc = document({
      observations: [tool("gpt-4o"), llm("gpt-4o")],
      entities: { agents: {}, tools: {}, data: {}, models: { "GPT-4o": { approval: "approved", stage: "prod" } } },
    });
    expect(models.evaluate(doc, {}).violated).toBe(false);
  });
});
