import { type BridgeClient, type BridgeMessage, CATALOG_KINDS } from "@langguard/bridge-client";
import { bridgeSourceOf } from "@langguard/credentials";
import { withDatabaseRetry, type Database, type Integration, type SyncRun } from "@langguard/database";
import { evaluateDeclaredAccess } from "@langguard/governance";
import type { Logger } from "@langguard/logger";
import type { PayloadOf } from "@langguard/queue-contracts";
import type { KeyRing } from "@langguard/secrets";
import { sanitizeForPostgres } from "@langguard/exact-json";
import { countSynced } from "@langguard/service-runtime";
import { runSyncJob, type ContainerError, type RunOutcome, type RunProblem } from "@langguard/sync-runs";
import { quoteFullName } from "@langguard/unity-catalog";
import { CatalogMappingError, mapCatalogRecord, partsOf, type CatalogRow, unstorableIn } from "../mapping/entity.ts";
import { writeCatalogBatch, writeTableStats } from "../store/catalog-writer.ts";
import { type CompletedListing, describeUnit, type Listing, listingKey, listingKeyOf } from "../store/deletion-plan.ts";
import { applyDeletions } from "../store/deletions.ts";
import { deriveGovernanceEntities } from "../store/governance-entities.ts";

export interface CatalogSyncSettings {
  pageSize: number;
  listConcurrency: number;
  stats: boolean;
  statsConcurrency: number;
  /** Most of one kind's live objects a run may mark deleted before the fail-safe holds back. */
  maxDeleteShare: number;
  /** Most objects one vanished catalog or schema may take with it before the fail-safe holds back. */
  maxCascadeDelete: number;
  retryTimeoutSeconds: number;
  tags: boolean;
  tagsConcurrency: number;
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
/** Held-back deletions named one by one in the run's warnings; the rest are counted. */
const HOLDS_NAMED = 20;

/**
 * Walks an integration's Unity Catalog (catalogs, schemas, tables with columns, volumes, functions,
 * registered models, tags, table statistics), and its Model Serving endpoints and Genie spaces unless
 * the integration turned them off, and upserts what changed, then decides deletions per
 * container within the fail-safe. A workspace that throttles puts the run back in the queue
 * (runSyncJob); an interrupted walk walks again, and upserts make that idempotent.
 */
export async function processCatalogSync(payload: PayloadOf<"catalog-sync">, deps: CatalogSyncDeps) {
  const context = { ...deps, heartbeatMs: deps.settings.heartbeatMs, resumeNote: "it walks the catalog again" };
  return runSyncJob(payload.syncRunId, payload.integrationId, context, (run, integration) => syncCatalog(run, integration, deps));
}

async function syncCatalog(run: SyncRun, integration: Integration, deps: CatalogSyncDeps) {
  const { db, bridge, settings, logger, signal } = deps;
  const filters = (integration.catalogFilters ?? {}) as Filters;
  const params = {
    include: filters.include ?? {},
    exclude: filters.exclude ?? {},
    pageSize: settings.pageSize,
    concurrency: settings.listConcurrency,
    retryTimeoutSeconds: settings.retryTimeoutSeconds,
    kinds: catalogKinds(integration),
    tags: settings.tags,
    tagsConcurrency: settings.tagsConcurrency,
    stats: { enabled: settings.stats, warehouseId: integration.warehouseId, concurrency: settings.statsConcurrency },
  };
  // Each attempt walks from the start: what it fetched and found unchanged is counted afresh, while
  // what earlier attempts inserted or updated stays counted (it is unchanged now).
  await db.syncRun.update({ where: { id: run.id }, data: { itemsFetched: 0, itemsSkipped: 0 } });
  const walk = new WalkState(db, { organizationId: integration.organizationId, integrationId: integration.id, syncRunId: run.id }, settings, logger, signal);
  for await (const message of bridge.stream("stream-catalog", params, bridgeSourceOf(integration, deps.keyRing), { signal })) await walk.on(message);
  await walk.flush();
  return finish(db, run, integration, walk, settings, logger);
}

/** Every Unity Catalog kind, and the workspace-wide listings the integration has not turned off. */
export function catalogKinds(integration: Pick<Integration, "syncServingEndpoints" | "syncGenieSpaces">): CatalogListKind[] {
  return CATALOG_KINDS.filter(
    (kind) => (kind !== "servingEndpoints" || integration.syncServingEndpoints) && (kind !== "genieSpaces" || integration.syncGenieSpaces),
  );
}
type CatalogListKind = (typeof CATALOG_KINDS)[number];

/** What one walk has seen so far, and the pages not yet written. */
class WalkState {
  readonly seen = new Map<string, Set<string>>();
  readonly completed: CompletedListing[] = [];
  readonly containerErrors: ContainerError[] = [];
  readonly warnings: RunProblem[] = [];
  readonly totals = { fetched: 0, inserted: 0, updated: 0, unchanged: 0, stats: 0, tagsFailed: 0, altered: 0 };
  private pending: CatalogRow[] = [];
  private pendingStats: Array<{ fullName: string; stats: Record<string, unknown> }> = [];

