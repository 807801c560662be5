export type {
  AgentStats,
  Approval,
  Entities,
  EntityState,
  Identity,
  Observation,
  ObservationStatus,
  PolicyInput,
  Stage,
  TraceRecord,
  TraceStatus,
  TruncatedPayload,
  Usage,
} from "./document.ts";
export { isTruncatedPayload } from "./document.ts";
export { parsePolicyInput, policyInputSchema } from "./document-schema.ts";
export type { Evidence, Finding, Outcome, Policy, PolicyResult, PolicySpec, Severity } from "./types.ts";

export { builtinPolicies, getBuiltin } from "./builtins/index.ts";
export { type DeclaredUse, declaredCrossings } from "./builtins/cross-boundary-access.ts";
export { MAX_EVIDENCE } from "./builtins/define.ts";
export { type EvaluateAllOptions, evaluateAll } from "./evaluate-all.ts";
export {
  type CelLimits,
  CelLimitError,
  type CompileCustomPolicyResult,
  type CustomPolicyProgram,
  compileCustomPolicy,
  DEFAULT_CEL_LIMITS,
  MAX_EXPRESSION_LENGTH,
} from "./custom/index.ts";

export { warmUp } from "./warm-up.ts";
export { scanDocument, scanText } from "./detectors/scan-document.ts";
export { redactText } from "./detectors/redact.ts";
export { PII_TYPES, type PiiType, providerOf } from "./detectors/registry.ts";
export type { ScanOptions } from "./detectors/types.ts";
export { type ExtractedEntities, extractEntities } from "./entities.ts";
export { identityFrom } from "./identity.ts";
export { maskCard, maskEmail, maskIban, maskIp, maskPhone, maskSecret, maskSsn } from "./mask.ts";
export { costUsd, MODEL_PRICES, type ModelPrice, normaliseModelName, priceFor } from "./pricing.ts";
export { traceCost, traceTokens } from "./builtins/budget-overrun.ts";
