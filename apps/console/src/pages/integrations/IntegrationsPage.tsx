import { Link, useLocation } from "react-router";
import { api, type Integration, type KindOverview, type OverviewItem } from "../../api/client";
import { unwrap } from "../../api/errors";
import { useLoad } from "../../api/use-load";
import { useSession } from "../../auth/session";
import { PageHeader } from "../../layout/SettingsLayout";
import { type Column, DataTable } from "../../ui/DataTable";
import { Alert, Badge } from "../../ui/feedback";
import { PagerControls, usePager } from "../../ui/paging";
import { Time } from "../../ui/Time";
import { RUN_LABEL, runTone, SOURCE_LABEL, statusOf } from "./status";

/** Settings › Integrations: every integration with its state, its last syncs and its next one. */
export function IntegrationsPage() {
  const { can } = useSession();
  const location = useLocation();
  const pager = usePager(50);
  const list = useLoad(
    async (signal) => {
      const page = await unwrap(api.GET("/api/integrations", { params: { query: pager.query }, signal }));
      const ids = page.items.map((i) => i.id);
      const overview = ids.length
        ? await unwrap(api.GET("/api/integrations/sync-overview", { params: { query: { ids: ids.join(",") } }, signal }))
        : { items: [] };
      return { page, overview: new Map(overview.items.map((o) => [o.integrationId, o])) };
    },
    [pager.query.offset, pager.query.limit],
  );
  const notice = (location.state as { notice?: string } | null)?.notice;

  const columns: Column<Integration>[] = [
    {
      header: "Integration",
      cell: (i) => (
        <div className="cell-main">
          <Link to={`/settings/integrations/${i.id}`}>{i.name}</Link>
          <span className="muted">
            {SOURCE_LABEL[i.source]} · {i.host}
          </span>
        </div>
      ),
    },
    { header: "Status", cell: (i) => <StatusCell integration={i} overview={list.data?.overview.get(i.id)} /> },
    { header: "Last trace sync", cell: (i) => <LastSync kind={list.data?.overview.get(i.id)?.traces} /> },
    { header: "Last catalog sync", cell: (i) => <LastSync kind={list.data?.overview.get(i.id)?.catalog} /> },
    { header: "Next scheduled sync", cell: (i) => <NextSync integration={i} overview={list.data?.overview.get(i.id)} /> },
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
      <DataTable
        caption="Integrations"
        what="integrations"
        columns={columns}
        rows={list.data?.page.items}
        rowKey={(i) => i.id}
        error={list.error}
        retry={() => void list.reload()}
        empty={
          <>
            No integrations yet. {can("editor") ? <Link to="/settings/integrations/new">Add one</Link> : "An editor or admin of your organization can add one."}
          </>
        }
      />
      <PagerControls pager={pager} page={list.data?.page} noun="integrations" />
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
