import { describe, expect, it } from "vitest";
import { getBuiltin } from "../../src/index.ts";
import { document, observation } from "../fixtures/documents.ts";

const logging = getBuiltin("mandatory-trace-logging")!;
const tagging = getBuiltin("metadata-tagging")!;
const nhi = getBuiltin("nhi-violation")!;

const anonymous = { userId: null, userName: null, servicePrincipal: false, applicationId: null };
const principal = {
  userId: "7f1c9a52-3d4e-4b6a-9c2d-1e8f0a7b6c5d",
  userName: null,
  servicePrincipal: true,
  applicationId: "7f1c9a52-3d4e-4b6a-9c2d-1e8f0a7b6c5d",
};

describe("mandatory-trace-logging", () => {
  it("is low and on by default", () => {
    expect(logging).toMatchObject({ defaultSeverity: "low", enabledByDefault: true });
  });

  it("fires without an agent name or without a user", () => {
    expect(logging.evaluate(document({ agents: [] }), {}).evidence).toHaveLength(1);
    expect(logging.evaluate(document({ identity: anonymous }), {}).evidence).toEqual([expect.objectContaining({ path: "identity" })]);
    expect(logging.evaluate(document({ agents: [], identity: anonymous }), {}).message).toBe("Trace is missing 2 mandatory fields");
  });

  it("accepts an agent named by a span attribute, and a service principal's application id", () => {
    const doc = document({ agents: [], identity: principal, observations: [observation({ attributes: { "gen_ai.agent.name": "router" } })] });
    expect(logging.evaluate(doc, {}).violated).toBe(false);
  });
});

describe("metadata-tagging", () => {
  it("is low and on by default", () => {
    expect(tagging).toMatchObject({ defaultSeverity: "low", enabledByDefault: true });
  });

  it("fires on missing required metadata, looked up in metadata then tags", () => {
    expect(tagging.evaluate(document({ trace: { metadata: {} } }), {}).evidence.map((e) => e.detail)).toEqual([
      'metadata "ai_app_id" missing',
      'metadata "department" missing',
    ]);
    expect(tagging.evaluate(document({ trace: { metadata: { ai_app_id: "a" }, tags: { department: "ops" } } }), {}).violated).toBe(false);
  });

  it("checks required tags and user attribution", () => {
    expect(tagging.evaluate(document(), { required_tags: ["cost_center"] }).evidence.map((e) => e.path)).toEqual(["trace.tags.cost_center"]);
    expect(tagging.evaluate(document({ identity: anonymous }), {}).evidence.map((e) => e.detail)).toEqual(["no user attribution"]);
    expect(tagging.evaluate(document({ identity: anonymous }), { require_user_attribution: false }).violated).toBe(false);
  });
});

describe("nhi-violation", () => {
  it("is high and off by default", () => {
    expect(nhi).toMatchObject({ defaultSeverity: "high", enabledByDefault: false });
  });

  it("fires when a service principal lacks its owner", () => {
    const out = nhi.evaluate(document({ identity: principal }), {});
    expect(out.evidence).toEqual([{ path: "trace.metadata.owner", detail: '"owner" missing' }]);
    expect(out.message).toBe("Service principal trace lacks 1 identity field: owner");
  });

  it("passes when the fields are present, and ignores humans", () => {
    expect(nhi.evaluate(document({ identity: principal, trace: { tags: { owner: "data-platform" } } }), {}).violated).toBe(false);
    expect(
      nhi.evaluate(document({ identity: { ...principal, applicationId: null }, trace: { tags: { owner: "x" } } }), {}).evidence.map((e) => e.detail),
    ).toEqual(['"application_id" missing']);
    expect(nhi.evaluate(document({ identity: anonymous }), {}).violated).toBe(false);
  });
});
