import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type Fleet } from "../../../tests/helpers/fleet.ts";
import { createOperatorKey } from "../src/auth/api-keys.ts";
import { findConsoleDir } from "../src/plugins/console.ts";

const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** The console's files at `/`, and the headers each kind of page gets. */
describe("the console served by the gateway", () => {
  let fleet: Fleet;
  let https: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ worker: false });
    https = await startFleet({ worker: false, env: { FORCE_HTTPS: "true" } });
  });
  afterAll(async () => {
    await fleet?.close();
    await https?.close();
  });
  const get = (url: string, f = fleet) => f.app.inject({ method: "GET", url, headers: { host: "localhost:3000", accept: "text/html" } });

  it("is built by `pnpm build` and found from the gateway's code", () => {
    expect(findConsoleDir()).toMatch(/apps\/console\/dist$/);
  });

  it("serves the shell without a key for every console path, revalidated each time, and hashed assets cached for a year", async () => {
    for (const path of ["/", "/sign-in", "/settings/integrations", "/settings/integrations/0b6a7b9e-1f9c-4b4e-9d54-3f3bd8c4bd35/edit"]) {
      const res = await get(path);
      expect(res.statusCode, path).toBe(200);
      expect(res.headers["content-type"]).toContain("text/html");
      expect(res.headers["cache-control"]).toBe("no-cache");
      expect(res.headers["content-security-policy"]).toBe(CONSOLE_CSP);
      expect(res.body).toContain('<div id="root"></div>');
    }
    const shell = (await get("/")).body;
    const assets = [...shell.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      expect(asset).toMatch(/-[A-Za-z0-9_-]{8}\.(js|css)$/);
      const res = await get(asset);
      expect(res.statusCode, asset).toBe(200);
      expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    }
    // No inline script or style anywhere in the shell: the CSP allows none.
    expect(shell).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(shell).not.toMatch(/<style|style="/);
    // The build's manifest stays private: that path is just another console path.
    expect((await get("/.vite/manifest.json")).body).not.toContain('"isEntry"');
  });

  it("keeps the API's, the docs' and the board's own answers and policies", async () => {
    const unknown = await get("/api/no-such-route");
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toBe("No route for GET /api/no-such-route");
    expect(unknown.headers["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
    const docs = await get("/docs/static/index.html");
    expect(docs.headers["content-security-policy"]).toContain("style-src 'self' 'unsafe-inline'");
    expect(docs.headers["content-security-policy"]).toContain("script-src 'self';");
    const operator = await createOperatorKey(fleet.db, "console serving test");
    const board = await fleet.app.inject({ method: "GET", url: "/admin/queues", headers: { host: "localhost:3000", authorization: `Bearer ${operator.key}` } });
    expect(board.statusCode).toBe(200);
    expect(board.body).not.toContain("fonts.googleapis.com");
    expect(board.body).toContain("static/css/main");
  });

  it("sends nothing that only makes sense over https unless FORCE_HTTPS says it is", async () => {
    for (const path of ["/", "/docs/static/index.html", "/api/no-such-route"]) {
      const plain = await get(path);
      expect(plain.headers["content-security-policy"]).not.toContain("upgrade-insecure-requests");
      expect(plain.headers["strict-transport-security"]).toBeUndefined();
      expect(plain.headers["cross-origin-opener-policy"]).toBeUndefined();
      const secure = await get(path, https);
      expect(secure.headers["content-security-policy"]).toContain("upgrade-insecure-requests");
      expect(secure.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
      expect(secure.headers["cross-origin-opener-policy"]).toBe("same-origin");
    }
  });
});
