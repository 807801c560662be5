import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./helpers/test-env.ts";

/** README.md against the code: its settings tables, its parts table and its requirements cannot drift. */
const readme = readFileSync(path.join(repoRoot, "README.md"), "utf8");
const SERVICES = ["gateway", "trace-sync", "catalog-sync", "policy-evaluation"] as const;
const WORKERS = ["trace-sync", "catalog-sync", "policy-evaluation"];

interface Table {
  /** The line before the table that is not blank: what introduces it. */
  intro: string;
  header: string[];
  rows: string[][];
}

function tables(): Table[] {
  const lines = readme.split("\n");
  const found: Table[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    if (!lines[i]!.startsWith("|") || !lines[i + 1]?.startsWith("|---")) continue;
    let intro = "";
    for (let j = i - 1; j >= 0 && !intro; j -= 1) intro = lines[j]!.trim();
    const cells = (line: string) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim());
    const table: Table = { intro, header: cells(lines[i]!), rows: [] };
    for (i += 2; lines[i]?.startsWith("|"); i += 1) table.rows.push(cells(lines[i]!));
    found.push(table);
  }
  return found;
}

const names = (cell: string) => [...cell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!);

async function schemas(): Promise<Record<string, Set<string>>> {
  const entries = await Promise.all(
    SERVICES.map(async (service) => [service, new Set(Object.keys((await import(`../services/${service}/src/env.ts`)).envSchema))] as const),
  );
  return Object.fromEntries(entries);
}

const settingsTables = () => tables().filter((t) => t.header[0] === "Variable" && !t.intro.startsWith("The demo's settings"));

describe("README.md", () => {
  it("lists every setting of every service, and only those, with the services that read each", async () => {
    const read = await schemas();
    const documented = new Set<string>();
    for (const table of settingsTables()) {
      const usedBy = table.header.indexOf("Used by");
      for (const row of table.rows) {
        for (const name of names(row[0]!)) {
          documented.add(name);
          const readers = SERVICES.filter((service) => read[service]!.has(name));
          expect(readers, `${name} is in README but no service reads it`).not.toEqual([]);
          if (usedBy < 0) continue;
          const words = row[usedBy]!.split(",").map((part) => part.trim());
          // An operator command (`pnpm admin`) may read a setting too: its script must really read it.
          for (const command of words.filter((word) => word.startsWith("`pnpm "))) {
            const script = readFileSync(path.join(repoRoot, "scripts", `${command.slice(6, -1)}.ts`), "utf8");
            expect(script, `${command} is said to read ${name}`).toContain(`process.env.${name}`);
          }
          const said = words
            .filter((word) => !word.startsWith("`pnpm "))
            .flatMap((word) => (word === "all" ? [...SERVICES] : word === "workers" ? WORKERS : [word]));
          expect([...new Set(said)].sort(), `"Used by" of ${name}`).toEqual([...readers].sort());
        }
      }
    }
    const every = new Set(Object.values(read).flatMap((set) => [...set]));
    expect([...every].filter((name) => !documented.has(name)).sort(), "settings missing from README").toEqual([]);
  });

  it("lists the demo's own settings, each of which the demo reads, and every port it listens on", () => {
    const table = tables().find((t) => t.intro.startsWith("The demo's settings"));
    expect(table).toBeDefined();
    const listed = table!.rows.flatMap((row) => names(row[0]!));
    const demo = readFileSync(path.join(repoRoot, "scripts/demo.ts"), "utf8");
    for (const name of listed) expect(demo, name).toMatch(new RegExp(`process\\.env\\.${name}\\b|portSetting\\("${name}"`));
    const ports = [...demo.matchAll(/portSetting\("([A-Z_]+)"/g)].map((m) => m[1]!);
    expect(ports.length).toBeGreaterThan(0);
    for (const name of ports) expect(listed, name).toContain(name);
  });

  it("lists every part in the parts table, and only parts that exist", () => {
    const table = tables().find((t) => t.header[0] === "Part");
    expect(table).toBeDefined();
    const listed = table!.rows.map((row) => /^`([^`]+)`$/.exec(row[0]!)?.[1]).filter((p): p is string => p !== undefined);
    const folders = ["services", "packages", "apps"].flatMap((parent) =>
      existsSync(path.join(repoRoot, parent))
        ? readdirSync(path.join(repoRoot, parent))
            .filter((name) => statSync(path.join(repoRoot, parent, name)).isDirectory() && existsSync(path.join(repoRoot, parent, name, "package.json")))
            .map((name) => `${parent}/${name}`)
        : [],
    );
    expect(listed.map((p) => p.replace(/\/$/, "")).sort()).toEqual([...folders, "python-bridge"].sort());
  });

  it("asks for the Node.js and Python the scripts require", () => {
    const node = readFileSync(path.join(repoRoot, "scripts/lib/node.sh"), "utf8");
    const python = readFileSync(path.join(repoRoot, "scripts/lib/python.sh"), "utf8");
    const requirement = /LANGGUARD_NODE_REQUIREMENT="Node\.js (.+), the supported LTS lines"/.exec(node)![1]!;
    const floor = /LANGGUARD_PYTHON_FLOOR=(\S+)/.exec(python)![1]!;
    const twoCommands = readme.slice(readme.indexOf("## Two commands"), readme.indexOf("```bash"));
    expect(twoCommands.replace(/\s+/g, " ")).toContain(`Node.js ${requirement}, the supported LTS lines, Python ${floor} or later`);
    expect(readme).not.toMatch(/Node\.js ≥ 20|Python ≥ 3\.9|\(soon\)/);
  });
});
