import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { keyPrefixOf } from "../auth/api-keys.ts";
import type { GatewayDeps } from "../deps.ts";

/** Per API key (its public prefix, so guessing keys is limited too), else per client address. */
function caller(request: FastifyRequest): string {
  const presented = request.headers.authorization?.split(" ")[1];
  const prefix = presented ? keyPrefixOf(presented) : null;
  return prefix ? `key:${prefix}` : `ip:${request.ip}`;
}

/** Counters live in Redis so every gateway process shares them. Routes that start Python declare a tighter `config.rateLimit`. */
export async function registerRateLimit(app: FastifyInstance, { redis, settings }: Pick<GatewayDeps, "redis" | "settings">) {
  await app.register(rateLimit, {
    global: true,
    max: settings.rateLimitPerMinute,
    timeWindow: 60_000,
    redis,
    nameSpace: `${settings.redisPrefix}:ratelimit:`,
    keyGenerator: caller,
    allowList: (request) => request.routeOptions.config?.scope === "public",
    // A Redis hiccup must not take the API down with it.
    skipOnError: true,
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      error: "Too Many Requests",
      message: `Rate limit of ${context.max} requests per minute exceeded; retry in ${Math.ceil(context.ttl / 1000)} s`,
    }),
  });
}

export function expensive(settings: GatewayDeps["settings"]) {
  return { max: settings.expensiveRateLimitPerMinute, timeWindow: 60_000 };
}
