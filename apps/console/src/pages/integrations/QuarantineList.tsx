import { api, type Ok } from "../../api/client";
import { unwrap } from "../../api/errors";
import { useLoad } from "../../api/use-load";
import { type Column, DataTable } from "../../ui/DataTable";
import { PagerControls, usePager } from "../../ui/paging";
import { Time } from "../../ui/Time";

type Record = Ok<"/api/integrations/{id}/quarantine", "get">["items"][number];

/** Records a sync set aside because they could not be stored, and why; they leave once stored. */
export function QuarantineList({ integrationId, version }: { integrationId: string; version: number }) {
  const pager = usePager(20);
  const records = useLoad(
    (signal) => unwrap(api.GET("/api/integrations/{id}/quarantine", { params: { path: { id: integrationId }, query: pager.query }, signal })),
    [integrationId, pager.query.offset, version],
  );
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
      <DataTable
        caption="Quarantined records"
        what="the quarantine"
        columns={columns}
        rows={records.data?.items}
        rowKey={(r) => r.id}
        error={records.error}
        retry={() => void records.reload()}
        empty="Nothing is quarantined."
      />
      <PagerControls pager={pager} page={records.data} noun="records" />
    </section>
  );
}
