import type { CountryCode } from "libphonenumber-js/max";
import { isSupportedCountry } from "libphonenumber-js/max";
import { z } from "zod";
import { isPiiDetector, PII_TYPES } from "../detectors/registry.ts";
import { scanDocument } from "../detectors/scan-document.ts";
import { allOrList, definePolicy, outcome, plural, re2PatternList } from "./define.ts";
import { countByDetector, findingEvidence, pathIgnored } from "./finding-evidence.ts";

const configSchema = z.strictObject({
  min_confidence: z.number().min(0).max(1).default(0.5),
  types: allOrList(z.enum(PII_TYPES)),
  /** ISO 3166 region for phone numbers written without a country code. */
  default_region: z
    .string()
    .default("US")
    .refine((r) => isSupportedCountry(r), { message: "not a region libphonenumber knows (ISO 3166 alpha-2, e.g. US, GB, DE)" }),
  ignore_paths: re2PatternList.default([]),
});

export const piiDetection = definePolicy({
  id: "pii-detection",
  name: "PII detection",
  category: "privacy",
  description: "Personal data (e-mail, phone, card, SSN, IBAN, IP address) in trace inputs, outputs and attributes.",
  defaultSeverity: "critical",
  enabledByDefault: true,
  configSchema,
  evaluate(input, config) {
    const types = config.types === "all" ? null : new Set<string>(config.types);
    const findings = scanDocument(input, { defaultRegion: config.default_region as CountryCode }).filter(
      (f) =>
        isPiiDetector(f.detector) && f.confidence >= config.min_confidence && (!types || types.has(f.detector)) && !pathIgnored(f.path, config.ignore_paths),
    );
    return outcome(
      findings.map((f) => findingEvidence(f)),
      (n) => `${plural(n, "piece")} of personal data in the trace: ${countByDetector(findings)}`,
      "No personal data found in the trace",
    );
  },
});
