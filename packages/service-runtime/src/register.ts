import { DelayedError, Worker, type ConnectionOptions, type Job, type MinimalJob } from "bullmq";
import type { Logger } from "@langguard/logger";
import { parsePayload, type PayloadOf, queueCatalog, type QueueName } from "@langguard/queue-contracts";
import { JOB_OUTCOMES, jobDuration, jobsTotal } from "./metrics.ts";

export interface JobContext {
  job: Job;
  logger: Logger;
  /** Aborted when the process is shutting down: stop at the next safe point. */
  signal: AbortSignal;
  attempt: number;
  maxAttempts: number;
  /** No attempt follows this one if it fails (attempt = maxAttempts). */
  finalAttempt: boolean;
}

export type Processor<Q extends QueueName> = (payload: PayloadOf<Q>, context: JobContext) => Promise<unknown>;

export interface RegisterOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  logger: Logger;
  /** How long a job may go without a lock renewal before another worker takes it over. */
  lockDurationMs?: number;
  /** Times a job may be taken over after its worker died before BullMQ fails it; the queue catalogue's by default. */
  maxStalledCount?: number;
  /** Called once BullMQ has failed a job for good, for whatever reason (our processor's or a stall). */
  onFinalFailure?: (job: Job, error: Error, logger: Logger) => Promise<void>;
}

export interface RegisteredWorker {
  worker: Worker;
  /** Stops taking jobs, asks running ones to stop at a safe point, waits for them. */
  close(): Promise<void>;
}

const MAX_RETRY_DELAY_MS = 15 * 60_000;

/** Exponential from the job's delay, but no sooner than the source's Retry-After, and capped. */
export function retryDelay(attemptsMade: number, baseDelayMs: number, error: unknown): number {
  const exponential = Math.round(2 ** Math.max(0, attemptsMade - 1) * baseDelayMs);
  const asked = (error as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  return Math.min(MAX_RETRY_DELAY_MS, Math.max(exponential, typeof asked === "number" ? asked : 0));
}

/**
 * Wraps a plain processor with what every queue needs: payload validation (an invalid payload
 * fails without retries), a job-scoped logger, metrics, the retry-after backoff, and shutdown
 * that hands unfinished jobs back to the queue without spending one of their attempts. A processor
 * error that carries `throttleDelayMs` (sync-runs' ThrottledError) delays the job the same way.
 */
export function registerWorker<Q extends QueueName>(queue: Q, processor: Processor<Q>, options: RegisterOptions): RegisteredWorker {
  const shutdown = new AbortController();
  const lockDuration = options.lockDurationMs ?? 60_000;
  // Every outcome exported from the start, so a rate over it exists before the first failure.
  for (const outcome of JOB_OUTCOMES) jobsTotal.inc({ queue, outcome }, 0);
  const worker = new Worker(
    queue,
    async (job: Job, token?: string) => {
      const logger = options.logger.child({ queue, jobId: job.id, attempt: job.attemptsMade + 1, ...ids(job.data) });
      const stopTimer = jobDuration.startTimer({ queue });
      try {
        const payload = parsePayload(queue, job.data);
        const attempt = job.attemptsMade + 1;
        const maxAttempts = job.opts.attempts ?? 1;
        const result = await processor(payload, { job, logger, signal: shutdown.signal, attempt, maxAttempts, finalAttempt: attempt >= maxAttempts });
        jobsTotal.inc({ queue, outcome: "completed" });
        return result;
      } catch (error) {
        // Not failures: the job goes back to the delayed set, its attempts untouched, and this
        // worker's slot is free meanwhile. Interrupted by shutdown, another worker resumes it in a
        // second; throttled, it waits as long as the source asked.
        const throttleDelayMs = (error as { throttleDelayMs?: unknown } | null)?.throttleDelayMs;
        const handBack = shutdown.signal.aborted
          ? { delayMs: 1_000, outcome: "interrupted", note: "job interrupted by shutdown; handed back to the queue" }
          : typeof throttleDelayMs === "number"
            ? { delayMs: throttleDelayMs, outcome: "throttled", note: "job delayed: the source is rate-limiting" }
            : null;
        if (handBack && token) {
          await job.moveToDelayed(Date.now() + handBack.delayMs, token);
          jobsTotal.inc({ queue, outcome: handBack.outcome });
          logger.info({ delayMs: handBack.delayMs }, handBack.note);
          throw new DelayedError();
        }
        jobsTotal.inc({ queue, outcome: "failed" });
        // The error's own words only: never a child process's raw output.
        logger.error({ err: { type: (error as Error)?.name, message: (error as Error)?.message, kind: (error as { kind?: string })?.kind } }, "job failed");
        throw error;
      } finally {
        stopTimer();
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration,
      stalledInterval: Math.min(lockDuration, 30_000),
      maxStalledCount: options.maxStalledCount ?? queueCatalog[queue].maxStalledCount,
      autorun: true,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, error?: Error, job?: MinimalJob) =>
          retryDelay(attemptsMade, Number((job?.opts.backoff as { delay?: number } | undefined)?.delay ?? 5_000), error),
      },
    },
  );
  worker.on("error", (error) => options.logger.error({ err: error, queue }, "worker error"));
  if (options.onFinalFailure) {
    const onFinal = options.onFinalFailure;
    worker.on("failed", (job, error) => {
      if (!job) return;
      void (async () => {
        // Still going to be retried unless it now sits in the failed set.
        if ((await job.getState()) !== "failed") return;
        await onFinal(job, error, options.logger.child({ queue, jobId: job.id, ...ids(job.data) }));
      })().catch((cause: unknown) => options.logger.error({ err: cause, queue, jobId: job.id }, "failed-job handler failed"));
    });
  }
  let closing: Promise<void> | undefined;
  return {
    worker,
    close() {
      shutdown.abort();
      return (closing ??= worker.close());
    },
  };
}

/** Ids a log line should carry so one job can be followed through every service. */
function ids(data: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (data && typeof data === "object") {
    for (const key of ["syncRunId", "integrationId", "organizationId"]) {
      const value = (data as Record<string, unknown>)[key];
      if (typeof value === "string") out[key === "syncRunId" ? "runId" : key] = value;
    }
  }
  return out;
}

/**
 * Closes everything once on SIGTERM/SIGINT, then exits. The process must receive the signal
 * itself (run node directly, not through a package manager), or none of this runs.
 */
export function onShutdown(logger: Logger, closers: Array<() => Promise<unknown>>, timeoutMs = 30_000): void {
  let closing = false;
  const stop = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      logger.error("shutdown timed out; exiting");
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    for (const close of closers) {
      await close().catch((error: unknown) => logger.error({ err: error }, "error during shutdown"));
    }
    logger.info("shutdown complete");
    process.exit(0);
  };
  // `on`, not `once`: execa's exit hook (signal-exit) re-raises a signal that no other listener
  // handles, which would kill the process in the middle of its graceful stop.
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}
