import { describe, expect, it } from "vitest";
import { CelLimitError, compileCustomPolicy, type CustomPolicyProgram } from "../src/index.ts";
import { document, observation } from "./fixtures/documents.ts";

// Issue 16, item 9: the helpers did their work without charging the budget or checking the clock,
// so `[0,…,299].exists(i, size(detect(text)) < 0)` on a 63 KB output ran for seconds.

function compile(expression: string): CustomPolicyProgram {
  const result = compileCustomPolicy(expression);
  if (!result.ok) throw new Error(`did not compile: ${result.error}`);
  return result.program;
}

/** Distinct phone-shaped numbers: the slowest text for the detectors (each is parsed). */
function phoneDense(bytes: number): string {
  let out = "";
  for (let i = 0; out.length < bytes; i++)
    out += `call +1 415 555 ${String(1000 + (i % 9000)).padStart(4, "0")} or (212) ${String(200 + (i % 700))}-${String(1000 + i).slice(-4)}; `;
  return out.slice(0, bytes);
}

const range = (n: number) => `[${Array.from({ length: n }, (_, i) => i).join(",")}]`;
const withOutput = (output: string) => document({ observations: [observation({ output })] });

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** Runs the expression, expecting a limit breach; returns the CPU time it took (the limit counts CPU time, so a busy machine does not fail harmless policies). */
function breachTime(program: CustomPolicyProgram, doc: ReturnType<typeof document>, limits: { timeoutMs: number; maxSteps?: number }): number {
  // The first evaluation of a program in a process warms the engine and primes the program first
  // (warm-up.test.ts); that set-up is not the evaluation measured here.
  try {
    program.evaluate(document(), {}, limits);
  } catch {}
  const started = cpuMs();
  const wallStarted = performance.now();
  let error: unknown;
  try {
    program.evaluate(doc, {}, limits);
  } catch (e) {
    error = e;
  }
  const elapsed = cpuMs() - started;
  // Wall time only loosely: other processes share these cores. Before the fix these ran for seconds.
  expect(performance.now() - wallStarted).toBeLessThan(5_000);
  expect(error).toBeInstanceOf(CelLimitError);
  expect(String(error)).toMatch(/(time|cost) limit exceeded/);
  return elapsed;
}

// The limit is 100 ms here, with 150 ms of headroom (the last helper call, the checks between
// rules, the garbage collector's threads). Before the fix each of these ran for seconds.
const LIMIT = { timeoutMs: 100 };
const HEADROOM_MS = 150;

describe("helpers are charged to the evaluation's budget", () => {
  const text = phoneDense(63_000);

  it("detect(): a hostile loop stays under the time limit", () => {
    const program = compile(`${range(300)}.exists(i, size(detect(observations[0].output)) < 0)`);
    expect(breachTime(program, withOutput(text), LIMIT)).toBeLessThan(LIMIT.timeoutMs + HEADROOM_MS);
  });

  it("redact(): a hostile loop stays under the time limit", () => {
    const program = compile(`${range(300)}.exists(i, size(redact(observations[0].output)) < 0)`);
    expect(breachTime(program, withOutput(text), LIMIT)).toBeLessThan(LIMIT.timeoutMs + HEADROOM_MS);
  });

  it("matches(): a hostile loop over a large text stays under the time limit, in both forms", () => {
    const big = "ab".repeat(1_000_000);
    for (const call of ['observations[0].output.matches("a[^z]*z")', 'matches(observations[0].output, "b[^z]*z")']) {
      const program = compile(`${range(300)}.exists(i, ${call})`);
      expect(breachTime(program, withOutput(big), LIMIT)).toBeLessThan(LIMIT.timeoutMs + HEADROOM_MS);
    }
  });

  it("matches(): patterns built at run time are compiled at the expression's expense", () => {
    // 1,000 distinct patterns: about 10 CEL steps an iteration, so only the compilations' charge
    // takes this past 20,000 steps.
    const program = compile(`${range(1000)}.exists(i, "x".matches("a" + string(i) + "[bc]+d"))`);
    expect(() => program.evaluate(withOutput("x"), {}, { timeoutMs: 60_000, maxSteps: 20_000 })).toThrow(/cost limit exceeded/);
  });

  it("charges in proportion to the input, before scanning it: a step limit holds whatever the clock says", () => {
    const doc = withOutput("plain words ".repeat(2_000)); // 24,000 characters
    for (const helper of ["detect", "redact"]) {
      const program = compile(`size(${helper}(observations[0].output)) >= 0`);
      expect(() => program.evaluate(doc, {}, { maxSteps: 20_000, timeoutMs: 60_000 })).toThrow(/cost limit exceeded: more than 20000/);
      expect(program.evaluate(doc, {}, { maxSteps: 100_000, timeoutMs: 60_000 }).violated).toBe(true);
    }
    const matches = compile('observations[0].output.matches("zzz")');
    expect(() => matches.evaluate(withOutput("a".repeat(400_000)), {}, { maxSteps: 20_000, timeoutMs: 60_000 })).toThrow(/cost limit exceeded/);
  });

  it("findings() gives the same verdict whether or not a built-in scanned the document first", () => {
    const program = compile('findings().exists(f, f.detector == "phone")');
    const cold = withOutput(phoneDense(200_000));
    // A tight limit that the trace-wide scan alone would exceed: the scan is set-up, not the expression's work.
    expect(program.evaluate(cold, {}, { timeoutMs: 5 }).violated).toBe(true);
  });
});
