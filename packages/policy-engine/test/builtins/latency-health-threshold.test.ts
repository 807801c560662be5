import { describe, expect, it } from "vitest";
import { getBuiltin } from "../../src/index.ts";
import * as s from "../corpus/synthetic.ts";
import { document, llm, observation } from "../fixtures/documents.ts";

const policy = getBuiltin("latency-health-threshold")!;

describe("latency-health-threshold", () => {
  it("is medium and off by default", () => {
    expect(policy).toMatchObject({ defaultSeverity: "medium", enabledByDefault: false });
  });

  it("fires on a slow trace and on an ERROR trace", () => {
    expect(policy.evaluate(document({ trace: { durationMs: 5001 } }), {}).evidence).toEqual([
      { path: "trace.durationMs", detail: "trace took 5001 ms (limit 5000 ms)" },
    ]);
    expect(policy.evaluate(document({ trace: { status: "ERROR" } }), {}).evidence).toEqual([{ path: "trace.status", detail: "trace status is ERROR" }]);
    expect(policy.evaluate(document({ trace: { durationMs: 9000 } }), { max_latency_ms: 10000 }).violated).toBe(false);
  });

  it("fires when too many spans fail, redacting secrets in their error messages", () => {
    const key = s.keys.openaiProject(s.rng(3));
    const observations = [
      observation({ id: "e", status: "ERROR", statusMessage: `401 Unauthorized: invalid key ${key}` }),
      ...Array.from({ length: 4 }, () => observation()),
    ];
    const out = policy.evaluate(document({ observations }), {});
    expect(out.evidence[0]?.detail).toBe("1 of 5 spans failed (20%, limit 10%)");
    expect(out.evidence[1]?.detail).toContain("401 Unauthorized: invalid key sk-proj-…");
    expect(JSON.stringify(out)).not.toContain(key);
    expect(policy.evaluate(document({ observations }), { max_error_rate: 0.25 }).violated).toBe(false);
  });

  it("fires on an LLM call over the context budget", () => {
    const doc = document({ observations: [llm("gpt-4o", { usage: { input: 130_000, output: 10, total: 130_010 } }), llm("gpt-4o")] });
    expect(policy.evaluate(doc, {}).evidence.map((e) => e.path)).toEqual(["observations[0].usage.input"]);
    expect(policy.evaluate(doc, { max_context_tokens: 200_000 }).violated).toBe(false);
  });

  it("passes a healthy trace", () => {
    expect(policy.evaluate(document({ observations: [llm("gpt-4o"), observation()] }), {}).violated).toBe(false);
  });
});
