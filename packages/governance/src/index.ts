export { bumpPolicySetVersion, enabledPolicies, ensureBuiltinPolicies, specOf } from "./policies.ts";
export { documentOf, type LoadedTrace, loadTraces } from "./documents.ts";
export { discoverEntities } from "./entities.ts";
export { evaluateDeclaredAccess } from "./declared-access.ts";
export { queueViolationDeliveries } from "./deliveries.ts";
