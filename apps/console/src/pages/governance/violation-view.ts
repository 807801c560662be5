import { api, type Ok, type paths } from "../../api/client";
import { unwrap } from "../../api/errors";

export const STATUS_TONE = { new: "info", acknowledged: "warning", resolved: "success" } as const;

/** The spans a violation's evidence points at (each finding names its span), once each. */
export function spansOf(evidence: unknown): string[] {
  if (!Array.isArray(evidence)) return [];
  const ids = new Set<string>();
  for (const item of evidence) {
    const spanId = (item as { spanId?: unknown } | null)?.spanId;
    if (typeof spanId === "string" && spanId) ids.add(spanId);
  }
  return [...ids];
}

/** The JSON page of violations (the same route answers CSV when asked for it). */
export type ViolationPage = Exclude<Ok<"/api/policies/violations", "get">, string>;
export type Violation = ViolationPage["items"][number];
type Query = NonNullable<paths["/api/policies/violations"]["get"]["parameters"]["query"]>;

export async function listViolations(query: Omit<Query, "format">, signal: AbortSignal): Promise<ViolationPage> {
  return (await unwrap(api.GET("/api/policies/violations", { params: { query }, signal }))) as ViolationPage;
}
