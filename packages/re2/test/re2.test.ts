import { describe, expect, it } from "vitest";
import { compileRe2, re2Error } from "../src/index.ts";

describe("@langguard/re2, the one RE2 binding", () => {
  it("matches in linear time where a backtracking engine would not finish", () => {
    const started = performance.now();
    expect(compileRe2("^(a+)+$").test(`${"a".repeat(50_000)}!`)).toBe(false);
    expect(compileRe2("^(a+)+$").test("a".repeat(50_000))).toBe(true);
    // JavaScript's RegExp takes seconds on 26 a's; RE2 is linear (a generous bound for a loaded machine).
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("refuses a pattern beyond RE2's memory budget with RE2's reason, and keeps working after it", () => {
    // These took re2-wasm's fixed 16 MB heap down for the whole process: every later pattern failed.
    for (const huge of ["\\p{L}{1000}", "(\\pL|\\pN){1,1000}", "[\\p{L}\\p{N}]{1000}{1000}"]) {
      expect(re2Error(huge), huge).toMatch(/pattern too large|bad repetition operator|invalid repeat/);
    }
    expect(compileRe2("^ok\\d+$").test("ok42")).toBe(true);
    expect(compileRe2("\\p{Greek}+").test("αβγ")).toBe(true);
  });

  it("speaks RE2's dialect only: JavaScript-only escapes are refused as the bridge refuses them", () => {
    expect(re2Error("\\u0041")).toBe("invalid escape sequence: \\u");
    expect(re2Error("\\cA")).toBe("invalid escape sequence: \\c");
    expect(re2Error("\\Q\\u0041\\E")).toBeNull();
    expect(re2Error("(?P<name>x)")).toBeNull();
    expect(re2Error("(?<=x)y")).toMatch(/invalid perl operator|missing argument/);
    expect(() => compileRe2("(")).toThrow(SyntaxError);
  });
});
