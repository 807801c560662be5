import { z } from "zod";
import { isPiiDetector, providerOf } from "../detectors/registry.ts";
import { scanDocument } from "../detectors/scan-document.ts";
import { allOrList, definePolicy, outcome, plural, re2PatternList } from "./define.ts";
import type { Evidence, Finding } from "../types.ts";
import { countByDetector, findingEvidence, pathIgnored } from "./finding-evidence.ts";

const configSchema = z.strictObject({
  /** Providers (`openai`, `aws`, `azure`, …) or detector ids (`aws_secret_key`) to report. */
  providers: allOrList(z.string().min(1)),
  /** RE2 patterns on finding paths (e.g. `^observations\\[\\d+\\]\\.attributes\\.test_fixture`) to skip. */
  ignore_paths: re2PatternList.default([]),
});

/**
 * One credential per secret value: MLflow copies a root span's inputs into the trace's, and agents
 * echo what they were given, so a key pasted once is often seen in three places. Each credential
 * is one piece of evidence listing every place it was seen.
 */
function byCredential(findings: readonly Finding[]): Array<{ first: Finding; evidence: Evidence }> {
  const groups = new Map<string, { first: Finding; evidence: Evidence; locations: NonNullable<Evidence["locations"]> }>();
  findings.forEach((f, i) => {
    const key = f.fingerprint ?? `#${i}`;
    const location = { path: f.path, spanId: f.spanId };
    const group = groups.get(key);
    if (!group) {
      const locations = [location];
      groups.set(key, { first: f, evidence: { ...findingEvidence(f), locations }, locations });
      return;
    }
    if (!group.locations.some((l) => l.path === location.path && l.spanId === location.spanId)) group.locations.push(location);
    group.evidence.confidence = Math.max(group.evidence.confidence ?? 0, f.confidence);
    group.evidence.truncated = group.evidence.truncated === true && f.truncated;
  });
  return [...groups.values()];
}

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
    const credentials = byCredential(findings);
    const places = credentials.reduce((sum, c) => sum + (c.evidence.locations?.length ?? 1), 0);
    return outcome(
      credentials.map((c) => c.evidence),
      (n) =>
        `${plural(n, "credential")} exposed in the trace${places > n ? ` (${plural(places, "location")})` : ""}: ${countByDetector(credentials.map((c) => c.first))}`,
      "No credentials found in the trace",
    );
  },
});
