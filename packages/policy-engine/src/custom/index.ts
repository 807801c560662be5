import type { PolicyInput } from "../document.ts";
import type { Outcome } from "../types.ts";
import { compileExpression } from "./compile.ts";
import { evaluateExpression } from "./evaluate.ts";
import type { CelLimits } from "./limits.ts";
import { prime, warmUp } from "../warm-up.ts";

export interface CustomPolicyProgram {
  expression: string;
  evaluate(input: PolicyInput, config?: unknown, limits?: Partial<CelLimits>): Outcome;
}

export type CompileCustomPolicyResult =
  | { ok: true; program: CustomPolicyProgram }
  | { ok: false; error: string; line?: number; column?: number; position?: number };

/**
 * Parses and type-checks a custom policy expression. Use at save time: a failure carries the
 * position of the problem (0-based `position`, 1-based `line`/`column`).
 */
export function compileCustomPolicy(expression: string): CompileCustomPolicyResult {
  const compiled = compileExpression(expression);
  if (!compiled.ok) return compiled;
  const { program } = compiled;
  let primed = false;
  const evaluate: CustomPolicyProgram["evaluate"] = (input, config, limits) => {
    // A fresh process's set-up (V8 compiling the detectors, RE2's native binding) and this program's
    // own first run are not the expression's work: they happen once, before the first budget.
    if (!primed) {
      primed = true;
      warmUp();
      prime((doc) => evaluateExpression(program, doc, config));
    }
    return evaluateExpression(program, input, config, limits);
  };
  return { ok: true, program: { expression, evaluate } };
}

const MAX_CACHED = 1000;
const cache = new Map<string, CompileCustomPolicyResult>();

/** compileCustomPolicy, remembered: workers evaluate the same few expressions on every trace. */
export function compileCustomPolicyCached(expression: string): CompileCustomPolicyResult {
  let result = cache.get(expression);
  if (!result) {
    result = compileCustomPolicy(expression);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(expression, result);
  }
  return result;
}

export { type CelLimits, DEFAULT_CEL_LIMITS, MAX_EXPRESSION_LENGTH } from "./limits.ts";
export { CelLimitError } from "./meter.ts";
