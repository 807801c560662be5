import { createHash } from "node:crypto";
import type { RedisClient } from "@langguard/queue-contracts";

/** Failed sign-ins are counted over this window. */
export const LOGIN_WINDOW_MS = 15 * 60_000;
/** A client address may fail this many times more often than one e-mail address (a shared office NAT). */
const PER_ADDRESS_FACTOR = 5;

export interface LoginLimit {
  /** Milliseconds until signing in may be tried again; 0 when it may be now. */
  retryAfterMs(email: string, ip: string): Promise<number>;
  recordFailure(email: string, ip: string): Promise<void>;
  reset(email: string): Promise<void>;
}

/**
 * Failed sign-ins per e-mail address and per client address, counted in Redis so every gateway
 * process shares them. Unknown addresses are counted exactly like known ones: the limit must not
 * tell an attacker which addresses have accounts.
 */
export function loginLimit(redis: RedisClient, prefix: string, perEmail: number): LoginLimit {
  const emailKey = (email: string) => `${prefix}:login-failures:email:${createHash("sha256").update(email).digest("hex")}`;
  const ipKey = (ip: string) => `${prefix}:login-failures:ip:${ip}`;
  const over = async (key: string, max: number) => {
    const [count, ttl] = await Promise.all([redis.get(key), redis.pttl(key)]);
    return Number(count ?? 0) >= max ? Math.max(ttl, 1_000) : 0;
  };
  const bump = async (key: string) => {
    const count = await redis.incr(key);
    if (count === 1) await redis.pexpire(key, LOGIN_WINDOW_MS);
  };
  return {
    async retryAfterMs(email, ip) {
      const [byEmail, byIp] = await Promise.all([over(emailKey(email), perEmail), over(ipKey(ip), perEmail * PER_ADDRESS_FACTOR)]);
      return Math.max(byEmail, byIp);
    },
    async recordFailure(email, ip) {
      await Promise.all([bump(emailKey(email)), bump(ipKey(ip))]);
    },
    async reset(email) {
      await redis.del(emailKey(email));
    },
  };
}
