import { describe, expect, it } from "vitest";
import { CatalogMappingError, mapCatalogRecord } from "../src/mapping/entity.ts";

describe("a catalog record's declared uses", () => {
  it("are stored in our one spelling of full names, so a quoted identifier meets its entity", () => {
    const space = mapCatalogRecord(
      { kind: "genieSpace", name: "01ef", title: "Sales", tables: ["`main`.`sales`.`orders`", "main.`weird.ns`.t", "main.sales.orders", "not a `name"] },
      "digest",
    );
    expect(space.details.tables).toEqual(["main.sales.orders", "main.`weird.ns`.t", "main.sales.orders", "not a `name"]);
    const endpoint = mapCatalogRecord({ kind: "servingEndpoint", name: "agent", models: ["`main`.agents.bot"], tables: [] }, "digest");
    expect(endpoint.details).toMatchObject({ models: ["main.agents.bot"], tables: [] });
    // A kind without declared uses keeps its details as they came.
    expect(mapCatalogRecord({ kind: "table", catalog: "main", schema: "s", name: "t", tableType: "MANAGED" }, "digest").details).toEqual({
      tableType: "MANAGED",
    });
  });
});

describe("a catalog record holding what Postgres cannot store", () => {
  it("is cleaned with each change listed, unless the change would be to its name: then it is set aside by its visible name", () => {
    const row = mapCatalogRecord(
      { kind: "table", catalog: "main", schema: "s", name: "t", comment: "a\u0000b", columns: [{ name: "x" }, { name: "x" }, { name: "\uD800" }] },
      "digest",
      true,
    );
    expect(row.comment).toBe("ab");
    expect(row.columns!.map((c) => c.name)).toEqual(["x", "x\uFFFD", "\uFFFD"]);
    expect(row.alterations).toEqual([
      { path: "comment", change: "nul-removed" },
      { path: "columns[2].name", change: "lone-surrogate-replaced" },
      { path: "columns[1].name", change: "key-rewritten" },
    ]);
    // A record the bridge did not mark unclean is taken as it is.
    expect(mapCatalogRecord({ kind: "table", catalog: "main", schema: "s", name: "t", comment: "plain" }, "digest").alterations).toEqual([]);
    for (const [name, what] of [
      ["a\u0000b", "a NUL character"],
      ["half\uDC00", "an unpaired UTF-16 surrogate"],
    ] as const) {
      const refusal = (() => {
        try {
          mapCatalogRecord({ kind: "table", catalog: "main", schema: "odd.s", name }, "digest", true);
        } catch (error) {
          return error as CatalogMappingError;
        }
      })();
      expect(refusal).toBeInstanceOf(CatalogMappingError);
      expect(refusal).toMatchObject({ kind: "table", errorKind: "set_aside", message: expect.stringContaining(`its name holds ${what}`) });
      expect(refusal!.fullName).toBe(`main.\`odd.s\`.${name === "a\u0000b" ? "a\\u0000b" : "half\\udc00"}`);
    }
    // An emoji (a surrogate pair) is a name like any other.
    expect(mapCatalogRecord({ kind: "table", catalog: "main", schema: "s", name: "📈" }, "digest", true).fullName).toBe("main.s.📈");
  });
});

describe("a column position a Postgres integer cannot hold", () => {
  it("is replaced by the column's place in the listing and listed as out of range, so its batch is stored", () => {
    const row = mapCatalogRecord(
      { kind: "table", catalog: "main", schema: "s", name: "t", columns: [{ name: "a", position: 2 ** 31 }, { name: "b", position: 1 }, { name: "c" }] },
      "digest",
    );
    expect(row.columns!.map((c) => c.position)).toEqual([0, 1, 2]);
    expect(row.alterations).toEqual([{ path: "columns[0].position", change: "out-of-range" }]);
  });
});
