import { quoteFullName } from "@langguard/unity-catalog";
import type { Database } from "@langguard/database";
import { expect } from "vitest";
import type { WorkspaceState } from "./databricks/index.ts";

type Kind = "catalog" | "schema" | "table" | "volume" | "function" | "model";
const ENTITY_KIND: Partial<Record<Kind, string>> = { table: "data", volume: "data", function: "tool", model: "model" };

/** Every object of the fake's layout a walk keeps (`keep` says which), by kind, as quoted full names. */
export function layoutObjects(state: WorkspaceState, keep: (kind: Kind, parts: string[]) => boolean = () => true): Record<Kind, string[]> {
  const out: Record<Kind, string[]> = { catalog: [], schema: [], table: [], volume: [], function: [], model: [] };
  const add = (kind: Kind, parts: string[]) => {
    if (keep(kind, parts)) out[kind].push(quoteFullName(parts));
  };
  for (const c of state.catalogs.values()) {
    add("catalog", [c.name]);
    if (!keep("catalog", [c.name])) continue;
    for (const s of c.schemas.values()) {
      if (s.name === "information_schema" || !keep("schema", [c.name, s.name])) continue;
      add("schema", [c.name, s.name]);
      for (const t of s.tables.values()) add("table", [c.name, s.name, t.name]);
      for (const v of s.volumes.values()) add("volume", [c.name, s.name, v.name]);
      for (const f of s.functions.values()) add("function", [c.name, s.name, f.name]);
      for (const m of s.models.values()) add("model", [c.name, s.name, m.name]);
    }
  }
  for (const kind of Object.keys(out) as Kind[]) out[kind].sort();
  return out;
}

/** The integration's live objects (neither deleted nor excluded), by kind. */
export async function storedObjects(db: Database, integrationId: string): Promise<Record<Kind, string[]>> {
  const rows = await db.catalogEntity.findMany({ where: { integrationId, deletedAt: null, excludedAt: null }, select: { kind: true, fullName: true } });
  const out: Record<Kind, string[]> = { catalog: [], schema: [], table: [], volume: [], function: [], model: [] };
  for (const r of rows) out[r.kind as Kind].push(r.fullName);
  for (const kind of Object.keys(out) as Kind[]) out[kind].sort();
  return out;
}

/**
 * The end of every catalog case: what is stored live is exactly what the workspace holds (within
 * the filters), and every live table, volume, function and model has its governance entity, once.
 */
export async function expectMatchesLayout(
  db: Database,
  integration: { id: string; organizationId: string },
  state: WorkspaceState,
  keep?: (kind: Kind, parts: string[]) => boolean,
): Promise<void> {
  expect(await storedObjects(db, integration.id)).toEqual(layoutObjects(state, keep));
  const live = await db.catalogEntity.findMany({
    where: { integrationId: integration.id, deletedAt: null, kind: { in: ["table", "volume", "function", "model"] } },
    select: { kind: true, fullName: true },
  });
  const entities = await db.entity.findMany({ where: { organizationId: integration.organizationId }, select: { kind: true, name: true } });
  const have = new Map<string, number>();
  for (const e of entities) have.set(`${e.kind}\u0000${e.name}`, (have.get(`${e.kind}\u0000${e.name}`) ?? 0) + 1);
  const missing = live.filter((r) => have.get(`${ENTITY_KIND[r.kind as Kind]}\u0000${r.fullName}`) !== 1).map((r) => `${r.kind}:${r.fullName}`);
  expect(missing).toEqual([]);
}
