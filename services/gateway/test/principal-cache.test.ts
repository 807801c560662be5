import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@langguard/accounts";
import { PrincipalCache } from "../src/auth/principal-cache.ts";
import { startFleet, type Fleet } from "../../../tests/helpers/fleet.ts";

const principal: Principal = { organizationId: "org", scopes: ["read"], keyId: "k", userId: null, actor: "api-key:k" };

describe("verified API keys remembered briefly", () => {
  it("keeps a key for its time at most, never past the key's own expiry, and bounded in number", () => {
    const cache = new PrincipalCache(2000, 2);
    cache.set("lgk_a", principal, 0);
    expect(cache.get("lgk_a", 1999)).toBe(principal);
    expect(cache.get("lgk_a", 2000)).toBeNull();
    const expiring = { ...principal, expiresAt: new Date(500) };
    cache.set("lgk_b", expiring, 0);
    expect(cache.get("lgk_b", 499)).toBe(expiring);
    expect(cache.get("lgk_b", 500)).toBeNull();
    // A flood of keys pushes out the oldest, not the newest.
    for (const key of ["lgk_1", "lgk_2", "lgk_3"]) cache.set(key, principal, 0);
    expect(cache.get("lgk_1", 1)).toBeNull();
    expect(cache.get("lgk_3", 1)).toBe(principal);
    // Only the exact key presented hits: another secret on the same prefix is checked again.
    expect(cache.get("lgk_3x", 1)).toBeNull();
    cache.clear();
    expect(cache.get("lgk_3", 1)).toBeNull();
    const off = new PrincipalCache(0);
    off.set("lgk_a", principal, 0);
    expect(off.get("lgk_a", 0)).toBeNull();
  });

  describe("on the gateway", () => {
    let fleet: Fleet;
    beforeAll(async () => {
      fleet = await startFleet({ worker: false, env: { API_KEY_CACHE_MS: "300" } });
    });
    afterAll(() => fleet?.close());

    const asKey = (key: string) => fleet.app.inject({ method: "GET", url: "/api/integrations", headers: { authorization: `Bearer ${key}` } });

    it("stops a key revoked by another process within API_KEY_CACHE_MS, and a wrong secret is never served from memory", async () => {
      const { apiKey, organizationId } = await fleet.newOrganization(["read"]);
      expect((await asKey(apiKey)).statusCode).toBe(200);
      // Another gateway process revokes it: this one learns within its cache time.
      await fleet.db.apiKey.updateMany({ where: { organizationId }, data: { revokedAt: new Date() } });
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect((await asKey(apiKey)).statusCode).toBe(401);
      const wrong = fleet.apiKey.slice(0, -4) + (fleet.apiKey.endsWith("AAAA") ? "BBBB" : "AAAA");
      expect((await asKey(fleet.apiKey)).statusCode).toBe(200);
      expect((await asKey(wrong)).statusCode).toBe(401);
    });
  });
});
