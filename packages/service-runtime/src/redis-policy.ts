import type { Logger } from "@langguard/logger";
import { addressOf, serversOf, type RedisClient } from "@langguard/queue-contracts";
import type { Redis } from "ioredis";

/**
 * BullMQ keeps jobs, locks and schedulers as ordinary keys: a Redis that evicts keys under memory
 * pressure silently loses jobs. Returns the policy found (null when the server refuses CONFIG, as
 * managed services often do) and warns loudly unless it is `noeviction`.
 *
 * On a cluster CONFIG answers for one node only, so every node is asked, replicas included (a
 * replica becomes the master of its slots when its master fails). The result is the worst answer:
 * an evicting policy if any node has one, else null if any refused.
 */
export async function checkEvictionPolicy(redis: RedisClient, logger: Logger): Promise<string | null> {
  const servers = await serversOf(redis);
  const answers = await Promise.all(servers.map(async (server) => ({ server: addressOf(server), policy: await policyOf(server) })));
  const refused = answers.filter((a) => a.policy === null).map((a) => a.server);
  const evicting = answers.filter((a) => a.policy !== null && a.policy !== "noeviction");
  if (refused.length > 0) {
    logger.warn({ servers: refused }, "could not read Redis's maxmemory-policy (CONFIG GET refused): make sure it is 'noeviction', or queued jobs can be lost");
  }
  const policy = evicting[0]?.policy;
  if (policy) {
    logger.error(
      { maxmemoryPolicy: policy, servers: evicting.map((a) => `${a.server} (${a.policy})`) },
      `REDIS EVICTS KEYS: maxmemory-policy is '${policy}'. BullMQ's jobs are keys, so under memory pressure Redis will drop queued syncs. Set 'maxmemory-policy noeviction' (docker-compose.yml does).`,
    );
    return policy;
  }
  return refused.length > 0 ? null : "noeviction";
}

async function policyOf(server: Redis): Promise<string | null> {
  try {
    const answer = (await server.config("GET", "maxmemory-policy")) as string[];
    return answer[1] ?? null;
  } catch {
    return null;
  }
}
