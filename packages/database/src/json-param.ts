import { stringifyJson } from "@langguard/exact-json";

/**
 * A value as a jsonb parameter. Integers beyond 2^53 kept as ExactNumber are written exactly.
 * NUL cannot be stored in jsonb: the mappers remove it and record where; this is the last guard
 * for callers that did not.
 */
export function toJsonParam(value: unknown): string {
  return stringifyJson(value, (_key, v: unknown) => {
    if (typeof v === "string" && v.includes("\u0000")) return v.replaceAll("\u0000", "");
    if (typeof v === "bigint") return v.toString();
    if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).some((k) => k.includes("\u0000"))) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k.replaceAll("\u0000", ""), x]));
    }
    return v;
  });
}
