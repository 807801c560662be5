import { activeBudget, breach, costBreach, overTime, timeBreach } from "../budget.ts";

// cel-js has no evaluation budget: a comprehension nested three deep over a few thousand spans,
// or strings doubled through `cel.bind`, run as long as they like. Every node evaluation inside
// cel-js goes through its evaluator's `run(ast, ctx)`, so the engine's environment gets a metered
// `run` (installed on that one evaluator instance by environment.ts). It charges a step per node
// to the evaluation's budget (../budget.ts), checks the clock, and rejects oversized strings and
// lists as soon as an operation builds one.

interface AstNode {
  op: string;
  evaluate(ev: unknown, ast: AstNode, ctx: unknown): unknown;
}

const BUILDS_VALUES = new Set(["+", "call", "rcall"]);

export function meteredRun(originalRun: (ast: AstNode, ctx: unknown) => unknown) {
  return function run(this: unknown, ast: AstNode, ctx: unknown): unknown {
    const budget = activeBudget();
    if (budget === null) return originalRun.call(this, ast, ctx);
    if (budget.breach) throw budget.breach;
    if (++budget.steps > budget.limits.maxSteps) costBreach(budget);
    if ((budget.steps & 63) === 0 && overTime(budget)) timeBreach(budget);
    const result = originalRun.call(this, ast, ctx);
    if (BUILDS_VALUES.has(ast.op)) {
      if (typeof result === "string" && result.length > budget.limits.maxStringLength) {
        breach(budget, `size limit exceeded: a string of ${result.length} characters (limit ${budget.limits.maxStringLength})`);
      }
      if (Array.isArray(result) && result.length > budget.limits.maxListLength) {
        breach(budget, `size limit exceeded: a list of ${result.length} elements (limit ${budget.limits.maxListLength})`);
      }
    }
    return result;
  };
}

export { CelLimitError, withBudget as metered } from "../budget.ts";
