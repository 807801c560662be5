import { randomUUID } from "node:crypto";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPassword } from "../src/auth/passwords.ts";
import { csrfTokenOf, SESSION_COOKIE } from "../src/auth/sessions.ts";
import { startFleet, type Fleet } from "../../../tests/helpers/fleet.ts";

const PASSWORD = "a perfectly long passphrase";
const HOST = "localhost:3000";

/** A browser's cookie jar of one: the session cookie, and the CSRF token its page would hold. */
class Browser {
  cookie: string | null = null;
  csrf: string | null = null;
  constructor(private readonly fleet: Fleet) {}
  async request(options: InjectOptions & { csrf?: boolean }): Promise<LightMyRequestResponse> {
    const { csrf = true, ...rest } = options;
    const headers: Record<string, string> = { host: HOST, ...(rest.headers as Record<string, string>) };
    if (this.cookie) headers.cookie = `${SESSION_COOKIE}=${this.cookie}`;
    if (csrf && this.csrf && rest.method !== "GET") headers["x-csrf-token"] = this.csrf;
    const res = await this.fleet.app.inject({ ...rest, headers });
    const set = res.cookies.find((c) => c.name === SESSION_COOKIE);
    if (set) this.cookie = set.value || null;
    if (res.statusCode === 200 && res.json()?.csrfToken) this.csrf = res.json().csrfToken;
    return res;
  }
  signIn(email: string, password = PASSWORD) {
    return this.request({ method: "POST", url: "/api/auth/login", payload: { email, password } });
  }
}

