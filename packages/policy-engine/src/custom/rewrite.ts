import { re2Error } from "../re2.ts";
import { RE2_MATCHES } from "./helpers.ts";

// cel-js implements `s.matches(re)` with JavaScript's backtracking RegExp, and refuses a second
// overload with the same signature. Before type-checking, every `.matches(…)` call node in the
// parsed tree is renamed to the RE2 helper, so no custom-policy regex ever reaches RegExp. Literal
// patterns are compiled on the way, so a bad one fails at save time with its position.

interface AstLike {
  op: string;
  args: unknown;
  meta: Record<string, unknown>;
  start?: number;
}

export interface PatternError {
  message: string;
  position: number;
}

function isAst(value: unknown): value is AstLike {
  return typeof value === "object" && value !== null && typeof (value as AstLike).op === "string" && typeof (value as AstLike).meta === "object";
}

function literalPattern(call: AstLike): AstLike | null {
  const args = call.args as unknown[];
  // Member form: [name, receiver, [pattern]]; global form: [name, [text, pattern]].
  const pattern = call.op === "rcall" ? (args[2] as unknown[] | undefined)?.[0] : (args[1] as unknown[] | undefined)?.[1];
  return isAst(pattern) && pattern.op === "value" && typeof pattern.args === "string" ? pattern : null;
}

/** Renames `.matches` to the RE2 helper; returns the first invalid literal pattern, if any. */
export function routeMatchesToRe2(root: unknown): PatternError | null {
  const seen = new Set<unknown>();
  let firstError: PatternError | null = null;
  const visit = (value: unknown): void => {
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (isAst(value)) {
      const args = value.args;
      const isMatches = (value.op === "rcall" || value.op === "call") && Array.isArray(args) && args[0] === "matches";
      if (isMatches) {
        if (value.op === "rcall") args[0] = RE2_MATCHES;
        const pattern = literalPattern(value);
        const error = pattern ? re2Error(pattern.args as string) : null;
        if (pattern && error && !firstError) firstError = { message: error, position: pattern.start ?? 0 };
      }
      visit(args);
      visit(value.meta.alternate);
      visit(value.meta.macro);
      return;
    }
    for (const key of Object.keys(value)) visit((value as Record<string, unknown>)[key]);
  };
  visit(root);
  return firstError;
}
