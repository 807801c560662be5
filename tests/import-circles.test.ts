import madge from "madge";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./helpers/test-env.ts";

// A circle between files works only while one side imports lazily or for types; it breaks as soon
// as someone moves an import, and it means two modules are one. The Python package has its own
// check (python-bridge/tests/test_imports.py, run by tests/python-bridge.test.ts).
describe("import circles", () => {
  it("there are none between the TypeScript files of the packages, services, console, scripts and tests", async () => {
    const graph = await madge(["packages", "services", "apps/console/src", "scripts", "tests", "bench"], {
      baseDir: repoRoot,
      fileExtensions: ["ts", "tsx"],
      tsConfig: `${repoRoot}/tsconfig.json`,
      excludeRegExp: [/\/generated\//, /node_modules/],
    });
    expect(Object.keys(graph.obj()).length).toBeGreaterThan(300);
    expect(graph.circular()).toEqual([]);
  }, 180_000);
});
