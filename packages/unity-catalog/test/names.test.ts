import { describe, expect, it } from "vitest";
import { parseFullName, quoteFullName } from "../src/index.ts";

describe("catalog names are parts", () => {
  it("writes ordinary names as they are and quotes a part holding a dot or a backtick", () => {
    expect(quoteFullName(["main", "sales", "orders"])).toBe("main.sales.orders");
    expect(quoteFullName(["my-cat", "sales space"])).toBe("my-cat.sales space");
    expect(quoteFullName(["dotted", "schema.x", "t"])).toBe("dotted.`schema.x`.t");
    expect(quoteFullName(["dotted.schema", "x", "t"])).toBe("`dotted.schema`.x.t");
    expect(quoteFullName(["main", "odd`name"])).toBe("main.`odd``name`");
    expect(quoteFullName(["", "x"])).toBe("``.x");
  });

  it("reads back exactly the parts it wrote, and SQL-quoted names too", () => {
    for (const parts of [["main"], ["main", "sales"], ["dotted", "schema.x", "t"], ["dotted.schema", "x", "t"], ["a`b", "c.d`", "``"], ["", "x"]])
      expect(parseFullName(quoteFullName(parts))).toEqual(parts);
    expect(parseFullName("`main`.`sales`")).toEqual(["main", "sales"]);
    expect(parseFullName("main.`weird.ns`")).toEqual(["main", "weird.ns"]);
  });

  it("refuses what is not a full name", () => {
    for (const bad of ["", ".", "main.", ".main", "main..x", "`main", "main.`x`y", "ma`in"]) expect(parseFullName(bad), bad).toBeNull();
  });
});
