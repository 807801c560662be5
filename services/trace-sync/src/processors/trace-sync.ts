import { randomUUID } from "node:crypto";
import { BridgeError, type BridgeClient, type CheckpointMessage, type ErrorMessage, type RecordOf } from "@langguard/bridge-client";
import { bridgeSourceOf } from "@langguard/credentials";
import { sanitizeForPostgres, type Alteration } from "@langguard/exact-json";
import { isDataError, withDatabaseRetry, type Database, type Integration, type SyncRun } from "@langguard/database";
import type { Logger } from "@langguard/logger";
import type { PayloadOf } from "@langguard/queue-contracts";
import type { KeyRing } from "@langguard/secrets";
import { countSynced } from "@langguard/service-runtime";
import { runSyncJob, type SyncAttempt, type SyncWorkResult, throttleOf } from "@langguard/sync-runs";
import { mapTrace, TraceMappingError, type TraceRow } from "../mapping/trace.ts";
import { quarantine, refusal, SLICE_KEY_MARK, writeTraceBatch, type BatchOutcome, type SetAside } from "../store/trace-writer.ts";
import { decideOutcome, RetryableExperimentsError, type ExperimentError } from "../sync/outcome.ts";
import { readPlan } from "../sync/read-plan.ts";
import type { TraceSyncSettings } from "../sync/settings.ts";

export type { TraceSyncSettings };

export interface TraceSyncDeps {
  db: Database;
  bridge: BridgeClient;
  keyRing: KeyRing;
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
  /** Experiments read to the end, by this attempt or an earlier one of the same run. */
  experimentsDone: number;
  fetched: number;
  inserted: number;
  updated: number;
  unchanged: number;
  spans: number;
  /** Records quarantined by this run. */
  setAside: number;
  /** Traces stored with changes Postgres required, each marked. */
  altered: number;
}

/**
 * Imports an integration's traces: lists its experiments, streams each one's traces from its
 * cursor, and stores page by page. Safe to run again for the same run: finished runs are left
 * alone, and an interrupted one resumes from what its committed pages recorded.
 */
export async function processTraceSync(payload: PayloadOf<"trace-sync">, deps: TraceSyncDeps): Promise<TraceSyncSummary | { status: string; skipped: true }> {
  const context = { ...deps, heartbeatMs: deps.settings.heartbeatMs, resumeNote: "it resumes from its last committed page" };
  return runSyncJob(payload.syncRunId, payload.integrationId, context, async (run, integration, attempt) => {
    const result = await syncIntegration(run, integration, deps, attempt);
    deps.logger.info(result.summary, "trace sync finished");
    return result;
  });
}

/**
 * One trace read: its plan, then the bridge's messages, each to its handler over one state (the
 * run's summary, the pages held until their checkpoint, the experiments' errors), then the outcome.
 */
async function syncIntegration(run: SyncRun, integration: Integration, deps: TraceSyncDeps, attempt: SyncAttempt): Promise<SyncWorkResult<TraceSyncSummary>> {
  const { settings, logger } = deps;
  const source = bridgeSourceOf(integration, deps.keyRing);
  // The retention cutoff is ours (TraceRead drops late traces older than it); the rest goes to the bridge.
  const { keptFrom, ...plan } = await readPlan(deps.db, run, settings);
  const late =
    run.mode === "incremental" && settings.maxTraceDurationMs ? { maxDurationMs: settings.maxTraceDurationMs, overlapMs: settings.overlapMs } : undefined;
  const params = {
    selected: integration.experiments,
    ...plan,
    late,
    pageSize: settings.batchSize,
    maxPayloadBytes: settings.maxPayloadBytes,
    concurrency: settings.workspaceConcurrency,
  };
  logger.info(
    { mode: run.mode, knownCursors: Object.keys(plan.cursors).length, resumedPast: plan.skip.length, selected: integration.experiments.length },
    "streaming traces",
  );
  const read = await TraceRead.start(run, integration, deps, plan.skip.length, keptFrom);
  for await (const message of deps.bridge.stream("stream-traces", params, source, { signal: deps.signal })) {
    if (message.type === "record" && message.stream === "experiments") await read.onExperiment(message.data);
    else if (message.type === "record" && message.stream === "traces") read.onTrace(message);
    else if (message.type === "checkpoint") await read.onCheckpoint(message);
    else if (message.type === "error" && !read.onError(message)) break;
  }
  return read.finish(attempt);
}

type TraceMessage = Extract<RecordOf<"stream-traces">, { stream: "traces" }>;
type ExperimentData = Extract<RecordOf<"stream-traces">, { stream: "experiments" }>["data"];

