// A worker thread of the policy-test pool (pool.ts): evaluates one posted sample against one
// policy. The engine is warmed when the thread starts, so a thread's first test is judged like any.
import { evaluateAll, type PolicyInput, type PolicyResult, type PolicySpec, warmUp } from "@langguard/policy-engine";

warmUp();

export default function evaluatePolicyTest({ input, spec }: { input: PolicyInput; spec: PolicySpec }): PolicyResult | undefined {
  return evaluateAll(input, [spec])[0];
}
