import { describe, expect, it } from "vitest";
import { mapCatalogRecord } from "../src/mapping/entity.ts";

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
