import type { CelLimits } from "./custom/limits.ts";

// One evaluation budget per custom-policy evaluation: steps (deterministic) and time. Time is the
// CPU time the process spent since the evaluation began: on a machine shared with other work, a
// wall clock would fail harmless policies whenever the process waits for a core. The wall clock is
// read first (cheap), and the CPU time only once the wall-clock deadline has passed. The CEL evaluator charges a step per node (custom/meter.ts); the helpers and the
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
  /** Wall-clock time (performance.now) after which the CPU time is read. */
  deadline: number;
  /** process.cpuUsage() total at the start, in µs (moved forward by uncounted work). */
  cpuStart: number;
  /** Set on the first breach. CEL absorbs errors in `||`, `&&` and `exists`, so a caught breach must still fail the evaluation. */
  breach: CelLimitError | null;
}

let active: Budget | null = null;

const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

// Reading the CPU time costs a few µs, as much as a simple policy's whole evaluation, so the start
// of a budget reuses a reading up to 1 ms old: an earlier reading only makes the budget stricter,
// by at most that millisecond.
let lastReading = { at: Number.NEGATIVE_INFINITY, cpu: 0 };
function cpuMicrosAtStart(): number {
  const now = performance.now();
  if (now - lastReading.at > 1) lastReading = { at: now, cpu: cpuMicros() };
  return lastReading.cpu;
}

/** The evaluation has used more than its time: the wall clock says it may have, and the CPU time confirms. */
export function overTime(budget: Budget): boolean {
  if (performance.now() <= budget.deadline) return false;
  return cpuMicros() - budget.cpuStart > budget.limits.timeoutMs * 1000;
}

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
  const budget: Budget = { steps: 0, limits, deadline: performance.now() + limits.timeoutMs, cpuStart: cpuMicrosAtStart(), breach: null };
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
  if (overTime(budget)) timeBreach(budget);
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
  const cpuStarted = cpuMicros();
  active = null;
  try {
    return fn();
  } finally {
    active = budget;
    budget.deadline += performance.now() - started;
    budget.cpuStart += cpuMicros() - cpuStarted;
  }
}
