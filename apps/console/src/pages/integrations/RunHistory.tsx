import { api, type SyncRun } from "../../api/client";
import { unwrap } from "../../api/errors";
import type { Column } from "../../ui/DataTable";
import { Badge } from "../../ui/feedback";
import { PagedTable } from "../../ui/PagedTable";
import { formatCount, formatDuration, Time } from "../../ui/Time";
import { RUN_LABEL, runTone } from "./status";

/** Every run of the integration, newest first: outcome, length, counts, errors and warnings. */
export function RunHistory({ integrationId, version }: { integrationId: string; version: number }) {
  const columns: Column<SyncRun>[] = [
    { header: "Started", cell: (r) => <Time value={r.startedAt ?? r.createdAt} /> },
    { header: "Kind", cell: (r) => `${r.kind === "traces" ? "Traces" : "Catalog"}${r.mode === "full" ? " (full)" : ""}` },
    { header: "Status", cell: (r) => <Badge tone={runTone(r.status)}>{RUN_LABEL[r.status]}</Badge> },
    { header: "Duration", cell: (r) => formatDuration(r.durationMs), numeric: true },
    { header: "Fetched", cell: (r) => formatCount(r.itemsFetched), numeric: true },
    { header: "Imported", cell: (r) => formatCount(r.itemsIngested + r.itemsUpdated), numeric: true },
    { header: "Spans", cell: (r) => formatCount(r.spansIngested), numeric: true },
    { header: "Errors and warnings", cell: (r) => <Problems run={r} /> },
  ];
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <PagedTable
        load={(query, signal) => unwrap(api.GET("/api/integrations/{id}/sync/history", { params: { path: { id: integrationId }, query }, signal }))}
        deps={[integrationId, version]}
        limit={20}
        caption="Sync history"
        what="the sync history"
        noun="runs"
        columns={columns}
        rowKey={(r) => r.id}
        empty="No syncs yet. Press Sync now, or wait for the schedule."
      />
    </section>
  );
}

function Problems({ run }: { run: SyncRun }) {
  const count = (run.errorMessage ? 1 : 0) + run.experimentErrors.length + run.warnings.length;
  if (count === 0) return <span className="muted">None</span>;
  return (
    <details>
      <summary>
        {run.experimentErrors.length + (run.errorMessage ? 1 : 0)} errors, {run.warnings.length} warnings
      </summary>
      <ul className="problems">
        {run.errorMessage ? <li className="error-text">{run.errorMessage}</li> : null}
        {run.experimentErrors.map((e) => (
          <li key={`${e.experimentId}-${e.kind}`} className="error-text">
            Experiment {e.experimentId}: {e.message}
          </li>
        ))}
        {run.warnings.map((w) => (
          <li key={`${w.kind}-${w.message}`}>{w.message}</li>
        ))}
      </ul>
    </details>
  );
}
