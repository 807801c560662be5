export { bumpPolicySetVersion, enabledPolicies, ensureBuiltinPolicies, specOf } from "./policies.ts";
