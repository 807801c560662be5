/**
 * A value as a JSON text parameter for `jsonb_to_recordset`. Postgres jsonb cannot hold U+0000, in
 * values or keys, so it is removed from both; bigints become strings.
 */
export function toJsonParam(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "string" && v.includes("\u0000")) return v.replaceAll("\u0000", "");
    if (typeof v === "bigint") return v.toString();
    if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).some((k) => k.includes("\u0000"))) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k.replaceAll("\u0000", ""), x]));
    }
    return v;
  });
}
