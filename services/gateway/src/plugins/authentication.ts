import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { allows, authenticate, type Principal, type Scope } from "../auth/api-keys.ts";
import type { GatewayDeps } from "../deps.ts";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** The scope a route needs; "public" only for liveness. A route that names none needs admin. */
    scope?: Scope | "public";
  }
}

function refuse(reply: FastifyReply, status: 401 | 403, message: string, challenge?: string) {
  if (challenge) reply.header("www-authenticate", challenge);
  return reply.status(status).send({ statusCode: status, error: status === 401 ? "Unauthorized" : "Forbidden", message });
}

/**
 * Every route needs `Authorization: Bearer <API key>` with the scope it declares. The key decides
 * the organization: routes read `request.principal.organizationId` and never take it as input.
 */
export function registerAuthentication(app: FastifyInstance, { db }: Pick<GatewayDeps, "db">) {
  app.decorateRequest("principal", null);
  app.addHook("onRequest", async (request: FastifyRequest, reply: FastifyReply) => {
    const required = request.routeOptions.config?.scope ?? "admin";
    if (required === "public") return;
    const header = request.headers.authorization;
    if (!header) return refuse(reply, 401, "Authentication required: send 'Authorization: Bearer <API key>'", 'Bearer realm="langguard"');
    const [scheme, presented, extra] = header.split(" ");
    if (scheme?.toLowerCase() !== "bearer" || !presented || extra !== undefined) {
      return refuse(reply, 401, "Malformed Authorization header: expected 'Bearer <API key>'", 'Bearer realm="langguard", error="invalid_request"');
    }
    const principal = await authenticate(db, presented);
    if (!principal) return refuse(reply, 401, "The API key is not valid: it is unknown, revoked or expired", 'Bearer realm="langguard", error="invalid_token"');
    if (!allows(principal.scopes, required)) {
      return refuse(
        reply,
        403,
        `This API key lacks the '${required}' scope that ${request.method} ${request.routeOptions.url ?? request.url.split("?")[0]} needs`,
      );
    }
    request.principal = principal;
  });
}

/** The caller's organization; routes run only after authentication, so it is always set. */
export function orgOf(request: FastifyRequest): string {
  if (!request.principal) throw new Error("route reached without authentication");
  return request.principal.organizationId;
}
