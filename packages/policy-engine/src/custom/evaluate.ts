import type { PolicyInput } from "../document.ts";
import type { Outcome } from "../types.ts";
import type { CompiledExpression } from "./compile.ts";
import { type CelLimits, DEFAULT_CEL_LIMITS } from "./limits.ts";
import { metered } from "./meter.ts";
import { toOutcome } from "./result.ts";
import { withDocument } from "./scope.ts";

/** The variables an expression sees: the document's parts, plus the policy's config. */
export function celVariables(input: PolicyInput, config: unknown): Record<string, unknown> {
  return {
    trace: input.trace,
    observations: input.observations,
    agents: input.agents,
    identity: input.identity,
    entities: input.entities,
    agentStats: input.agentStats,
    config: config ?? {},
  };
}

export function evaluateExpression(program: CompiledExpression, input: PolicyInput, config: unknown, limits: Partial<CelLimits> = {}): Outcome {
  const resolved = { ...DEFAULT_CEL_LIMITS, ...limits };
  const result = withDocument(input, () => metered(resolved, () => program.run(celVariables(input, config))));
  return toOutcome(result);
}
