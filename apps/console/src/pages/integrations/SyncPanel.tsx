import { type FormEvent, useState } from "react";
import { api, type Integration, type KindOverview, type SyncRun } from "../../api/client";
import { messageOf, unwrap } from "../../api/errors";
import { useSession } from "../../auth/session";
import { Button } from "../../ui/Button";
import { Alert, Badge } from "../../ui/feedback";
import { formatCount, formatDuration, Time } from "../../ui/Time";
import { RUN_LABEL, runTone } from "./status";

type Kind = "traces" | "catalog";
const KIND_LABEL: Record<Kind, string> = { traces: "Trace sync", catalog: "Catalog sync" };

/**
 * Sync now, and each kind's run as it goes: its phase, experiments done of listed, traces fetched
 * and imported, spans, and the wait while the workspace rate-limits us. The page polls while a run
 * is active; when it ends, the last run's outcome stays here.
 */
export function SyncPanel({
  integration,
  kinds,
  onTriggered,
}: {
  integration: Integration;
  kinds: Record<Kind, KindOverview> | undefined;
  onTriggered: () => void;
}) {
  const { can } = useSession();
  const [type, setType] = useState<"all" | Kind>("all");
  const [full, setFull] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function trigger(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    setNotice(null);
    try {
      const result = await unwrap(
        api.POST("/api/integrations/{id}/sync", { params: { path: { id: integration.id } }, body: { type, mode: full ? "full" : "incremental" } }),
      );
      const already = result.runs.filter((r) => r.alreadyActive).map((r) => KIND_LABEL[r.type].toLowerCase());
      setNotice(already.length ? `Already running: ${already.join(" and ")}; showing its progress.` : "Sync started.");
      onTriggered();
    } catch (error) {
      setProblem(messageOf(error));
    } finally {
      setBusy(false);
    }
  }

  const shown = (["traces", "catalog"] as const).filter((k) => kinds?.[k].enabled || kinds?.[k].activeRun || kinds?.[k].lastRun);
  return (
    <section className="card" aria-labelledby="sync-title">
      <h2 id="sync-title">Syncs</h2>
      {can("editor") ? (
        <form className="sync-now" onSubmit={trigger}>
          <fieldset className="radio-group inline">
            <legend>What to sync</legend>
            {(
              [
                ["all", "Everything enabled"],
                ["traces", "Traces"],
                ["catalog", "Catalog"],
              ] as const
            ).map(([value, label]) => (
              <label key={value}>
                <input type="radio" name="sync-type" value={value} checked={type === value} onChange={() => setType(value)} />
                {label}
              </label>
            ))}
          </fieldset>
          <label className="inline-check">
            <input type="checkbox" checked={full} onChange={(e) => setFull(e.target.checked)} />
            Full sync: read everything again instead of only what is new (slower)
          </label>
          <Button type="submit" variant="primary" busy={busy} disabled={!integration.enabled}>
            Sync now
          </Button>
          {!integration.enabled ? <p className="muted">The integration is disabled; enable it to sync.</p> : null}
        </form>
      ) : null}
      {problem ? <Alert tone="danger">{problem}</Alert> : null}
      {notice ? <Alert tone="info">{notice}</Alert> : null}
      {integration.rateLimit ? (
        <Alert tone="warning" title="The workspace is rate-limiting LangGuard">
          <p>
            {integration.rateLimit.message} Syncs wait and resume on their own; next attempt <Time value={integration.rateLimit.nextAttemptAt} />.
          </p>
        </Alert>
      ) : null}
      <div className="runs-now">
        {shown.length === 0 ? <p className="muted">Nothing synced yet.</p> : null}
        {shown.map((kind) => (
          <RunNow key={kind} kind={kind} overview={kinds![kind]} />
        ))}
      </div>
    </section>
  );
}

function RunNow({ kind, overview }: { kind: Kind; overview: KindOverview }) {
  const run = overview.activeRun ?? overview.lastRun;
  const label = KIND_LABEL[kind];
  return (
    <div className={`run-now run-${run?.status ?? "none"}`} data-kind={kind}>
      <h3>
        {label}:{" "}
        {run ? <Badge tone={runTone(run.status)}>{run.status === "succeeded" && !overview.activeRun ? "Done" : RUN_LABEL[run.status]}</Badge> : "never run"}
      </h3>
      {/* Only the line that changes with each poll is announced. */}
      <p aria-live="polite" className="run-phase">
        {overview.activeRun ? (
          phaseOf(overview.activeRun)
        ) : run ? (
          <>
            Finished <Time value={run.completedAt} /> after {formatDuration(run.durationMs)}
          </>
        ) : null}
      </p>
      {run ? <RunFigures run={run} kind={kind} /> : null}
      {run?.errorMessage ? <p className={run.status === "failed" ? "error-text" : "muted"}>{run.errorMessage}</p> : null}
      {overview.nextSyncAt ? (
        <p className="muted">
          Next scheduled: <Time value={overview.nextSyncAt} />
        </p>
      ) : null}
    </div>
  );
}

function phaseOf(run: SyncRun): string {
  if (run.status === "queued") return "Waiting for a worker…";
  return run.progress.phase ? `Working: ${run.progress.phase}` : "Starting…";
}

function RunFigures({ run, kind }: { run: SyncRun; kind: Kind }) {
  // Trace syncs write their progress with every page; catalog syncs count on the run itself.
  const p = kind === "traces" ? run.progress : {};
  const listed = p.experiments ?? 0;
  const done = p.experimentsDone ?? 0;
  return (
    <dl className="figures">
      {kind === "traces" ? (
        <div>
          <dt>Experiments</dt>
          <dd>
            {formatCount(done)} of {formatCount(listed)}
            {listed > 0 ? <progress max={listed} value={done} aria-label="Experiments done" /> : null}
          </dd>
        </div>
      ) : null}
      <div>
        <dt>{kind === "traces" ? "Traces fetched" : "Objects read"}</dt>
        <dd>{formatCount(p.fetched ?? run.itemsFetched)}</dd>
      </div>
      <div>
        <dt>Imported</dt>
        <dd>{formatCount((p.inserted ?? run.itemsIngested) + (p.updated ?? run.itemsUpdated))}</dd>
      </div>
      {kind === "traces" ? (
        <div>
          <dt>Spans</dt>
          <dd>{formatCount(p.spans ?? run.spansIngested)}</dd>
        </div>
      ) : null}
    </dl>
  );
}
