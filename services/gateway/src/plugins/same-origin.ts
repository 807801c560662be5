import type { FastifyRequest } from "fastify";

/**
 * Whether a browser says the request comes from a page of another origin: Fetch Metadata first
 * (every current browser sends Sec-Fetch-Site), else the Origin header against the Host the
 * request was sent to. Requests without either (curl, servers) are not browsers' and pass.
 */
export function crossSite(request: FastifyRequest): boolean {
  const site = request.headers["sec-fetch-site"];
  if (typeof site === "string" && site !== "same-origin" && site !== "none") return true;
  const origin = request.headers.origin;
  if (typeof origin !== "string") return false;
  if (origin === "null") return true;
  try {
    return new URL(origin).host !== (request.headers.host ?? "").toLowerCase();
  } catch {
    return true;
  }
}
