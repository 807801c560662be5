import type { BridgeClient, BridgeSource } from "@langguard/bridge-client";
import { BridgeError } from "@langguard/bridge-client";
import type { Database, Integration, SyncRun } from "@langguard/database";
import type { Logger } from "@langguard/logger";
import { UnrecoverableError, type PayloadOf } from "@langguard/queue-contracts";
import { decryptSecret, SecretDecryptionError } from "@langguard/secrets";
import { mapTrace, TraceMappingError, type TraceRow } from "../mapping/trace.ts";
import { finishRun, markRunning, type ExperimentError } from "../store/sync-runs.ts";
import { writeTraceBatch, type BatchOutcome } from "../store/trace-writer.ts";

export interface TraceSyncSettings {
  batchSize: number;
  experimentConcurrency: number;
  lookbackMs: number;
  overlapMs: number;
  maxPayloadBytes: number;
}

export interface TraceSyncDeps {
  db: Database;
  bridge: BridgeClient;
  encryptionKey: Buffer;
  settings: TraceSyncSettings;
  logger: Logger;
  signal?: AbortSignal;
  attempt?: number;
  maxAttempts?: number;
  /** Called after each committed batch with the traces that are new or changed. */
  onBatchCommitted?: (batch: { syncRunId: string; integrationId: string; organizationId: string; traceIds: string[] }) => Promise<void>;
}

export interface TraceSyncSummary {
  status: "succeeded" | "partial" | "failed";
  experiments: number;
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  spans: number;
  experimentErrors: ExperimentError[];
}

const FINISHED = new Set(["succeeded", "partial", "failed"]);

/**
 * Imports an integration's traces: lists its experiments, streams each one's traces from its
 * cursor, and stores page by page. Safe to run again for the same run: finished runs are left
 * alone, and an interrupted one resumes from the cursors its committed batches advanced.
 */
export async function processTraceSync(payload: PayloadOf<"trace-sync">, deps: TraceSyncDeps): Promise<TraceSyncSummary | { status: string; skipped: true }> {
  const { db, logger } = deps;
  const run = await db.syncRun.findUnique({ where: { id: payload.syncRunId } });
  if (!run) throw new UnrecoverableError(`Sync run ${payload.syncRunId} does not exist`);
  if (FINISHED.has(run.status)) {
    logger.info({ status: run.status }, "sync run already finished; nothing to do");
    return { status: run.status, skipped: true };
  }
  const integration = await db.integration.findUnique({ where: { id: payload.integrationId } });
  if (!integration) {
    await finishRun(db, run.id, "failed", { startedAt: run.startedAt, errorKind: "not_found", errorMessage: "The integration was deleted before its sync ran" });
    throw new UnrecoverableError("integration not found");
  }
  // A retried or resumed run keeps its first start, so its duration covers every attempt.
  const startedAt = run.startedAt ?? new Date();
  await markRunning(db, run.id, startedAt);

  try {
    const summary = await syncIntegration(run, integration, payload.mode, deps);
    await finishRun(db, run.id, summary.status, { startedAt, experimentErrors: summary.experimentErrors, progress: progressOf(summary, "done") });
    logger.info(summary, "trace sync finished");
    return summary;
  } catch (error) {
    throw await recordFailure(error, run, startedAt, deps);
  }
}

