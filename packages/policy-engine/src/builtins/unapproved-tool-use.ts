import { z } from "zod";
import { toolUses } from "../entities.ts";
import type { Evidence } from "../types.ts";
import { approvalOf, nameMatches } from "./approval.ts";
import { definePolicy, outcome, plural } from "./define.ts";

const configSchema = z.strictObject({
  /** Tool names never reported (exact, case-insensitive). */
  ignore_tools: z.array(z.string()).default([]),
  /** Also count tool calls an LLM asked for (`tool_calls`, `tool_use`), not only TOOL spans. */
  include_llm_tool_calls: z.boolean().default(true),
});

export const unapprovedToolUse = definePolicy({
  id: "unapproved-tool-use",
  name: "Unapproved tool use",
  category: "governance",
  description: "A tool ran (TOOL span) or was called by a model without being approved in LangGuard.",
  defaultSeverity: "high",
  enabledByDefault: true,
  configSchema,
  evaluate(input, config) {
    const evidence: Evidence[] = [];
    const reported = new Set<string>();
    const tools = new Set<string>();
    for (const use of toolUses(input)) {
      // Tools a model was merely offered were not used.
      if (use.source === "offer" || (use.source === "call" && !config.include_llm_tool_calls)) continue;
      if (nameMatches(use.name, config.ignore_tools)) continue;
      const approval = approvalOf(input.entities.tools, use.name);
      if (approval === "approved") continue;
      const key = `${use.name}\u0000${use.spanId}`;
      if (reported.has(key)) continue;
      reported.add(key);
      tools.add(use.name);
      evidence.push({ spanId: use.spanId, detail: `tool "${use.name}" is ${approval}${use.source === "call" ? " (called by the model)" : ""}` });
    }
    return outcome(
      evidence,
      (n) => `${plural(tools.size, "unapproved tool")} used (${plural(n, "use")}): ${[...tools].join(", ")}`,
      "Every tool used is approved",
    );
  },
});
