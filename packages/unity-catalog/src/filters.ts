import RE2 from "re2";
import { z } from "zod";

/**
 * Catalog filter patterns are RE2 regular expressions (github.com/google/re2/wiki/Syntax), matched
 * against the whole full name (`main`, `main.sales`, `main.sales.orders`; see names.ts for parts
 * that need quoting). The bridge runs them with google-re2 and the gateway checks them with node-re2;
 * both wrap the same RE2 release (see python-bridge/requirements.txt), so a pattern saved is a
 * pattern the bridge runs, and matching is linear in the name whatever the pattern.
 */
export const FILTER_LEVELS = ["catalogs", "schemas", "tables"] as const;
export const MAX_PATTERN_LENGTH = 500;
export const MAX_PATTERNS_PER_LEVEL = 100;

/**
 * node-re2 first rewrites JavaScript-only escapes into RE2 ones (`\u0041` into `\x{0041}`, `\cA`
 * into `\x01`); RE2 itself, and so the bridge, refuses them. They are refused here as the bridge
 * would, except between `\Q` and `\E`, where RE2 takes every character literally.
 */
function javascriptOnlyEscape(pattern: string): string | null {
  for (let i = 0; i < pattern.length; ) {
    if (pattern[i] !== "\\") {
      i += 1;
      continue;
    }
    const next = pattern[i + 1];
    if (next === "Q") {
      const end = pattern.indexOf("\\E", i + 2);
      if (end < 0) return null;
      i = end + 2;
      continue;
    }
    if (next === "u" || next === "c") return `invalid escape sequence: \\${next}`;
    i += 2;
  }
  return null;
}

/** Why RE2 refuses the pattern, in RE2's words, or null when it compiles. */
export function patternError(pattern: string): string | null {
  const jsOnly = javascriptOnlyEscape(pattern);
  if (jsOnly) return jsOnly;
  try {
    new RE2(pattern);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const Pattern = z
  .string()
  .min(1, "must not be empty")
  .max(MAX_PATTERN_LENGTH, `must be at most ${MAX_PATTERN_LENGTH} characters`)
  .superRefine((pattern, ctx) => {
    const error = patternError(pattern);
    if (error) ctx.addIssue({ code: "custom", message: `must be an RE2 regular expression (${error})` });
  });
const Level = z
  .object(
    Object.fromEntries(FILTER_LEVELS.map((level) => [level, z.array(Pattern).max(MAX_PATTERNS_PER_LEVEL)])) as Record<
      (typeof FILTER_LEVELS)[number],
      z.ZodArray<typeof Pattern>
    >,
  )
  .partial()
  .strict();

/** An integration's `catalogFilters`: which catalogs, schemas and tables the walk keeps. */
export const CatalogFilters = z.object({ include: Level, exclude: Level }).partial().strict();
export type CatalogFilters = z.infer<typeof CatalogFilters>;
