import "@fastify/cookie";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { allows, authenticate, authenticateOperator, isOperatorKeyShape, type Principal, type Scope } from "../auth/api-keys.ts";
import { AuthFailureLimit } from "../auth/failure-limit.ts";
import { PrincipalCache } from "../auth/principal-cache.ts";
import { ROLE_SCOPE } from "../auth/roles.ts";
import { CSRF_HEADER, csrfMatches, resolveSession, SESSION_COOKIE, type SignedIn } from "../auth/sessions.ts";
import type { GatewayDeps } from "../deps.ts";
import { crossSite } from "./same-origin.ts";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
    /** Set when the request came with a console session cookie rather than an API key. */
    session: (SignedIn & { token: string }) | null;
  }
  interface FastifyInstance {
    /** API keys verified a moment ago; a route that revokes a key clears it. */
    principalCache: PrincipalCache;
  }
  interface FastifyContextConfig {
    /**
     * The scope a route needs; "public" only for liveness and the docs; "operator" for the queue
     * board, which only an operator key opens. A route that names none needs admin.
     */
    scope?: Scope | "public" | "operator";
  }
}

function refuse(reply: FastifyReply, status: 401 | 403 | 429, message: string, challenge?: string) {
  if (challenge) reply.header("www-authenticate", challenge);
  const error = { 401: "Unauthorized", 403: "Forbidden", 429: "Too Many Requests" }[status];
  return reply.status(status).send({ statusCode: status, error, message });
}

const OPERATOR_ONLY =
  "The queue board is for the fleet's operators: organization API keys and console sessions never open it. Use an operator key (pnpm admin create-operator-key).";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Every route needs the scope it declares, from `Authorization: Bearer <API key>` (machines) or a
 * console session cookie (people, whose role stands for a scope). The credential decides the
 * organization: routes read `request.principal.organizationId` and never take it as input. A
 * request that changes something with a cookie must also carry the session's CSRF token and must
 * not come from another site. The queue board takes only operator keys, which belong to no
 * organization and open nothing else. Failed key authentications count against the client's
 * address (see AuthFailureLimit).
 */
export function registerAuthentication(app: FastifyInstance, { db, redis, settings }: Pick<GatewayDeps, "db" | "redis" | "settings">) {
  const failures = new AuthFailureLimit(redis, settings.redisPrefix, settings.authFailuresPerMinute);
  const cache = new PrincipalCache(settings.apiKeyCacheMs);
  app.decorate("principalCache", cache);
  app.decorateRequest("principal", null);
  app.decorateRequest("session", null);
  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    // A path no route serves still needs a key, but any scope may learn that it does not exist.
    const required = request.routeOptions.config?.scope ?? (request.is404 ? "read" : "admin");
    if (required === "public") return;
    const blockedMs = await failures.blockedFor(request.ip);
    if (blockedMs > 0) {
      const seconds = Math.ceil(blockedMs / 1000);
      reply.header("retry-after", String(seconds));
      return refuse(reply, 429, `Too many failed authentications from this address (limit ${failures.perMinute} a minute); retry in ${seconds} s`);
    }
    const unauthenticated = async (message: string, challenge: string) => {
      await failures.record(request.ip);
      return refuse(reply, 401, message, challenge);
    };
    const header = request.headers.authorization;
    const cookie = request.cookies?.[SESSION_COOKIE];
    if (!header && cookie) return sessionPrincipal(request, reply, cookie, required);
    if (!header) return unauthenticated("Authentication required: send 'Authorization: Bearer <API key>'", 'Bearer realm="langguard"');
    const [scheme, presented, extra] = header.split(" ");
    if (scheme?.toLowerCase() !== "bearer" || !presented || extra !== undefined) {
      return unauthenticated("Malformed Authorization header: expected 'Bearer <API key>'", 'Bearer realm="langguard", error="invalid_request"');
    }
    const invalid = () => unauthenticated("The API key is not valid: it is unknown, revoked or expired", 'Bearer realm="langguard", error="invalid_token"');
    if (isOperatorKeyShape(presented)) {
      if (!(await authenticateOperator(db, presented))) return invalid();
      if (required !== "operator") return refuse(reply, 403, "An operator key opens only the queue board; use an organization's API key here");
      return;
    }
    let principal = cache.get(presented);
    if (!principal) {
      principal = await authenticate(db, presented);
      if (!principal) return invalid();
      cache.set(presented, principal);
    }
    if (required === "operator") return refuse(reply, 403, OPERATOR_ONLY);
    if (!allows(principal.scopes, required)) {
      return refuse(
        reply,
        403,
        `This API key lacks the '${required}' scope that ${request.method} ${request.routeOptions.url ?? request.url.split("?")[0]} needs`,
      );
    }
    request.principal = principal;
  });

  async function sessionPrincipal(request: FastifyRequest, reply: FastifyReply, token: string, required: Scope | "operator") {
    const signedIn = await resolveSession(db, token, settings.sessions);
    if (!signedIn) return refuse(reply, 401, "Your session has ended; sign in again", 'Bearer realm="langguard", error="invalid_token"');
    if (required === "operator") return refuse(reply, 403, OPERATOR_ONLY);
    if (!SAFE_METHODS.has(request.method)) {
      if (crossSite(request)) return refuse(reply, 403, "Cross-site requests are refused");
      if (!csrfMatches(token, request.headers[CSRF_HEADER] as string | undefined))
        return refuse(reply, 403, `Missing or wrong CSRF token: send the session's token in the ${CSRF_HEADER} header`);
    }
    const scope = ROLE_SCOPE[signedIn.role];
    if (!allows([scope], required)) {
      return refuse(reply, 403, `Your role (${signedIn.role}) does not allow ${request.method} ${request.routeOptions.url ?? request.url.split("?")[0]}`);
    }
    request.session = { ...signedIn, token };
    request.principal = { organizationId: signedIn.organizationId, scopes: [scope], keyId: null, userId: signedIn.userId, actor: `user:${signedIn.userId}` };
  }
}

/** The caller's organization; routes run only after authentication, so it is always set. */
export function orgOf(request: FastifyRequest): string {
  if (!request.principal) throw new Error("route reached without authentication");
  return request.principal.organizationId;
}
