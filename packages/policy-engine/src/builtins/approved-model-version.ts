import { z } from "zod";
import { modelUses } from "../entities.ts";
import type { Evidence } from "../types.ts";
import { approvalOf, nameMatches } from "./approval.ts";
import { definePolicy, outcome, plural } from "./define.ts";

const configSchema = z.strictObject({
  /** Model names never reported (exact, case-insensitive). */
  ignore_models: z.array(z.string()).default([]),
});

export const approvedModelVersion = definePolicy({
  id: "approved-model-version",
  name: "Approved model version",
  category: "governance",
  description: "LLM calls to a model (name and version as reported by the span) that is not approved in LangGuard.",
  defaultSeverity: "high",
  enabledByDefault: false,
  configSchema,
  evaluate(input, config) {
    const evidence: Evidence[] = [];
    const models = new Set<string>();
    for (const { model, observation } of modelUses(input)) {
      if (nameMatches(model, config.ignore_models)) continue;
      const approval = approvalOf(input.entities.models, model);
      if (approval === "approved") continue;
      models.add(model);
      evidence.push({ spanId: observation.id, detail: `model "${model}" is ${approval} (span "${observation.name}")` });
    }
    return outcome(
      evidence,
      (n) => `${plural(models.size, "unapproved model")} called ${plural(n, "time")}: ${[...models].join(", ")}`,
      "Every model called is approved",
    );
  },
});
