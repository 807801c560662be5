import { z } from "zod";
import { redactText } from "../detectors/redact.ts";
import { isLlmObservation } from "../document.ts";
import type { Evidence } from "../types.ts";
import { definePolicy, outcome, plural } from "./define.ts";

const configSchema = z.strictObject({
  max_latency_ms: z.number().positive().default(5000),
  /** A trace whose own status is ERROR violates, whatever its spans say. */
  fail_on_error_status: z.boolean().default(true),
  /** Share of spans with status ERROR, 0..1. */
  max_error_rate: z.number().min(0).max(1).default(0.1),
  /** Input tokens of a single LLM call. */
  max_context_tokens: z.number().int().positive().default(128000),
});

export const latencyHealthThreshold = definePolicy({
  id: "latency-health-threshold",
  name: "Latency and health threshold",
  category: "reliability",
  description: "Slow traces, failed traces, spans failing too often, and LLM calls near the context limit.",
  defaultSeverity: "medium",
  enabledByDefault: false,
  configSchema,
  evaluate(input, config) {
    const { trace, observations } = input;
    const evidence: Evidence[] = [];
    if (trace.durationMs !== null && trace.durationMs > config.max_latency_ms) {
      evidence.push({ path: "trace.durationMs", detail: `trace took ${trace.durationMs} ms (limit ${config.max_latency_ms} ms)` });
    }
    if (config.fail_on_error_status && trace.status === "ERROR") evidence.push({ path: "trace.status", detail: "trace status is ERROR" });
    const failed = observations.filter((o) => o.status === "ERROR");
    if (observations.length > 0 && failed.length / observations.length > config.max_error_rate) {
      const rate = Math.round((failed.length / observations.length) * 1000) / 10;
      evidence.push({ detail: `${failed.length} of ${observations.length} spans failed (${rate}%, limit ${config.max_error_rate * 100}%)` });
      // Error messages quote what failed, credentials included ("Invalid API key sk-…").
      for (const o of failed)
        evidence.push({ spanId: o.id, detail: `span "${o.name}" failed${o.statusMessage ? `: ${redactText(o.statusMessage).slice(0, 300)}` : ""}` });
    }
    observations.forEach((o, i) => {
      if (isLlmObservation(o) && o.usage.input !== null && o.usage.input > config.max_context_tokens) {
        evidence.push({
          path: `observations[${i}].usage.input`,
          spanId: o.id,
          detail: `LLM call "${o.name}" sent ${o.usage.input} input tokens (limit ${config.max_context_tokens})`,
        });
      }
    });
    return outcome(
      evidence,
      (n) => `${plural(n, "health threshold breach", "health threshold breaches")}`,
      "Latency, errors and context sizes within thresholds",
    );
  },
});
