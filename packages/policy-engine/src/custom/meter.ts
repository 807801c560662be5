import type { CelLimits } from "./limits.ts";

// cel-js has no evaluation budget: a comprehension nested three deep over a few thousand spans,
// or strings doubled through `cel.bind`, run as long as they like. Every node evaluation inside
// cel-js goes through its evaluator's `run(ast, ctx)`, so the engine's environment gets a metered
// `run` (installed on that one evaluator instance by environment.ts). The meter counts steps,
// checks the clock, and rejects oversized strings and lists as soon as an operation builds one.

export class CelLimitError extends Error {
  override name = "CelLimitError";
}

interface Meter {
  steps: number;
  limits: CelLimits;
  deadline: number;
  /** Set on the first breach. CEL absorbs errors in `||`, `&&` and `exists`, so a caught breach must still fail the evaluation. */
  breach: CelLimitError | null;
}

let active: Meter | null = null;

function breach(meter: Meter, message: string): never {
  meter.breach ??= new CelLimitError(message);
  throw meter.breach;
}

interface AstNode {
  op: string;
  evaluate(ev: unknown, ast: AstNode, ctx: unknown): unknown;
}

const BUILDS_VALUES = new Set(["+", "call", "rcall"]);

export function meteredRun(originalRun: (ast: AstNode, ctx: unknown) => unknown) {
  return function run(this: unknown, ast: AstNode, ctx: unknown): unknown {
    const meter = active;
    if (meter === null) return originalRun.call(this, ast, ctx);
    if (meter.breach) throw meter.breach;
    if (++meter.steps > meter.limits.maxSteps) breach(meter, `cost limit exceeded: more than ${meter.limits.maxSteps} evaluation steps`);
    if ((meter.steps & 63) === 0 && performance.now() > meter.deadline)
      breach(meter, `time limit exceeded: evaluation ran longer than ${meter.limits.timeoutMs} ms`);
    const result = originalRun.call(this, ast, ctx);
    if (BUILDS_VALUES.has(ast.op)) {
      if (typeof result === "string" && result.length > meter.limits.maxStringLength) {
        breach(meter, `size limit exceeded: a string of ${result.length} characters (limit ${meter.limits.maxStringLength})`);
      }
      if (Array.isArray(result) && result.length > meter.limits.maxListLength) {
        breach(meter, `size limit exceeded: a list of ${result.length} elements (limit ${meter.limits.maxListLength})`);
      }
    }
    return result;
  };
}

/** Runs `fn` with a fresh meter; throws CelLimitError if any limit was breached, even if CEL absorbed it. */
export function metered<T>(limits: CelLimits, fn: () => T): T {
  const previous = active;
  const meter: Meter = { steps: 0, limits, deadline: performance.now() + limits.timeoutMs, breach: null };
  active = meter;
  try {
    const result = fn();
    if (meter.breach) throw meter.breach;
    return result;
  } catch (error) {
    throw meter.breach ?? error;
  } finally {
    active = previous;
  }
}

/** Helper functions call this with the size of work they are about to do (e.g. text length). */
export function chargeSteps(steps: number): void {
  const meter = active;
  if (meter === null) return;
  meter.steps += steps;
  if (meter.steps > meter.limits.maxSteps) breach(meter, `cost limit exceeded: more than ${meter.limits.maxSteps} evaluation steps`);
}