/** What one read has seen so far, and the pages not yet written. */
class TraceRead {
  readonly summary: TraceSyncSummary = {
    status: "succeeded",
    experiments: 0,
    experimentsDone: 0,
    fetched: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    spans: 0,
    setAside: 0,
    altered: 0,
  };
  private readonly errors: ExperimentError[] = [];
  // Pages of experiments and slices arrive interleaved but each one whole (the bridge writes a page
  // and its checkpoint at once), so one page per experiment is held, only until its checkpoint.
  private readonly pending = new Map<string, { rows: TraceRow[]; fetched: number; setAside: SetAside[] }>();
  // This attempt's sliced parts are recorded apart from an earlier attempt's (see BatchCursor.slice).
  private readonly readId = randomUUID().slice(0, 8);
  private readonly target: { organizationId: string; integrationId: string; syncRunId: string };
  private readonly retrying: { signal?: AbortSignal; onRetry: (error: unknown, attempt: number) => void };
  private throttled: BridgeError | undefined;

  private constructor(
    private readonly run: SyncRun,
    integration: Integration,
    private readonly deps: TraceSyncDeps,
    private readonly clearQuarantine: boolean,
    /** Experiments set aside by an earlier run: each leaves quarantine once its row is stored. */
    private readonly quarantinedExperiments: Set<string>,
    /** The oldest trace time the organization keeps (its retention; 0 keeps everything). */
    private readonly keptFrom: number,
  ) {
    this.target = { organizationId: integration.organizationId, integrationId: integration.id, syncRunId: run.id };
    this.retrying = {
      signal: deps.signal,
      onRetry: (error: unknown, attempt: number) =>
        deps.logger.warn({ attempt, err: { message: (error as Error)?.message } }, "database write failed; retrying"),
    };
  }

  static async start(run: SyncRun, integration: Integration, deps: TraceSyncDeps, resumedPast: number, keptFrom: number): Promise<TraceRead> {
    const { db } = deps;
    const clearQuarantine = (await db.quarantinedRecord.count({ where: { integrationId: integration.id, kind: "trace" } })) > 0;
    const quarantinedExperiments = new Set(
      (await db.quarantinedRecord.findMany({ where: { integrationId: integration.id, kind: "experiment" }, select: { externalId: true } })).map(
        (r) => r.externalId,
      ),
    );
    const read = new TraceRead(run, integration, deps, clearQuarantine, quarantinedExperiments, keptFrom);
    read.summary.experimentsDone = resumedPast;
    return read;
  }

  async onExperiment(data: ExperimentData): Promise<void> {
    const { db, logger } = this.deps;
    const integrationId = this.target.integrationId;
    this.summary.experiments += 1;
    try {
      await withDatabaseRetry(() => upsertExperiment(db, integrationId, data), this.retrying);
      const externalId = String(data.id);
      if (this.quarantinedExperiments.delete(externalId)) {
        await withDatabaseRetry(() => db.quarantinedRecord.deleteMany({ where: { integrationId, kind: "experiment", externalId } }), this.retrying);
      }
    } catch (error) {
      if (!isDataError(error)) throw error;
      // Its traces do not need its row: they are still read and stored.
      const setAside = {
        kind: "experiment" as const,
        experimentId: String(data.id),
        externalId: String(data.id),
        reason: `experiment metadata cannot be stored: ${refusal(error)}`,
      };
      logger.warn(setAside, "experiment set aside");
      await withDatabaseRetry(() => quarantine(db, this.target, [setAside]), this.retrying);
    }
  }

  onTrace(message: TraceMessage): void {
    const page = this.pending.get(message.experimentId ?? "") ?? { rows: [], fetched: 0, setAside: [] };
    this.pending.set(message.experimentId ?? "", page);
    page.fetched += 1;
    try {
      const row = mapTrace(message.data, message.digest, message.unclean);
      // A late sweep reaches back before the read's start: what retention removed stays removed.
      if (row.timestamp.getTime() >= this.keptFrom) page.rows.push(row);
    } catch (error) {
      if (!(error instanceof TraceMappingError)) throw error;
      this.deps.logger.warn({ experimentId: message.experimentId, reason: error.message }, "setting aside a trace that cannot be mapped");
      page.setAside.push({
        kind: "trace",
        experimentId: message.experimentId ?? null,
        externalId: error.externalId ?? `digest:${message.digest}`,
        reason: error.message,
      });
    }
  }

