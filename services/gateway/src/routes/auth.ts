import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { email, password, ROLES } from "@langguard/input-rules";
import { loginLimit } from "../auth/login-limit.ts";
import { verifyPassword } from "../auth/passwords.ts";
import { createSession, csrfTokenOf, endSession, pruneSessions, resolveSession, SESSION_COOKIE } from "../auth/sessions.ts";
import { usePasswordLink } from "../auth/users.ts";
import type { GatewayDeps } from "../deps.ts";
import { HttpError } from "../plugins/error-handler.ts";
import { crossSite } from "../plugins/same-origin.ts";
import { errorResponses } from "../schemas/common.ts";

export const SessionView = z.object({
  user: z.object({ id: z.uuid(), email: z.string(), role: z.enum(ROLES) }),
  organization: z.object({ id: z.uuid(), slug: z.string(), name: z.string() }),
  csrfToken: z.string().describe("Send it as X-CSRF-Token with every request that changes something"),
  expiresAt: z.date().describe("The session ends then, however active"),
  idleExpiresAt: z.date().describe("The session ends then unless it is used before"),
});

const LoginBody = z.object({ email, password: z.string().min(1, "must not be empty").max(1024, "must be at most 1024 characters") }).strict();
const PasswordBody = z.object({ token: z.string().min(1, "must not be empty").max(200, "is not a valid link"), password }).strict();

/** The same words whether the address is unknown, the password wrong or the account disabled. */
export const SIGN_IN_FAILED = "The e-mail address or password is not correct";

/** Console sign-in, the session it gives, sign-out, and setting a password through a one-time link. */
export const authRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, deps) => {
  const { db, settings } = deps;
  const limit = loginLimit(deps.redis, settings.redisPrefix, settings.loginFailuresPerEmail);

  const sessionView = async (token: string) => {
    const signedIn = await resolveSession(db, token, settings.sessions);
    if (!signedIn) throw new HttpError(401, "Your session has ended; sign in again");
    const organization = await db.organization.findUniqueOrThrow({ where: { id: signedIn.organizationId } });
    return {
      user: { id: signedIn.userId, email: signedIn.email, role: signedIn.role },
      organization: { id: organization.id, slug: organization.slug, name: organization.name },
      csrfToken: csrfTokenOf(token),
      expiresAt: signedIn.expiresAt,
      idleExpiresAt: signedIn.idleExpiresAt,
    };
  };

  const startSession = async (request: FastifyRequest, reply: FastifyReply, userId: string) => {
    await pruneSessions(db, settings.sessions);
    const { token, expiresAt } = await createSession(db, userId, settings.sessions);
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: "strict",
      path: "/",
      secure: settings.forceHttps || request.protocol === "https",
      expires: expiresAt,
    });
    return sessionView(token);
  };

  // Sign-in forms are a target of cross-site requests too (signing a victim in as the attacker).
  const refuseCrossSite = (request: FastifyRequest) => {
    if (crossSite(request)) throw new HttpError(403, "Cross-site requests are refused");
  };

  app.post(
    "/api/auth/login",
    { config: { scope: "public" }, schema: { body: LoginBody, response: { 200: SessionView, ...errorResponses } } },
    async (request, reply) => {
      refuseCrossSite(request);
      const { email: address, password: presented } = request.body;
      const waitMs = await limit.retryAfterMs(address, request.ip);
      if (waitMs > 0) {
        const minutes = Math.ceil(waitMs / 60_000);
        reply.header("retry-after", String(Math.ceil(waitMs / 1000)));
        throw new HttpError(429, `Too many failed sign-ins; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`);
      }
      const user = await db.user.findUnique({ where: { email: address } });
      const valid = await verifyPassword(user?.passwordHash ?? null, presented);
      if (!user || !valid || user.disabledAt) {
        await limit.recordFailure(address, request.ip);
        throw new HttpError(401, SIGN_IN_FAILED);
      }
      await limit.reset(address);
      await db.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } });
      return startSession(request, reply, user.id);
    },
  );

  // Public, and 200 either way: the console asks it on every load, and "nobody is signed in" is an
  // answer, not an error (a 401 here would be an error in every visitor's browser console).
  app.get(
    "/api/auth/session",
    { config: { scope: "public" }, schema: { response: { 200: z.object({ session: SessionView.nullable() }), ...errorResponses } } },
    async (request) => {
      const token = request.cookies[SESSION_COOKIE];
      const signedIn = token ? await resolveSession(db, token, settings.sessions) : null;
      return { session: signedIn && token ? await sessionView(token) : null };
    },
  );

  app.post(
    "/api/auth/logout",
    { config: { scope: "read" }, schema: { response: { 204: z.null().describe("Signed out"), ...errorResponses } } },
    async (request, reply) => {
      if (request.session) await endSession(db, request.session.token);
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/api/auth/password",
    { config: { scope: "public" }, schema: { body: PasswordBody, response: { 200: SessionView, ...errorResponses } } },
    async (request, reply) => {
      refuseCrossSite(request);
      const user = await usePasswordLink(db, request.body.token, request.body.password);
      // The link's token is the credential for this request: one that no longer opens anything is
      // 401 (as a wrong password is), not a malformed body.
      if (!user)
        throw new HttpError(
          401,
          "This link cannot be used: it was used already, has expired or was replaced by a newer one. Ask an administrator for a new one.",
          {
            issues: [{ field: "body.token", reason: "used, expired or replaced" }],
          },
        );
      await db.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } });
      return startSession(request, reply, user.id);
    },
  );
};
