import { z } from "zod";
import { getBuiltin } from "./builtins/index.ts";
import { type CelLimits, compileCustomPolicyCached } from "./custom/index.ts";
import { redactText } from "./detectors/redact.ts";
import type { PolicyInput } from "./document.ts";
import type { Outcome, PolicyResult, PolicySpec } from "./types.ts";

export interface EvaluateAllOptions {
  /** Budget for each custom (CEL) policy. */
  celLimits?: Partial<CelLimits>;
}

function evaluateOne(input: PolicyInput, spec: PolicySpec, options: EvaluateAllOptions): Outcome {
  if (spec.kind === "builtin") {
    const policy = getBuiltin(spec.builtinId ?? spec.id);
    if (!policy) throw new Error(`unknown built-in policy "${spec.builtinId ?? spec.id}"`);
    return policy.evaluate(input, spec.config);
  }
  if (spec.kind === "custom") {
    if (typeof spec.expression !== "string") throw new Error("custom policy has no expression");
    const compiled = compileCustomPolicyCached(spec.expression);
    if (!compiled.ok) {
      const where = compiled.line !== undefined ? ` at line ${compiled.line}, column ${compiled.column}` : "";
      throw new Error(`expression does not compile${where}: ${compiled.error}`);
    }
    return compiled.program.evaluate(input, spec.config, options.celLimits);
  }
  throw new Error(`unknown policy kind "${String((spec as { kind: unknown }).kind)}"`);
}

/** Errors can quote values (a CEL conversion error quotes its input): they are redacted too. */
function describe(error: unknown): string {
  if (error instanceof z.ZodError) return `invalid config: ${z.prettifyError(error)}`;
  if (error instanceof Error) {
    const summary = (error as { summary?: unknown }).summary;
    return redactText(typeof summary === "string" ? summary : error.message);
  }
  return redactText(String(error));
}

/**
 * Every given policy on one trace. Each runs regardless of the others' results; one that throws
 * (bad config, an expression error, a budget breach) yields an error entry and the rest still run.
 */
export function evaluateAll(input: PolicyInput, policies: readonly PolicySpec[], options: EvaluateAllOptions = {}): PolicyResult[] {
  return policies.map((spec) => {
    try {
      return { policyId: spec.id, version: spec.version, outcome: evaluateOne(input, spec, options) };
    } catch (error) {
      return { policyId: spec.id, version: spec.version, error: describe(error) };
    }
  });
}
