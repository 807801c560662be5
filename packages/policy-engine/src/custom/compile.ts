import { MAX_EXPRESSION_LENGTH } from "./limits.ts";
import { celEnvironment } from "./environment.ts";
import { routeMatchesToRe2 } from "./rewrite.ts";

export interface CompiledExpression {
  expression: string;
  /** The cel-js program: call with the variables. */
  run(variables: Record<string, unknown>): unknown;
}

export type CompileResult = { ok: true; program: CompiledExpression } | { ok: false; error: string; line?: number; column?: number; position?: number };

interface CelErrorLike {
  summary?: string;
  message: string;
  range?: { start: number; end: number };
}

/** 1-based line and column of a character offset. */
export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  return { line, column: position - before.lastIndexOf("\n") };
}

function failure(expression: string, error: unknown): CompileResult {
  const e = error as CelErrorLike;
  const message = e.summary ?? (typeof e.message === "string" ? e.message : String(error));
  const position = e.range?.start;
  if (typeof position !== "number") return { ok: false, error: message };
  return { ok: false, error: message, position, ...lineAndColumn(expression, position) };
}

const RESULT_TYPES = /^(bool|dyn|map)\b/;

/** Parses and type-checks an expression, for validation when a policy is saved. */
export function compileExpression(expression: string, maxLength = MAX_EXPRESSION_LENGTH): CompileResult {
  if (typeof expression !== "string" || !expression.trim()) return { ok: false, error: "expression is empty" };
  if (expression.length > maxLength) return { ok: false, error: `expression is longer than ${maxLength} characters` };
  let program: ReturnType<typeof celEnvironment.parse>;
  try {
    program = celEnvironment.parse(expression);
  } catch (error) {
    return failure(expression, error);
  }
  const patternError = routeMatchesToRe2(program.ast);
  if (patternError) return failure(expression, { message: patternError.message, range: { start: patternError.position, end: patternError.position } });
  const checked = program.check();
  if (!checked.valid) return failure(expression, checked.error);
  if (!RESULT_TYPES.test(checked.type ?? "dyn")) {
    return {
      ok: false,
      error: `expression returns ${checked.type}; it must return a bool, or a map {"violated": bool, "message": string, "evidence": list}`,
      position: 0,
      line: 1,
      column: 1,
    };
  }
  return { ok: true, program: { expression, run: (variables) => program(variables) } };
}
