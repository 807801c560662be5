import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type Fleet } from "../../../tests/helpers/fleet.ts";

/** A concrete URL for a route pattern, with the given id in every :param. */
const concrete = (url: string, id: string) => url.replaceAll(/:[a-zA-Z]+/g, id);
const bodyFor = (method: string) => (method === "POST" || method === "PATCH" ? {} : undefined);

describe("access control", () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ worker: false });
  });
  afterAll(() => fleet?.close());

  it("declares a scope on every route, and only liveness and signing in are public", () => {
    const table = fleet.app.routeTable.filter((r) => r.url.startsWith("/api") || r.url.startsWith("/health"));
    expect(table.length).toBeGreaterThan(15);
    expect(table.filter((r) => r.scope === "public").map((r) => `${r.method} ${r.url}`)).toEqual([
      "GET /health/live",
      "POST /api/auth/login",
      "GET /api/auth/session",
      "POST /api/auth/password",
    ]);
    for (const route of table) expect(["public", "read", "write", "admin"], `${route.method} ${route.url}`).toContain(route.scope);
  });

  it("answers 401 on every route without a key, with a junk key, a malformed header, a revoked or an expired key", async () => {
    const revoked = await fleet.newOrganization(["admin"]);
    await fleet.db.apiKey.updateMany({ where: { organizationId: revoked.organizationId }, data: { revokedAt: new Date() } });
    const expired = await fleet.newOrganization(["admin"]);
    await fleet.db.apiKey.updateMany({ where: { organizationId: expired.organizationId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const wrongSecret = fleet.apiKey.slice(0, -4) + (fleet.apiKey.endsWith("AAAA") ? "BBBB" : "AAAA");
    const credentials: Array<Record<string, string>> = [
      {},
      { authorization: "Bearer junk" },
      { authorization: `Bearer ${wrongSecret}` },
      { authorization: `Basic ${Buffer.from("user:pass").toString("base64")}` },
      { authorization: `Bearer ${fleet.apiKey} extra` },
      { authorization: `Bearer ${revoked.apiKey}` },
      { authorization: `Bearer ${expired.apiKey}` },
    ];
    for (const route of fleet.app.routeTable.filter((r) => r.scope !== "public" && (r.url.startsWith("/api") || r.url.startsWith("/health")))) {
      for (const headers of credentials) {
        const res = await fleet.app.inject({ method: route.method as "GET", url: concrete(route.url, randomUUID()), headers, payload: bodyFor(route.method) });
        expect(res.statusCode, `${route.method} ${route.url} with ${JSON.stringify(headers)}`).toBe(401);
        expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
      }
    }
  });

  it("answers 403 when the key's scope is too small, naming the scope", async () => {
    const reader = await fleet.newOrganization(["read"]);
    const writer = await fleet.newOrganization(["write"]);
    for (const route of fleet.app.routeTable.filter((r) => r.url.startsWith("/api"))) {
      const tooSmall = route.scope === "write" ? [reader.apiKey] : route.scope === "admin" ? [reader.apiKey, writer.apiKey] : [];
      for (const key of tooSmall) {
        const res = await fleet.app.inject({
          method: route.method as "GET",
          url: concrete(route.url, randomUUID()),
          headers: { authorization: `Bearer ${key}` },
          payload: bodyFor(route.method),
        });
        expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
        expect(res.json().message).toContain(`'${route.scope}' scope`);
      }
    }
    const read = await fleet.app.inject({ method: "GET", url: "/api/integrations", headers: { authorization: `Bearer ${reader.apiKey}` } });
    expect(read.statusCode).toBe(200);
  });

  it("manages API keys: shown once, stored hashed, listed without the secret, revocable", async () => {
    const created = await fleet.inject({ method: "POST", url: "/api/keys", payload: { name: "ci", scopes: ["read"] } });
    expect(created.statusCode).toBe(201);
    const { key, id, prefix } = created.json();
    expect(key).toMatch(/^lgk_/);
    const row = await fleet.db.apiKey.findUniqueOrThrow({ where: { id } });
    // The secret is base64url and may itself hold '_': it is everything after `lgk_<16-character prefix>_`.
    const secret = key.slice(`lgk_${prefix}_`.length);
    expect(secret).toHaveLength(43);
    expect(JSON.stringify(row)).not.toContain(secret);
    const list = await fleet.inject({ method: "GET", url: "/api/keys" });
    expect(list.json().items.map((k: { prefix: string }) => k.prefix)).toContain(prefix);
    expect(list.body).not.toContain(key);
    expect((await fleet.app.inject({ method: "GET", url: "/api/integrations", headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(200);
    expect((await fleet.inject({ method: "DELETE", url: `/api/keys/${id}` })).statusCode).toBe(204);
    // A key never revokes itself: an organization's last admin key cannot lock it out.
    const own = await fleet.db.apiKey.findFirstOrThrow({ where: { organizationId: fleet.organizationId, name: "test key" } });
    const self = await fleet.inject({ method: "DELETE", url: `/api/keys/${own.id}` });
    expect(self.statusCode).toBe(409);
    expect(self.json().message).toContain("cannot revoke itself");
    expect((await fleet.app.inject({ method: "GET", url: "/api/integrations", headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(401);
  });

  it("answers only to allowed Host values, and sends security headers without CORS", async () => {
    const rebinding = await fleet.inject({ method: "GET", url: "/health", headers: { host: "attacker.example.com" } });
    expect(rebinding.statusCode).toBe(400);
    expect(rebinding.json().message).toContain("ALLOWED_HOSTS");
    const ok = await fleet.inject({ method: "GET", url: "/health", headers: { host: "localhost:3000", origin: "https://evil.example.com" } });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers["x-content-type-options"]).toBe("nosniff");
    expect(ok.headers["x-frame-options"]).toBeDefined();
    expect(ok.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

describe("rate limits", () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({
      worker: false,
      env: { RATE_LIMIT_PER_MINUTE: "5", RATE_LIMIT_EXPENSIVE_PER_MINUTE: "2", CONNECTION_TEST_CONCURRENCY: "1", RATE_LIMIT_AUTH_FAILURES_PER_MINUTE: "5" },
    });
  });
  afterAll(() => fleet?.close());

  it("limits each key, tighter on routes that start Python, with Retry-After, counted in Redis", async () => {
    const codes: number[] = [];
    for (let i = 0; i < 7; i += 1) codes.push((await fleet.inject({ method: "GET", url: "/api/integrations" })).statusCode);
    expect(codes.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(codes.slice(5)).toEqual([429, 429]);
    const limited = await fleet.inject({ method: "GET", url: "/api/integrations" });
    expect(limited.headers["retry-after"]).toBeDefined();
    expect(limited.json().message).toContain("Rate limit");
    expect((await fleet.redis.keys(`${fleet.prefix}:ratelimit:*`)).length).toBeGreaterThan(0);
    // Another key has its own budget.
    const other = await fleet.newOrganization(["write"]);
    const id = randomUUID();
    const triggers: number[] = [];
    for (let i = 0; i < 3; i += 1)
      triggers.push(
        (await fleet.app.inject({ method: "POST", url: `/api/integrations/${id}/sync`, headers: { authorization: `Bearer ${other.apiKey}` }, payload: {} }))
          .statusCode,
      );
    expect(triggers).toEqual([404, 404, 429]);
  });

  it("counts failed authentications per address: a burst of junk keys meets 429, and so does the address's next attempt", async () => {
    // Every junk key has a prefix of its own, so a limit per presented key would never see a repeat.
    const junk = () => `lgk_${randomUUID().replaceAll("-", "").slice(0, 16)}_${"A".repeat(43)}`;
    const codes: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const headers = i % 3 === 0 ? { authorization: "Bearer junk" } : i % 3 === 1 ? {} : { authorization: `Bearer ${junk()}` };
      codes.push((await fleet.app.inject({ method: "GET", url: "/api/integrations", headers })).statusCode);
    }
    expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(codes.slice(5)).toEqual(Array(7).fill(429));
    const limited = await fleet.app.inject({ method: "GET", url: "/api/traces", headers: { authorization: `Bearer ${junk()}` } });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect(limited.json().message).toMatch(/failed authentications from this address/);
    // Blocked before the key is looked up: a guess that happens to be right is not told so.
    expect((await fleet.app.inject({ method: "GET", url: "/health", headers: { authorization: `Bearer ${fleet.apiKey}` } })).statusCode).toBe(429);
    // Liveness needs no key and is never blocked.
    expect((await fleet.app.inject({ method: "GET", url: "/health/live" })).statusCode).toBe(200);
    expect((await fleet.redis.keys(`${fleet.prefix}:authfail:*`)).length).toBe(1);
  });
});
