import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { api } from "../../api/client";
import { unwrap } from "../../api/errors";
import { useLoad } from "../../api/use-load";
import { useSession } from "../../auth/session";
import { PageHeader } from "../../layout/SettingsLayout";
import { Button } from "../../ui/Button";
import { type Column, DataTable } from "../../ui/DataTable";
import { Alert, Badge } from "../../ui/feedback";
import { SelectField, TextField } from "../../ui/fields";
import { PagerControls, usePager } from "../../ui/paging";
import { Time } from "../../ui/Time";
import { SEVERITY_TONE } from "../traces/format";
import { TriageDialog, type TriageStatus } from "./TriageDialog";
import { listViolations, spansOf, STATUS_TONE, type Violation } from "./violation-view";
import { useUrlFilters } from "../../ui/useUrlFilters";

const FILTERS = ["status", "severity", "policyId", "integrationId", "agent", "from", "to"] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

/** The API's query for these filters (datetime-local values are the reader's zone). */
function queryOf(filters: Filters) {
  return {
    status: filters.status as Violation["status"] | undefined,
    severity: filters.severity as Violation["severity"] | undefined,
    policyId: filters.policyId,
    integrationId: filters.integrationId,
    agent: filters.agent,
    from: filters.from ? new Date(filters.from).toISOString() : undefined,
    to: filters.to ? new Date(filters.to).toISOString() : undefined,
  };
}

/**
 * Governance › Violations: the triage queue. New ones first by default; tick several and
 * acknowledge, resolve or reopen them at once with a note; export what the filters select as CSV.
 */
