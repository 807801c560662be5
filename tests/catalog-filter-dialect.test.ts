/**
 * One regex dialect: catalog filter patterns are RE2 on both sides. The gateway checks a pattern
 * with node-re2 before saving it, the bridge runs it with google-re2, and both wrap the same RE2
 * release, so every pattern is accepted or refused alike by save and by sync.
 */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { patternError } from "@langguard/unity-catalog";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeWorkspace, layouts, startFakeWorkspace } from "./helpers/databricks/index.ts";
import { createIntegration, type Fleet, startFleet, syncAndWait } from "./helpers/fleet.ts";
import { execa } from "execa";
import { PYTHON_PATH, repoRoot } from "./helpers/test-env.ts";
import { streamCatalog } from "./helpers/stream-catalog.ts";

/** Each pattern with RE2's verdict; before RE2 the first four were judged by JavaScript and run by Python. */
const TABLE: Array<[pattern: string, accepted: boolean]> = [
  ["(?i)main", true],
  ["(?P<c>main)", true],
  ["\\p{L}+", true],
  ["(?<n>main)", true],
  ["[[:alpha:]_]+", true],
  ["\\pN+", true],
  ["\\Q.\\E", true],
  ["(?s:.)*\\z", true],
  ["(a+)+$", true],
  ["(?=main)", false],
  ["(?<!x)main", false],
  ["(main)\\1", false],
  ["\\Z", false],
  ["\\u0041", false],
  ["\\cA", false],
  ["a{1001}", false],
  ["\\p{L}{1000}", false],
  ["(unclosed", false],
  ["[z-a]", false],
];

let fleet: Fleet;
let ws: FakeWorkspace;
beforeAll(async () => {
  fleet = await startFleet({ worker: false });
  ws = await startFakeWorkspace({ state: layouts.minimal() });
});
afterAll(async () => {
  await fleet?.close();
  await ws?.stop();
});

describe("catalog filter patterns: one dialect, RE2", () => {
  it("accepts or refuses each pattern of the table alike by save (gateway) and by sync (bridge)", async () => {
    const { id } = await createIntegration(fleet, { source: "databricks", host: ws.url, token: ws.token, syncCatalog: true, syncTraces: false });
    // The bridge runs of the table, a few at a time (each is a Python process).
    const runs: Array<Awaited<ReturnType<typeof streamCatalog>>> = [];
    for (let i = 0; i < TABLE.length; i += 4)
      runs.push(...(await Promise.all(TABLE.slice(i, i + 4).map(([pattern]) => streamCatalog(ws, { include: { tables: [pattern] }, tags: false })))));
    for (const [i, [pattern, accepted]] of TABLE.entries()) {
      const saved = await fleet.inject({ method: "PATCH", url: `/api/integrations/${id}`, payload: { catalogFilters: { include: { tables: [pattern] } } } });
      const synced = runs[i]!;
      const bySave = saved.statusCode === 200;
      const bySync = synced.exitCode === 0;
      expect({ pattern, bySave, bySync }).toEqual({ pattern, bySave: accepted, bySync: accepted });
      if (!accepted) {
        expect(saved.json().issues[0]).toMatchObject({
          field: "body.catalogFilters.include.tables.0",
          reason: expect.stringMatching(/^must be an RE2 regular expression \(/),
        });
        expect(synced.messages).toEqual([expect.objectContaining({ type: "error", kind: "config" })]);
      }
    }
  });

  it("gives the same verdict on thousands of generated patterns in node-re2 and in the bridge's google-re2", async () => {
    const tokens = [
      "(?i)",
      "(?P<c>",
      "(?<n>",
      ")",
      "(",
      "(?:",
      "(?=",
      "\\p{L}",
      "\\pN",
      "\\p{Greek}",
      "\\p{Kawi}",
      "[[:alpha:]]",
      "[[:foo:]]",
      "\\Q",
      "\\E",
      "{2,3}",
      "{1001}",
      "{1000}",
      "\\b",
      "\\z",
      "\\Z",
      "\\1",
      "\\u0041",
      "\\cA",
      "\\x{41}",
      "\\C",
      "\\d",
      "[a-",
      "[a-z]",
      "]",
      "*",
      "+?",
      "|",
      "^",
      "$",
      ".",
      "a",
      "é",
      "\\.",
      "\\/",
      "/",
      "(?s)",
      "(?U)",
      "(?x)",
      "(?#c)",
      "\\\\",
      "`",
      "\u0000",
      "😀",
    ];
    let seed = 17;
    const next = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const patterns = new Set<string>();
    while (patterns.size < 3000) patterns.add(Array.from({ length: 1 + next(5) }, () => tokens[next(tokens.length)]).join(""));
    const list = [...patterns];
    const file = path.join(tmpdir(), `patterns-${process.pid}.json`);
    writeFileSync(file, JSON.stringify(list));
    // The bridge's own Python and its own compile function.
    const checked = await execa(PYTHON_PATH, [path.join(repoRoot, "tests/fixtures/check_patterns.py"), file]);
    const bridge = JSON.parse(checked.stdout.trim().split("\n").at(-1)!) as boolean[];
    const gateway = list.map((p) => patternError(p) === null);
    const differ = list.filter((_, i) => gateway[i] !== bridge[i]);
    expect(differ).toEqual([]);
    // Both verdicts occur, so the comparison means something.
    expect(gateway.filter(Boolean).length).toBeGreaterThan(300);
    expect(gateway.filter((v) => !v).length).toBeGreaterThan(300);
  });

  it("runs a pattern JavaScript cannot read in a real catalog sync", async () => {
    const { id } = await createIntegration(fleet, {
      source: "databricks",
      host: ws.url,
      token: ws.token,
      syncCatalog: true,
      syncTraces: false,
      catalogFilters: { include: { tables: ["(?i)MAIN\\.\\p{L}+_\\pN\\.TABLE_0"] } },
    });
    const worker = fleet.startCatalogWorker();
    try {
      const run = await syncAndWait(fleet, id, { type: "catalog" }, 120_000);
      expect(run.status, JSON.stringify(run)).toBe("succeeded");
      const tables = (await fleet.inject({ method: "GET", url: `/api/catalog/entities?integrationId=${id}&kind=table` })).json();
      expect(tables.items.map((t: { fullName: string }) => t.fullName)).toEqual(["main.schema_0.table_0"]);
    } finally {
      await worker.close();
    }
  });
});
