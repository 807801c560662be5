import RE2 from "re2";

/**
 * The one RE2 binding of the fleet. Every regular expression that comes from a customer (catalog
 * filters, custom-policy `matches`, built-in policy config) is compiled here, with RE2's own
 * syntax and limits: matching is linear in the input whatever the pattern, and a pattern too
 * large for RE2's memory budget is refused with RE2's message instead of taking the process down.
 * node-re2 wraps the same RE2 release as the bridge's google-re2 (python-bridge/requirements.lock),
 * so a pattern accepted here is a pattern the bridge runs.
 */
export type Re2 = InstanceType<typeof RE2>;

/**
 * node-re2 first rewrites JavaScript-only escapes into RE2 ones (`\u0041` into `\x{0041}`, `\cA`
 * into `\x01`); RE2 itself, and so the bridge, refuses them. They are refused here as RE2 would,
 * except between `\Q` and `\E`, where RE2 takes every character literally.
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

/** Compiles an RE2 pattern (Unicode-aware); throws a SyntaxError in RE2's words when it does not compile. */
export function compileRe2(pattern: string): Re2 {
  const jsOnly = javascriptOnlyEscape(pattern);
  if (jsOnly) throw new SyntaxError(jsOnly);
  try {
    return new RE2(pattern, "u");
  } catch (error) {
    throw new SyntaxError(error instanceof Error ? error.message : String(error));
  }
}

/** Why RE2 refuses the pattern, in RE2's words, or null when it compiles. */
export function re2Error(pattern: string): string | null {
  try {
    compileRe2(pattern);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
