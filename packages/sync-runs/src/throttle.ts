import type { Database, Integration, Prisma } from "@langguard/database";

/** Without a Retry-After, the wait doubles from this with each throttle in a row… */
export const THROTTLE_BASE_MS = 5_000;
/** …up to this: a workspace that throttles for hours is asked again four times an hour. */
export const THROTTLE_CAP_MS = 15 * 60_000;

/**
 * A workspace that has throttled every attempt for this long is treated as failing instead: its
 * syncs go back to spending attempts, so a run ends (and says why) rather than waiting for ever
 * behind an endpoint that only ever answers 503.
 */
export const THROTTLE_GIVE_UP_MS = 6 * 3_600_000;

/**
 * A job that must wait for its workspace, not fail: the worker puts it back in the delayed set
 * for `throttleDelayMs` without spending one of its attempts (service-runtime's registerWorker).
 */
export class ThrottledError extends Error {
  readonly kind = "rate_limited";
  readonly retryable = true;
  constructor(
    message: string,
    readonly throttleDelayMs: number,
  ) {
    super(message);
    this.name = "ThrottledError";
  }
}

export interface Throttle {
  message: string;
  retryAfterMs?: number;
}

/**
 * A workspace's way of saying "not now": 429, or 503 (Databricks answers TEMPORARILY_UNAVAILABLE
 * under load). Other 5xx and network failures are faults, retried with the job's attempts.
 */
export function throttleOf(error: unknown): Throttle | null {
  const e = error as { kind?: unknown; status?: unknown; retryAfterMs?: unknown; message?: unknown; userMessage?: unknown } | null;
  if (!e || (e.kind !== "rate_limited" && !(e.kind === "unavailable" && e.status === 503))) return null;
  const retryAfterMs = typeof e.retryAfterMs === "number" && e.retryAfterMs >= 0 ? e.retryAfterMs : undefined;
  return { message: String(e.message ?? "the workspace is throttling requests"), retryAfterMs };
}

/** The workspace's Retry-After when it gave one, else doubling from THROTTLE_BASE_MS; capped either way. */
export function throttleDelayMs(retryAfterMs: number | undefined, throttlesInARow: number): number {
  const backoff = THROTTLE_BASE_MS * 2 ** Math.min(20, Math.max(0, throttlesInARow - 1));
  return Math.min(THROTTLE_CAP_MS, retryAfterMs ?? backoff);
}

/**
 * Records that the integration's workspace throttled us, so that every sync of it (traces and
 * catalog alike) waits, and returns how long. The count of throttles in a row drives the backoff.
 */
export async function recordThrottle(db: Database, integrationId: string, throttle: Throttle): Promise<{ delayMs: number; until: Date; since: Date }> {
  const now = new Date();
  const updated = await db.integration.update({
    where: { id: integrationId },
    data: { rateLimitedCount: { increment: 1 } },
    select: { rateLimitedCount: true, rateLimitedAt: true },
  });
  const delayMs = throttleDelayMs(throttle.retryAfterMs, updated.rateLimitedCount);
  const until = new Date(now.getTime() + delayMs);
  await db.integration.update({
    where: { id: integrationId },
    data: { rateLimitedAt: updated.rateLimitedAt ?? now, rateLimitedUntil: until, rateLimitedMessage: throttle.message },
  });
  return { delayMs, until, since: updated.rateLimitedAt ?? now };
}

/** How long a sync of this integration must still wait for its workspace (0: go ahead). */
export function throttleRemainingMs(integration: Pick<Integration, "rateLimitedUntil">, now = Date.now()): number {
  return integration.rateLimitedUntil ? Math.max(0, integration.rateLimitedUntil.getTime() - now) : 0;
}

/** The fields of an integration no workspace is throttling. */
export const RATE_LIMIT_CLEARED = { rateLimitedAt: null, rateLimitedUntil: null, rateLimitedCount: 0, rateLimitedMessage: null };

/** A sync succeeded: the workspace answers again, so the warning goes. */
export async function clearThrottle(db: Database, which: Prisma.IntegrationWhereInput): Promise<void> {
  await db.integration.updateMany({ where: { ...which, rateLimitedAt: { not: null } }, data: RATE_LIMIT_CLEARED });
}

/** What the API shows while the warning stands. */
export function rateLimitView(integration: Pick<Integration, "rateLimitedAt" | "rateLimitedUntil" | "rateLimitedMessage">) {
  if (!integration.rateLimitedAt) return null;
  return {
    status: "warning" as const,
    message: `warning: rate-limited — ${integration.rateLimitedMessage ?? "the workspace is throttling requests"}; syncs wait and resume on their own`,
    since: integration.rateLimitedAt,
    nextAttemptAt: integration.rateLimitedUntil,
  };
}
