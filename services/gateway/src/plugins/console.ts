import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import { pageOf } from "./page-headers.ts";

/**
 * apps/console/dist of the checkout or image this code runs from: found by walking up, since this
 * file runs both from services/gateway/src and bundled into dist/.
 */
export function findConsoleDir(from = path.dirname(fileURLToPath(import.meta.url))): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "apps", "console", "dist");
    if (existsSync(path.join(candidate, "index.html"))) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

/** Hashed names change with their content, so a browser may keep them for a year. */
const IMMUTABLE = "public, max-age=31536000, immutable";

/**
 * The console's built files at `/`: hashed assets cached for good, and index.html for every other
 * path a person may open or reload (/settings/integrations/…), always revalidated so a deploy is
 * seen at once. Paths of the API, the docs and the queue board keep their own 404s.
 */
export async function registerConsole(app: FastifyInstance, dir: string | null = findConsoleDir()) {
  if (!dir) {
    app.log.warn("the console is not built (apps/console/dist is missing); run `pnpm build`");
    app.get("/", { config: { scope: "public" }, schema: { hide: true } }, async (_request, reply) =>
      reply.status(503).type("text/plain").send("The console is not built: run `pnpm build`, then restart the gateway.\n"),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: "/",
    wildcard: false,
    index: false,
    // What the build ships to browsers: not its manifest (.vite/), nothing else that may land in dist.
    allowedPath: (pathName) => pathName.startsWith("/assets/") || pathName === "/favicon.svg" || pathName === "/index.html",
    cacheControl: false,
    setHeaders(res, filePath) {
      res.header("cache-control", filePath.includes(`${path.sep}assets${path.sep}`) ? IMMUTABLE : "no-cache");
    },
    serveDotFiles: false,
  });
  const shell = async (request: import("fastify").FastifyRequest, reply: import("fastify").FastifyReply) => {
    if (pageOf(request.url) !== "console") return reply.callNotFound();
    reply.header("cache-control", "no-cache");
    return reply.sendFile("/index.html", dir, { cacheControl: false });
  };
  app.get("/", { config: { scope: "public" }, schema: { hide: true } }, shell);
  app.get("/*", { config: { scope: "public", fallback: true }, schema: { hide: true } }, shell);
}
