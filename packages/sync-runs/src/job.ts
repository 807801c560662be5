import type { Database, Integration, SyncRun } from "@langguard/database";
import type { Logger } from "@langguard/logger";
import { UnrecoverableError } from "@langguard/queue-contracts";
import { completeRun, FINISHED, failRun, loadRun, markRunning, requeueRun, startHeartbeat, type RunOutcome, type RunProblem } from "./lifecycle.ts";
import { recordThrottle, THROTTLE_GIVE_UP_MS, ThrottledError, throttleOf, throttleRemainingMs } from "./throttle.ts";

export interface SyncJobContext {
  db: Database;
  logger: Logger;
  signal?: AbortSignal;
  attempt?: number;
  maxAttempts?: number;
  /** No attempt follows this one (JobContext's): a retryable failure now fails the run. Derived from attempt/maxAttempts when absent. */
  finalAttempt?: boolean;
  heartbeatMs: number;
  /** What the run's status says while it waits after an interruption ("it resumes from …"). */
  resumeNote: string;
  /** Turns a failure into our words and whether trying again can help (describeFailure by default). */
  describe?: (error: unknown) => RunProblem & { retryable: boolean };
}

/**
 * Errors that know their kind (the bridge's, or a sync's own) say so; a token that cannot be
 * opened is a configuration problem no retry fixes; anything else may pass on a retry.
 */
export function describeFailure(error: unknown): RunProblem & { retryable: boolean } {
  const e = error as { kind?: unknown; retryable?: unknown; userMessage?: unknown; message?: unknown; name?: unknown } | null;
  if (e && typeof e.kind === "string" && typeof e.retryable === "boolean") {
    return { kind: e.kind, message: String(e.userMessage ?? e.message), retryable: e.retryable };
  }
  if (e?.name === "SecretDecryptionError") return { kind: "config", message: String(e.message), retryable: false };
  return { kind: "internal", message: error instanceof Error ? error.message : String(error), retryable: !(error instanceof UnrecoverableError) };
}

/** What a sync's work ends with: how the run ends (written by runSyncJob), and its summary for the job's result. */
export interface SyncWorkResult<T> {
  outcome: RunOutcome;
  summary: T;
}

/** What the work may ask of the job it runs in. */
export interface SyncAttempt {
  /** No attempt follows this one: a retryable problem is the run's outcome now rather than a reason to retry. */
  finalAttempt: boolean;
}

function isFinalAttempt(ctx: SyncJobContext): boolean {
  return ctx.finalAttempt ?? (ctx.maxAttempts ?? 1) - (ctx.attempt ?? 1) <= 0;
}

/**
 * Owns a sync run from start to end, for every kind: skip a finished run, refuse a deleted or
 * disabled integration, wait out a throttling workspace, mark running, prove life while working,
 * write the outcome the work returns (succeeded, partial or failed), and on an error hand the run
 * back (shutdown), wait (throttled), queue it for BullMQ's retry (retryable, attempts left) or
 * fail it. A service's work only syncs, and says how it went.
 */
export async function runSyncJob<T>(
  syncRunId: string,
  integrationId: string,
  ctx: SyncJobContext,
  work: (run: SyncRun, integration: Integration, attempt: SyncAttempt) => Promise<SyncWorkResult<T>>,
): Promise<T | { status: string; skipped: true }> {
  const { db, logger } = ctx;
  const run = await loadRun(db, syncRunId);
  if (!run) throw new UnrecoverableError(`Sync run ${syncRunId} does not exist`);
  if (FINISHED.has(run.status)) {
    logger.info({ status: run.status }, "sync run already finished; nothing to do");
    return { status: run.status, skipped: true };
  }
  const integration = await db.integration.findUnique({ where: { id: integrationId } });
  if (!integration || !integration.enabled) {
    await failRun(db, run, {
      kind: "config",
      message: integration ? "The integration was disabled before its sync ran" : "The integration was deleted before its sync ran",
    });
    throw new UnrecoverableError("integration missing or disabled");
  }
  // A workspace that throttled us is left alone until it said to come back, whichever kind of
  // sync it throttled; the run waits without starting an attempt.
  const waitMs = throttleRemainingMs(integration);
  if (waitMs > 0) {
    const note = `rate-limited: waiting until ${integration.rateLimitedUntil!.toISOString()}; ${ctx.resumeNote}`;
    await requeueRun(db, run.id, { kind: "rate_limited", message: integration.rateLimitedMessage ?? "The workspace is throttling requests" }, note);
    logger.info({ waitMs }, "workspace is rate-limiting; job waits without starting");
    throw new ThrottledError(note, waitMs);
  }
  const running = { ...run, startedAt: await markRunning(db, run) };
  const stopHeartbeat = startHeartbeat(db, run.id, ctx.heartbeatMs);
  try {
    const { outcome, summary } = await work(running, integration, { finalAttempt: isFinalAttempt(ctx) });
    await completeRun(db, running, outcome);
    return summary;
  } catch (error) {
    throw await recordFailure(error, running, ctx);
  } finally {
    stopHeartbeat();
  }
}

async function recordFailure(error: unknown, run: SyncRun, ctx: SyncJobContext): Promise<unknown> {
  const { db, logger } = ctx;
  if (ctx.signal?.aborted) {
    await requeueRun(db, run.id, null, `interrupted by a worker shutdown; ${ctx.resumeNote}`);
    return error;
  }
  const throttle = throttleOf(error);
  if (throttle) {
    // Not a failure of the sync: the workspace asked us to wait. No attempt is spent on it.
    const { delayMs, until, since } = await recordThrottle(db, run.integrationId, throttle);
    if (Date.now() - since.getTime() <= THROTTLE_GIVE_UP_MS) {
      logger.warn({ delayMs, retryAfterMs: throttle.retryAfterMs }, `workspace is rate-limiting; sync waits: ${throttle.message}`);
      await requeueRun(
        db,
        run.id,
        { kind: "rate_limited", message: throttle.message },
        `rate-limited: waiting until ${until.toISOString()}; ${ctx.resumeNote}`,
      );
      return new ThrottledError(throttle.message, delayMs);
    }
    logger.warn({ since }, "workspace has throttled every attempt for hours; the sync spends its attempts now");
  }
  const { kind, message, retryable } = (ctx.describe ?? describeFailure)(error);
  const attemptsLeft = (ctx.maxAttempts ?? 1) - (ctx.attempt ?? 1);
  if (retryable && !(error instanceof UnrecoverableError) && !isFinalAttempt(ctx)) {
    logger.warn({ kind, attemptsLeft }, `sync attempt failed; will retry: ${message}`);
    await requeueRun(db, run.id, { kind, message: `Attempt ${ctx.attempt ?? 1} failed, retrying: ${message}` }, `waiting to retry; ${ctx.resumeNote}`);
    return error;
  }
  logger.error({ kind }, `sync failed: ${message}`);
  await failRun(db, run, { kind, message });
  return error instanceof UnrecoverableError ? error : new UnrecoverableError(message);
}