describe("console people and sessions", () => {
  let fleet: Fleet;
  const person = async (role: "viewer" | "editor" | "admin", organizationId = fleet.organizationId) => {
    const email = `${role}-${randomUUID().slice(0, 8)}@example.com`;
    const user = await fleet.db.user.create({ data: { organizationId, email, role, passwordHash: await hashPassword(PASSWORD) } });
    return user;
  };
  beforeAll(async () => {
    fleet = await startFleet({ worker: false, env: { LOGIN_RATE_LIMIT: "3", SESSION_IDLE_MINUTES: "30", SESSION_MAX_HOURS: "12" } });
  });
  afterAll(() => fleet?.close());

  it("signs in with an HttpOnly, SameSite=Strict session cookie holding no user data, and answers who is signed in", async () => {
    const user = await person("editor");
    const browser = new Browser(fleet);
    const res = await browser.signIn(user.email.toUpperCase());
    expect(res.statusCode).toBe(200);
    const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE)!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/" });
    expect(cookie.secure).toBeUndefined();
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Only the token's hash is stored: the table signs nobody in.
    expect(await fleet.db.session.count({ where: { id: cookie.value } })).toBe(0);
    expect(res.json()).toMatchObject({ user: { id: user.id, email: user.email, role: "editor" }, organization: { id: fleet.organizationId } });
    expect(res.json().csrfToken).toBe(csrfTokenOf(cookie.value));
    const who = await browser.request({ method: "GET", url: "/api/auth/session" });
    expect(who.json().session.user.email).toBe(user.email);
    expect(await fleet.app.inject({ method: "GET", url: "/api/auth/session", headers: { host: HOST } }).then((r) => r.json())).toEqual({ session: null });
    // The cookie works wherever a read key would.
    expect((await browser.request({ method: "GET", url: "/api/integrations" })).statusCode).toBe(200);
  });

  it("marks the cookie Secure when FORCE_HTTPS is on", async () => {
    const https = await startFleet({ worker: false, env: { FORCE_HTTPS: "true" } });
    try {
      const user = await https.db.user.create({
        data: {
          organizationId: https.organizationId,
          email: `secure-${randomUUID().slice(0, 8)}@example.com`,
          role: "viewer",
          passwordHash: await hashPassword(PASSWORD),
        },
      });
      const res = await new Browser(https).signIn(user.email);
      expect(res.cookies.find((c) => c.name === SESSION_COOKIE)).toMatchObject({ secure: true, httpOnly: true });
    } finally {
      await https.close();
    }
  });

  it("ends sessions when idle too long, past their absolute end, and at sign-out", async () => {
    const user = await person("viewer");
    for (const ending of [{ lastSeenAt: new Date(Date.now() - 31 * 60_000) }, { expiresAt: new Date(Date.now() - 1_000) }]) {
      const browser = new Browser(fleet);
      await browser.signIn(user.email);
      expect((await browser.request({ method: "GET", url: "/api/integrations" })).statusCode).toBe(200);
      await fleet.db.session.updateMany({ where: { userId: user.id }, data: ending });
      const ended = await browser.request({ method: "GET", url: "/api/integrations" });
      expect(ended.statusCode).toBe(401);
      expect(ended.json().message).toBe("Your session has ended; sign in again");
      expect(await fleet.db.session.count({ where: { userId: user.id } })).toBe(0);
    }
    const browser = new Browser(fleet);
    await browser.signIn(user.email);
    const token = browser.cookie;
    const out = await browser.request({ method: "POST", url: "/api/auth/logout" });
    expect(out.statusCode).toBe(204);
    expect(out.cookies.find((c) => c.name === SESSION_COOKIE)?.value).toBe("");
    browser.cookie = token;
    expect((await browser.request({ method: "GET", url: "/api/integrations" })).statusCode).toBe(401);
  });

  it("refuses every state-changing cookie request without the session's CSRF token, or from another site", async () => {
    const user = await person("editor");
    const browser = new Browser(fleet);
    await browser.signIn(user.email);
    const write = { method: "POST" as const, url: "/api/integrations", payload: { name: "csrf", source: "mlflow", host: "http://127.0.0.1:5000" } };
    const missing = await browser.request({ ...write, csrf: false });
    expect(missing.statusCode).toBe(403);
    expect(missing.json().message).toContain("CSRF token");
    expect((await browser.request({ ...write, csrf: false, headers: { "x-csrf-token": "forged" } })).statusCode).toBe(403);
    // Another session's token does not fit this one.
    expect((await browser.request({ ...write, csrf: false, headers: { "x-csrf-token": csrfTokenOf("another-session-token") } })).statusCode).toBe(403);
    for (const headers of [{ origin: "http://evil.example" }, { "sec-fetch-site": "cross-site" }, { "sec-fetch-site": "same-site" }, { origin: "null" }]) {
      const res = await browser.request({ ...write, headers });
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.json().message).toBe("Cross-site requests are refused");
    }
    for (const method of ["PATCH", "DELETE"] as const)
      expect(
        (await browser.request({ method, url: `/api/integrations/${randomUUID()}`, payload: method === "PATCH" ? {} : undefined, csrf: false })).statusCode,
      ).toBe(403);
    expect(await fleet.db.integration.count({ where: { name: "csrf", organizationId: fleet.organizationId } })).toBe(0);
    const allowed = await browser.request({ ...write, headers: { origin: `http://${HOST}`, "sec-fetch-site": "same-origin" } });
    expect(allowed.statusCode).toBe(201);
    // Reading needs no token.
    expect((await browser.request({ method: "GET", url: "/api/integrations", csrf: false })).statusCode).toBe(200);
    // Sign-in itself refuses another site's form (signing a victim in as the attacker).
    const crossLogin = await fleet.app.inject({
      method: "POST",
      url: "/api/auth/login",
      headers: { host: HOST, origin: "http://evil.example" },
      payload: { email: user.email, password: PASSWORD },
    });
    expect(crossLogin.statusCode).toBe(403);
  });

  it("maps roles to scopes: a viewer reads, an editor writes, only an admin manages people", async () => {
    const cases = [
      ["viewer", 403, 403],
      ["editor", 201, 403],
      ["admin", 201, 200],
    ] as const;
    for (const [role, write, admin] of cases) {
      const browser = new Browser(fleet);
      await browser.signIn((await person(role)).email);
      expect((await browser.request({ method: "GET", url: "/api/integrations" })).statusCode).toBe(200);
      const created = await browser.request({
        method: "POST",
        url: "/api/integrations",
        payload: { name: `by ${role} ${randomUUID()}`, source: "mlflow", host: "http://127.0.0.1:5000" },
      });
      expect(created.statusCode, role).toBe(write);
      if (write === 403) expect(created.json().message).toContain(`Your role (${role}) does not allow POST /api/integrations`);
      expect((await browser.request({ method: "GET", url: "/api/users" })).statusCode, role).toBe(admin);
    }
  });

  it("never says whether an address has an account, and limits failed sign-ins per address alike", async () => {
    const user = await person("viewer");
    const unknown = `nobody-${randomUUID().slice(0, 8)}@example.com`;
    const answers = new Map<string, string[]>();
    for (const email of [user.email, unknown]) {
      const seen: string[] = [];
      for (let i = 0; i < 4; i += 1) {
        const res = await new Browser(fleet).signIn(email, "wrong password");
        seen.push(`${res.statusCode} ${res.json().message.replace(/\d+ minutes?/, "N minutes")}`);
      }
      answers.set(email, seen);
    }
    expect(answers.get(user.email)).toEqual([
      "401 The e-mail address or password is not correct",
      "401 The e-mail address or password is not correct",
      "401 The e-mail address or password is not correct",
      "429 Too many failed sign-ins; try again in N minutes",
    ]);
    expect(answers.get(unknown)).toEqual(answers.get(user.email));
    // Limited even with the right password until the window passes; a disabled account says the same.
    expect((await new Browser(fleet).signIn(user.email)).statusCode).toBe(429);
    const disabled = await person("editor");
    await fleet.db.user.update({ where: { id: disabled.id }, data: { disabledAt: new Date() } });
    expect((await new Browser(fleet).signIn(disabled.email)).json().message).toBe("The e-mail address or password is not correct");
  });

  it("invites by a one-time link that sets the password once, and admins cannot lock the organization out", async () => {
    const admin = await person("admin");
    const browser = new Browser(fleet);
    await browser.signIn(admin.email);
    const email = `invitee-${randomUUID().slice(0, 8)}@example.com`;
    const created = await browser.request({ method: "POST", url: "/api/users", payload: { email: email.toUpperCase(), role: "viewer" } });
    expect(created.statusCode).toBe(201);
    expect(created.json().user).toMatchObject({ email, role: "viewer", status: "invited" });
    const url: string = created.json().passwordLink.url;
    expect(url).toMatch(new RegExp(`^http://${HOST}/set-password#token=[A-Za-z0-9_-]{43}$`));
    expect((await browser.request({ method: "POST", url: "/api/users", payload: { email, role: "admin" } })).statusCode).toBe(409);
    // An address Postgres cannot store (a NUL) or that hides a control character is a 400 naming the field, not a 500.
    for (const bad of ["ada\u0000x@example.com", "ada@example.com\u202e", "ada@exa mple.com"]) {
      const refused = await browser.request({ method: "POST", url: "/api/users", payload: { email: bad, role: "viewer" } });
      expect(refused.statusCode, JSON.stringify(bad)).toBe(400);
      expect(refused.json().issues[0]).toMatchObject({ field: "body.email" });
    }
    const token = url.split("#token=")[1]!;
    const invitee = new Browser(fleet);
    const short = await invitee.request({ method: "POST", url: "/api/auth/password", payload: { token, password: "short" } });
    expect(short.json().issues).toEqual([{ field: "body.password", reason: "must be at least 12 characters" }]);
    const set = await invitee.request({ method: "POST", url: "/api/auth/password", payload: { token, password: PASSWORD } });
    expect(set.statusCode).toBe(200);
    expect(set.json().user.email).toBe(email);
    // A used link is a credential that no longer opens anything: 401, with the message a person reads.
    const reused = await new Browser(fleet).request({ method: "POST", url: "/api/auth/password", payload: { token, password: PASSWORD } });
    expect(reused.statusCode).toBe(401);
    expect(reused.json().issues).toEqual([{ field: "body.token", reason: "used, expired or replaced" }]);
    expect((await new Browser(fleet).signIn(email)).statusCode).toBe(200);

    // An expired link does nothing; a new link replaces the old one.
    const userId = created.json().user.id;
    const first = (await browser.request({ method: "POST", url: `/api/users/${userId}/password-link` })).json().url.split("#token=")[1];
    const second = (await browser.request({ method: "POST", url: `/api/users/${userId}/password-link` })).json().url.split("#token=")[1];
    expect((await new Browser(fleet).request({ method: "POST", url: "/api/auth/password", payload: { token: first, password: PASSWORD } })).statusCode).toBe(
      401,
    );
    await fleet.db.passwordLink.updateMany({ where: { userId, usedAt: null }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect((await new Browser(fleet).request({ method: "POST", url: "/api/auth/password", payload: { token: second, password: PASSWORD } })).statusCode).toBe(
      401,
    );

    // Disabling ends the user's sessions at once.
    expect((await invitee.request({ method: "GET", url: "/api/integrations" })).statusCode).toBe(200);
    expect((await browser.request({ method: "PATCH", url: `/api/users/${userId}`, payload: { disabled: true } })).json().status).toBe("disabled");
    expect((await invitee.request({ method: "GET", url: "/api/integrations" })).statusCode).toBe(401);

    // No changing or deleting oneself; never the last admin.
    expect((await browser.request({ method: "PATCH", url: `/api/users/${admin.id}`, payload: { role: "viewer" } })).statusCode).toBe(409);
    expect((await browser.request({ method: "DELETE", url: `/api/users/${admin.id}` })).statusCode).toBe(409);
    const lone = await fleet.newOrganization(["admin"]);
    const loneAdmin = await person("admin", lone.organizationId);
    const apiAdmin = { authorization: `Bearer ${lone.apiKey}`, host: HOST };
    const last = await fleet.app.inject({ method: "PATCH", url: `/api/users/${loneAdmin.id}`, headers: apiAdmin, payload: { role: "editor" } });
    expect(last.statusCode).toBe(409);
    expect(last.json().message).toContain("last active admin");
    // Another organization's user is not found.
    expect((await browser.request({ method: "PATCH", url: `/api/users/${loneAdmin.id}`, payload: { role: "viewer" } })).statusCode).toBe(404);
    expect((await browser.request({ method: "GET", url: "/api/users?limit=200" })).json().items.map((u: { id: string }) => u.id)).not.toContain(loneAdmin.id);
  });

  it("keeps API keys working unchanged beside sessions: a request with a key is the key's, whatever cookie it carries", async () => {
    const reader = await fleet.newOrganization(["read"]);
    const admin = await person("admin");
    const browser = new Browser(fleet);
    await browser.signIn(admin.email);
    const res = await browser.request({
      method: "POST",
      url: "/api/keys",
      payload: { name: "x", scopes: ["read"] },
      headers: { authorization: `Bearer ${reader.apiKey}` },
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().message).toContain("This API key lacks the 'admin' scope");
    const keyed = await fleet.app.inject({ method: "GET", url: "/api/integrations", headers: { authorization: `Bearer ${reader.apiKey}`, host: HOST } });
    expect(keyed.statusCode).toBe(200);
  });
});
