import type { PolicyInput } from "../document.ts";

/** A non-empty value for `key` in the trace's metadata, else its tags. */
export function metadataOrTag(input: PolicyInput, key: string): string | null {
  for (const source of [input.trace.metadata, input.trace.tags]) {
    const value = source[key];
    if (typeof value === "string" && value.trim()) return value;
  }
  return null;
}

export function hasUserAttribution(input: PolicyInput): boolean {
  const { identity } = input;
  return Boolean(identity.userId || identity.userName || (identity.servicePrincipal && identity.applicationId));
}
