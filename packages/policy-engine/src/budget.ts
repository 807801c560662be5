import type { CelLimits } from "./custom/limits.ts";

// One evaluation budget per custom-policy evaluation: steps (deterministic) and a deadline (wall
// clock). The CEL evaluator charges a step per node (custom/meter.ts); the helpers and the
// detectors they run charge the work they do in proportion to their input, before they do it,
// and check the clock while they work. So no expression escapes its limit inside one helper call,
// whatever that call is given. Outside an evaluation (the built-in policies) every call here is a
// no-op.

export class CelLimitError extends Error {
  override name = "CelLimitError";
}

export interface Budget {
  steps: number;
  limits: CelLimits;
  deadline: number;
  /** Set on the first breach. CEL absorbs errors in `||`, `&&` and `exists`, so a caught breach must still fail the evaluation. */
  breach: CelLimitError | null;
}

let active: Budget | null = null;

export function activeBudget(): Budget | null {
  return active;
}

export function breach(budget: Budget, message: string): never {
  budget.breach ??= new CelLimitError(message);
  throw budget.breach;
}

export const costBreach = (budget: Budget): never => breach(budget, `cost limit exceeded: more than ${budget.limits.maxSteps} evaluation steps`);
export const timeBreach = (budget: Budget): never => breach(budget, `time limit exceeded: evaluation ran longer than ${budget.limits.timeoutMs} ms`);

/** Runs `fn` under a fresh budget; throws CelLimitError if any limit was breached, even if CEL absorbed it. */
export function withBudget<T>(limits: CelLimits, fn: () => T): T {
  const previous = active;
  const budget: Budget = { steps: 0, limits, deadline: performance.now() + limits.timeoutMs, breach: null };
  active = budget;
  try {
    const result = fn();
    if (budget.breach) throw budget.breach;
    return result;
  } catch (error) {
    throw budget.breach ?? error;
  } finally {
    active = previous;
  }
}

/**
 * Charges `steps` to the running evaluation and checks its clock. Helpers call it before work
 * whose size they know (so an oversized input is refused before it is scanned), and detectors
 * call it between rules and per costly candidate (so slow input is stopped while it is scanned).
 */
export function charge(steps: number): void {
  const budget = active;
  if (budget === null) return;
  if (budget.breach) throw budget.breach;
  budget.steps += steps;
  if (budget.steps > budget.limits.maxSteps) costBreach(budget);
  if (performance.now() > budget.deadline) timeBreach(budget);
}

/**
 * Work that is set-up for the document rather than evaluation of the expression (the trace-wide
 * scan behind `findings()`, done once per document and shared with the built-in policies): not
 * charged, and its time is given back to the deadline. Only for work bounded by the document.
 */
export function uncounted<T>(fn: () => T): T {
  const budget = active;
  if (budget === null) return fn();
  const started = performance.now();
  active = null;
  try {
    return fn();
  } finally {
    active = budget;
    budget.deadline += performance.now() - started;
  }
}
