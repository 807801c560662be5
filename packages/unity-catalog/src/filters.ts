import { re2Error } from "@langguard/re2";
import { z } from "zod";

/**
 * Catalog filter patterns are RE2 regular expressions (github.com/google/re2/wiki/Syntax), matched
 * against the whole full name (`main`, `main.sales`, `main.sales.orders`; see names.ts for parts
 * that need quoting). The bridge runs them with google-re2 and the gateway checks them with
 * @langguard/re2; both wrap the same RE2 release (see python-bridge/requirements.lock), so a
 * pattern saved is a pattern the bridge runs, and matching is linear in the name whatever the pattern.
 */
export const FILTER_LEVELS = ["catalogs", "schemas", "tables"] as const;
export const MAX_PATTERN_LENGTH = 500;
export const MAX_PATTERNS_PER_LEVEL = 100;

/** Why RE2 refuses the pattern, in RE2's words, or null when it compiles (@langguard/re2). */
export const patternError = re2Error;

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
