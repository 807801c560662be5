import { MAX_EVIDENCE } from "../builtins/define.ts";
import { redactText } from "../detectors/redact.ts";
import type { Evidence, Outcome } from "../types.ts";

// What a custom expression returns becomes an Outcome. Expressions can quote the trace in their
// message or evidence (`"found " + trace.input`), so every string is redacted: a custom policy
// cannot leak a secret the built-in ones would mask.

const MAX_TEXT = 2000;

function plain(value: unknown, depth = 0): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Map) return plain(Object.fromEntries(value), depth);
  if (Array.isArray(value)) return depth > 8 ? "[…]" : value.map((v) => plain(v, depth + 1));
  if (typeof value === "object" && value !== null) {
    if (depth > 8) return "{…}";
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v, depth + 1);
    return out;
  }
  return value;
}

const safeText = (text: string) => redactText(text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);

function toEvidence(item: unknown): Evidence {
  const value = plain(item);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { detail: safeText(typeof value === "string" ? value : (JSON.stringify(value) ?? String(value))) };
  }
  const v = value as Record<string, unknown>;
  const evidence: Evidence = {};
  if (typeof v.detector === "string") evidence.detector = v.detector;
  if (typeof v.path === "string") evidence.path = v.path.slice(0, 500);
  if (typeof v.spanId === "string" || v.spanId === null) evidence.spanId = v.spanId as string | null;
  if (typeof v.match === "string") evidence.match = safeText(v.match);
  if (typeof v.confidence === "number") evidence.confidence = v.confidence;
  if (typeof v.truncated === "boolean") evidence.truncated = v.truncated;
  if (typeof v.detail === "string") evidence.detail = safeText(v.detail);
  else if (Object.keys(evidence).length === 0) evidence.detail = safeText(JSON.stringify(v));
  return evidence;
}

export function toOutcome(result: unknown): Outcome {
  if (typeof result === "boolean") {
    return { violated: result, message: result ? "Custom policy condition matched" : "Custom policy condition not matched", evidence: [] };
  }
  const value = result instanceof Map ? Object.fromEntries(result) : result;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error(`expression returned ${Array.isArray(value) ? "a list" : typeof value}; expected a bool or a map with "violated"`);
  }
  const map = value as Record<string, unknown>;
  if (typeof map.violated !== "boolean") throw new Error('expression returned a map without a bool "violated"');
  const evidenceIn = map.evidence === undefined || map.evidence === null ? [] : map.evidence;
  if (!Array.isArray(evidenceIn)) throw new Error('"evidence" must be a list');
  const evidence = evidenceIn.slice(0, MAX_EVIDENCE).map(toEvidence);
  const extra = evidenceIn.length - evidence.length;
  const base =
    typeof map.message === "string" && map.message
      ? safeText(map.message)
      : map.violated
        ? "Custom policy condition matched"
        : "Custom policy condition not matched";
  return { violated: map.violated, message: extra > 0 ? `${base} (showing ${MAX_EVIDENCE}; ${extra} more not shown)` : base, evidence };
}