async function syncIntegration(run: SyncRun, integration: Integration, mode: "incremental" | "full", deps: TraceSyncDeps): Promise<TraceSyncSummary> {
  const { db, bridge, settings, logger, signal } = deps;
  const source = sourceOf(integration, deps.encryptionKey);
  const summary: TraceSyncSummary = { status: "succeeded", experiments: 0, fetched: 0, inserted: 0, updated: 0, unchanged: 0, spans: 0, experimentErrors: [] };

  const cursors = mode === "full" ? [] : await db.syncCursor.findMany({ where: { integrationId: integration.id } });
  const params = {
    selected: integration.experiments,
    // Re-read an overlap before each cursor: late traces and same-millisecond neighbours are
    // fetched again, and the upsert makes the repeat harmless.
    cursors: Object.fromEntries(cursors.map((c) => [c.experimentId, Math.max(0, Number(c.cursorMs) - settings.overlapMs)])),
    defaultSinceMs: mode === "full" ? 0 : Date.now() - settings.lookbackMs,
    pageSize: settings.batchSize,
    maxPayloadBytes: settings.maxPayloadBytes,
    concurrency: settings.experimentConcurrency,
  };
  logger.info({ mode, knownCursors: cursors.length, selected: integration.experiments.length }, "streaming traces");

  const target = { organizationId: integration.organizationId, integrationId: integration.id, syncRunId: run.id };
  // Experiments stream interleaved, page by page; each page is held only until its checkpoint.
  const pending = new Map<string, { rows: TraceRow[]; fetched: number }>();
  for await (const message of bridge.stream("stream-traces", params, source, { signal })) {
    if (message.type === "record" && message.stream === "experiments") {
      summary.experiments += 1;
      await upsertExperiment(db, integration.id, message.data);
    } else if (message.type === "record" && message.stream === "traces") {
      const page = pending.get(message.experimentId ?? "") ?? { rows: [], fetched: 0 };
      pending.set(message.experimentId ?? "", page);
      page.fetched += 1;
      try {
        page.rows.push(mapTrace(message.data, message.digest));
      } catch (error) {
        if (!(error instanceof TraceMappingError)) throw error;
        logger.warn({ experimentId: message.experimentId, reason: error.message }, "skipping a trace that cannot be mapped");
      }
    } else if (message.type === "checkpoint") {
      const page = pending.get(message.experimentId) ?? { rows: [], fetched: 0 };
      pending.delete(message.experimentId);
      const phase = `experiment ${message.experimentId}, page ${message.page}`;
      const cursor = { experimentId: message.experimentId, cursorMs: message.cursorMs };
      const outcome = await writeTraceBatch(db, target, page.rows, cursor, page.fetched, (o) => progressOf(added(summary, o, page.fetched), phase));
      Object.assign(summary, added(summary, outcome, page.fetched));
      if (outcome.changedTraceIds.length && deps.onBatchCommitted) {
        await deps.onBatchCommitted({ ...target, traceIds: outcome.changedTraceIds });
      }
    } else if (message.type === "error") {
      logger.warn({ experimentId: message.experimentId, kind: message.kind }, message.message);
      summary.experimentErrors.push({ experimentId: message.experimentId ?? "", kind: message.kind, message: message.hint ? `${message.message}. ${message.hint}` : message.message });
    }
  }
  const failedAll = summary.experimentErrors.length > 0 && summary.experiments === 0;
  summary.status = summary.experimentErrors.length === 0 ? "succeeded" : failedAll ? "failed" : "partial";
  return summary;
}

async function upsertExperiment(db: Database, integrationId: string, data: Record<string, unknown>) {
  const externalId = String(data.id);
  const fields = { name: String(data.name ?? externalId), lifecycle: data.lifecycle ? String(data.lifecycle) : null, lastSyncedAt: new Date() };
  await db.experiment.upsert({
    where: { integrationId_externalId: { integrationId, externalId } },
    create: { integrationId, externalId, ...fields },
    update: fields,
  });
}

function added(summary: TraceSyncSummary, outcome: BatchOutcome, fetched: number): TraceSyncSummary {
  return {
    ...summary,
    fetched: summary.fetched + fetched,
    inserted: summary.inserted + outcome.inserted,
    updated: summary.updated + outcome.updated,
    unchanged: summary.unchanged + outcome.unchanged,
    spans: summary.spans + outcome.spans,
  };
}

function progressOf(summary: TraceSyncSummary, phase: string) {
  return { phase, experiments: summary.experiments, fetched: summary.fetched, inserted: summary.inserted, updated: summary.updated, spans: summary.spans };
}

export function sourceOf(integration: Integration, key: Buffer): BridgeSource {
  return {
    kind: integration.source,
    host: integration.host,
    token: integration.tokenCiphertext ? decryptSecret(integration.tokenCiphertext, key) : null,
  };
}

/**
 * Records why the run stopped. What was committed stays. A retryable failure with attempts
 * left puts the run back to queued and lets BullMQ retry; anything else fails it for good.
 */
async function recordFailure(error: unknown, run: SyncRun, startedAt: Date, deps: TraceSyncDeps): Promise<unknown> {
  const { db, logger } = deps;
  if (deps.signal?.aborted) {
    await finishRun(db, run.id, "queued", { startedAt, errorKind: null, errorMessage: null, progress: { phase: "interrupted by shutdown; will resume from the last committed batch" } });
    return error;
  }
  const kind = error instanceof BridgeError ? error.kind : error instanceof SecretDecryptionError ? "config" : "internal";
  const message = error instanceof BridgeError ? error.userMessage : error instanceof Error ? error.message : String(error);
  const retryable = error instanceof BridgeError ? error.retryable : !(error instanceof SecretDecryptionError) && !(error instanceof UnrecoverableError);
  const attemptsLeft = (deps.maxAttempts ?? 1) - (deps.attempt ?? 1);
  if (retryable && attemptsLeft > 0) {
    logger.warn({ kind, attemptsLeft }, `trace sync attempt failed; will retry: ${message}`);
    await finishRun(db, run.id, "queued", { startedAt, errorKind: kind, errorMessage: `Attempt ${deps.attempt ?? 1} failed, retrying: ${message}` });
    return error;
  }
  logger.error({ kind }, `trace sync failed: ${message}`);
  await finishRun(db, run.id, "failed", { startedAt, errorKind: kind, errorMessage: message });
  return error instanceof UnrecoverableError ? error : new UnrecoverableError(message);
}
