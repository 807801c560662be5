import { describe, expect, it } from "vitest";
import { getBuiltin, priceFor, traceCost } from "../../src/index.ts";
import { document, llm } from "../fixtures/documents.ts";

const policy = getBuiltin("budget-overrun")!;
const calls = (model: string, input: number, output: number, n = 1) =>
  Array.from({ length: n }, () => llm(model, { usage: { input, output, total: input + output } }));

describe("budget-overrun", () => {
  it("is high and off by default", () => {
    expect(policy).toMatchObject({ defaultSeverity: "high", enabledByDefault: false });
  });

  it("fires over the token budget", () => {
    const doc = document({ trace: { totalTokens: 150_000 } });
    expect(policy.evaluate(doc, {}).evidence).toEqual([{ path: "trace.totalTokens", detail: "150000 tokens (limit 100000)" }]);
    expect(policy.evaluate(doc, { max_tokens_per_trace: 200_000 }).violated).toBe(false);
  });

  it("fires over the cost budget using the price table", () => {
    // claude-3-opus: $15 in / $75 out per 1M → 4 × (50k × 15 + 20k × 75) / 1M = $9.00
    const doc = document({ trace: { totalTokens: 0 }, observations: calls("claude-3-opus-20240229", 50_000, 20_000, 4) });
    expect(traceCost(doc, {}).usd).toBeCloseTo(9, 6);
    expect(policy.evaluate(doc, { max_tokens_per_trace: 10_000_000 }).evidence).toEqual([{ detail: "estimated cost $9.00 (limit $5.00)" }]);
  });

  it("uses configured prices before the table and names models it cannot price", () => {
    const doc = document({ trace: { totalTokens: 0 }, observations: [...calls("our-finetune-v2", 1_000_000, 0), ...calls("mystery-model", 10, 10)] });
    expect(policy.evaluate(doc, {}).violated).toBe(false);
    const out = policy.evaluate(doc, { prices: { "our-finetune": { input: 6, output: 6 } } });
    expect(out.evidence).toEqual([{ detail: "estimated cost $6.00 (limit $5.00); no price for mystery-model" }]);
  });

  it("fires on a cost anomaly once the agent has enough history", () => {
    const doc = document({
      trace: { totalTokens: 0 },
      observations: calls("gpt-4o", 200_000, 10_000),
      agentStats: { "support-agent": { tracesSeen: 50, averageCostUsd: 0.1 } },
    });
    // gpt-4o: 200k × $2.5 + 10k × $10 per 1M = $0.60 = 6× the average
    expect(policy.evaluate(doc, {}).evidence).toEqual([{ detail: 'agent "support-agent": $0.60 is 6.0× its average $0.10 over 50 traces' }]);
    doc.agentStats["support-agent"] = { tracesSeen: 9, averageCostUsd: 0.1 };
    expect(policy.evaluate(doc, {}).violated).toBe(false);
    expect(policy.evaluate(doc, { anomaly_min_traces: 5 }).violated).toBe(true);
  });

  it("matches model names by normalised prefix", () => {
    expect(priceFor("gpt-4o-mini-2024-07-18")).toEqual({ input: 0.15, output: 0.6 });
    expect(priceFor("openai/gpt-4o")).toEqual({ input: 2.5, output: 10 });
    expect(priceFor("us.anthropic.claude-3-5-sonnet-20241022-v2:0")).toEqual({ input: 3, output: 15 });
    expect(priceFor("claude-3.5-sonnet")).toEqual({ input: 3, output: 15 });
    expect(priceFor("databricks-meta-llama-3-3-70b-instruct")).toEqual({ input: 0.5, output: 1.5 });
    expect(priceFor("meta-llama/Llama-3.3-70B-Instruct")).toEqual({ input: 0.72, output: 0.72 });
    expect(priceFor("models/gemini-2.5-flash-lite")).toEqual({ input: 0.1, output: 0.4 });
    expect(priceFor("gpt-4o2")).toBeNull();
  });
});
