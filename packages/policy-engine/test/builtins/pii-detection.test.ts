import { describe, expect, it } from "vitest";
import { getBuiltin } from "../../src/index.ts";
import { document, withText } from "../fixtures/documents.ts";

const policy = getBuiltin("pii-detection")!;
const anonymous = (text: string) => {
  const doc = withText(text);
  doc.trace.metadata = { ai_app_id: "a", department: "d" };
  return doc;
};

describe("pii-detection", () => {
  it("is critical and on by default", () => {
    expect(policy).toMatchObject({ defaultSeverity: "critical", enabledByDefault: true });
  });

  it("reports each PII type, masked", () => {
    const text =
      "Mail jane.doe@example.com, call +1 415-555-2671, card 4111 1111 1111 1111, SSN 219-09-9998, IBAN DE89 3704 0044 0532 0130 00, from 203.0.113.54";
    const out = policy.evaluate(anonymous(text), {});
    expect(out.evidence.map((e) => e.detector)).toEqual(["email", "phone", "credit_card", "us_ssn", "iban", "ip_address"]);
    expect(out.evidence.map((e) => e.match)).toEqual(["j***@example.com", "+* ***-***-**71", "****1111", "***-**-9998", "DE**…3000", "203.0.*.*"]);
    const serialised = JSON.stringify(out);
    for (const raw of ["jane.doe@example.com", "4111 1111 1111 1111", "219-09-9998", "DE89 3704"]) expect(serialised).not.toContain(raw);
  });

  it.each([
    ["UUIDs", "550e8400-e29b-41d4-a716-446655440000"],
    ["git SHAs", "3f786850e387550fdab836ed7e6dc881de23001b"],
    ["sha256 digests", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"],
    ["13-digit ms timestamps", "1718000000000"],
    ["Luhn-failing card-like numbers", "4111 1111 1111 1112"],
    ["version strings", "1.2.3 v10.0.0.1 version 1.2.3.4"],
    ["invalid SSNs", "123-45-6789 078-05-1120"],
    ["file names", "image@2x.png"],
  ])("does not fire on %s", (_name, text) => {
    expect(policy.evaluate(anonymous(text), {}).violated).toBe(false);
  });

  it("honours min_confidence and types", () => {
    const doc = anonymous("from 10.1.2.3 and jane@example.com");
    expect(policy.evaluate(doc, {}).evidence.map((e) => e.detector)).toEqual(["email"]);
    expect(policy.evaluate(doc, { min_confidence: 0.2 }).evidence.map((e) => e.detector)).toEqual(["ip_address", "email"]);
    expect(policy.evaluate(doc, { types: ["ip_address"] }).violated).toBe(false);
  });

  it("uses the default_region for national phone numbers", () => {
    const doc = anonymous("Rückruf unter 030 12345678");
    expect(policy.evaluate(doc, {}).violated).toBe(false);
    expect(policy.evaluate(doc, { default_region: "DE" }).evidence.map((e) => e.detector)).toEqual(["phone"]);
    expect(() => policy.evaluate(doc, { default_region: "XX" })).toThrow(/region/);
  });

  it("finds PII in metadata values too", () => {
    const doc = document({ trace: { input: "hello", metadata: { ai_app_id: "a", department: "d", contact: "ops-lead@example.org" } } });
    expect(policy.evaluate(doc, {}).evidence).toEqual([expect.objectContaining({ detector: "email", path: "trace.metadata.contact" })]);
  });
});
