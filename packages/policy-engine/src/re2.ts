import { compileRe2 as compile, type Re2 } from "@langguard/re2";
import { charge } from "./budget.ts";
import { HELPER_STEPS_PER_CHAR } from "./custom/limits.ts";

// Every regular expression that comes from configuration or a custom policy runs on RE2: linear
// time in the input whatever the pattern, so a stored pattern cannot stall a worker (ReDoS).
// Compiled patterns are cached (compiling costs more than most searches), in a bounded cache.

const MAX_CACHED = 256;
const MAX_PATTERN_LENGTH = 2000;
const cache = new Map<string, Re2>();

export function compileRe2(pattern: string): Re2 {
  const cached = cache.get(pattern);
  if (cached) {
    cache.delete(pattern);
    cache.set(pattern, cached);
    return cached;
  }
  if (pattern.length > MAX_PATTERN_LENGTH) throw new SyntaxError(`regular expression longer than ${MAX_PATTERN_LENGTH} characters`);
  // Inside a custom-policy evaluation a pattern built at run time is compiled at its expense.
  charge(pattern.length * HELPER_STEPS_PER_CHAR.patternCompile);
  const re = compile(pattern);
  cache.set(pattern, re);
  if (cache.size > MAX_CACHED) {
    const [oldest] = cache.keys();
    if (oldest !== undefined) cache.delete(oldest);
  }
  return re;
}

/** RE2 `search` semantics, like CEL's `matches`: true if the pattern matches anywhere. */
export function re2Test(pattern: string, text: string): boolean {
  const re = compileRe2(pattern);
  re.lastIndex = 0;
  return re.test(text);
}

export function re2Error(pattern: string): string | null {
  try {
    compileRe2(pattern);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
