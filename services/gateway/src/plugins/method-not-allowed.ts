import type { FastifyInstance } from "fastify";

declare module "fastify" {
  interface FastifyContextConfig {
    /**
     * The route is a fallback that serves only some of the paths it matches (the console's shell
     * under `/*`) and hands the rest to the not-found handler: it does not make those paths
     * resources, so another method there is 404, not 405.
     */
    fallback?: boolean;
  }
}

interface Resource {
  url: string;
  pattern: RegExp;
  /** Segments ranked for precedence as the router applies it: static (2) before parameter (1) before wildcard (0). */
  rank: number[];
  methods: Set<string>;
}

function compile(url: string): Pick<Resource, "pattern" | "rank"> {
  const segments = url.split("/").slice(1);
  const source = segments.map((s) => (s === "*" ? ".*" : s.startsWith(":") ? "[^/]+" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("/");
  return { pattern: new RegExp(`^/${source}$`), rank: segments.map((s) => (s === "*" ? 0 : s.startsWith(":") ? 1 : 2)) };
}

/** The route the router would pick for a path: the most specific of those that match it. */
function moreSpecific(a: Resource, b: Resource): Resource {
  for (let i = 0; i < Math.max(a.rank.length, b.rank.length); i += 1) {
    const difference = (a.rank[i] ?? -1) - (b.rank[i] ?? -1);
    if (difference !== 0) return difference > 0 ? a : b;
  }
  return a;
}

/**
 * A path the API serves, asked with a method it does not serve there, is answered 405 with the
 * methods it does serve in `Allow` (RFC 9110), and OPTIONS with 204 and the same `Allow`;
 * a path it does not serve at all stays 404. A path is the resource the router would pick for
 * it: `/api/policies/violations` is its own resource, not `/api/policies/:id` with a bad id, so
 * PATCH there is 405 rather than a complaint about the id. Runs before the body is read, so a
 * method that carries a body (QUERY) is refused for the method, not for its content type.
 */
export function registerMethodNotAllowed(app: FastifyInstance): void {
  const resources = new Map<string, Resource>();
  app.addHook("onRoute", (route) => {
    if ((route.config as { fallback?: boolean } | undefined)?.fallback) return;
    const resource = resources.get(route.url) ?? { url: route.url, ...compile(route.url), methods: new Set<string>() };
    for (const method of [route.method].flat()) resource.methods.add(method);
    resources.set(route.url, resource);
  });
  app.addHook("onRequest", async (request, reply) => {
    const matched = request.routeOptions.url;
    // A route with no parameter is the path's own resource: nothing more specific exists.
    if (!request.is404 && matched !== undefined && !/[:*]/.test(matched)) return;
    const path = request.url.split("?")[0] ?? "";
    let match: Resource | undefined;
    for (const resource of resources.values()) if (resource.pattern.test(path)) match = match ? moreSpecific(match, resource) : resource;
    if (!match || (!request.is404 && (match.url === matched || match.methods.has(request.method)))) return;
    const allowed = [...new Set([...match.methods, "OPTIONS"])].sort().join(", ");
    reply.header("allow", allowed);
    if (request.method === "OPTIONS") return reply.status(204).send();
    return reply.status(405).send({ statusCode: 405, error: "Method Not Allowed", message: `${request.method} is not served at ${path}; it takes ${allowed}` });
  });
}
