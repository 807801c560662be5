import { api, type Ok } from "../../api/client";
import { unwrap } from "../../api/errors";
import type { Column } from "../../ui/DataTable";
import { PagedTable } from "../../ui/PagedTable";
import { Time } from "../../ui/Time";

type Record = Ok<"/api/integrations/{id}/quarantine", "get">["items"][number];

/** Records a sync set aside because they could not be stored, and why; they leave once stored. */
export function QuarantineList({ integrationId, version }: { integrationId: string; version: number }) {
  const columns: Column<Record>[] = [
    { header: "Kind", cell: (r) => (r.kind === "trace" ? "Trace" : "Experiment") },
    { header: "Experiment", cell: (r) => r.experimentId ?? "—" },
    { header: "Source id", cell: (r) => <code>{r.externalId}</code> },
    { header: "Reason", cell: (r) => r.reason },
    { header: "First seen", cell: (r) => <Time value={r.firstSeenAt} /> },
    { header: "Last seen", cell: (r) => <Time value={r.lastSeenAt} /> },
  ];
  return (
    <section className="card" aria-labelledby="quarantine-title">
      <h2 id="quarantine-title">Quarantine</h2>
      <p className="muted">Records a sync could not store are set aside here with the reason, so they never block the records around them.</p>
      <PagedTable
        load={(query, signal) => unwrap(api.GET("/api/integrations/{id}/quarantine", { params: { path: { id: integrationId }, query }, signal }))}
        deps={[integrationId, version]}
        limit={20}
        caption="Quarantined records"
        what="the quarantine"
        noun="records"
        columns={columns}
        rowKey={(r) => r.id}
        empty="Nothing is quarantined."
      />
    </section>
  );
}
