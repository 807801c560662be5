import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { builtinPolicies } from "../src/index.ts";

// POLICIES.md is what people configure policies from: its table must match the code.

const markdown = readFileSync(fileURLToPath(new URL("../POLICIES.md", import.meta.url)), "utf8");

function documentedDefaults(): Map<string, Record<string, unknown>> {
  const section = markdown.split("## Configuration")[1]?.split("\n## ")[0] ?? "";
  const byPolicy = new Map<string, Record<string, unknown>>();
  let current = "";
  for (const line of section.split("\n")) {
    const row = /^\| (?:`([a-z-]+)`)? *\| `(\w+)` \| `(.+?)` \|/.exec(line);
    if (!row) continue;
    if (row[1]) current = row[1];
    const defaults = byPolicy.get(current) ?? {};
    defaults[row[2] as string] = JSON.parse(row[3] as string);
    byPolicy.set(current, defaults);
  }
  return byPolicy;
}

describe("POLICIES.md", () => {
  const documented = documentedDefaults();

  it.each(builtinPolicies.map((p) => [p.id, p] as const))("%s: summary row and config defaults match the code", (id, policy) => {
    const summary = new RegExp(
      `\\| \`${id}\` \\| ${policy.name} \\| ${policy.category} \\| ${policy.defaultSeverity} \\| ${policy.enabledByDefault ? "yes" : "no"} \\|`,
    );
    expect(markdown).toMatch(summary);
    expect(documented.get(id)).toEqual(policy.configSchema.parse({}));
  });
});
