import { Link, useParams } from "react-router";
import { api, type Ok } from "../../api/client";
import { ApiFailure, unwrap } from "../../api/errors";
import { useLoad } from "../../api/use-load";
import { PageHeader } from "../../layout/SettingsLayout";
import type { Column } from "../../ui/DataTable";
import { ErrorState, Loading } from "../../ui/feedback";
import { PagedTable } from "../../ui/PagedTable";
import { formatCount, formatDuration, Time } from "../../ui/Time";
import { NotFoundPage } from "../NotFoundPage";
import type { TraceSummary } from "../traces/format";

type Agent = Ok<"/api/agents", "get">["items"][number];

const versionsOf = (a: Agent) => (a.versions.length ? a.versions.join(", ") : "—");

/** Agents: every agent seen in traces, its versions and how many traces it ran. */
export function AgentsPage() {
  const columns: Column<Agent>[] = [
    {
      header: "Agent",
      cell: (a) => (
        <div className="cell-main">
          <Link to={`/agents/${a.id}`}>{a.name}</Link>
          {a.type ? <span className="muted">{a.type}</span> : null}
        </div>
      ),
    },
    { header: "Versions", cell: versionsOf },
    { header: "Traces", numeric: true, cell: (a) => formatCount(a.traceCount) },
    { header: "First seen", cell: (a) => <Time value={a.firstSeenAt} /> },
    { header: "Last seen", cell: (a) => <Time value={a.lastSeenAt} /> },
  ];
  return (
    <div className="stack">
      <PageHeader title="Agents">
        <p className="muted">The agents your traces come from, with the versions seen.</p>
      </PageHeader>
      <PagedTable
        load={(query, signal) => unwrap(api.GET("/api/agents", { params: { query }, signal }))}
        deps={[]}
        caption="Agents"
        what="the agents"
        noun="agents"
        columns={columns}
        rowKey={(a) => a.id}
        empty="No agents yet: they appear as traces are imported."
      />
    </div>
  );
}

/** One agent: its versions, where it runs, and its traces newest first. */
export function AgentPage() {
  const { id = "" } = useParams();
  const agent = useLoad((signal) => unwrap(api.GET("/api/agents/{id}", { params: { path: { id } }, signal })), [id]);
  if (agent.error instanceof ApiFailure && (agent.error.notFound || agent.error.status === 400)) return <NotFoundPage />;
  if (agent.status === "error") return <ErrorState error={agent.error} retry={() => void agent.reload()} what="the agent" />;
  if (!agent.data) return <Loading label="Loading the agent…" />;
  const a = agent.data;
  const columns: Column<TraceSummary>[] = [
    { header: "Trace", cell: (t) => <Link to={`/traces/${t.id}`}>{t.name ?? t.externalId}</Link> },
    { header: "Status", cell: (t) => t.status },
    { header: "Started", cell: (t) => <Time value={t.timestamp} /> },
    { header: "Duration", numeric: true, cell: (t) => formatDuration(t.durationMs === null ? null : Number(t.durationMs)) },
    { header: "Tokens", numeric: true, cell: (t) => formatCount(t.totalTokens === null ? null : Number(t.totalTokens)) },
  ];
  return (
    <div className="stack">
      <PageHeader title={a.name} crumbs={[{ label: "Agents", to: "/agents" }, { label: a.name }]} />
      <section className="card" aria-labelledby="agent-about">
        <h2 id="agent-about">About this agent</h2>
        <dl className="summary">
          <div>
            <dt>Type</dt>
            <dd>{a.type ?? "—"}</dd>
          </div>
          <div>
            <dt>Versions</dt>
            <dd>{versionsOf(a)}</dd>
          </div>
          <div>
            <dt>Traces</dt>
            <dd>{formatCount(a.traceCount)}</dd>
          </div>
          <div>
            <dt>Seen</dt>
            <dd>
              <Time value={a.firstSeenAt} /> – <Time value={a.lastSeenAt} />
            </dd>
          </div>
        </dl>
        <p>
          <Link to={`/traces?agent=${encodeURIComponent(a.name)}`}>Search its traces</Link>
        </p>
      </section>
      <section className="card" aria-labelledby="agent-traces">
        <h2 id="agent-traces">Recent traces</h2>
        <PagedTable
          load={(query, signal) => unwrap(api.GET("/api/traces", { params: { query: { ...query, agent: a.name } }, signal }))}
          deps={[a.name]}
          limit={20}
          caption={`Traces of ${a.name}`}
          what="the traces"
          noun="traces"
          columns={columns}
          rowKey={(t) => t.id}
          empty="No traces of this agent are stored."
        />
      </section>
    </div>
  );
}
