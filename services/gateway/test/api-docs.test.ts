import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
    expect(Object.values(doc.components.securitySchemes)[0]).toMatchObject({ scheme: "bearer" });
    expect(doc.security).toEqual([{ apiKey: [] }]);
    const view = doc.paths["/api/integrations/{id}"]!.get!.responses["200"]!.content["application/json"]!.schema.properties!;
    expect(Object.keys(view)).toContain("hasToken");
    expect(Object.keys(view)).not.toContain("tokenCiphertext");
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
});
