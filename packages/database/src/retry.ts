import pRetry, { AbortError } from "p-retry";

// Postgres SQLSTATEs that mean "try again": connection loss, shutdown, too many clients,
// serialization failure and deadlock (the transaction was rolled back whole).
const TRANSIENT_CODES = new Set([
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "57P01",
  "57P02",
  "57P03",
  "53300",
  "40001",
  "40P01",
  "P1001",
  "P1002",
  "P1017",
  "P2024",
  "P2034",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
]);
const TRANSIENT_TEXT =
  /ECONNREFUSED|ECONNRESET|Connection terminated|terminating connection|server closed the connection|Can't reach database|timeout exceeded when trying to connect|the database system is (starting up|shutting down)|deadlock detected|could not serialize access/i;

/** True for failures that say nothing about the data: the same write can succeed in a moment. */
export function isTransientDatabaseError(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === "object" && !seen.has(current)) {
    seen.add(current);
    const record = current as { code?: unknown; message?: unknown; cause?: unknown; originalCode?: unknown };
    for (const code of [record.code, record.originalCode]) if (typeof code === "string" && TRANSIENT_CODES.has(code)) return true;
    if (typeof record.message === "string" && TRANSIENT_TEXT.test(record.message)) return true;
    current = record.cause;
  }
  return false;
}

// SQLSTATE classes that blame the values written, not the moment: data exceptions (22: a value
// out of range, an invalid encoding), integrity violations (23) and size limits (54).
const DATA_CODE = /^(22|23|54)[0-9A-Z]{3}$/;

/** The SQLSTATE (or driver code) of a database failure, wherever Prisma nested it. */
export function databaseErrorCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (!current || typeof current !== "object" || seen.has(current)) continue;
    seen.add(current);
    const record = current as {
      code?: unknown;
      originalCode?: unknown;
      cause?: unknown;
      meta?: unknown;
      driverAdapterError?: unknown;
      originalError?: unknown;
    };
    for (const code of [record.originalCode, record.code]) if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith("P")) return code;
    queue.push(record.cause, record.meta, record.driverAdapterError, record.originalError);
  }
  return undefined;
}

/** True when the values themselves cannot be stored: writing them again will fail again. */
export function isDataError(error: unknown): boolean {
  const code = databaseErrorCode(error);
  return code !== undefined && DATA_CODE.test(code);
}

export interface DatabaseRetryOptions {
  /** Total patience, in ms: a Postgres restart or failover usually takes well under a minute. */
  maxWaitMs?: number;
  signal?: AbortSignal;
  onRetry?: (error: unknown, attempt: number) => void;
}

/**
 * Runs a unit of work (one transaction) again after a transient failure, with exponential backoff.
 * Each unit must be idempotent and all-or-nothing, as our batch writes are.
 */
export function withDatabaseRetry<T>(work: () => Promise<T>, options: DatabaseRetryOptions = {}): Promise<T> {
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  return pRetry(
    async () => {
      try {
        return await work();
      } catch (error) {
        if (!isTransientDatabaseError(error)) throw new AbortError(error as Error);
        throw error;
      }
    },
    {
      retries: 30,
      minTimeout: 250,
      maxTimeout: 5_000,
      factor: 2,
      maxRetryTime: maxWaitMs,
      signal: options.signal,
      onFailedAttempt: ({ error, attemptNumber }) => options.onRetry?.(error, attemptNumber),
    },
  );
}
