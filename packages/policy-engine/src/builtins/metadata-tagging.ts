import { z } from "zod";
import type { Evidence } from "../types.ts";
import { definePolicy, outcome, plural } from "./define.ts";
import { hasUserAttribution, metadataOrTag } from "./lookup.ts";

const configSchema = z.strictObject({
  /** Keys looked up in the trace metadata, then its tags. */
  required_metadata: z.array(z.string().min(1)).default(["ai_app_id", "department"]),
  /** Keys looked up in the trace tags only. */
  required_tags: z.array(z.string().min(1)).default([]),
  require_user_attribution: z.boolean().default(true),
});

export const metadataTagging = definePolicy({
  id: "metadata-tagging",
  name: "Metadata tagging",
  category: "compliance",
  description: "Traces carry the metadata and tags the organisation requires for attribution and chargeback.",
  defaultSeverity: "low",
  enabledByDefault: true,
  configSchema,
  evaluate(input, config) {
    const missing: Evidence[] = [];
    for (const key of config.required_metadata) {
      if (!metadataOrTag(input, key)) missing.push({ path: `trace.metadata.${key}`, detail: `metadata "${key}" missing` });
    }
    for (const key of config.required_tags) {
      const value = input.trace.tags[key];
      if (typeof value !== "string" || !value.trim()) missing.push({ path: `trace.tags.${key}`, detail: `tag "${key}" missing` });
    }
    if (config.require_user_attribution && !hasUserAttribution(input)) missing.push({ path: "identity", detail: "no user attribution" });
    const names = missing.map((e) => e.detail?.replace(/ missing$/, "")).join(", ");
    return outcome(missing, (n) => `${plural(n, "required tag")} missing: ${names}`, "All required metadata and tags present");
  },
});
