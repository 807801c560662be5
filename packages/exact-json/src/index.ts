export { ExactNumber, isExactNumber } from "./exact-number.ts";
export { parseJson, mayHoldUnsafeIntegers } from "./parse.ts";
export { stringifyJson } from "./stringify.ts";
export { sanitizeForPostgres, visible, type Alteration } from "./sanitize.ts";
