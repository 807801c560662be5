import { describe, expect, it } from "vitest";
import { detectInText } from "../src/detectors/scan-text.ts";
import { maskCard, maskEmail, maskSecret, maskSsn, scanDocument, scanText } from "../src/index.ts";
import * as s from "./corpus/synthetic.ts";
import { document, observation, withText } from "./fixtures/documents.ts";

const r = s.rng(42);
const detectors = (text: string, min = 0.5) =>
  detectInText(text)
    .filter((m) => m.kind === "secret" || m.confidence >= min)
    .map((m) => m.detector);

describe("secret detectors", () => {
  it.each([
    ["openai (legacy)", s.keys.openaiLegacy(r), "openai"],
    ["openai (sk-proj, no marker)", s.keys.openaiProjectUnmarked(r), "openai"],
    ["openai (sk-svcacct)", s.keys.openaiServiceAccount(r), "openai"],
    ["anthropic", s.keys.anthropic(r), "anthropic"],
    ["anthropic admin", s.keys.anthropicAdmin(r), "anthropic"],
    ["aws access key", s.keys.awsAccessKey(r), "aws_access_key"],
    ["github classic", s.keys.github(r), "github"],
    ["github fine-grained", s.keys.githubFineGrained(r), "github"],
    ["databricks", s.keys.databricks(r), "databricks"],
    ["slack bot", s.keys.slackBot(r), "slack"],
    ["slack legacy xoxs", s.keys.slackLegacy(r), "slack"],
    ["google api key", s.keys.google(r), "google_api_key"],
    ["azure connection string", s.keys.azureConnection(r), "azure_connection_string"],
    ["azure sas", s.keys.azureSas(r), "azure_sas_token"],
    ["pem (rsa)", s.pemPrivateKey(r, "rsa"), "private_key"],
    ["pem (ec, missed by secretlint)", s.pemPrivateKey(r, "ec"), "private_key"],
    ["pem (openssh)", s.pemPrivateKey(r, "openssh"), "private_key"],
    ["gcp service account json", s.gcpServiceAccountJson(r), "gcp_service_account"],
  ])("finds %s", (_name, secret, detector) => {
    expect(detectors(`config: ${secret} end`)).toContain(detector);
  });

  it("classifies sk-ant- keys as Anthropic, never OpenAI", () => {
    const found = detectors(`ANTHROPIC_API_KEY=${s.keys.anthropic(r)}`);
    expect(found).toEqual(["anthropic"]);
  });

  it.each([
    ["AWS documentation placeholder ids", "AKIAIOSFODNN7EXAMPLE and ASIAIOSFODNN7EXAMPLE and AKIAI44QH8DHBEXAMPLE"],
    ["AWS documentation secret", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"],
    ["base64 blob that contains sk-", `data:;base64,${s.chars(r, s.ALNUM, 30)}sk-${s.chars(r, s.ALNUM, 48)}`],
    ["base64url token that contains sk-proj-", `${s.chars(r, s.ALNUM, 20)}sk-proj-${s.mixed(r, s.ALNUM, 80)}`],
    ["placeholders", `sk-your-api-key-here ghp_${"x".repeat(36)} ${["xoxb", "your", "bot", "token"].join("-")} AKIA${"X".repeat(16)}`],
    ["UUIDs", "550e8400-e29b-41d4-a716-446655440000 6ba7b810-9dad-11d1-80b4-00c04fd430c8"],
    ["git SHAs", "3f786850e387550fdab836ed7e6dc881de23001b da39a3ee5e6b4b0d3255bfef95601890afd80709"],
    ["sha256 digests", "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["SRI hashes", `sha512-${s.chars(r, `${s.ALNUM}+/`, 86)}==`],
    ["public keys", `-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A${s.chars(r, s.ALNUM, 200)}\n-----END PUBLIC KEY-----`],
  ])("ignores %s", (_name, text) => {
    expect(detectors(text)).toEqual([]);
  });
});

describe("PII detectors", () => {
  it.each([
    ["email", "write to jane.doe@example.com today", "email"],
    ["phone (international)", "call +44 20 7946 0958", "phone"],
    ["phone (US national)", "call (212) 555-0199 now", "phone"],
    ["credit card (grouped)", "card 4111 1111 1111 1111", "credit_card"],
    ["credit card (amex)", "amex 3782-822463-10005", "credit_card"],
    ["ssn", "SSN 219-09-9998 on file", "us_ssn"],
    ["iban", "IBAN DE89 3704 0044 0532 0130 00", "iban"],
    ["iban (compact)", "GB82WEST12345698765432", "iban"],
    ["ipv4", "client 203.0.113.54 connected", "ip_address"],
    ["ipv6", "client 2001:4860:4860::8888 connected", "ip_address"],
  ])("finds %s", (_name, text, detector) => {
    expect(detectors(text)).toEqual([detector]);
  });

  it.each([
    ["e-mail lookalikes", "image@2x.png user@localhost lodash@4.17.21 icon@3x.jpg"],
    ["13-digit millisecond timestamps", "ts=1718000000000 started 1699999999999"],
    ["Luhn-failing card-like numbers", "4111 1111 1111 1112 and 5500-0000-0000-0005"],
    ["version strings", "1.2.3 and v10.0.0.1 and version 1.2.3.4 and build 4.3.2.1"],
    ["invalid SSNs (Presidio + SSA rules)", "123-45-6789 078-05-1120 000-12-3456 666-12-3456 912-34-5678 111-11-1111 123-00-4567 123-45-0000"],
    ["IBAN with a bad checksum", "DE88 3704 0044 0532 0130 00"],
    ["UUIDs and hashes", "550e8400-e29b-41d4-a716-446655440000 3f786850e387550fdab836ed7e6dc881de23001b"],
    ["private IPs (below the default threshold)", "listening on 10.0.0.12 and 192.168.1.20"],
    ["dates and times", "2024-01-15 10:30:00 and 12:30:45"],
  ])("ignores %s", (_name, text) => {
    expect(detectors(text)).toEqual([]);
  });

  it("gives version-like dotted quads low confidence", () => {
    const [m] = detectInText("upgraded to version 1.2.3.4");
    expect(m?.confidence).toBeLessThan(0.5);
  });

  it("scores bare nine digits as an SSN only with context", () => {
    expect(detectInText("order 219099998").filter((m) => m.detector === "us_ssn" && m.confidence >= 0.5)).toEqual([]);
    expect(detectInText("SSN: 219 09 9998").some((m) => m.detector === "us_ssn" && m.confidence >= 0.5)).toBe(true);
  });

  it("reads phone numbers in the configured default region", () => {
    expect(scanText("ring 030 12345678", { defaultRegion: "DE" }).map((f) => f.detector)).toEqual(["phone"]);
    expect(scanText("ring 030 12345678", { defaultRegion: "US" }).map((f) => f.detector)).toEqual([]);
  });
});

describe("masking", () => {
  it("keeps a vendor prefix and at most the last 4 of the random part", () => {
    expect(maskSecret("sk-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH9f2a")).toBe("sk-…9f2a");
    expect(maskSecret("AKIAQYLPMN5HHHFPZAM2")).toBe("AKIA…ZAM2");
    expect(maskSecret("short1234")).toBe("…34");
  });

  it("masks PII the usual way", () => {
    expect(maskEmail("john.doe@example.com")).toBe("j***@example.com");
    expect(maskCard("4111 1111 1111 1111")).toBe("****1111");
    expect(maskSsn("123-45-6789")).toBe("***-**-6789");
  });

  it("never returns a raw value in a finding", () => {
    const secrets = [s.keys.openaiProject(r), s.keys.awsAccessKey(r), s.keys.databricks(r), s.keys.azureConnection(r), s.pemPrivateKey(r, "rsa")];
    const findings = scanDocument(withText(secrets.join("\n"))).filter((f) => f.path.startsWith("trace.input"));
    expect(findings).toHaveLength(secrets.length);
    const serialised = JSON.stringify(findings);
    for (const secret of secrets) {
      const core = secret.includes("AccountKey=") ? (/AccountKey=([^;]+)/.exec(secret)?.[1] as string) : secret;
      expect(serialised).not.toContain(core);
      // Not even a quarter of the random part.
      expect(serialised).not.toContain(core.slice(-Math.ceil(core.length / 4) - 1));
    }
  });
});

describe("scanDocument", () => {
  it("reports the path and span of each finding", () => {
    const key = s.keys.github(r);
    const doc = document({
      observations: [
        observation({ id: "s1" }),
        observation({
          id: "s2",
          input: {
            messages: [
              { role: "user", content: "hi" },
              { role: "tool", content: `token ${key}` },
            ],
          },
        }),
        observation({ id: "s3", attributes: { "mlflow.spanInputs": `{"email": "ops@example.com"}` } }),
      ],
      trace: { metadata: { ai_app_id: "x", owner: "bob@example.org" } },
    });
    const findings = scanDocument(doc).map((f) => [f.detector, f.path, f.spanId]);
    expect(findings).toEqual([
      ["email", "trace.metadata.owner", null],
      ["github", "observations[1].input.messages[1].content", "s2"],
      ["email", 'observations[2].attributes["mlflow.spanInputs"]', "s3"],
    ]);
  });

  it("scans truncated previews but drops matches in the last 64 characters", () => {
    const early = s.keys.github(r);
    const late = s.keys.github(r);
    const preview = `start ${early} ${"lorem ipsum ".repeat(20)}${late} …`;
    const doc = withText("");
    doc.observations = [observation({ id: "big", output: { truncated: true, originalBytes: 5_000_000, preview } })];
    const findings = scanDocument(doc).filter((f) => f.spanId === "big");
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ detector: "github", path: "observations[0].output.preview", spanId: "big", truncated: true });
    expect(findings[0]?.match.endsWith(early.slice(-4))).toBe(true);
  });

  it("reports a service-account key object once, by its shape", () => {
    const key = JSON.parse(s.gcpServiceAccountJson(r)) as Record<string, unknown>;
    const doc = document({ observations: [observation({ id: "t", output: key })] });
    const secrets = scanDocument(doc).filter((f) => f.detector !== "email");
    expect(secrets).toEqual([expect.objectContaining({ detector: "gcp_service_account", path: "observations[0].output", spanId: "t" })]);
  });

  it("never lets a match span two fields", () => {
    const key = s.keys.github(r);
    const doc = document({ trace: { input: key.slice(0, 20), output: key.slice(20) } });
    expect(scanDocument(doc).filter((f) => f.detector === "github")).toEqual([]);
  });
});

describe("pathological input", () => {
  const size = 200_000;
  const fill = (unit: string) => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
  it.each([
    ["prefix spam", fill("sk-")],
    ["@ spam", fill("a@")],
    ["digits and spaces", fill("1 ")],
    ["dotted digits", fill("1.")],
    ["PEM headers without footers", fill(`-----${"BEG"}IN RSA PRIVATE KEY-----\nMIIE`)],
    ["SAS-looking parameters", fill(`?sig=${"A".repeat(40)}&`)],
    ["URL credentials", fill("https://a:b@")],
    ["hex and colons", fill("ab:")],
    ["card numbers back to back", fill("4111 1111 1111 1111 ")],
  ])("%s: 200 KB scan stays linear", (_name, text) => {
    const started = performance.now();
    detectInText(text);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe("deeply nested payloads", () => {
  it("still scans values nested beyond the walk's depth limit", () => {
    const key = s.keys.github(s.rng(77));
    let nested: unknown = { token: key };
    for (let i = 0; i < 200; i++) nested = { level: nested };
    const findings = scanDocument(document({ trace: { input: nested } })).filter((f) => f.detector === "github");
    expect(findings).toHaveLength(1);
    expect(JSON.stringify(findings)).not.toContain(key);
  });
});
