import { describe, expect, it } from "vitest";
import { builtinPolicies } from "../src/index.ts";
import * as s from "./corpus/synthetic.ts";
import { document, llm, tool } from "./fixtures/documents.ts";

// Values that look like secrets or PII to a naive scanner, planted in every kind of field of an
// otherwise compliant trace: no built-in policy may fire.

const r = s.rng(11);
const hex = (n: number) => s.chars(r, "0123456789abcdef", n);
const NEGATIVES = [
  `request ${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`,
  `commit ${hex(40)}`,
  `digest sha256:${hex(64)}`,
  `"integrity": "sha512-${s.chars(r, `${s.ALNUM}+/`, 86)}=="`,
  `started_at_ms=${1_718_000_000_000 + Math.floor(r() * 1e9)}`,
  `card ${s.creditCard(r, " ", false)} (declined: invalid number)`,
  "running 1.2.3 (build v10.0.0.1, version 1.2.3.4)",
  "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  `blob ${s.chars(r, s.ALNUM, 30)}sk-${s.chars(r, s.ALNUM, 48)}`,
];

function compliantTraceFullOf(text: string) {
  const approved = { approval: "approved" as const, stage: "prod" as const };
  return document({
    trace: { input: { prompt: text }, output: text, metadata: { ai_app_id: "app", department: "ops", note: text }, tags: { debug: text } },
    observations: [
      llm("gpt-4o", { id: "l", input: { messages: [{ role: "user", content: text }] }, output: { content: text }, attributes: { "gen_ai.prompt": text } }),
      tool("search_docs", {
        id: "t",
        parentId: "l",
        input: { q: text },
        output: { truncated: true, originalBytes: 1e6, preview: `${text}\n${"filler ".repeat(20)}` },
      }),
    ],
    identity: { userId: "u-1842", userName: "Operator 7", servicePrincipal: false, applicationId: null },
    entities: { agents: { "support-agent": approved }, models: { "gpt-4o": approved }, tools: { search_docs: approved }, data: {} },
  });
}

describe("hard negatives", () => {
  it.each(builtinPolicies.map((p) => [p.id, p] as const))("%s does not fire on look-alikes", (_id, policy) => {
    for (const text of NEGATIVES) {
      const outcome = policy.evaluate(compliantTraceFullOf(text), {});
      expect(outcome, `${policy.id} on: ${text}`).toMatchObject({ violated: false, evidence: [] });
    }
  });
});
