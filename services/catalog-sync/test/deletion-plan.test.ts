import { describe, expect, it } from "vitest";
import { type CompletedListing, describeUnit, planDeletions, type StoredObject } from "../src/store/deletion-plan.ts";

let next = 0;
const obj = (kind: string, ...parts: string[]): StoredObject => ({
  id: `id-${++next}`,
  kind,
  fullName: parts.map((p) => (p.includes(".") ? `\`${p}\`` : p)).join("."),
  catalogName: parts[0]!,
  schemaName: parts.length === 3 ? parts[1]! : null,
  name: parts.at(-1)!,
  excludedAt: null,
});
const listing = (listing: CompletedListing["listing"], parent: string[], seen: StoredObject[], excluded: string[][] = []): CompletedListing => ({
  listing,
  parent,
  seen: new Set(seen.map((o) => o.fullName)),
  excluded,
});
const safe = { maxShare: 0.75, maxCascade: 1000 };

describe("deletions decided per container", () => {
  const a = obj("catalog", "a");
  const b = obj("catalog", "b");
  const as = obj("schema", "a", "s");
  const bs = obj("schema", "b", "s");
  const [t1, t2, t3] = [obj("table", "a", "s", "t1"), obj("table", "a", "s", "t2"), obj("table", "b", "s", "t3")];
  const m = obj("model", "b", "s", "m");
  const live = [a, b, as, bs, t1, t2, t3, m];

  it("deletes only what a completed listing of its own parent lacked", () => {
    // a's tables were listed without t2; b's schemas listing never completed (a failure there).
    const plan = planDeletions(live, [listing("catalogs", [], [a, b]), listing("schemas", ["a"], [as]), listing("tables", ["a", "s"], [t1])], safe);
    expect(plan.apply.map((u) => [u.kind, u.fullName, u.ids])).toEqual([["tables", "a.s", [t2.id]]]);
    expect(plan.hold).toEqual([]);
  });

  it("counts a cascade over everything it takes, once, and holds it back past the count", () => {
    const completed = [listing("catalogs", [], [a]), listing("models", ["b"], [])];
    const plan = planDeletions(live, completed, { maxShare: 1, maxCascade: 3 });
    expect(plan.apply).toEqual([]);
    expect(plan.hold).toEqual([
      expect.objectContaining({ kind: "catalog", fullName: "b", cascade: true, byKind: { catalog: 1, schema: 1, table: 1, model: 1 } }),
    ]);
    expect(plan.hold[0]!.reason).toMatch(/one vanished catalog would take 4 objects, more than CATALOG_SYNC_MAX_CASCADE_DELETE \(3\)/);
  });

  it("holds back every deletion of a kind that would lose more than its share", () => {
    const plan = planDeletions(live, [listing("tables", ["a", "s"], []), listing("tables", ["b", "s"], [])], { maxShare: 0.5, maxCascade: 1000 });
    expect(plan.apply).toEqual([]);
    expect(plan.hold.map((u) => u.reason)).toEqual([expect.stringContaining("3 of 3 tables (100%)"), expect.stringContaining("3 of 3 tables (100%)")]);
  });

  it("never deletes what the filters left out: it and what it holds are excluded", () => {
    const plan = planDeletions(live, [listing("catalogs", [], [a], [["b"]])], safe);
    expect(plan.apply).toEqual([]);
    expect(plan.excluded.sort()).toEqual([b.id, bs.id, t3.id, m.id].sort());
  });

  it("tells a dotted schema from its namesake", () => {
    const weird = obj("schema", "main", "weird");
    const ns = obj("schema", "main", "weird.ns");
    const wt = obj("table", "main", "weird", "t");
    const nt = obj("table", "main", "weird.ns", "t");
    const plan = planDeletions([weird, ns, wt, nt], [listing("schemas", ["main"], [weird])], { maxShare: 1, maxCascade: 1000 });
    expect(plan.apply.map((u) => u.ids.sort())).toEqual([[ns.id, nt.id].sort()]);
  });
});

describe("serving endpoints and Genie spaces: workspace-wide listings", () => {
  // Outside Unity Catalog's tree: one part, no catalog.
  const workspaceObj = (kind: string, name: string): StoredObject => ({ ...obj(kind, name), catalogName: "" });
  const a = obj("catalog", "a");
  const [e1, e2] = [workspaceObj("servingEndpoint", "agent-a"), workspaceObj("servingEndpoint", "llm-b")];
  const [g1, g2, g3, g4] = ["s1", "s2", "s3", "s4"].map((id) => workspaceObj("genieSpace", id)) as [StoredObject, StoredObject, StoredObject, StoredObject];
  const live = [a, e1, e2, g1, g2, g3, g4];

  it("deletes what a completed listing lacked, and nothing of a listing that did not complete", () => {
    const plan = planDeletions(live, [listing("servingEndpoints", [], [e1]), listing("catalogs", [], [a])], safe);
    expect(plan.apply.map((u) => [u.kind, u.fullName, u.ids])).toEqual([["servingEndpoints", "", [e2.id]]]);
  });

  it("a vanished catalog takes none of them", () => {
    const plan = planDeletions(live, [listing("catalogs", [], [])], { maxShare: 1, maxCascade: 1000 });
    expect(plan.apply).toHaveLength(1);
    expect(plan.apply[0]!.ids).toEqual([a.id]);
  });

  it("holds back a listing that would lose most of its kind", () => {
    // Three of four (75%) may go; all four may not.
    expect(planDeletions(live, [listing("genieSpaces", [], [g1])], safe).apply.map((u) => u.ids.length)).toEqual([3]);
    const plan = planDeletions(live, [listing("genieSpaces", [], [])], safe);
    expect(plan.apply).toEqual([]);
    expect(plan.hold.map((u) => [u.kind, u.ids.length, u.reason])).toEqual([["genieSpaces", 4, expect.stringContaining("4 of 4 genieSpaces (100%)")]]);
    expect(describeUnit(plan.hold[0]!)).toBe("4 genieSpaces missing from the genieSpaces listing of the workspace");
  });
});
