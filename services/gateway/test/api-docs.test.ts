import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_TYPES_PATH, apiTypesOf } from "../../../scripts/lib/api-types.ts";
import { startFleet, type Fleet } from "../../../tests/helpers/fleet.ts";

/** Fastify's `/a/:id` as OpenAPI writes it: `/a/{id}`. */
const openApiPath = (url: string) => url.replaceAll(/:([a-zA-Z]+)/g, "{$1}");

describe("OpenAPI document and Swagger UI", () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ worker: false });
  });
  afterAll(() => fleet?.close());

  async function document() {
    const res = await fleet.app.inject({ method: "GET", url: "/docs/json" });
    expect(res.statusCode).toBe(200);
    return res.json() as { openapi: string; paths: Record<string, Record<string, { responses?: Record<string, unknown>; security?: unknown }>> };
  }

  it("lists every route of the API with its method, and every route's responses", async () => {
    const doc = await document();
    expect(doc.openapi).toMatch(/^3\./);
    const routes = fleet.app.routeTable.filter((r) => r.url.startsWith("/api") || r.url.startsWith("/health"));
    expect(routes.length).toBeGreaterThan(15);
    for (const route of routes) {
      const operation = doc.paths[openApiPath(route.url)]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.url}`).toBeDefined();
      expect(Object.keys(operation?.responses ?? {}), `${route.method} ${route.url} declares its responses`).not.toHaveLength(0);
    }
  });

  it("describes an integration without its token, and says every route needs a bearer API key", async () => {
    const doc = (await document()) as unknown as {
      security: unknown;
      components: { securitySchemes: Record<string, { scheme: string }> };
      paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: { properties?: Record<string, unknown> } }> }> }>>;
    };
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ scheme: "bearer" });
    expect(doc.components.securitySchemes.session).toMatchObject({ type: "apiKey", in: "cookie", name: "lg_session" });
    expect(doc.security).toEqual([{ apiKey: [] }, { session: [] }]);
    const ref = (doc.paths["/api/integrations/{id}"]!.get!.responses["200"]!.content["application/json"]!.schema as { $ref?: string }).$ref!;
    expect(ref).toBe("#/components/schemas/Integration");
    const view = (doc as unknown as { components: { schemas: Record<string, { properties: Record<string, unknown> }> } }).components.schemas.Integration!
      .properties;
    expect(Object.keys(view)).toContain("hasToken");
    expect(Object.keys(view)).not.toContain("tokenCiphertext");
  });

  it("names every operation once and tags it, and refers to named schemas, so generated clients are stable", async () => {
    const doc = (await document()) as unknown as {
      paths: Record<string, Record<string, { operationId?: string; tags?: string[] }>>;
      components: { schemas: Record<string, unknown> };
    };
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, ...op })));
    const ids = operations.map((op) => op.operationId);
    expect(
      ids.every((id) => typeof id === "string" && /^[a-z][A-Za-z]+$/.test(id)),
      JSON.stringify(ids),
    ).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const op of operations) expect(op.tags, `${op.method} ${op.path}`).toHaveLength(1);
    expect(doc.paths["/api/integrations"]!.get!.operationId).toBe("listIntegrations");
    expect(doc.paths["/api/integrations/{id}/sync"]!.post!.tags).toEqual(["Syncs"]);
    // What needs no credentials says so.
    const open = operations.filter((op) => Array.isArray((op as { security?: unknown[] }).security)).map((op) => op.operationId);
    expect(open.sort()).toEqual(["getLiveness", "getSession", "setPassword", "signIn"]);
    for (const name of ["Integration", "SyncRun", "ConnectionReport", "Error", "Session", "User"]) expect(doc.components.schemas[name], name).toBeDefined();
    // Listed only when some operation uses them (every named schema also has an unused "…Input" twin).
    const text = JSON.stringify(doc.paths);
    expect(text).toContain('"#/components/schemas/Integration"');
    for (const name of Object.keys(doc.components.schemas))
      expect(JSON.stringify(doc).split(`"#/components/schemas/${name}"`).length, `${name} is referred to`).toBeGreaterThan(1);
  });

  it("matches the console's generated client types (pnpm api:types rewrites them)", async () => {
    const committed = readFileSync(API_TYPES_PATH, "utf8");
    const current = await apiTypesOf(await document());
    expect(current === committed, "apps/console/src/api/schema.d.ts is out of date with the API: run `pnpm api:types`").toBe(true);
  });

  it("serves Swagger UI without a key, while the API itself still needs one", async () => {
    let ui = await fleet.app.inject({ method: "GET", url: "/docs" });
    for (let hops = 0; hops < 3 && ui.statusCode === 302; hops += 1) {
      ui = await fleet.app.inject({ method: "GET", url: new URL(String(ui.headers.location), "http://gateway/docs/").pathname });
    }
    expect(ui.statusCode).toBe(200);
    expect(ui.body.toLowerCase()).toContain("swagger");
    expect((await fleet.app.inject({ method: "GET", url: "/api/integrations" })).statusCode).toBe(401);
  });

  it("publishes the input rules validation applies: patterns, RFC 3339 date-times, 413 where a body is read, 401 on /health, no key for liveness", async () => {
    type Schema = {
      type?: string;
      format?: string;
      pattern?: string;
      allOf?: Array<{ pattern?: string }>;
      maxLength?: number;
      properties?: Record<string, Schema>;
    };
    const doc = (await document()) as unknown as {
      components: { securitySchemes: Record<string, { description: string }> };
      paths: Record<
        string,
        Record<
          string,
          {
            security?: unknown[];
            requestBody?: { content: { "application/json": { schema: Schema } } };
            parameters?: Array<{ name: string; schema: Schema }>;
            responses: Record<string, { content?: Record<string, unknown> }>;
          }
        >
      >;
    };
    expect(Object.values(doc.components.securitySchemes)[0]!.description).toContain("lgk_");
    expect(doc.paths["/health/live"]!.get!.security).toEqual([]);
    expect(Object.keys(doc.paths["/health"]!.get!.responses)).toEqual(expect.arrayContaining(["200", "401", "503"]));
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        if (operation.requestBody) expect(Object.keys(operation.responses), `${method} ${path}`).toEqual(expect.arrayContaining(["413", "415"]));
      }
    }
    const body = (path: string, method = "post") => doc.paths[path]![method]!.requestBody!.content["application/json"].schema.properties!;
    const patterns = (schema: Schema) => [schema.pattern, ...(schema.allOf ?? []).map((s) => s.pattern)].filter(Boolean) as string[];
    // The published pattern refuses what the API refuses, read as any client would read it.
    for (const name of [body("/api/keys").name!, body("/api/integrations").name!, body("/api/policies").name!]) {
      expect(name.maxLength).toBeGreaterThan(0);
      const published = patterns(name).map((p) => new RegExp(p));
      expect(published.length).toBeGreaterThan(0);
      for (const hostile of ["a\rb", "a\nb", "a\u001bb", "a\u0007b", "a\u202eb", "a\u0000b", " a"])
        expect(
          published.every((p) => p.test(hostile)),
          JSON.stringify(hostile),
        ).toBe(false);
      expect(published.every((p) => p.test("Équipe données 🚀"))).toBe(true);
    }
    expect(patterns(body("/api/policies/violations/{id}", "patch").note!).map((p) => new RegExp(p).test("line one\nline two"))).toEqual([true]);
    for (const timestamp of [body("/api/keys").expiresAt!, body("/api/policies/{id}/evaluate").from!]) {
      expect(timestamp).toMatchObject({ type: "string", format: "date-time" });
      expect(new RegExp(timestamp.pattern!).test("soon 1")).toBe(false);
      expect(new RegExp(timestamp.pattern!).test("2026-01-31T12:00:00Z")).toBe(true);
    }
    const from = doc.paths["/api/policies/violations"]!.get!.parameters!.find((p) => p.name === "from")!;
    expect(from.schema).toMatchObject({ format: "date-time" });
    expect(Object.keys(doc.paths["/api/policies/violations"]!.get!.responses["200"]!.content!)).toEqual(["application/json", "text/csv"]);
  });
});
