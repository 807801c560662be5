import { Link } from "react-router";
import { api } from "../../api/client";
import { unwrap } from "../../api/errors";
import { useLoad } from "../../api/use-load";
import { PageHeader } from "../../layout/SettingsLayout";
import { Button } from "../../ui/Button";
import type { Column } from "../../ui/DataTable";
import { Badge } from "../../ui/feedback";
import { SelectField, TextField } from "../../ui/fields";
import { PagedTable } from "../../ui/PagedTable";
import { formatCount, formatDuration, Time } from "../../ui/Time";
import { TRACE_STATUS_TONE, type TraceSummary } from "./format";
import { useUrlFilters } from "../../ui/useUrlFilters";

const FILTERS = ["integrationId", "agent", "status", "name", "from", "to"] as const;
const STATUSES = ["OK", "ERROR", "IN_PROGRESS", "UNSPECIFIED"] as const;

/** A datetime-local value (the reader's zone) as the API's ISO instant. */
const instant = (local: string | undefined) => (local ? new Date(local).toISOString() : undefined);

/**
 * Every trace of the organization, newest first, narrowed by integration, agent, status, time and
 * name. The filters live in the address, so a filtered list can be shared and survives a reload.
 */
export function TracesPage() {
  const { search, applied, draft, set, apply, clear } = useUrlFilters(FILTERS);
  const integrations = useLoad((signal) => unwrap(api.GET("/api/integrations", { params: { query: { limit: 200 } }, signal })), []);
  const names = new Map(integrations.data?.items.map((i) => [i.id, i.name]));

  const columns: Column<TraceSummary>[] = [
    {
      header: "Trace",
      cell: (t) => (
        <div className="cell-main">
          <Link to={`/traces/${t.id}`}>{t.name ?? t.externalId}</Link>
          <span className="muted">{t.externalId}</span>
        </div>
      ),
    },
    { header: "Status", cell: (t) => <Badge tone={TRACE_STATUS_TONE[t.status] ?? "neutral"}>{t.status}</Badge> },
    { header: "Started", cell: (t) => <Time value={t.timestamp} /> },
    { header: "Duration", numeric: true, cell: (t) => formatDuration(t.durationMs === null ? null : Number(t.durationMs)) },
    { header: "Spans", numeric: true, cell: (t) => formatCount(t.spanCount) },
    { header: "Tokens", numeric: true, cell: (t) => formatCount(t.totalTokens === null ? null : Number(t.totalTokens)) },
    { header: "Integration", cell: (t) => names.get(t.integrationId) ?? "—" },
  ];

  return (
    <div className="stack">
      <PageHeader title="Traces">
        <p className="muted">What agents did, as imported from your workspaces. Open a trace for its spans, inputs, outputs and violations.</p>
      </PageHeader>
      <form className="filters card" onSubmit={apply} aria-label="Filter traces">
        <SelectField label="Integration" value={draft.integrationId ?? ""} onChange={set("integrationId")}>
          <option value="">All integrations</option>
          {integrations.data?.items.map((i) => (
            <option key={i.id} value={i.id}>
              {i.name}
            </option>
          ))}
        </SelectField>
        <TextField label="Agent" value={draft.agent ?? ""} onChange={set("agent")} hint="Its exact name" />
        <SelectField label="Status" value={draft.status ?? ""} onChange={set("status")}>
          <option value="">Any status</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </SelectField>
        <TextField label="Name contains" value={draft.name ?? ""} onChange={set("name")} />
        <TextField label="From" type="datetime-local" value={draft.from ?? ""} onChange={set("from")} />
        <TextField label="To" type="datetime-local" value={draft.to ?? ""} onChange={set("to")} />
        <div className="filters-actions">
          <Button type="submit" variant="primary">
            Apply filters
          </Button>
          <Button onClick={clear}>Clear</Button>
        </div>
      </form>
      <PagedTable
        // Other filters, another list: it starts again at its first page.
        key={search.toString()}
        load={(query, signal) =>
          unwrap(
            api.GET("/api/traces", {
              params: {
                query: {
                  ...query,
                  integrationId: applied.integrationId,
                  agent: applied.agent,
                  status: applied.status as (typeof STATUSES)[number] | undefined,
                  name: applied.name,
                  from: instant(applied.from),
                  to: instant(applied.to),
                },
              },
              signal,
            }),
          )
        }
        deps={[search.toString()]}
        caption="Traces"
        what="the traces"
        noun="traces"
        columns={columns}
        rowKey={(t) => t.id}
        empty={search.toString() ? "No trace matches these filters." : "No traces yet: they appear here once an integration has synced."}
      />
    </div>
  );
}
