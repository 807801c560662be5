export interface CelLimits {
  /** Evaluation steps (AST node evaluations, each comprehension iteration included). */
  maxSteps: number;
  /** Wall-clock budget per evaluation. */
  timeoutMs: number;
  /** Longest string an operation may build (`+`, `join`, helpers). */
  maxStringLength: number;
  /** Longest list an operation may build (`+`, `split`, helpers). */
  maxListLength: number;
}

/** Longest expression accepted when a policy is saved; the gateway's request schema reads it from here. */
export const MAX_EXPRESSION_LENGTH = 10_000;

export const DEFAULT_CEL_LIMITS: Readonly<CelLimits> = Object.freeze({
  maxSteps: 1_000_000,
  timeoutMs: 50,
  maxStringLength: 4 * 1024 * 1024,
  maxListLength: 100_000,
});

/**
 * Steps a helper charges per character of its input, before it runs. A CEL node costs one step
 * (about 0.2 µs here). The detectors behind `detect` and `redact` scan prose at 20–40 MB/s and
 * digit-dense text several times slower, so a character costs a whole step: the default budget
 * scans about 1 MB of text, which is also about what the time limit allows. RE2 searches run at
 * about 5 ns a character. A pattern first met during an evaluation is compiled at its expense.
 */
export const HELPER_STEPS_PER_CHAR = Object.freeze({ detect: 1, redact: 1, matches: 1 / 8, patternCompile: 8 });

/** Parse-time limits handed to cel-js: they bound the AST, so compile cost is bounded too. */
export const CEL_PARSE_LIMITS = {
  maxAstNodes: 5000,
  maxDepth: 64,
  maxListElements: 1000,
  maxMapEntries: 200,
  maxCallArguments: 16,
};
