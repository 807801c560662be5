import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { builtinPolicies, extractEntities, parsePolicyInput, scanDocument } from "../src/index.ts";

// DOCUMENT.md's example is the reference document: it must stay valid, and what it says about the
// policies' results must stay true.

const markdown = readFileSync(fileURLToPath(new URL("../DOCUMENT.md", import.meta.url)), "utf8");
const example = /## Example\s+```json\n([\s\S]+?)\n```/.exec(markdown)?.[1];

describe("DOCUMENT.md example", () => {
  const input = parsePolicyInput(JSON.parse(example ?? "null"));

  it("is a valid policy input", () => {
    expect(input.observations).toHaveLength(3);
  });

  it("documents every field of the schema", () => {
    for (const field of [
      "externalId",
      "integrationId",
      "inputTokens",
      "statusMessage",
      "parentId",
      "servicePrincipal",
      "applicationId",
      "tracesSeen",
      "averageCostUsd",
    ]) {
      expect(markdown).toContain(`\`${field}\``);
    }
  });

  it("gives the results the text claims", () => {
    const fired = builtinPolicies.filter((p) => p.evaluate(input, {}).violated).map((p) => p.id);
    expect(fired.sort()).toEqual(["latency-health-threshold", "pii-detection", "unapproved-tool-use"]);
    expect(scanDocument(input).map((f) => f.path)).toEqual(['trace.metadata["mlflow.trace.user"]', 'trace.tags["mlflow.user"]']);
    expect(extractEntities(input)).toEqual({ models: ["databricks-meta-llama-3-3-70b-instruct"], tools: ["lookup_order"], data: ["main.sales.orders"] });
  });
});
