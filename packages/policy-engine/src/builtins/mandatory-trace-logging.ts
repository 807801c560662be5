import { z } from "zod";
import { agentNamesInTrace } from "../agents.ts";
import type { Evidence } from "../types.ts";
import { definePolicy, outcome, plural } from "./define.ts";
import { hasUserAttribution } from "./lookup.ts";

const configSchema = z.strictObject({
  require_agent_name: z.boolean().default(true),
  require_user_identity: z.boolean().default(true),
});

export const mandatoryTraceLogging = definePolicy({
  id: "mandatory-trace-logging",
  name: "Mandatory trace logging",
  category: "observability",
  description: "A trace must say which agent produced it and on whose behalf, or nothing else about it can be governed.",
  defaultSeverity: "low",
  enabledByDefault: true,
  configSchema,
  evaluate(input, config) {
    const evidence: Evidence[] = [];
    if (config.require_agent_name && agentNamesInTrace(input).length === 0) {
      evidence.push({ detail: "no agent name (no gen_ai.agent.name / agent.name span attribute and no agent linked to the trace)" });
    }
    if (config.require_user_identity && !hasUserAttribution(input)) {
      evidence.push({ path: "identity", detail: "no user identity (mlflow.trace.user, enduser.id, user_id, … or a service principal's application id)" });
    }
    return outcome(evidence, (n) => `Trace is missing ${plural(n, "mandatory field")}`, "Trace names its agent and user");
  },
});
