import type { BridgeClient } from "@langguard/bridge-client";
import { bridgeSourceOf } from "@langguard/credentials";
import { withDatabaseRetry, type Database, type Integration, type SyncRun } from "@langguard/database";
import type { Logger } from "@langguard/logger";
import type { PayloadOf } from "@langguard/queue-contracts";
import type { KeyRing } from "@langguard/secrets";
import { countSynced } from "@langguard/service-runtime";
import { completeRun, runSyncJob, type RunProblem } from "@langguard/sync-runs";
import { CatalogMappingError, mapCatalogRecord, type CatalogRow } from "../mapping/entity.ts";
import { writeCatalogBatch, writeTableStats } from "../store/catalog-writer.ts";
import { applyDeletions, planDeletions } from "../store/deletions.ts";
import { registerGovernanceEntities } from "../store/governance-entities.ts";

export interface CatalogSyncSettings {
  pageSize: number;
  listConcurrency: number;
  stats: boolean;
  statsConcurrency: number;
  /** Most of the live objects a run may mark deleted before the fail-safe holds back. */
  maxDeleteShare: number;
  retryTimeoutSeconds: number;
  tags: boolean;
  heartbeatMs: number;
  batchSize: number;
}

export interface CatalogSyncDeps {
  db: Database;
  bridge: BridgeClient;
  keyRing: KeyRing;
  settings: CatalogSyncSettings;
  logger: Logger;
  signal?: AbortSignal;
  attempt?: number;
  maxAttempts?: number;
}

type Filters = { include?: Record<string, string[]>; exclude?: Record<string, string[]> };

/**
 * Walks an integration's Unity Catalog (catalogs, schemas, tables with columns, volumes, functions,
 * registered models, table statistics) and upserts what changed. Objects missing from a listing
 * that completed are marked deleted, within the fail-safe.
 */
export async function processCatalogSync(payload: PayloadOf<"catalog-sync">, deps: CatalogSyncDeps) {
  // Upserts are idempotent, so an interrupted walk simply walks again.
  const context = { ...deps, heartbeatMs: deps.settings.heartbeatMs, resumeNote: "it walks the catalog again" };
  return runSyncJob(payload.syncRunId, payload.integrationId, context, (run, integration) => syncCatalog(run, integration, deps));
}

async function syncCatalog(run: SyncRun, integration: Integration, deps: CatalogSyncDeps) {
  const { db, bridge, settings, logger, signal } = deps;
  const target = { organizationId: integration.organizationId, integrationId: integration.id, syncRunId: run.id };
  const filters = (integration.catalogFilters ?? {}) as Filters;
  const params = {
    include: filters.include ?? {},
    exclude: filters.exclude ?? {},
    pageSize: settings.pageSize,
    concurrency: settings.listConcurrency,
    retryTimeoutSeconds: settings.retryTimeoutSeconds,
    tags: settings.tags,
    stats: { enabled: settings.stats, warehouseId: integration.warehouseId, concurrency: settings.statsConcurrency },
  };
  const retrying = {
    signal,
    onRetry: (error: unknown, attempt: number) => logger.warn({ attempt, err: { message: (error as Error)?.message } }, "database write failed; retrying"),
  };
  const seen = new Map<string, Set<string>>();
  const completed = new Map<string, Set<string>>();
  const failures: Array<RunProblem & { experimentId: string }> = [];
  const warnings: RunProblem[] = [];
  const inserted: Array<{ kind: string; fullName: string }> = [];
  let pending: CatalogRow[] = [];
  let pendingStats: Array<{ fullName: string; stats: Record<string, unknown> }> = [];
  let fetched = 0;
  const totals = { inserted: 0, updated: 0, unchanged: 0, stats: 0 };
  const flush = async () => {
    if (pending.length) {
      const batch = pending;
      pending = [];
      const outcome = await withDatabaseRetry(() => writeCatalogBatch(db, target, batch, batch.length), retrying);
      countSynced("catalog_entity", outcome);
      totals.inserted += outcome.inserted;
      totals.updated += outcome.updated;
      totals.unchanged += outcome.unchanged;
      inserted.push(...outcome.insertedRows);
    }
    if (pendingStats.length) {
      const batch = pendingStats;
      pendingStats = [];
      totals.stats += await withDatabaseRetry(() => writeTableStats(db, integration.id, batch), retrying);
    }
  };

  for await (const message of bridge.stream("stream-catalog", params, bridgeSourceOf(integration, deps.keyRing), { signal })) {
    if (message.type === "record" && message.stream === "catalog") {
      fetched += 1;
      if (message.data.kind === "tableStats") {
        const { kind: _kind, fullName, ...stats } = message.data;
        if (typeof fullName === "string") pendingStats.push({ fullName, stats });
      } else {
        try {
          const row = mapCatalogRecord(message.data, message.digest ?? "");
          pending.push(row);
          let names = seen.get(row.container);
          if (!names) seen.set(row.container, (names = new Set()));
          names.add(row.fullName);
        } catch (error) {
          if (!(error instanceof CatalogMappingError)) throw error;
          failures.push({ experimentId: "record", kind: "bad_response", message: error.message });
        }
      }
      if (pending.length >= settings.batchSize || pendingStats.length >= settings.batchSize) await flush();
    } else if (message.type === "checkpoint" && "container" in message) {
      completed.set(message.container, seen.get(message.container) ?? new Set());
      seen.delete(message.container);
    } else if (message.type === "error") {
      const problem = {
        experimentId: message.container ?? message.experimentId ?? "",
        kind: message.kind,
        message: message.hint ? `${message.message}. ${message.hint}` : message.message,
      };
      logger.warn({ container: problem.experimentId, kind: message.kind }, message.message);
      // Statistics are an extra: their failure is reported, and never stops or fails the metadata.
      if (message.container?.startsWith("stats")) warnings.push({ kind: message.kind, message: problem.message });
      else failures.push(problem);
    }
  }
  await flush();

  const plan = await planDeletions(db, integration.id, completed);
  const deletion = await applyDeletions(db, integration.id, plan, { failures: failures.length, seen: fetched, maxShare: settings.maxDeleteShare });
  if (deletion.reason)
    warnings.push({
      kind: "deletions_held_back",
      message: `${deletion.heldBack} object(s) missing from the source were not marked deleted: ${deletion.reason}`,
    });
  await registerGovernanceEntities(db, integration.organizationId, inserted);

  const status = failures.length === 0 ? "succeeded" : completed.size > 0 ? "partial" : "failed";
  const first = failures[0];
  const progress = { phase: "done", fetched, ...totals, deleted: deletion.deleted, heldBack: deletion.heldBack, containersCompleted: completed.size };
  await completeRun(db, run, {
    status,
    errorKind: first?.kind ?? null,
    errorMessage: first ? `${failures.length} listing(s) failed: ${first.message}` : null,
    itemErrors: failures,
    warnings,
    progress,
  });
  logger.info({ status, ...progress }, "catalog sync finished");
  return { status, ...progress };
}
