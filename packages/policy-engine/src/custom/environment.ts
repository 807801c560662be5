import { Environment } from "@marcbachmann/cel-js";
import { HELPERS } from "./helpers.ts";
import { CEL_PARSE_LIMITS } from "./limits.ts";
import { meteredRun } from "./meter.ts";

export const DOCUMENT_VARIABLES = {
  trace: "map",
  observations: "list",
  agents: "list",
  identity: "map",
  entities: "map",
  agentStats: "map",
  config: "dyn",
} as const;

const PROBE = "__langguard_evaluator_probe";

function createEnvironment(): Environment {
  // Heterogeneous literals so an expression can return {"violated": true, "message": "…", "evidence": […]}.
  const env = new Environment({ homogeneousAggregateLiterals: false, limits: CEL_PARSE_LIMITS });
  for (const [name, type] of Object.entries(DOCUMENT_VARIABLES)) env.registerVariable(name, type);
  for (const helper of HELPERS) env.registerFunction(helper.signature, helper.handler as (...args: unknown[]) => unknown, { description: helper.description });

  // cel-js calls function handlers with its evaluator as `this`; calling a probe once is the only
  // way to reach that (private) instance and give it the metered `run`.
  let evaluator: { run: (ast: never, ctx: unknown) => unknown } | null = null;
  env.registerFunction(`${PROBE}(): bool`, function (this: typeof evaluator) {
    evaluator = this;
    return true;
  });
  env.evaluate(`${PROBE}()`, {});
  const captured = evaluator as { run: (ast: never, ctx: unknown) => unknown } | null;
  if (!captured || typeof captured.run !== "function") throw new Error("cel-js evaluator not reachable: the evaluation budget cannot be enforced");
  Object.defineProperty(captured, "run", { value: meteredRun(captured.run as never), writable: false, configurable: false });
  return env;
}

export const celEnvironment = createEnvironment();
