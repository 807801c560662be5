import { quoteFullName } from "@langguard/unity-catalog";
import { WORKSPACE_KINDS } from "../mapping/entity.ts";

/**
 * What a catalog run may mark deleted, decided per container (DataHub's stale-metadata removal
 * decides the same way): an object goes only when the listing of its own parent completed in this
 * run without it, and the filters did not merely leave it out. A vanished catalog or schema takes
 * what it held (a cascade). The fail-safe counts everything each deletion would take, and holds a
 * deletion back when a single cascade is too large or when any one kind would lose too large a share.
 */

export type Listing = "catalogs" | "schemas" | "tables" | "volumes" | "functions" | "models" | "servingEndpoints" | "genieSpaces";

export interface StoredObject {
  id: string;
  kind: string;
  fullName: string;
  catalogName: string;
  schemaName: string | null;
  name: string;
  excludedAt: Date | null;
}

export interface CompletedListing {
  listing: Listing;
  parent: string[];
  /** Full names (quoted) of the objects the listing returned. */
  seen: Set<string>;
  /** Full name parts of the entries the filters left out. */
  excluded: string[][];
}

export interface DeletionUnit {
  /** "catalog" or "schema" for a cascade, else the listing whose objects are missing. */
  kind: string;
  fullName: string;
  cascade: boolean;
  ids: string[];
  byKind: Record<string, number>;
  reason?: string;
}

export interface DeletionPlan {
  apply: DeletionUnit[];
  hold: DeletionUnit[];
  /** Objects the filters now leave out (and what they hold): marked excluded, never deleted. */
  excluded: string[];
}

export interface FailSafe {
  /** Most of one kind's live objects (tables, volumes, functions, models, schemas) a run may delete. */
  maxShare: number;
  /** Most objects one vanished catalog or schema may take with it. */
  maxCascade: number;
}

const LISTING_OF: Record<string, Listing> = {
  catalog: "catalogs",
  schema: "schemas",
  table: "tables",
  volume: "volumes",
  function: "functions",
  model: "models",
  servingEndpoint: "servingEndpoints",
  genieSpace: "genieSpaces",
};
/** Kinds whose share the fail-safe counts; catalogs are few, and a vanished one is a cascade. */
const SHARED_KINDS = ["schema", "table", "volume", "function", "model", "servingEndpoint", "genieSpace"];

/** The listing an object comes from: models are listed per catalog, the rest per parent. */
export function listingKey(listing: string, parent: readonly string[]): string {
  return [listing, ...parent].join("\u0000");
}

/** The listing an object (stored, or a record being written) came from, as `listingKey` names it. */
export function listingKeyOf(o: Pick<StoredObject, "kind" | "catalogName" | "schemaName">): string {
  const listing = LISTING_OF[o.kind]!;
  // Catalogs, serving endpoints and Genie spaces are each listed once for the whole workspace.
  if (o.kind === "catalog" || WORKSPACE_KINDS.has(o.kind)) return listingKey(listing, []);
  if (o.kind === "schema" || o.kind === "model") return listingKey(listing, [o.catalogName]);
  return listingKey(listing, [o.catalogName, o.schemaName ?? ""]);
}

function under(o: StoredObject, root: StoredObject): boolean {
  // Serving endpoints and Genie spaces sit in no catalog: no vanished catalog takes them.
  if (o.id === root.id || o.catalogName !== root.catalogName || o.catalogName === "") return false;
  return root.kind === "catalog" || (o.kind !== "schema" && o.schemaName === root.name);
}

function tally(objects: StoredObject[]): Record<string, number> {
  const byKind: Record<string, number> = {};
  for (const o of objects) byKind[o.kind] = (byKind[o.kind] ?? 0) + 1;
  return byKind;
}

const percent = (n: number) => `${Math.round(n * 1000) / 10}%`;

export function planDeletions(live: StoredObject[], completed: CompletedListing[], failSafe: FailSafe): DeletionPlan {
  const done = new Map(completed.map((c) => [listingKey(c.listing, c.parent), c]));
  const excludedNames = new Map(completed.map((c) => [listingKey(c.listing, c.parent), new Set(c.excluded.map((parts) => quoteFullName(parts)))]));
  const missing = new Map<string, StoredObject[]>();
  const roots: StoredObject[] = [];
  const leftOut: StoredObject[] = [];
  for (const o of live) {
    const key = listingKeyOf(o);
    const listing = done.get(key);
    if (!listing || listing.seen.has(o.fullName)) continue;
    if (excludedNames.get(key)!.has(o.fullName)) leftOut.push(o);
    else if (o.kind === "catalog" || o.kind === "schema") roots.push(o);
    else {
      const list = missing.get(key);
      if (list) list.push(o);
      else missing.set(key, [o]);
    }
  }

  const units: DeletionUnit[] = [];
  const inCascade = new Set<string>();
  for (const root of roots) {
    const taken = [root, ...live.filter((o) => under(o, root))];
    for (const o of taken) inCascade.add(o.id);
    units.push({ kind: root.kind, fullName: root.fullName, cascade: true, ids: taken.map((o) => o.id), byKind: tally(taken) });
  }
  for (const [key, objects] of missing) {
    const rest = objects.filter((o) => !inCascade.has(o.id));
    if (!rest.length) continue;
    const listing = done.get(key)!;
    units.push({ kind: listing.listing, fullName: quoteFullName(listing.parent), cascade: false, ids: rest.map((o) => o.id), byKind: tally(rest) });
  }

  const hold = new Set<DeletionUnit>();
  for (const unit of units) {
    if (unit.cascade && unit.ids.length > failSafe.maxCascade) {
      unit.reason = `one vanished ${unit.kind} would take ${unit.ids.length} objects, more than CATALOG_SYNC_MAX_CASCADE_DELETE (${failSafe.maxCascade})`;
      hold.add(unit);
    }
  }
  const liveByKind = tally(live);
  for (const kind of SHARED_KINDS) {
    const going = units.filter((u) => !hold.has(u)).reduce((n, u) => n + (u.byKind[kind] ?? 0), 0);
    const share = going / (liveByKind[kind] ?? 1);
    if (going === 0 || share <= failSafe.maxShare) continue;
    for (const unit of units) {
      if (hold.has(unit) || !unit.byKind[kind]) continue;
      unit.reason = `${going} of ${liveByKind[kind]} ${kind}s (${percent(share)}) would be deleted, more than CATALOG_SYNC_MAX_DELETE_SHARE (${percent(failSafe.maxShare)})`;
      hold.add(unit);
    }
  }

  const excluded = new Set<string>();
  for (const o of leftOut) {
    excluded.add(o.id);
    if (o.kind === "catalog" || o.kind === "schema") for (const d of live) if (under(d, o)) excluded.add(d.id);
  }
  return { apply: units.filter((u) => !hold.has(u)), hold: units.filter((u) => hold.has(u)), excluded: [...excluded] };
}

/** "catalog `x` vanished", "3 tables missing from the listing of main.sales", with what goes. */
export function describeUnit(unit: DeletionUnit): string {
  const what = Object.entries(unit.byKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, n]) => `${n} ${kind}${n === 1 ? "" : "s"}`)
    .join(", ");
  return unit.cascade
    ? `${unit.kind} ${unit.fullName} vanished from its listing; deleting it takes ${unit.ids.length} object(s) (${what})`
    : `${what} missing from the ${unit.kind} listing of ${unit.fullName || (unit.kind === "catalogs" ? "the metastore" : "the workspace")}`;
}