  async onCheckpoint(message: CheckpointMessage): Promise<void> {
    const { db, logger, onBatchCommitted } = this.deps;
    const summary = this.summary;
    const page = this.pending.get(message.experimentId) ?? { rows: [], fetched: 0, setAside: [] };
    this.pending.delete(message.experimentId);
    // Listed but not sent: known unchanged, fetched all the same as far as the run's counts go.
    page.fetched += message.unchanged ?? 0;
    const phase = `experiment ${message.experimentId}, page ${message.page}${message.slice === undefined ? "" : ` (slice ${message.slice})`}`;
    // A checkpoint without a slice that says done ends the experiment (sliced reads end with one too).
    if (message.done && message.slice === undefined) summary.experimentsDone += 1;
    const slice = message.slice === undefined ? undefined : { read: this.readId, part: message.slice };
    const cursor = { experimentId: message.experimentId, cursorMs: message.cursorMs, done: message.done, slice };
    // The page is one all-or-nothing transaction: when Postgres is briefly away, the same write is tried again.
    const options = {
      setAside: page.setAside,
      clearQuarantine: this.clearQuarantine,
      progress: (o: BatchOutcome) => progressOf(added(summary, o, page.fetched), phase),
    };
    const outcome = await withDatabaseRetry(() => writeTraceBatch(db, this.target, page.rows, cursor, page.fetched, options), this.retrying);
    countSynced("trace", outcome);
    countSynced("span", { inserted: outcome.spans });
    for (const record of outcome.setAside) logger.warn(record, "trace set aside");
    summary.altered += page.rows.filter((row) => row.alterations.length > 0).length;
    Object.assign(summary, added(summary, outcome, page.fetched));
    if (outcome.changedTraceIds.length && onBatchCommitted) {
      await onBatchCommitted({ ...this.target, traceIds: outcome.changedTraceIds });
    }
  }

  /** Records an experiment's error; false when the workspace throttles the whole job and reading must stop. */
  onError(message: ErrorMessage): boolean {
    this.deps.logger.warn({ experimentId: message.experimentId, kind: message.kind, status: message.status }, message.message);
    if (throttleOf(message)) {
      // The workspace throttles the whole job, not one experiment: stop asking (leaving the loop
      // stops the bridge), keep what is committed, and let the job wait as the workspace said.
      this.throttled = BridgeError.fromMessage(message);
      return false;
    }
    this.errors.push({
      experimentId: message.experimentId ?? "",
      kind: message.kind,
      message: message.hint ? `${message.message}. ${message.hint}` : message.message,
      retryable: message.retryable,
    });
    return true;
  }

  /** The run's outcome, once the bridge is done; throws to wait (throttled) or to retry the experiments that may pass. */
  async finish(attempt: SyncAttempt): Promise<SyncWorkResult<TraceSyncSummary>> {
    const { db } = this.deps;
    const { summary, errors, run } = this;
    if (this.throttled) throw this.throttled;
    const retryable = errors.filter((e) => e.retryable);
    if (retryable.length > 0 && !attempt.finalAttempt) throw new RetryableExperimentsError(retryable);

    const experimentsCompleted = await db.runCheckpoint.count({ where: { syncRunId: run.id, done: true, NOT: { key: { contains: SLICE_KEY_MARK } } } });
    // Counted from Postgres: a resumed run also reports what earlier attempts set aside.
    const setAsideWhere = { syncRunId: run.id };
    const [setAsideCount, setAside] = await Promise.all([
      db.quarantinedRecord.count({ where: setAsideWhere }),
      db.quarantinedRecord.findMany({
        where: setAsideWhere,
        orderBy: { lastSeenAt: "asc" },
        take: 20,
        select: { kind: true, experimentId: true, externalId: true, reason: true },
      }),
    ]);
    summary.setAside = setAsideCount;
    summary.experimentsDone = experimentsCompleted;
    const outcome = decideOutcome({
      experimentsListed: summary.experiments,
      experimentsCompleted,
      fetched: summary.fetched,
      errors,
      setAside,
      setAsideCount,
      altered: summary.altered,
    });
    summary.status = outcome.status;
    return { outcome: { ...outcome, progress: progressOf(summary, "done") }, summary };
  }
}

async function upsertExperiment(db: Database, integrationId: string, data: Record<string, unknown>) {
  const alterations: Alteration[] = [];
  const clean = sanitizeForPostgres(
    { id: String(data.id), name: String(data.name ?? data.id), lifecycle: data.lifecycle ? String(data.lifecycle) : null },
    alterations,
  ).value;
  const externalId = clean.id;
  const fields = { name: clean.name, lifecycle: clean.lifecycle, lastSyncedAt: new Date(), alterations: alterations as unknown as object[] };
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
  return {
    phase,
    experiments: summary.experiments,
    experimentsDone: summary.experimentsDone,
    fetched: summary.fetched,
    inserted: summary.inserted,
    updated: summary.updated,
    spans: summary.spans,
  };
}
