import { DelayedError, Worker, type ConnectionOptions, type Job } from "bullmq";
import type { Logger } from "@langguard/logger";
import { parsePayload, type PayloadOf, type QueueName } from "@langguard/queue-contracts";
import { jobDuration, jobsTotal } from "./metrics.ts";

export interface JobContext {
  job: Job;
  logger: Logger;
  /** Aborted when the process is shutting down: stop at the next safe point. */
  signal: AbortSignal;
  attempt: number;
  maxAttempts: number;
}

export type Processor<Q extends QueueName> = (payload: PayloadOf<Q>, context: JobContext) => Promise<unknown>;

export interface RegisterOptions {
  connection: ConnectionOptions;
  prefix: string;
  concurrency: number;
  logger: Logger;
  /** How long a job may go without a lock renewal before another worker takes it over. */
  lockDurationMs?: number;
}

export interface RegisteredWorker {
  worker: Worker;
  /** Stops taking jobs, asks running ones to stop at a safe point, waits for them. */
  close(): Promise<void>;
}

/**
 * Wraps a plain processor with what every queue needs: payload validation (an invalid payload
 * fails without retries), a job-scoped logger, metrics, and shutdown that hands unfinished
 * jobs back to the queue without spending one of their attempts.
 */
export function registerWorker<Q extends QueueName>(queue: Q, processor: Processor<Q>, options: RegisterOptions): RegisteredWorker {
  const shutdown = new AbortController();
  const worker = new Worker(
    queue,
    async (job: Job, token?: string) => {
      const logger = options.logger.child({ queue, jobId: job.id, attempt: job.attemptsMade + 1 });
      const stopTimer = jobDuration.startTimer({ queue });
      try {
        const payload = parsePayload(queue, job.data);
        const result = await processor(payload, { job, logger, signal: shutdown.signal, attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1 });
        jobsTotal.inc({ queue, outcome: "completed" });
        return result;
      } catch (error) {
        if (shutdown.signal.aborted && token) {
          // Interrupted by shutdown, not failed: put it back for another worker, attempts untouched.
          await job.moveToDelayed(Date.now() + 1_000, token);
          jobsTotal.inc({ queue, outcome: "interrupted" });
          logger.info("job interrupted by shutdown; handed back to the queue");
          throw new DelayedError();
        }
        jobsTotal.inc({ queue, outcome: "failed" });
        logger.error({ err: error }, "job failed");
        throw error;
      } finally {
        stopTimer();
      }
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? 60_000,
      stalledInterval: Math.min(options.lockDurationMs ?? 60_000, 30_000),
      autorun: true,
    },
  );
  worker.on("error", (error) => options.logger.error({ err: error, queue }, "worker error"));
  return {
    worker,
    async close() {
      shutdown.abort();
      await worker.close();
    },
  };
}

/** Closes everything once on SIGTERM/SIGINT, then exits. */
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
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}
