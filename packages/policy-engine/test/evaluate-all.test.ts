import { describe, expect, it, vi } from "vitest";
import { builtinPolicies, evaluateAll, getBuiltin, type PolicySpec } from "../src/index.ts";
import * as s from "./corpus/synthetic.ts";
import { document } from "./fixtures/documents.ts";

const builtin = (id: string, config: unknown = {}): PolicySpec => ({ id: `p-${id}`, version: 1, kind: "builtin", builtinId: id, config, severity: "high" });
const custom = (id: string, expression: string): PolicySpec => ({ id, version: 3, kind: "custom", expression, config: {}, severity: "low" });

describe("evaluateAll", () => {
  it("runs every policy, built-in and custom, in order", () => {
    const doc = document({ trace: { input: { prompt: s.keys.github(s.rng(1)) } } });
    const results = evaluateAll(doc, [...builtinPolicies.map((p) => builtin(p.id)), custom("c1", 'trace.status == "OK"')]);
    expect(results.map((r) => r.policyId)).toEqual([...builtinPolicies.map((p) => `p-${p.id}`), "c1"]);
    const credential = results[0];
    expect(credential && "outcome" in credential && credential.outcome.violated).toBe(true);
    expect(results.at(-1)).toEqual({ policyId: "c1", version: 3, outcome: expect.objectContaining({ violated: true }) });
  });

  it("turns a throwing policy into an error entry and keeps going", () => {
    const pii = getBuiltin("pii-detection")!;
    const spy = vi.spyOn(pii, "evaluate").mockImplementation(() => {
      throw new Error("detector crashed");
    });
    try {
      const results = evaluateAll(document(), [
        builtin("pii-detection"),
        builtin("metadata-tagging", { required_metadata: "not-a-list" }),
        builtin("no-such-policy"),
        custom("bad-syntax", "trace.name =="),
        custom("runtime", "trace.missing.field == 1"),
        custom("budget", "observations.all(o, true) && size(trace.name) > 0"),
        builtin("mandatory-trace-logging"),
      ]);
      expect(results.map((r) => ("error" in r ? `error: ${r.error}` : `ok: ${r.outcome.violated}`))).toEqual([
        "error: detector crashed",
        expect.stringMatching(/^error: invalid config: .*required_metadata/s),
        'error: unknown built-in policy "no-such-policy"',
        "error: expression does not compile at line 1, column 14: Unexpected token: EOF",
        "error: No such key: missing",
        "ok: true",
        "ok: false",
      ]);
    } finally {
      spy.mockRestore();
    }
  });

  it("passes CEL limits through", () => {
    const results = evaluateAll(document(), [custom("heavy", "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, a * b > 0))")], {
      celLimits: { maxSteps: 50 },
    });
    expect(results[0]).toMatchObject({ error: expect.stringContaining("cost limit exceeded") });
  });
});
