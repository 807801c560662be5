import { describe, expect, it } from "vitest";
import { getBuiltin, redactText, scanText } from "../src/index.ts";
import * as s from "./corpus/synthetic.ts";
import { document, observation, withText } from "./fixtures/documents.ts";

// Issue 16, item 12: where a finding starts and ends, and what counts as one.

const BEGIN = "-----BEGIN ";
const END = "-----END ";
const credentials = getBuiltin("credential-surface-discovery")!;

describe("private keys (gitleaks' rule: any body up to the END line)", () => {
  it.each([
    ["a body that is not base64", `${BEGIN}PRIVATE KEY-----\nthis was pasted by hand; it is not base64 at all!\n${END}PRIVATE KEY-----`, "PRIVATE KEY"],
    ["a short OpenSSH body, lower-case header", `${BEGIN}openssh private key-----\nb3Blbn…\n${END}OPENSSH PRIVATE KEY-----`, "OPENSSH PRIVATE KEY"],
    [
      "an SSH2 key with headers",
      `${BEGIN}SSH2 ENCRYPTED PRIVATE KEY-----\nComment: "deploy"\nP2/56wAAAi4AAAA3\n${END}SSH2 ENCRYPTED PRIVATE KEY-----`,
      "SSH2 ENCRYPTED PRIVATE KEY",
    ],
    ["a JSON-escaped EC key", `{"key": "${BEGIN}EC PRIVATE KEY-----\\nMHcCAQEEI…redacted…\\n${END}EC PRIVATE KEY-----"}`, "EC PRIVATE KEY"],
  ])("finds %s, as one credential", (_name, text, label) => {
    const findings = scanText(`config: ${text} end`);
    expect(findings.map((f) => f.detector)).toEqual(["private_key"]);
    expect(findings[0]!.match).toMatch(new RegExp(`^PEM ${label} …\\(\\d+ chars\\)$`));
    expect(credentials.evaluate(withText(text), {}).message).toMatch(/^1 credential exposed/);
  });

  it("needs the END line, and a private key, not a certificate", () => {
    expect(scanText(`${BEGIN}PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC (cut off)`)).toEqual([]);
    expect(scanText(`${BEGIN}CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n${END}CERTIFICATE-----`)).toEqual([]);
  });
});

describe("one secret in several places", () => {
  it("is one credential with every location", () => {
    const key = s.keys.github(s.rng(3));
    const other = s.keys.databricks(s.rng(4));
    const doc = document({
      trace: { input: { prompt: `deploy with ${key}` }, output: { answer: "done" } },
      observations: [
        observation({ id: "root", input: { prompt: `deploy with ${key}` } }),
        observation({ id: "tool", type: "TOOL", input: { env: { GITHUB_TOKEN: key, DATABRICKS_TOKEN: other } } }),
      ],
    });
    const out = credentials.evaluate(doc, {});
    expect(out.message).toBe("2 credentials exposed in the trace (4 locations): github, databricks");
    expect(out.evidence).toHaveLength(2);
    expect(out.evidence[0]).toMatchObject({
      detector: "github",
      path: "trace.input.prompt",
      spanId: null,
      locations: [
        { path: "trace.input.prompt", spanId: null },
        { path: "observations[0].input.prompt", spanId: "root" },
        { path: "observations[1].input.env.GITHUB_TOKEN", spanId: "tool" },
      ],
    });
    expect(out.evidence[1]).toMatchObject({ detector: "databricks", locations: [{ path: "observations[1].input.env.DATABRICKS_TOKEN", spanId: "tool" }] });
    expect(JSON.stringify(out)).not.toContain(key);
  });

  it("keeps different secrets apart even when their masks look alike", () => {
    const r = s.rng(11);
    const keys = [s.keys.github(r), s.keys.github(r)];
    expect(credentials.evaluate(withText(`${keys[0]} and ${keys[1]}`), {}).evidence).toHaveLength(2);
  });
});

describe("phone numbers", () => {
  it.each([
    ["Call me (+1 415-555-2671).", "+* ***-***-**71", "Call me (+* ***-***-**71)."],
    ["my number is 415-555-2671)", "***-***-**71", "my number is ***-***-**71)"],
    ["x (415-555-2671 y", "***-***-**71", "x (***-***-**71 y"],
    ["(call +1 415 555 2671)", "+* *** *** **71", "(call +* *** *** **71)"],
    ["call (212) 555-0199 now", "(***) ***-**99", "call (***) ***-**99 now"],
    ["tel: [+1 (415) 555-2671]", "+* (***) ***-**71", "tel: [+* (***) ***-**71]"],
  ])("%s: the match leaves out surrounding punctuation", (text, match, redacted) => {
    expect(scanText(text).map((f) => `${f.detector}:${f.match}`)).toEqual([`phone:${match}`]);
    expect(redactText(text)).toBe(redacted);
  });
});
