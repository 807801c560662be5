import { z } from "zod";
import type { Evidence } from "../types.ts";
import { definePolicy, outcome, plural } from "./define.ts";
import { metadataOrTag } from "./lookup.ts";

const configSchema = z.strictObject({
  /** Keys looked up in the trace metadata, then its tags; `application_id` is also satisfied by the identity's application id. */
  required_identity_fields: z.array(z.string().min(1)).default(["application_id", "owner"]),
});

export const nhiViolation = definePolicy({
  id: "nhi-violation",
  name: "Non-human identity violation",
  category: "identity",
  description: "A trace run by a service principal (non-human identity) that does not say which application it is and who owns it.",
  defaultSeverity: "high",
  enabledByDefault: false,
  configSchema,
  evaluate(input, config) {
    if (!input.identity.servicePrincipal) return { violated: false, message: "Run by a human identity", evidence: [] };
    const evidence: Evidence[] = [];
    for (const field of config.required_identity_fields) {
      const present = metadataOrTag(input, field) ?? (field === "application_id" ? input.identity.applicationId : null);
      if (!present) evidence.push({ path: `trace.metadata.${field}`, detail: `"${field}" missing` });
    }
    const names = config.required_identity_fields.filter((f) => evidence.some((e) => e.detail === `"${f}" missing`)).join(", ");
    return outcome(evidence, (n) => `Service principal trace lacks ${plural(n, "identity field")}: ${names}`, "Service principal is fully identified");
  },
});
