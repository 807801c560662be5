import type { Logger } from "@langguard/logger";
import type { Redis } from "ioredis";

/**
 * BullMQ keeps jobs, locks and schedulers as ordinary keys: a Redis that evicts keys under memory
 * pressure silently loses jobs. Returns the policy found (null when the server refuses CONFIG, as
 * managed services often do) and warns loudly unless it is `noeviction`.
 */
export async function checkEvictionPolicy(redis: Pick<Redis, "config">, logger: Logger): Promise<string | null> {
  let policy: string | null = null;
  try {
    const answer = (await redis.config("GET", "maxmemory-policy")) as string[];
    policy = answer[1] ?? null;
  } catch {
    logger.warn("could not read Redis's maxmemory-policy (CONFIG GET refused): make sure it is 'noeviction', or queued jobs can be lost");
    return null;
  }
  if (policy !== "noeviction") {
    logger.error(
      { maxmemoryPolicy: policy },
      `REDIS EVICTS KEYS: maxmemory-policy is '${policy}'. BullMQ's jobs are keys, so under memory pressure Redis will drop queued syncs. Set 'maxmemory-policy noeviction' (docker-compose.yml does).`,
    );
  }
  return policy;
}
