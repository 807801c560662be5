import type { RedisClient } from "@langguard/queue-contracts";

const WINDOW_MS = 60_000;

/**
 * Failed authentications per client address, counted in Redis so every gateway process shares
 * the count. Past the limit, the address is answered 429 before its key is even looked up, so
 * nobody can guess keys (or make us query Postgres) at line rate. A Redis outage lets requests
 * through, as the request rate limit does: it must not take the API down with it.
 */
export class AuthFailureLimit {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    readonly perMinute: number,
  ) {}

  private key(address: string): string {
    return `${this.prefix}:authfail:${address}`;
  }

  /** Milliseconds until the address may try again; 0 when it may try now. */
  async blockedFor(address: string): Promise<number> {
    try {
      const key = this.key(address);
      const count = Number((await this.redis.get(key)) ?? 0);
      if (count < this.perMinute) return 0;
      return Math.max(1_000, await this.redis.pttl(key));
    } catch {
      return 0;
    }
  }

  /** Counts one failure; the window starts at an address's first failure. */
  async record(address: string): Promise<void> {
    try {
      const key = this.key(address);
      // SET … NX PX first, so the counter always carries its expiry even if this process dies
      // between the two commands; INCR keeps the expiry.
      await this.redis.set(key, "0", "PX", WINDOW_MS, "NX");
      await this.redis.incr(key);
    } catch {
      // counted best effort, like the request rate limit
    }
  }
}
