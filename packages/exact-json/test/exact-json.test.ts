import { describe, expect, it } from "vitest";
import { ExactNumber, parseJson, sanitizeForPostgres, stringifyJson } from "../src/index.ts";

describe("exact JSON", () => {
  it("keeps integers beyond 2^53 exactly through parse and stringify", () => {
    const line = '{"a":9223372036854775815,"b":[12345678901234567891,-98765432109876543210],"c":1.5,"d":42,"e":"12345678901234567891"}';
    const value = parseJson(line) as Record<string, unknown>;
    expect(value.a).toBeInstanceOf(ExactNumber);
    expect(String(value.a)).toBe("9223372036854775815");
    expect(value.c).toBe(1.5);
    expect(value.d).toBe(42);
    expect(value.e).toBe("12345678901234567891");
    expect(stringifyJson(value)).toBe(line);
    // JSON.parse would have rounded it.
    expect(JSON.stringify(JSON.parse(line))).not.toBe(line);
  });

  it("takes the native parser when no number can lose precision", () => {
    const value = parseJson('{"startTimeNs":"1732000000000000000","n":9007199254740991}') as Record<string, unknown>;
    expect(value.n).toBe(9007199254740991);
    expect(typeof value.n).toBe("number");
  });

  it("does arithmetic on an exact number as its nearest double", () => {
    const big = parseJson("[3000000000000000000000]") as [ExactNumber];
    expect(Number(big[0]) > 1e21).toBe(true);
  });

  it("cannot be forged by a string that looks like the marker", () => {
    const text = stringifyJson({ s: "\u{10FFFF}not-the-marker:123", n: new ExactNumber("123456789012345678901") });
    expect(JSON.parse(text.replace("123456789012345678901", "0")).s).toBe("\u{10FFFF}not-the-marker:123");
  });
});

describe("sanitizeForPostgres", () => {
  it("removes NUL from values and keys and lists each change with its path", () => {
    const { value, alterations } = sanitizeForPostgres({ name: "a\u0000b", attributes: { "k\u0000ey": "v", ok: ["x", "y\u0000"] } });
    expect(value).toEqual({ name: "ab", attributes: { key: "v", ok: ["x", "y"] } });
    expect(alterations).toEqual([
      { path: "name", change: "nul-removed" },
      { path: "attributes.k\\u0000ey", change: "key-rewritten" },
      { path: "attributes.ok[1]", change: "nul-removed" },
    ]);
  });

  it("replaces unpaired surrogates and leaves well-formed text alone", () => {
    const { value, alterations } = sanitizeForPostgres({ emoji: "ok \u{1F600}", broken: "x\uD800y" });
    expect(value).toEqual({ emoji: "ok \u{1F600}", broken: "x\uFFFDy" });
    expect(alterations).toEqual([{ path: "broken", change: "lone-surrogate-replaced" }]);
  });

  it("never lets a cleaned key overwrite another key", () => {
    const { value } = sanitizeForPostgres({ key: 1, "key\u0000": 2 });
    expect(Object.values(value as object).sort()).toEqual([1, 2]);
    expect(Object.keys(value as object)).toContain("key");
  });

  it("returns the same object when there is nothing to change", () => {
    const input = { a: "plain", b: [1, 2, { c: "d" }] };
    expect(sanitizeForPostgres(input).value).toBe(input);
  });
});
