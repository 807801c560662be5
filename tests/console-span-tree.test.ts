import { describe, expect, it } from "vitest";
import { spanTree, visibleRows } from "../apps/console/src/pages/traces/span-tree.ts";

const span = (spanId: string, parentSpanId: string | null, startTime = "2026-01-01T00:00:00.000Z") => ({ spanId, parentSpanId, startTime });
const order = (rows: ReturnType<typeof spanTree>) => rows.map((r) => `${"  ".repeat(r.depth)}${r.span.spanId}`);

/** The console's span tree: what a workspace sends is untrusted, so odd shapes must still show every span once. */
describe("the console's span tree", () => {
  it("puts each parent before its children, siblings by start time, with depth and position", () => {
    const rows = spanTree([
      span("b", "root", "2026-01-01T00:00:02.000Z"),
      span("root", null),
      span("a", "root", "2026-01-01T00:00:01.000Z"),
      span("a1", "a", "2026-01-01T00:00:01.500Z"),
    ]);
    expect(order(rows)).toEqual(["root", "  a", "    a1", "  b"]);
    expect(rows.map((r) => [r.children, r.position, r.siblings])).toEqual([
      [2, 1, 1],
      [1, 1, 2],
      [0, 1, 1],
      [0, 2, 2],
    ]);
  });

  it("shows a span whose parent is missing at the top, and breaks a cycle without losing a span", () => {
    const rows = spanTree([span("orphan", "gone"), span("x", "y"), span("y", "x"), span("self", "self")]);
    expect(rows.map((r) => r.span.spanId).sort()).toEqual(["orphan", "self", "x", "y"]);
    expect(rows.find((r) => r.span.spanId === "orphan")!.depth).toBe(0);
    expect(rows.find((r) => r.span.spanId === "self")!.depth).toBe(0);
  });

  it("handles a 10,000-deep chain without exhausting the stack, and folding hides exactly the descendants", () => {
    const chain = Array.from({ length: 10_000 }, (_, i) => span(`s${i}`, i === 0 ? null : `s${i - 1}`));
    const rows = spanTree(chain);
    expect(rows).toHaveLength(10_000);
    expect(rows[9_999]!.depth).toBe(9_999);
    expect(visibleRows(rows, new Set(["s5000"])).map((r) => r.span.spanId)).toEqual(chain.slice(0, 5001).map((s) => s.spanId));
    // Folding a leaf hides nothing.
    expect(visibleRows(rows, new Set(["s9999"]))).toHaveLength(10_000);
  });
});
