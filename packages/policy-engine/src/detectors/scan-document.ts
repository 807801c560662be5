import { createHmac, randomBytes } from "node:crypto";
import type { PolicyInput } from "../document.ts";
import type { Finding } from "../types.ts";
import { detectInText } from "./scan-text.ts";
import { DEFAULT_SCAN_OPTIONS, type ScanOptions } from "./types.ts";
import { collectTextFields, type TextField } from "./walk.ts";

// All fields are joined into one text and scanned once: the per-call cost of ~30 rules is paid
// once per trace instead of once per field. The separator contains a character no rule accepts,
// so no match can span two fields; any that did would be dropped when mapped back.

const SEPARATOR = "\n\u0000\n";

/** A match that reaches into the last characters of a truncated preview may be cut off: dropped. */
export const TRUNCATION_MARGIN = 64;

const FINGERPRINT_KEY = randomBytes(32);

/** One secret written with real newlines in one field and JSON-escaped ones in another is one value. */
function fingerprintOf(value: string): string {
  return createHmac("sha256", FINGERPRINT_KEY)
    .update(value.replace(/\\[nr]|\s/g, ""))
    .digest("base64url")
    .slice(0, 22);
}

function fieldIndexAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function scanFields(fields: readonly TextField[], options: ScanOptions): Finding[] {
  if (fields.length === 0) return [];
  const starts: number[] = [];
  let offset = 0;
  for (const f of fields) {
    starts.push(offset);
    offset += f.text.length + SEPARATOR.length;
  }
  const text = fields.map((f) => f.text).join(SEPARATOR);
  const findings: Finding[] = [];
  for (const m of detectInText(text, options)) {
    const index = fieldIndexAt(starts, m.start);
    const field = fields[index];
    const fieldStart = starts[index] ?? 0;
    if (!field || m.end > fieldStart + field.text.length) continue;
    if (field.truncated && m.end - fieldStart > field.text.length - TRUNCATION_MARGIN) continue;
    const finding: Finding = {
      detector: m.detector,
      path: field.path,
      spanId: field.spanId,
      match: m.masked,
      confidence: m.confidence,
      truncated: field.truncated,
    };
    if (m.kind === "secret") finding.fingerprint = fingerprintOf(text.slice(m.start, m.end));
    findings.push(finding);
  }
  return findings;
}

const cache = new WeakMap<PolicyInput, Map<string, readonly Finding[]>>();

/**
 * Secret and PII findings for a whole document. Results are memoised per document object (and
 * region), so the credential policy, the PII policy and custom policies share one scan.
 */
export function scanDocument(input: PolicyInput, options: Partial<ScanOptions> = {}): readonly Finding[] {
  const resolved: ScanOptions = { ...DEFAULT_SCAN_OPTIONS, ...options };
  let byRegion = cache.get(input);
  if (!byRegion) cache.set(input, (byRegion = new Map()));
  const cached = byRegion.get(resolved.defaultRegion);
  if (cached) return cached;
  const { fields, structural } = collectTextFields(input);
  const findings = scanFields(fields, resolved);
  for (const s of structural)
    findings.push({ detector: s.detector, path: s.path, spanId: s.spanId, match: s.masked, confidence: s.confidence, truncated: false });
  // Shared by every policy of the evaluation: frozen so none can change what the others see.
  const shared = Object.freeze(findings.map((f) => Object.freeze(f)));
  byRegion.set(resolved.defaultRegion, shared);
  return shared;
}

/** Findings in a single text (what the CEL `detect()` helper returns). */
export function scanText(text: string, options: Partial<ScanOptions> = {}): Finding[] {
  return scanFields([{ path: "text", spanId: null, text, truncated: false }], { ...DEFAULT_SCAN_OPTIONS, ...options });
}
