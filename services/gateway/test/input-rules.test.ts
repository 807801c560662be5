/**
 * What the API accepts, as README and the OpenAPI document say: names without control characters
 * or bidirectional controls, notes that may break lines but hold nothing else, RFC 3339
 * timestamps only; and what used to answer 500 answers with the field and the reason.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type Fleet } from "../../../tests/helpers/fleet.ts";
import { seedViolations } from "../../../tests/helpers/violations.ts";

const HOSTILE = { CR: "a\rb", LF: "a\nb", ESC: "a\u001b[31mb", BEL: "a\u0007b", RLO: "invoice\u202Efdp.exe", NUL: "a\u0000b", TAB: "a\tb" };

describe("input rules", () => {
  let fleet: Fleet;
  let violationIds: string[];

  beforeAll(async () => {
    fleet = await startFleet({ worker: false });
    // Two violations of this organization, written as evaluation writes them.
    violationIds = (await seedViolations(fleet.db, fleet.organizationId, 2)).violationIds;
  });
  afterAll(() => fleet?.close());

  const issueOf = (res: { json(): unknown }) => (res.json() as { issues?: Array<{ field: string; reason: string }> }).issues ?? [];

  it("answers 409 when a policy is renamed to another policy's name, as creating one does", async () => {
    const create = (name: string) => fleet.inject({ method: "POST", url: "/api/policies", payload: { name, severity: "low", expression: "true" } });
    const first = await create(`alpha-${randomUUID()}`);
    const second = await create(`beta-${randomUUID()}`);
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    const renamed = await fleet.inject({ method: "PATCH", url: `/api/policies/${second.json().id}`, payload: { name: first.json().name } });
    expect(renamed.statusCode).toBe(409);
    expect(renamed.json()).toMatchObject({ field: "body.name", message: `A policy named '${first.json().name}' already exists` });
    expect((await create(first.json().name)).statusCode).toBe(409);
  });

  it("answers 400 for a NUL in a violation note, single or bulk, and keeps line breaks in notes", async () => {
    const single = await fleet.inject({
      method: "PATCH",
      url: `/api/policies/violations/${violationIds[0]}`,
      payload: { status: "acknowledged", note: HOSTILE.NUL },
    });
    expect(single.statusCode).toBe(400);
    expect(issueOf(single)[0]).toMatchObject({ field: "body.note", reason: expect.stringContaining("control characters") });
    const bulk = await fleet.inject({
      method: "POST",
      url: "/api/policies/violations/bulk",
      payload: { ids: violationIds, status: "resolved", note: HOSTILE.NUL },
    });
    expect(bulk.statusCode).toBe(400);
    expect(issueOf(bulk)[0]).toMatchObject({ field: "body.note" });
    for (const value of [HOSTILE.ESC, HOSTILE.BEL, HOSTILE.RLO, HOSTILE.TAB]) {
      const res = await fleet.inject({ method: "PATCH", url: `/api/policies/violations/${violationIds[0]}`, payload: { status: "acknowledged", note: value } });
      expect(res.statusCode, JSON.stringify(value)).toBe(400);
    }
    const multiLine = "checked with the owner\r\nfalse positive\nclosing";
    const ok = await fleet.inject({
      method: "PATCH",
      url: `/api/policies/violations/${violationIds[0]}`,
      payload: { status: "acknowledged", note: multiLine },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().note).toBe(multiLine);
  });

  it("refuses control characters and bidirectional controls in every name, and names that start or end with a space", async () => {
    const routes: Array<{ url: string; method: "POST" | "PATCH"; body: (name: string) => object }> = [
      { method: "POST", url: "/api/integrations", body: (name) => ({ name, source: "mlflow", host: "http://127.0.0.1:5000" }) },
      { method: "POST", url: "/api/policies", body: (name) => ({ name, severity: "low", expression: "true" }) },
      { method: "POST", url: "/api/policies", body: (category) => ({ name: `p-${randomUUID()}`, category, severity: "low", expression: "true" }) },
      { method: "POST", url: "/api/policies", body: (description) => ({ name: `p-${randomUUID()}`, description, severity: "low", expression: "true" }) },
      { method: "POST", url: "/api/keys", body: (name) => ({ name, scopes: ["read"] }) },
    ];
    for (const route of routes) {
      for (const [what, value] of Object.entries(HOSTILE)) {
        const res = await fleet.inject({ method: route.method, url: route.url, payload: route.body(value) });
        expect(res.statusCode, `${route.url} with ${what}`).toBe(400);
        expect(issueOf(res)[0]?.reason, `${route.url} with ${what}`).toMatch(/control characters/);
      }
    }
    const spaced = await fleet.inject({ method: "POST", url: "/api/keys", payload: { name: " ci ", scopes: ["read"] } });
    expect(spaced.statusCode).toBe(400);
    expect(issueOf(spaced)[0]).toMatchObject({ field: "body.name", reason: "must not start or end with a space" });
    // CEL expressions keep their layout (tabs and line breaks) but no other control character.
    const layout = await fleet.inject({
      method: "POST",
      url: "/api/policies",
      payload: { name: `p-${randomUUID()}`, severity: "low", expression: "true &&\n\ttrue" },
    });
    expect(layout.statusCode).toBe(201);
    const trojan = await fleet.inject({
      method: "POST",
      url: "/api/policies",
      payload: { name: `p-${randomUUID()}`, severity: "low", expression: "true /*\u202E*/" },
    });
    expect(trojan.statusCode).toBe(400);
    // Filters follow the same rule.
    expect((await fleet.inject({ method: "GET", url: `/api/traces?agent=${encodeURIComponent(HOSTILE.ESC)}` })).statusCode).toBe(400);
    // What a name may hold: any script, emoji, inner spaces.
    const fine = await fleet.inject({ method: "POST", url: "/api/keys", payload: { name: "Équipe données — 数据 🚀", scopes: ["read"] } });
    expect(fine.statusCode).toBe(201);
  });

  it("accepts only RFC 3339 timestamps", async () => {
    const expiring = (expiresAt: string) => fleet.inject({ method: "POST", url: "/api/keys", payload: { name: "expiring", scopes: ["read"], expiresAt } });
    for (const loose of ["soon 1", "2026-01-31", "2026-01-31 12:00:00Z", "2026-01-31T12:00:00", "2026-02-30T00:00:00Z", "1769860800", "a\r\nX-Injected: 1"]) {
      const res = await expiring(loose);
      expect(res.statusCode, loose).toBe(400);
      expect(issueOf(res)[0]).toMatchObject({ field: "body.expiresAt", reason: expect.stringContaining("RFC 3339") });
    }
    const exact = await expiring("2030-01-31T12:00:00.5+02:00");
    expect(exact.statusCode).toBe(201);
    expect(exact.json().expiresAt).toBe("2030-01-31T10:00:00.500Z");

    const injected = await fleet.inject({ method: "GET", url: `/api/policies/violations?from=${encodeURIComponent("a\r\nX-Injected: 1")}` });
    expect(injected.statusCode).toBe(400);
    expect(issueOf(injected)[0]).toMatchObject({ field: "querystring.from" });
    const window = await fleet.inject({ method: "GET", url: "/api/policies/violations?from=2020-01-01T00:00:00Z&to=2100-01-01T00:00:00%2B14:00&count=true" });
    expect(window.statusCode).toBe(200);
    expect(window.json().total).toBe(2);
    // Valid but beyond what Postgres can take: the beginning of time, not a 500.
    expect((await fleet.inject({ method: "GET", url: "/api/policies/violations?from=0000-01-01T00:00:00Z" })).statusCode).toBe(200);
    const policy = (await fleet.inject({ method: "GET", url: "/api/policies?limit=1" })).json().items[0];
    const evaluate = await fleet.inject({
      method: "POST",
      url: `/api/policies/${policy.id}/evaluate`,
      payload: { from: "soon 1", to: "2026-01-01T00:00:00Z" },
    });
    expect(evaluate.statusCode).toBe(400);
    // A window that starts before 1970 (no trace does) is queued from 1970, not a 500 (Schemathesis found it).
    const ancient = await fleet.inject({
      method: "POST",
      url: `/api/policies/${policy.id}/evaluate`,
      payload: { from: "0020-02-29T00:00:00Z", to: "2000-01-01T00:00:00Z" },
    });
    expect(ancient.statusCode, ancient.body).toBe(202);
  });

  it("answers 405 with Allow for a method a path does not take, 204 with Allow to OPTIONS, and 404 for a path it does not serve", async () => {
    const put = await fleet.inject({ method: "PUT", url: "/api/integrations" });
    expect(put.statusCode).toBe(405);
    expect(put.headers.allow).toBe("GET, HEAD, OPTIONS, POST");
    const trace = await fleet.inject({ method: "TRACE" as "GET", url: `/api/agents/${randomUUID()}` });
    expect(trace.statusCode).toBe(405);
    expect(trace.headers.allow).toBe("GET, HEAD, OPTIONS");
    // A static route wins over a parameter: /api/policies/violations is not /api/policies/:id.
    const options = await fleet.inject({ method: "OPTIONS", url: "/api/policies/violations" });
    expect(options.statusCode).toBe(204);
    expect(options.headers.allow).toBe("GET, HEAD, OPTIONS");
    expect((await fleet.inject({ method: "DELETE", url: "/api/nothing-here" })).statusCode).toBe(404);
    // Without a key, still 401 first.
    expect((await fleet.app.inject({ method: "PUT", url: "/api/integrations" })).statusCode).toBe(401);
  });
});
