export interface CelLimits {
  /** Evaluation steps (AST node evaluations, each comprehension iteration included). */
  maxSteps: number;
  /** Wall-clock budget per evaluation. */
  timeoutMs: number;
  /** Longest string an operation may build (`+`, `join`, helpers). */
  maxStringLength: number;
  /** Longest list an operation may build (`+`, `split`, helpers). */
  maxListLength: number;
  /** Longest expression accepted at compile time. */
  maxExpressionLength: number;
}

export const DEFAULT_CEL_LIMITS: Readonly<CelLimits> = Object.freeze({
  maxSteps: 1_000_000,
  timeoutMs: 50,
  maxStringLength: 4 * 1024 * 1024,
  maxListLength: 100_000,
  maxExpressionLength: 10_000,
});

/** Parse-time limits handed to cel-js: they bound the AST, so compile cost is bounded too. */
export const CEL_PARSE_LIMITS = {
  maxAstNodes: 5000,
  maxDepth: 64,
  maxListElements: 1000,
  maxMapEntries: 200,
  maxCallArguments: 16,
};
