import { builtinPolicies } from "./builtins/index.ts";
import { compileExpression } from "./custom/compile.ts";
import { evaluateExpression } from "./custom/evaluate.ts";
import type { PolicyInput } from "./document.ts";

// A fresh process pays for set-up on first use: RE2's native binding and the detectors' code are
// compiled and optimised by V8, libphonenumber and tldts build their tables. A custom policy's
// first evaluation used to pay for it inside its 50 ms limit, so the first 100 KB trace after a
// restart failed "time limit exceeded" where a warm process passed. `warmUp` runs every part once
// on a sample, outside any budget; evaluation calls it before its first budget starts, and
// services call it at start-up so the first job is not slower either.

let warmed = false;

// Shapes the detectors look for, assembled from parts so no file holds a whole credential.
const SAMPLES = [
  `key ${["sk-proj-", "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa9876543210Qw"].join("")} and ${["ghp_", "aB3dE5gH7jK9mN1pQ3sT5vX7zB9dF1hJ3lN5"].join("")}`,
  `mail ${["jane.doe", "example.org"].join("@")}, call +1 415 555 0132 or (212) 555-0199, card ${["4111", "1111", "1111", "1111"].join(" ")}`,
  `ssn ${["536", "22", "4478"].join("-")}, iban ${["DE89", "3704", "0044", "0532", "0130", "00"].join(" ")}, from 203.0.113.9, table main.sales.orders`,
  `${["-----BEGIN ", "PRIVATE KEY-----"].join("")}\n${"MIIEvQIBADANBgkqhkiG9w0BAQEFAASC".repeat(3)}\n${["-----END ", "PRIVATE KEY-----"].join("")}`,
  "The agent searched the knowledge base and found 12 documents; revenue grew 3.5% in EMEA. ".repeat(20),
];

export function sampleDocument(round: number): PolicyInput {
  const text = SAMPLES.join("\n");
  const now = "2025-01-01T00:00:00.000Z";
  return {
    trace: {
      id: `warm-up-${round}`,
      externalId: "warm-up",
      integrationId: "warm-up",
      name: "warm-up",
      timestamp: now,
      durationMs: 10,
      status: "OK",
      input: { question: text },
      output: { answer: text },
      metadata: {},
      tags: {},
      inputTokens: 1,
      outputTokens: 1,
      totalTokens: 2,
    },
    observations: [0, 1, 2].map((i) => ({
      id: `s${i}`,
      parentId: i === 0 ? null : "s0",
      name: i === 1 ? "search" : "chat",
      type: i === 1 ? "TOOL" : "CHAT_MODEL",
      startTime: now,
      endTime: now,
      durationMs: 1,
      status: "OK" as const,
      statusMessage: null,
      input: text,
      output: text,
      attributes: {},
      model: "gpt-4o",
      provider: "openai",
      usage: { input: 1, output: 1, total: 2 },
      truncated: false,
    })),
    agents: [{ name: "warm-up", version: null }],
    identity: { userId: "warm-up", userName: null, servicePrincipal: false, applicationId: null },
    entities: { agents: {}, models: {}, tools: {}, data: {} },
    agentStats: {},
  };
}

const EXPRESSION =
  'observations.exists(o, o.output.matches("(?i)passw(or)?d") || matches(o.input, "x[0-9]+") || size(detect(o.output)) < 0 || redact(o.input) == "") || findings().exists(f, f.detector == "none")';

/**
 * A program's own first run costs more again (cel-js resolves each node's overloads, RE2 builds
 * its pattern's automaton): run once on the sample, under the default limits, before its first
 * real evaluation. Whatever the sample makes it do (even fail) is not the verdict on any trace.
 */
export function prime(run: (doc: PolicyInput) => unknown): void {
  for (let round = 0; round < 2; round++) {
    try {
      run(sampleDocument(round));
    } catch {
      // a program that fails on the sample is judged on real traces, like any other
    }
  }
}

/** Runs every detector, every built-in, RE2 and each CEL helper a few times, once per process. */
export function warmUp(): void {
  if (warmed) return;
  warmed = true;
  const compiled = compileExpression(EXPRESSION);
  if (!compiled.ok) throw new Error(`warm-up expression does not compile: ${compiled.error}`);
  for (let round = 0; round < 8; round++) {
    const doc = sampleDocument(round);
    for (const policy of builtinPolicies) policy.evaluate(doc, {});
    evaluateExpression(compiled.program, doc, {}, { timeoutMs: 60_000, maxSteps: Number.MAX_SAFE_INTEGER });
  }
}
