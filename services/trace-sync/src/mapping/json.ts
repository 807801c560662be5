import { isExactNumber, parseJson, stringifyJson, type ExactNumber } from "@langguard/exact-json";

/** Integers beyond 2^53 stay ExactNumber, so they are stored exactly. */
export type Json = null | boolean | number | ExactNumber | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** MLflow stores many values as JSON text; keep structure where the text is JSON, else the text. */
export function parseMaybeJson(value: unknown): Json | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") return value as Json;
  const text = value.trim();
  if (!text) return value;
  if (!/^[[{"]|^-?\d|^(true|false|null)$/.test(text)) return value;
  try {
    return parseJson(text) as Json;
  } catch {
    return value;
  }
}

export function asObject(value: unknown): JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value) && !isExactNumber(value) ? (value as JsonObject) : {};
}

/** MLflow V2 payloads carry tags/metadata as [{key, value}]; V3 as a map. */
export function asStringMap(value: unknown): Record<string, string> {
  if (Array.isArray(value)) {
    const out: Record<string, string> = {};
    for (const entry of value) {
      const { key, value: v } = asObject(entry);
      if (typeof key === "string") out[key] = typeof v === "string" ? v : stringifyJson(v ?? null);
    }
    return out;
  }
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(asObject(value))) out[key] = typeof v === "string" ? v : stringifyJson(v);
  return out;
}

export function firstString(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === "string" && value.length > 0) return value;
  return undefined;
}

export function toInt(value: unknown): number | undefined {
  const n = typeof value === "string" || isExactNumber(value) ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? Math.round(n) : undefined;
}

/** JSON with object keys sorted, so equal content always serialises (and hashes) the same. */
export function stableStringify(value: unknown): string {
  return stringifyJson(value, (_key, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v) || v instanceof Date || isExactNumber(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}
