import { describe, expect, it } from "vitest";
import { CatalogFilters, patternError } from "../src/index.ts";

describe("catalog filter patterns are RE2", () => {
  it("accepts RE2 syntax, Python's and Perl's forms included", () => {
    for (const ok of ["(?i)main", "(?P<c>main)", "(?<n>main)", "\\p{L}+", "\\pN", "[[:alpha:]]+", "\\Qa.b\\E", "\\Q\\u0041\\E", "main|", "\\x{41}", "(a+)+$"])
      expect(patternError(ok), ok).toBeNull();
  });

  it("refuses what RE2 refuses, JavaScript-only escapes included", () => {
    const refused: Record<string, RegExp> = {
      "(?=x)": /invalid perl operator/,
      "\\1": /invalid escape sequence/,
      "a{1001}": /invalid repetition size/,
      "(unclosed": /missing \)/,
      "\\u0041": /invalid escape sequence: \\u/,
      "\\cA": /invalid escape sequence: \\c/,
      "\\Qa\\E\\u0041": /invalid escape sequence: \\u/,
      // Too large for RE2's program memory: refused, never a crash.
      "\\p{L}{1000}": /pattern too large/,
    };
    for (const [pattern, reason] of Object.entries(refused)) expect(patternError(pattern), pattern).toMatch(reason);
  });

  it("names the field and RE2's reason in the schema's issue", () => {
    const result = CatalogFilters.safeParse({ include: { tables: ["ok", "(?=x)"] } });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({
      path: ["include", "tables", 1],
      message: "must be an RE2 regular expression (invalid perl operator: (?=)",
    });
  });
});