export function ViolationsPage() {
  const { can } = useSession();
  // By default the queue is what still needs someone: the new ones ("Any status" is written as such).
  const filters = useUrlFilters(FILTERS, { status: "new" });
  const { applied, draft, set } = filters;
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [triage, setTriage] = useState<TriageStatus | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [version, setVersion] = useState(0);
  const pager = usePager(50);
  const policies = useLoad((signal) => unwrap(api.GET("/api/policies", { params: { query: { limit: 200 } }, signal })), []);
  const integrations = useLoad((signal) => unwrap(api.GET("/api/integrations", { params: { query: { limit: 200 } }, signal })), []);
  const query = queryOf(applied);
  const list = useLoad((signal) => listViolations({ ...pager.query, ...query }, signal), [pager.query, query, version]);
  const rows = list.data?.items;
  const csv = `/api/policies/violations?${new URLSearchParams({ format: "csv", ...(Object.fromEntries(Object.entries(query).filter(([, v]) => v)) as Record<string, string>) })}`;

  const apply = (event: FormEvent) => {
    filters.apply(event);
    setSelected(new Set());
    pager.reset();
  };
  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const allOnPage = !!rows?.length && rows.every((v) => selected.has(v.id));

  const columns: Column<Violation>[] = [
    ...(can("editor")
      ? [
          {
            header: (
              <input
                type="checkbox"
                aria-label="Select every violation on this page"
                checked={allOnPage}
                onChange={(e) => setSelected(e.target.checked ? new Set(rows?.map((v) => v.id)) : new Set())}
              />
            ),
            cell: (v: Violation) => (
              <input
                type="checkbox"
                aria-label={`Select: ${v.policyName} on ${v.traceId}`}
                checked={selected.has(v.id)}
                onChange={(e) => toggle(v.id, e.target.checked)}
              />
            ),
          },
        ]
      : []),
    { header: "Severity", cell: (v) => <Badge tone={SEVERITY_TONE[v.severity]}>{v.severity}</Badge> },
    {
      header: "Violation",
      cell: (v) => (
        <div className="cell-main">
          <strong>{v.policyName}</strong>
          <span className="clamp">{v.message}</span>
          {v.agents.length ? <span className="muted">Agents: {v.agents.join(", ")}</span> : null}
        </div>
      ),
    },
    {
      header: "Where",
      cell: (v) => (
        <div className="cell-main">
          <Link to={`/traces/${v.traceId}`} aria-label={`Open the trace of ${v.policyName}`}>
            Trace
          </Link>
          {spansOf(v.evidence)
            .slice(0, 3)
            .map((spanId) => (
              <Link key={spanId} to={`/traces/${v.traceId}?span=${encodeURIComponent(spanId)}`}>
                Span {spanId}
              </Link>
            ))}
        </div>
      ),
    },
    {
      header: "Status",
      cell: (v) => (
        <div className="cell-main">
          <Badge tone={STATUS_TONE[v.status]}>{v.status}</Badge>
          {v.note ? <span className="muted clamp">Note: {v.note}</span> : null}
        </div>
      ),
    },
    { header: "Found", cell: (v) => <Time value={v.createdAt} /> },
  ];

  return (
    <>
      <PageHeader
        title="Violations"
        crumbs={[{ label: "Governance", to: "/governance/violations" }, { label: "Violations" }]}
        actions={
          <a className="button" href={csv} download>
            Export CSV
          </a>
        }
      >
        <p className="muted">What policies found in traces. Acknowledge what you are looking into; resolve what is dealt with.</p>
      </PageHeader>
      {notice ? <Alert tone="success">{notice}</Alert> : null}
      <form className="filters card" onSubmit={apply} aria-label="Filter violations">
        <SelectField label="Status" value={draft.status ?? ""} onChange={set("status")}>
          <option value="">Any status</option>
          <option value="new">New</option>
          <option value="acknowledged">Acknowledged</option>
          <option value="resolved">Resolved</option>
        </SelectField>
        <SelectField label="Severity" value={draft.severity ?? ""} onChange={set("severity")}>
          <option value="">Any severity</option>
          <option value="critical">Critical</option>
          <option value="high">High</option>
          <option value="medium">Medium</option>
          <option value="low">Low</option>
        </SelectField>
        <SelectField label="Policy" value={draft.policyId ?? ""} onChange={set("policyId")}>
          <option value="">All policies</option>
          {policies.data?.items.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </SelectField>
        <SelectField label="Integration" value={draft.integrationId ?? ""} onChange={set("integrationId")}>
          <option value="">All integrations</option>
          {integrations.data?.items.map((i) => (
            <option key={i.id} value={i.id}>
              {i.name}
            </option>
          ))}
        </SelectField>
        <TextField label="Agent" value={draft.agent ?? ""} onChange={set("agent")} />
        <TextField label="Found from" type="datetime-local" value={draft.from ?? ""} onChange={set("from")} />
        <TextField label="Found until" type="datetime-local" value={draft.to ?? ""} onChange={set("to")} />
        <div className="filters-actions">
          <Button type="submit" variant="primary">
            Apply filters
          </Button>
        </div>
      </form>
      {can("editor") ? (
        <div className="bulk-bar" role="toolbar" aria-label="With the selected violations">
          <span aria-live="polite">{selected.size ? `${selected.size} selected` : "Select violations to triage them together"}</span>
          <Button disabled={!selected.size} onClick={() => setTriage("acknowledged")}>
            Acknowledge
          </Button>
          <Button disabled={!selected.size} onClick={() => setTriage("resolved")}>
            Resolve
          </Button>
          <Button disabled={!selected.size} onClick={() => setTriage("new")}>
            Reopen
          </Button>
        </div>
      ) : null}
      <DataTable
        caption="Violations"
        what="the violations"
        columns={columns}
        rows={rows}
        rowKey={(v) => v.id}
        error={list.error}
        retry={() => void list.reload()}
        empty={applied.status === "new" ? "Nothing waiting: no new violation." : "No violation matches these filters."}
      />
      <PagerControls pager={pager} page={list.data} noun="violations" />
      {triage ? (
        <TriageDialog
          ids={[...selected]}
          status={triage}
          onClose={() => setTriage(null)}
          onDone={(updated) => {
            setNotice(`${updated} ${updated === 1 ? "violation" : "violations"} ${triage === "new" ? "reopened" : triage}.`);
            setTriage(null);
            setSelected(new Set());
            setVersion((n) => n + 1);
          }}
        />
      ) : null}
    </>
  );
}
