import { z } from "zod";
import type { PolicyInput } from "../document.ts";
import { re2Error } from "../re2.ts";
import type { Evidence, Outcome, Policy, Severity } from "../types.ts";

export const MAX_EVIDENCE = 25;

export interface PolicyDefinition<S extends z.ZodType> {
  id: string;
  name: string;
  category: string;
  description: string;
  defaultSeverity: Severity;
  enabledByDefault: boolean;
  configSchema: S;
  evaluate(input: PolicyInput, config: z.output<S>): Outcome;
}

/** Wraps a definition so `evaluate` accepts raw stored config and validates it first. */
export function definePolicy<S extends z.ZodType>(definition: PolicyDefinition<S>): Policy<z.output<S>> {
  return {
    ...definition,
    configSchema: definition.configSchema as unknown as z.ZodType<z.output<S>>,
    evaluate: (input, config) => definition.evaluate(input, definition.configSchema.parse(config ?? {})),
  };
}

/**
 * The outcome with evidence capped at MAX_EVIDENCE; the message says how many were left out.
 * `summary` receives the full count.
 */
export function outcome(evidence: Evidence[], summary: (count: number) => string, passed: string): Outcome {
  if (evidence.length === 0) return { violated: false, message: passed, evidence: [] };
  const extra = evidence.length - MAX_EVIDENCE;
  const message = summary(evidence.length) + (extra > 0 ? ` (showing ${MAX_EVIDENCE}; ${extra} more not shown)` : "");
  return { violated: true, message, evidence: evidence.slice(0, MAX_EVIDENCE) };
}

export const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

/** A list of RE2 patterns, each checked when the config is validated. */
export const re2PatternList = z.array(z.string()).superRefine((patterns, ctx) => {
  patterns.forEach((pattern, i) => {
    const error = re2Error(pattern);
    if (error) ctx.addIssue({ code: "custom", path: [i], message: `not a valid RE2 pattern: ${error}` });
  });
});

/** `"all"` or a non-empty list. */
export const allOrList = <T extends z.ZodType>(item: T) => z.union([z.literal("all"), z.array(item).min(1)]).default("all");
