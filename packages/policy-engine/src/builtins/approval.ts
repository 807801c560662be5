import type { EntityState } from "../document.ts";
import { lookupEntity } from "../entities.ts";

/** An entity LangGuard has never seen is treated as pending review: it is not approved. */
export function approvalOf(entries: Record<string, EntityState>, name: string): EntityState["approval"] {
  return lookupEntity(entries, name)?.approval ?? "pending";
}

export function nameMatches(name: string, patterns: readonly string[]): boolean {
  const lower = name.toLowerCase();
  return patterns.some((p) => p.toLowerCase() === lower);
}
