import { z } from "zod";
import { isPiiDetector, providerOf } from "../detectors/registry.ts";
import { scanDocument } from "../detectors/scan-document.ts";
import { allOrList, definePolicy, outcome, plural, re2PatternList } from "./define.ts";
import { countByDetector, findingEvidence, pathIgnored } from "./finding-evidence.ts";

const configSchema = z.strictObject({
  /** Providers (`openai`, `aws`, `azure`, …) or detector ids (`aws_secret_key`) to report. */
  providers: allOrList(z.string().min(1)),
  /** RE2 patterns on finding paths (e.g. `^observations\\[\\d+\\]\\.attributes\\.test_fixture`) to skip. */
  ignore_paths: re2PatternList.default([]),
});

export const credentialSurfaceDiscovery = definePolicy({
  id: "credential-surface-discovery",
  name: "Credential surface discovery",
  category: "security",
  description: "Secrets (API keys, tokens, private keys, connection strings) visible anywhere in a trace.",
  defaultSeverity: "critical",
  enabledByDefault: true,
  configSchema,
  evaluate(input, config) {
    const wanted = config.providers === "all" ? null : new Set(config.providers.map((p) => p.toLowerCase()));
    const findings = scanDocument(input).filter(
      (f) =>
        !isPiiDetector(f.detector) && (!wanted || wanted.has(providerOf(f.detector)) || wanted.has(f.detector)) && !pathIgnored(f.path, config.ignore_paths),
    );
    return outcome(
      findings.map((f) => findingEvidence(f)),
      (n) => `${plural(n, "credential")} exposed in the trace: ${countByDetector(findings)}`,
      "No credentials found in the trace",
    );
  },
});
