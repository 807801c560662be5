import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { lintSource } from "@secretlint/core";
import { creator as recommended } from "@secretlint/secretlint-rule-preset-recommend";
import { describe, expect, it } from "vitest";
import { formatScores, loadCorpus, scoreCorpus } from "./corpus/score.ts";

const PROVIDER_KEY_FORMATS = [
  "openai",
  "anthropic",
  "aws_access_key",
  "aws_secret_key",
  "github",
  "databricks",
  "slack",
  "google_api_key",
  "private_key",
  "gcp_service_account",
  "azure_connection_string",
  "azure_sas_token",
];
const CHECKSUM_PII = ["credit_card", "us_ssn", "iban"];
const OTHER_PII = ["email", "phone", "ip_address"];

describe("labelled corpus", () => {
  const entries = loadCorpus();
  const { scores, misses } = scoreCorpus(entries);
  const byDetector = new Map(scores.map((s) => [s.detector, s]));
  console.log(`\n${entries.length} labelled strings\n${formatScores(scores)}\n${misses.join("\n")}`);

  it("has at least 300 entries covering every key format and PII type, with hard negatives", () => {
    expect(entries.length).toBeGreaterThanOrEqual(300);
    const expected = new Set(entries.flatMap((e) => e.expect.map((x) => x.detector)));
    for (const d of [...PROVIDER_KEY_FORMATS, ...CHECKSUM_PII, ...OTHER_PII]) expect(expected).toContain(d);
    expect(entries.filter((e) => e.expect.length === 0).length).toBeGreaterThanOrEqual(60);
  });

  it.each(PROVIDER_KEY_FORMATS)("%s: precision and recall >= 0.95", (detector) => {
    const score = byDetector.get(detector);
    expect(score?.precision).toBeGreaterThanOrEqual(0.95);
    expect(score?.recall).toBeGreaterThanOrEqual(0.95);
  });

  it.each(CHECKSUM_PII)("%s: precision and recall >= 0.9", (detector) => {
    const score = byDetector.get(detector);
    expect(score?.precision).toBeGreaterThanOrEqual(0.9);
    expect(score?.recall).toBeGreaterThanOrEqual(0.9);
  });

  it.each(OTHER_PII)("%s: precision and recall >= 0.85", (detector) => {
    const score = byDetector.get(detector);
    expect(score?.precision).toBeGreaterThanOrEqual(0.85);
    expect(score?.recall).toBeGreaterThanOrEqual(0.85);
  });

  it("leaves nothing in this package that secretlint's recommended preset flags", async () => {
    const root = fileURLToPath(new URL("..", import.meta.url));
    const files = (readdirSync(root, { recursive: true, encoding: "utf8" }) as string[])
      .filter((f) => !f.split(/[\\/]/).includes("node_modules") && /\.(ts|md|json|jsonl)$/.test(f))
      .map((f) => join(root, f));
    expect(files.length).toBeGreaterThan(50);
    const flagged: string[] = [];
    for (const filePath of files) {
      const result = await lintSource({
        source: { filePath, content: readFileSync(filePath, "utf8"), ext: filePath.slice(filePath.lastIndexOf(".")), contentType: "text" },
        options: { config: { rules: [{ id: recommended.meta.id, rule: recommended }] } as never },
      });
      flagged.push(...result.messages.map((m) => `${filePath}: ${m.ruleId} at ${m.range.join("-")}`));
    }
    expect(flagged).toEqual([]);
  });

  it("stores no secret verbatim (repository hooks scan committed files)", () => {
    const raw = readFileSync(fileURLToPath(new URL("./corpus/corpus.jsonl", import.meta.url)), "utf8");
    expect(raw).not.toMatch(/dapi[0-9a-f]{32}/);
    expect(raw).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    expect(raw).not.toMatch(/sk-[A-Za-z0-9]|AKIA[A-Z0-9]{16}|gh[pousr]_[A-Za-z0-9]{36}|xox[abposr]-\d/);
  });
});
