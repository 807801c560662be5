import { createHash } from "node:crypto";
import type { Principal } from "@langguard/accounts";

interface Entry {
  principal: Principal;
  until: number;
}

/**
 * API keys this process verified a moment ago, so that a busy client's every request does not
 * read its key from Postgres again. An entry lives `ttlMs` at most, and never past the key's own
 * expiry. A key revoked through this process is forgotten at once; one revoked through another
 * gateway process keeps working here for `ttlMs` at most (API_KEY_CACHE_MS; 0 turns the cache
 * off). Entries are keyed by a hash of the whole presented key, never by the key itself, and only
 * keys that passed go in: a wrong secret is always checked against the database.
 */
export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  private static keyOf(presented: string): string {
    return createHash("sha256").update(presented).digest("base64url");
  }

  get(presented: string, now = Date.now()): Principal | null {
    if (this.ttlMs <= 0) return null;
    const key = PrincipalCache.keyOf(presented);
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.until <= now) {
      this.entries.delete(key);
      return null;
    }
    return entry.principal;
  }

  set(presented: string, principal: Principal, now = Date.now()): void {
    if (this.ttlMs <= 0) return;
    // Oldest first out (a Map keeps insertion order): a flood of distinct valid keys stays bounded.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const until = Math.min(now + this.ttlMs, principal.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY);
    this.entries.set(PrincipalCache.keyOf(presented), { principal, until });
  }

  /** After a revocation here: revocations are rare, so everything is checked again. */
  clear(): void {
    this.entries.clear();
  }
}
