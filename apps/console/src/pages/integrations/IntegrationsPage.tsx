import { Link, useLocation } from "react-router";
import { api, type Integration, type KindOverview, type OverviewItem } from "../../api/client";
import { unwrap } from "../../api/errors";
import { useSession } from "../../auth/session";
import { PageHeader } from "../../layout/SettingsLayout";
import type { Column } from "../../ui/DataTable";
import { Alert, Badge } from "../../ui/feedback";
import { PagedTable } from "../../ui/PagedTable";
import type { Pager } from "../../ui/paging";
import { Time } from "../../ui/Time";
import { RUN_LABEL, runTone, SOURCE_LABEL, statusOf } from "./status";

/** Settings › Integrations: every integration with its state, its last syncs and its next one. */
interface Row {
  integration: Integration;
  overview: OverviewItem | undefined;
}

export function IntegrationsPage() {
  const { can } = useSession();
  const location = useLocation();
  // Each row is an integration with what the list shows beside it: one overview request per page.
  const load = async (query: Pager["query"], signal: AbortSignal) => {
    const page = await unwrap(api.GET("/api/integrations", { params: { query }, signal }));
    const ids = page.items.map((i) => i.id);
    const overview = ids.length
      ? await unwrap(api.GET("/api/integrations/sync-overview", { params: { query: { ids: ids.join(",") } }, signal }))
      : { items: [] };
    const byId = new Map(overview.items.map((o) => [o.integrationId, o]));
    return { ...page, items: page.items.map((integration) => ({ integration, overview: byId.get(integration.id) })) };
  };
  const notice = (location.state as { notice?: string } | null)?.notice;

  const columns: Column<Row>[] = [
    {
      header: "Integration",
      cell: ({ integration: i }) => (
        <div className="cell-main">
          <Link to={`/settings/integrations/${i.id}`}>{i.name}</Link>
          <span className="muted">
            {SOURCE_LABEL[i.source]} · {i.host}
          </span>
        </div>
      ),
    },
    { header: "Status", cell: (row) => <StatusCell {...row} /> },
    { header: "Last trace sync", cell: (row) => <LastSync kind={row.overview?.traces} /> },
    { header: "Last catalog sync", cell: (row) => <LastSync kind={row.overview?.catalog} /> },
    { header: "Next scheduled sync", cell: (row) => <NextSync {...row} /> },
  ];

  return (
    <>
      <PageHeader
        title="Integrations"
        crumbs={[{ label: "Settings", to: "/settings/integrations" }, { label: "Integrations" }]}
        actions={
          can("editor") ? (
            <Link className="button button-primary" to="/settings/integrations/new">
              Add integration
            </Link>
          ) : null
        }
      >
        <p className="muted">Databricks workspaces and MLflow servers LangGuard imports traces and catalog metadata from.</p>
      </PageHeader>
      {notice ? <Alert tone="success">{notice}</Alert> : null}
      <PagedTable
        load={load}
        deps={[]}
        caption="Integrations"
        what="integrations"
        noun="integrations"
        columns={columns}
        rowKey={(row) => row.integration.id}
        empty={
          <>
            No integrations yet. {can("editor") ? <Link to="/settings/integrations/new">Add one</Link> : "An editor or admin of your organization can add one."}
          </>
        }
      />
    </>
  );
}

function StatusCell({ integration, overview }: { integration: Integration; overview: OverviewItem | undefined }) {
  const status = statusOf(integration, overview);
  return (
    <div className="cell-main">
      <Badge tone={status.tone}>{status.label}</Badge>
      {status.nextAttemptAt ? (
        <span className="muted">
          Rate-limited; next attempt <Time value={status.nextAttemptAt} />
        </span>
      ) : status.detail && status.tone !== "success" ? (
        <span className="muted clamp">{status.detail}</span>
      ) : null}
    </div>
  );
}

function LastSync({ kind }: { kind: KindOverview | undefined }) {
  if (!kind) return <span className="muted">…</span>;
  if (kind.activeRun)
    return (
      <div className="cell-main">
        <Badge tone="info">{RUN_LABEL[kind.activeRun.status]}</Badge>
        <span className="muted">
          since <Time value={kind.activeRun.startedAt ?? kind.activeRun.createdAt} />
        </span>
      </div>
    );
  if (!kind.lastRun) return <span className="muted">{kind.enabled ? "Never" : "Off"}</span>;
  return (
    <div className="cell-main">
      <Badge tone={runTone(kind.lastRun.status)}>{RUN_LABEL[kind.lastRun.status]}</Badge>
      <Time value={kind.lastRun.completedAt} />
    </div>
  );
}

function NextSync({ integration, overview }: { integration: Integration; overview: OverviewItem | undefined }) {
  if (!integration.enabled) return <span className="muted">Disabled</span>;
  if (!overview) return <span className="muted">…</span>;
  const times = [overview.traces, overview.catalog].filter((k) => k.enabled && k.nextSyncAt).map((k) => k.nextSyncAt as string);
  if (times.length === 0) return <span className="muted">{integration.syncIntervalMinutes === 0 ? "Only when triggered" : "Not scheduled"}</span>;
  const next = times.sort()[0];
  return <Time value={next} />;
}
