import { compileRe2 } from "../re2.ts";
import type { Evidence, Finding } from "../types.ts";

export function findingEvidence(f: Finding): Evidence {
  return { detector: f.detector, path: f.path, spanId: f.spanId, match: f.match, confidence: f.confidence, truncated: f.truncated };
}

export function pathIgnored(path: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => {
    const re = compileRe2(p);
    re.lastIndex = 0;
    return re.test(path);
  });
}

/** `openai ×2, aws_access_key` */
export function countByDetector(findings: readonly Finding[], label: (f: Finding) => string = (f) => f.detector): string {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(label(f), (counts.get(label(f)) ?? 0) + 1);
  return [...counts].map(([name, n]) => (n > 1 ? `${name} ×${n}` : name)).join(", ");
}
