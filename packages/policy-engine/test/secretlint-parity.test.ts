import { lintSource } from "@secretlint/core";
import { rules } from "@secretlint/secretlint-rule-preset-recommend";
import { describe, expect, it } from "vitest";
import { secretlintReports, secretlintRuleOptions } from "../src/detectors/secrets/secretlint.ts";
import { loadCorpus } from "./corpus/score.ts";

// The engine calls secretlint's rules synchronously instead of through the async `lintSource`.
// This keeps that honest: on the whole corpus, both report exactly the same hits.

describe("secretlint driven synchronously", () => {
  it("reports what lintSource reports, rule for rule", async () => {
    const options = secretlintRuleOptions();
    const config = {
      rules: (rules as unknown as Array<{ meta: { id: string } }>)
        .filter((rule) => rule.meta.id in options)
        .map((rule) => ({ id: rule.meta.id, rule, options: options[rule.meta.id] })),
    };
    let compared = 0;
    for (const { text } of loadCorpus()) {
      const official = await lintSource({
        source: { filePath: "trace.txt", content: text, ext: ".txt", contentType: "text" },
        options: { config: config as never, noPhysicFilePath: true },
      });
      const expected = official.messages.map((m) => `${m.ruleId}:${m.messageId}:${m.range.join("-")}`).sort();
      const actual = secretlintReports(text)
        .map((m) => `${m.ruleId}:${m.messageId}:${m.range.join("-")}`)
        .sort();
      expect(actual, text.slice(0, 80)).toEqual(expected);
      compared += expected.length;
    }
    expect(compared).toBeGreaterThan(100);
  });
});
