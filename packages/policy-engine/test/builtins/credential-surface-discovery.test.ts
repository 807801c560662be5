import { describe, expect, it } from "vitest";
import { getBuiltin } from "../../src/index.ts";
import * as s from "../corpus/synthetic.ts";
import { document, observation, withText } from "../fixtures/documents.ts";

const policy = getBuiltin("credential-surface-discovery")!;
const r = s.rng(7);

describe("credential-surface-discovery", () => {
  it("is critical and on by default", () => {
    expect(policy).toMatchObject({ defaultSeverity: "critical", enabledByDefault: true });
  });

  it("reports every key in the trace, masked", () => {
    const keys = [s.keys.openaiProject(r), s.keys.anthropic(r), s.keys.awsAccessKey(r), s.keys.databricks(r), s.keys.slackBot(r), s.keys.google(r)];
    const doc = document({
      trace: { input: { prompt: `use ${keys[0]}` } },
      observations: [observation({ id: "t1", type: "TOOL", input: { env: { KEYS: keys.slice(1).join(" ") } } })],
    });
    const out = policy.evaluate(doc, {});
    expect(out.violated).toBe(true);
    expect(out.evidence.map((e) => e.detector).sort()).toEqual(["anthropic", "aws_access_key", "databricks", "google_api_key", "openai", "slack"]);
    expect(out.message).toMatch(/^6 credentials exposed/);
    const serialised = JSON.stringify(out);
    for (const key of keys) expect(serialised).not.toContain(key);
  });

  it.each([
    ["UUIDs", "request 550e8400-e29b-41d4-a716-446655440000"],
    ["git SHAs", "commit 3f786850e387550fdab836ed7e6dc881de23001b"],
    ["sha256 digests", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["13-digit timestamps", "at 1718000000000"],
    ["card-like numbers", "4111 1111 1111 1112"],
    ["version strings", "v10.0.0.1 and 1.2.3"],
    ["EXAMPLE keys", "AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
  ])("does not fire on %s", (_name, text) => {
    expect(policy.evaluate(withText(text), {}).violated).toBe(false);
  });

  it("reports only the configured providers", () => {
    const doc = withText(`${s.keys.github(r)} ${s.keys.awsAccessKey(r)}`);
    expect(policy.evaluate(doc, { providers: ["aws"] }).evidence.map((e) => e.detector)).toEqual(["aws_access_key"]);
    expect(policy.evaluate(doc, { providers: ["github"] }).evidence.map((e) => e.detector)).toEqual(["github"]);
  });

  it("skips paths matching ignore_paths (RE2)", () => {
    const doc = document({ observations: [observation({ attributes: { "test.fixture": s.keys.github(r) } })] });
    expect(policy.evaluate(doc, {}).violated).toBe(true);
    expect(policy.evaluate(doc, { ignore_paths: ['attributes\\["test\\.fixture"\\]$'] }).violated).toBe(false);
  });

  it("rejects an invalid ignore_paths pattern when the config is validated", () => {
    expect(() => policy.evaluate(withText("x"), { ignore_paths: ["(?=lookahead)"] })).toThrow(/RE2/);
    expect(() => policy.evaluate(withText("x"), { unknown_option: true })).toThrow();
  });

  it("marks findings from truncated previews and caps evidence at 25", () => {
    const keys = Array.from({ length: 30 }, () => s.keys.github(r));
    const doc = document({ trace: { input: { truncated: true, originalBytes: 9_000_000, preview: `${keys.join("\n")}\n${"x".repeat(100)}` } } });
    const out = policy.evaluate(doc, {});
    expect(out.evidence).toHaveLength(25);
    expect(out.evidence.every((e) => e.truncated === true)).toBe(true);
    expect(out.message).toContain("5 more not shown");
  });
});
