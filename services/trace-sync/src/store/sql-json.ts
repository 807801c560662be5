/** Postgres jsonb cannot hold U+0000; MLflow payloads occasionally do. */
export function toJsonParam(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "string" && v.includes("\u0000")) return v.replaceAll("\u0000", "");
    if (typeof v === "bigint") return v.toString();
    return v;
  });
}
