import { z } from "zod";
import { agentNamesInTrace } from "../agents.ts";
import { isLlmObservation, type PolicyInput } from "../document.ts";
import { costUsd, type ModelPrice, priceFor } from "../pricing.ts";
import type { Evidence } from "../types.ts";
import { definePolicy, outcome, plural } from "./define.ts";

const price = z.strictObject({ input: z.number().nonnegative(), output: z.number().nonnegative() });

const configSchema = z.strictObject({
  max_tokens_per_trace: z.number().int().positive().default(100000),
  /** USD */
  max_cost_per_trace: z.number().positive().default(5),
  /** Cost above this multiple of the agent's average cost is an anomaly. */
  anomaly_factor: z.number().positive().default(5),
  /** Traces an agent needs before its average is trusted. */
  anomaly_min_traces: z.number().int().positive().default(10),
  /** USD per 1M tokens by model name (matched like the built-in table); wins over it. */
  prices: z.record(z.string(), price).default({}),
});

const fmt = (usd: number) => `$${usd < 0.01 ? usd.toFixed(4) : usd.toFixed(2)}`;

interface TraceCost {
  usd: number;
  unpricedModels: Set<string>;
}

/** Cost of the trace's LLM calls; calls to models without a price add nothing and are listed. */
export function traceCost(input: PolicyInput, prices: Readonly<Record<string, ModelPrice>>): TraceCost {
  const cost: TraceCost = { usd: 0, unpricedModels: new Set() };
  for (const o of input.observations) {
    if (!isLlmObservation(o) || !o.model) continue;
    const tokensIn = o.usage.input ?? 0;
    const tokensOut = o.usage.output ?? 0;
    if (tokensIn === 0 && tokensOut === 0) continue;
    const p = priceFor(o.model, prices);
    if (p) cost.usd += costUsd(p, tokensIn, tokensOut);
    else cost.unpricedModels.add(o.model);
  }
  return cost;
}

/** The trace's own total when MLflow recorded one; else the LLM spans' usage (not all spans, to avoid counting nested totals twice). */
export function traceTokens(input: PolicyInput): number {
  const { trace } = input;
  if (trace.totalTokens !== null) return trace.totalTokens;
  if (trace.inputTokens !== null || trace.outputTokens !== null) return (trace.inputTokens ?? 0) + (trace.outputTokens ?? 0);
  let total = 0;
  for (const o of input.observations) if (isLlmObservation(o)) total += o.usage.total ?? (o.usage.input ?? 0) + (o.usage.output ?? 0);
  return total;
}

export const budgetOverrun = definePolicy({
  id: "budget-overrun",
  name: "Budget overrun",
  category: "cost",
  description: "Traces over a token or cost budget, or far above what their agent usually costs.",
  defaultSeverity: "high",
  enabledByDefault: false,
  configSchema,
  evaluate(input, config) {
    const evidence: Evidence[] = [];
    const tokens = traceTokens(input);
    if (tokens > config.max_tokens_per_trace) evidence.push({ path: "trace.totalTokens", detail: `${tokens} tokens (limit ${config.max_tokens_per_trace})` });
    const cost = traceCost(input, config.prices);
    const unpriced = cost.unpricedModels.size > 0 ? `; no price for ${[...cost.unpricedModels].join(", ")}` : "";
    if (cost.usd > config.max_cost_per_trace) evidence.push({ detail: `estimated cost ${fmt(cost.usd)} (limit ${fmt(config.max_cost_per_trace)})${unpriced}` });
    for (const agent of agentNamesInTrace(input)) {
      const stats = input.agentStats[agent];
      if (!stats || stats.tracesSeen < config.anomaly_min_traces || !stats.averageCostUsd || stats.averageCostUsd <= 0) continue;
      const limit = stats.averageCostUsd * config.anomaly_factor;
      if (cost.usd > limit) {
        evidence.push({
          detail: `agent "${agent}": ${fmt(cost.usd)} is ${(cost.usd / stats.averageCostUsd).toFixed(1)}× its average ${fmt(stats.averageCostUsd)} over ${stats.tracesSeen} traces`,
        });
      }
    }
    return outcome(evidence, (n) => `${plural(n, "budget breach", "budget breaches")}`, `Within budget (${tokens} tokens, ${fmt(cost.usd)}${unpriced})`);
  },
});
