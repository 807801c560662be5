import type { FastifyInstance } from "fastify";
import { DOCS_PREFIX } from "./api-docs.ts";
import { QUEUES_UI_PREFIX } from "./queues-ui.ts";

type Page = "api" | "docs" | "queues" | "console";

const under = (url: string, prefix: string) => url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`);

/** Which kind of page a URL is: each gets the policy that fits what it serves. */
export function pageOf(url: string): Page {
  if (under(url, "/api") || under(url, "/health")) return "api";
  if (under(url, DOCS_PREFIX)) return "docs";
  if (under(url, QUEUES_UI_PREFIX)) return "queues";
  return "console";
}

/** The policy of the pages other projects ship (Swagger UI, Bull Board). */
const THIRD_PARTY_UI = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "frame-ancestors 'none'",
];

const POLICIES: Record<Page, string[]> = {
  // JSON is never a document: nothing may load from it, and no page may frame it.
  api: ["default-src 'none'", "frame-ancestors 'none'"],
  // Our own console: only its own hashed files, no inline script or style at all.
  console: [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ],
  // Swagger UI and Bull Board run only their own script files, but style elements inline.
  docs: THIRD_PARTY_UI,
  queues: THIRD_PARTY_UI,
};

/**
 * The Content-Security-Policy of a URL. Browsers are told to upgrade requests to https only when
 * the operator says the gateway is served over https (FORCE_HTTPS): on a plain-http private host
 * name, upgrading would send every asset to an https port nobody listens on.
 */
export function contentSecurityPolicy(url: string, forceHttps: boolean): string {
  const directives = POLICIES[pageOf(url)];
  return [...directives, ...(forceHttps ? ["upgrade-insecure-requests"] : [])].join("; ");
}

// Bull Board's page links Google Fonts; behind a firewall that is a failed request (and a CSP
// violation here). Without it the board falls back to the system's sans-serif and monospace.
const EXTERNAL_FONTS = /<link[^>]+href="https:\/\/fonts\.(googleapis|gstatic)\.com[^"]*"[^>]*>/g;

/** Sets each page's policy, and serves Bull Board's page without its external fonts. */
export function registerPageHeaders(app: FastifyInstance, forceHttps: boolean) {
  app.addHook("onRequest", async (request, reply) => {
    reply.header("content-security-policy", contentSecurityPolicy(request.url, forceHttps));
  });
  app.addHook("onSend", async (request, reply, payload) => {
    if (typeof payload !== "string" || pageOf(request.url) !== "queues") return payload;
    if (!String(reply.getHeader("content-type") ?? "").startsWith("text/html")) return payload;
    return payload.replace(EXTERNAL_FONTS, "");
  });
}