  constructor(
    private readonly db: Database,
    private readonly target: { organizationId: string; integrationId: string; syncRunId: string },
    private readonly settings: CatalogSyncSettings,
    private readonly logger: Logger,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async on(message: BridgeMessage): Promise<void> {
    if (message.type === "record" && message.stream === "catalog") await this.onRecord(message.data, message.digest ?? "", message.unclean === true);
    else if (message.type === "checkpoint" && "listing" in message) this.onCheckpoint(message.listing, message.parent, message.excluded ?? []);
    else if (message.type === "error") this.onError(message);
  }

  private async onRecord(data: Record<string, unknown>, digest: string, unclean: boolean): Promise<void> {
    if (data.kind === "tableStats") {
      const { kind: _kind, fullName: _full, catalog, schema, name, ...stats } = data;
      const parts = partsOf("table", { catalog, schema, name });
      // Statistics are an extra: a value Postgres cannot store is cleaned without a record of it. Those of
      // an object set aside for its name are dropped, since its name cleaned would be another's.
      if (parts && !unstorableIn(parts)) this.pendingStats.push({ fullName: quoteFullName(parts), stats: unclean ? sanitizeForPostgres(stats).value : stats });
    } else {
      try {
        const row = mapCatalogRecord(data, digest, unclean);
        this.pending.push(row);
        this.totals.fetched += 1;
        if (row.tagsFailed) this.totals.tagsFailed += 1;
        if (row.alterations.length > 0) this.totals.altered += 1;
        const key = listingKeyOf(row);
        let names = this.seen.get(key);
        if (!names) this.seen.set(key, (names = new Set()));
        names.add(row.fullName);
      } catch (error) {
        if (!(error instanceof CatalogMappingError)) throw error;
        this.containerErrors.push({ kind: error.kind, fullName: error.fullName, errorKind: error.errorKind, message: error.message });
      }
    }
    if (this.pending.length >= this.settings.batchSize || this.pendingStats.length >= this.settings.batchSize) await this.flush();
  }

  private onCheckpoint(listing: Listing, parent: string[], excluded: string[][]): void {
    const key = listingKey(listing, parent);
    this.completed.push({ listing, parent, seen: this.seen.get(key) ?? new Set(), excluded });
    this.seen.delete(key);
  }

  private onError(message: Extract<BridgeMessage, { type: "error" }>): void {
    const text = message.hint ? `${message.message}. ${message.hint}` : message.message;
    const container = message.container ?? "";
    this.logger.warn({ container, kind: message.kind }, message.message);
    // Statistics, tags and the tables of a Genie space are extras: their failures are reported, and
    // never fail the metadata (a Genie space whose tables could not be read is still listed). A
    // workspace that does not serve the serving-endpoints or Genie API at all (404) is warned about.
    const extra = ["stats:", "genieTables:", "unavailable:"].some((prefix) => container.startsWith(prefix));
    if (container === "stats" || container === "tags" || extra) this.warnings.push({ kind: message.kind, message: text });
    else
      this.containerErrors.push({
        kind: message.containerKind ?? container.split(":")[0] ?? "",
        fullName: message.fullName ?? "",
        errorKind: message.kind,
        message: text,
      });
  }

  async flush(): Promise<void> {
    const retrying = {
      signal: this.signal,
      onRetry: (error: unknown, attempt: number) =>
        this.logger.warn({ attempt, err: { message: (error as Error)?.message } }, "database write failed; retrying"),
    };
    if (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      const outcome = await withDatabaseRetry(() => writeCatalogBatch(this.db, this.target, batch), retrying);
      countSynced("catalog_entity", outcome);
      this.totals.inserted += outcome.inserted;
      this.totals.updated += outcome.updated;
      this.totals.unchanged += outcome.unchanged;
    }
    if (this.pendingStats.length) {
      const batch = this.pendingStats;
      this.pendingStats = [];
      this.totals.stats += await withDatabaseRetry(() => writeTableStats(this.db, this.target.integrationId, batch), retrying);
    }
  }
}

async function finish(db: Database, run: SyncRun, integration: Integration, walk: WalkState, settings: CatalogSyncSettings, logger: Logger) {
  const target = { organizationId: integration.organizationId, integrationId: integration.id, syncRunId: run.id };
  const deletion = await applyDeletions(db, target, walk.completed, { maxShare: settings.maxDeleteShare, maxCascade: settings.maxCascadeDelete });
  // Every live object has its entity, whatever an earlier, interrupted run left undone.
  await deriveGovernanceEntities(db, integration.id);
  const warnings = [...walk.warnings, ...summaryWarnings(walk, deletion, integration.id)];
  // What agents use by definition (a Genie space's tables) against their stages; a failure here is
  // reported and leaves the synced metadata as it is.
  let crossings = 0;
  try {
    crossings = await evaluateDeclaredAccess(db, integration.organizationId, integration.id);
  } catch (error) {
    logger.warn({ err: { message: (error as Error)?.message } }, "checking declared cross-stage access failed");
    warnings.push({
      kind: "policy_check_failed",
      message: `cross-boundary-access could not check what agents use by definition: ${(error as Error)?.message}`,
    });
  }
  const { containerErrors } = walk;
  const status = containerErrors.length === 0 ? "succeeded" : walk.completed.length > 0 ? "partial" : "failed";
  const first = containerErrors[0];
  const counted = await db.syncRun.findUniqueOrThrow({ where: { id: run.id }, select: { itemsFetched: true, itemsIngested: true, itemsUpdated: true } });
  // Objects an earlier attempt inserted or updated were found unchanged by this one: count them once.
  const skipped = Math.max(0, counted.itemsFetched - counted.itemsIngested - counted.itemsUpdated);
  await db.syncRun.update({ where: { id: run.id }, data: { itemsSkipped: skipped } });
  const progress = {
    phase: "done",
    ...walk.totals,
    deleted: deletion.deleted,
    excluded: deletion.excluded,
    heldBack: deletion.held.reduce((n, h) => n + h.ids.length, 0),
    containersCompleted: walk.completed.length,
    crossStageViolations: crossings,
  };
  logger.info({ status, ...progress }, "catalog sync finished");
  const outcome: RunOutcome = {
    status,
    errorKind: first?.errorKind ?? null,
    errorMessage: first ? `${problemCount(containerErrors)}: ${first.kind} ${first.fullName}: ${first.message}` : null,
    containerErrors,
    warnings,
    progress,
  };
  return { outcome, summary: { status, ...progress } };
}

/** "2 listing(s) failed", "1 object(s) set aside", or both: a record set aside is not a failed listing. */
function problemCount(errors: ContainerError[]): string {
  const setAside = errors.filter((e) => e.errorKind === "set_aside").length;
  const failed = errors.length - setAside;
  return [failed ? `${failed} listing(s) failed` : "", setAside ? `${setAside} object(s) set aside` : ""].filter(Boolean).join(" and ");
}

function summaryWarnings(walk: WalkState, deletion: Awaited<ReturnType<typeof applyDeletions>>, integrationId: string): RunProblem[] {
  const warnings: RunProblem[] = [];
  const confirm = `Confirm with POST /api/integrations/${integrationId}/catalog/deletions/confirm if they are really gone.`;
  for (const hold of deletion.held.slice(0, HOLDS_NAMED))
    warnings.push({ kind: "deletions_held_back", message: `Held back by the fail-safe: ${describeUnit(hold)}; ${hold.reason}. ${confirm}` });
  if (deletion.held.length > HOLDS_NAMED)
    warnings.push({ kind: "deletions_held_back", message: `${deletion.held.length - HOLDS_NAMED} more deletion(s) were held back; see the run's holds` });
  if (deletion.excluded > 0)
    warnings.push({
      kind: "excluded_by_filters",
      message: `${deletion.excluded} object(s) are now outside the integration's catalog filters: they are marked excluded (excludedAt) and no longer synced, not deleted`,
    });
  if (walk.totals.tagsFailed > 0)
    warnings.push({
      kind: "tags_stale",
      message: `The tags of ${walk.totals.tagsFailed} object(s) could not be read: their stored tags are kept and marked stale (tagsStaleAt); the next sync reads them again`,
    });
  const altered = walk.totals.altered;
  if (altered > 0)
    warnings.push({
      kind: "altered",
      message: `${altered === 1 ? "1 object was" : `${altered} objects were`} stored with changes Postgres required (NUL characters removed, unpaired surrogates replaced, names made unique); each lists them in its alterations.`,
    });
  return warnings;
}
