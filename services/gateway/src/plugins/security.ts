import cors from "@fastify/cors";
import helmet from "@fastify/helmet";
import type { FastifyInstance } from "fastify";
import type { GatewaySettings } from "../deps.ts";
import { registerPageHeaders } from "./page-headers.ts";

/** Strips the port from a Host header value, IPv6 literals included. */
function hostName(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith("[")) return value.slice(0, value.indexOf("]") + 1);
  return value.split(":")[0] ?? "";
}

/**
 * Headers a browser honours, CORS only for configured origins, and only known Host values: a page
 * on a rebinding DNS name reaches the API under a Host it does not answer to. What only makes sense
 * over https (HSTS, the upgrade of requests, cross-origin isolation) is sent only with FORCE_HTTPS:
 * over plain http a browser ignores or, worse, obeys it by breaking the page.
 */
export async function registerSecurity(app: FastifyInstance, settings: Pick<GatewaySettings, "allowedHosts" | "corsOrigins" | "forceHttps">) {
  const allowed = new Set(settings.allowedHosts);
  app.addHook("onRequest", async (request, reply) => {
    const host = hostName(request.headers.host ?? "");
    if (!allowed.has("*") && !allowed.has(host)) {
      return reply.status(400).send({ statusCode: 400, error: "Bad Request", message: `Host '${host}' is not served here; add it to ALLOWED_HOSTS` });
    }
  });
  const https = settings.forceHttps;
  await app.register(helmet, {
    global: true,
    // Set per page by registerPageHeaders.
    contentSecurityPolicy: false,
    strictTransportSecurity: https,
    crossOriginOpenerPolicy: https,
    originAgentCluster: https,
  });
  registerPageHeaders(app, https);
  if (settings.corsOrigins.length > 0) {
    await app.register(cors, { origin: settings.corsOrigins, methods: ["GET", "POST", "PATCH", "DELETE"], allowedHeaders: ["authorization", "content-type"] });
  }
}
