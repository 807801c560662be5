import { useEffect, useState } from "react";
import { Link, useLocation, useNavigate, useParams } from "react-router";
import { api, type ConnectionReport, type Integration } from "../../api/client";
import { ApiFailure, messageOf, unwrap } from "../../api/errors";
import { useLoad } from "../../api/use-load";
import { useSession } from "../../auth/session";
import { PageHeader } from "../../layout/SettingsLayout";
import { Button } from "../../ui/Button";
import { ConfirmDialog } from "../../ui/Dialog";
import { Alert, Badge, ErrorState, Loading } from "../../ui/feedback";
import { Time } from "../../ui/Time";
import { NotFoundPage } from "../NotFoundPage";
import { ConnectionSteps } from "./ConnectionSteps";
import { QuarantineList } from "./QuarantineList";
import { RunHistory } from "./RunHistory";
import { SOURCE_LABEL, statusOf } from "./status";
import { SyncPanel } from "./SyncPanel";
import { useIntegration } from "./use-integration";

/** Polling interval while a run is active: the bound, and what one status query costs. */
const LIVE_MS = 2_000;

/** One integration: its settings, Sync now with live progress, the history, the quarantine. */
export function IntegrationPage() {
  const { id = "" } = useParams();
  const integration = useIntegration(id);
  if (integration.status === "error" && integration.error instanceof ApiFailure && integration.error.notFound) return <NotFoundPage />;
  if (integration.status === "error" && !integration.data)
    return <ErrorState error={integration.error} retry={() => void integration.reload()} what="the integration" />;
  if (!integration.data) return <Loading label="Loading the integration…" />;
  return <IntegrationView integration={integration.data} reload={integration.reload} />;
}

function IntegrationView({ integration, reload }: { integration: Integration; reload: () => Promise<void> }) {
  const { can } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const [notice, setNotice] = useState<string | null>((location.state as { notice?: string } | null)?.notice ?? null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState<"test" | "toggle" | "delete" | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [report, setReport] = useState<ConnectionReport | null>(null);
  const [historyVersion, setHistoryVersion] = useState(0);
  const overview = useLoad(
    (signal) => unwrap(api.GET("/api/integrations/sync-overview", { params: { query: { ids: integration.id } }, signal })).then((o) => o.items[0]),
    [integration.id],
  );
  const active = !!(overview.data?.traces.activeRun || overview.data?.catalog.activeRun);

  // Live while something runs; when the last active run ends, the history shows it at once.
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      void overview.reload();
      void reload();
    }, LIVE_MS);
    return () => {
      clearInterval(timer);
      setHistoryVersion((v) => v + 1);
    };
  }, [active, overview.reload, reload]);

  async function act(kind: "test" | "toggle" | "delete", action: () => Promise<void>) {
    setBusy(kind);
    setProblem(null);
    setNotice(null);
    try {
      await action();
    } catch (error) {
      setProblem(messageOf(error));
    } finally {
      setBusy(null);
    }
  }

  const status = statusOf(integration, overview.data);
  const steps = report?.steps ?? (Array.isArray(integration.connection.steps) ? (integration.connection.steps as ConnectionReport["steps"]) : []);
  const lastReport: ConnectionReport | null =
    report ??
    (steps.length && integration.connection.checkedAt
      ? {
          status: integration.connection.status as ConnectionReport["status"],
          message: integration.connection.message ?? "",
          steps,
          checkedAt: integration.connection.checkedAt,
        }
      : null);

  return (
    <>
      <PageHeader
        title={integration.name}
        crumbs={[{ label: "Settings", to: "/settings/integrations" }, { label: "Integrations", to: "/settings/integrations" }, { label: integration.name }]}
        actions={
          can("editor") ? (
            <>
              <Link className="button button-secondary" to={`/settings/integrations/${integration.id}/edit`}>
                Edit
              </Link>
              <Button
                busy={busy === "test"}
                onClick={() =>
                  void act("test", async () => {
                    setReport(await unwrap(api.POST("/api/integrations/{id}/test", { params: { path: { id: integration.id } } })));
                    await reload();
                  })
                }
              >
                Test connection
              </Button>
              <Button
                busy={busy === "toggle"}
                onClick={() =>
                  void act("toggle", async () => {
                    await unwrap(api.PATCH("/api/integrations/{id}", { params: { path: { id: integration.id } }, body: { enabled: !integration.enabled } }));
                    setNotice(integration.enabled ? "Disabled: no syncs run until it is enabled again." : "Enabled: syncs run on schedule again.");
                    await reload();
                  })
                }
              >
                {integration.enabled ? "Disable" : "Enable"}
              </Button>
              <Button variant="danger" onClick={() => setConfirmDelete(true)}>
                Delete
              </Button>
            </>
          ) : null
        }
      >
        <p className="status-line">
          <Badge tone={status.tone}>{status.label}</Badge>
          {status.nextAttemptAt ? (
            <span>
              Rate-limited; next attempt <Time value={status.nextAttemptAt} />
            </span>
          ) : status.detail ? (
            <span className="muted">{status.detail}</span>
          ) : null}
        </p>
      </PageHeader>
      {notice ? <Alert tone="success">{notice}</Alert> : null}
      {problem ? <Alert tone="danger">{problem}</Alert> : null}

      <section className="card" aria-labelledby="settings-title">
        <h2 id="settings-title">Settings</h2>
        <dl className="summary">
          <div>
            <dt>Source</dt>
            <dd>{SOURCE_LABEL[integration.source]}</dd>
          </div>
          <div>
            <dt>Host URL</dt>
            <dd>
              <code>{integration.host}</code>
            </dd>
          </div>
          <div>
            <dt>API token</dt>
            <dd>{integration.hasToken ? "Saved (never shown)" : "None"}</dd>
          </div>
          <div>
            <dt>Warehouse ID</dt>
            <dd>{integration.warehouseId ?? "None"}</dd>
          </div>
          <div>
            <dt>Syncs</dt>
            <dd>{[integration.syncTraces ? "Traces" : null, integration.syncCatalog ? "Catalog" : null].filter(Boolean).join(" and ") || "Nothing"}</dd>
          </div>
          <div>
            <dt>Experiments</dt>
            <dd>
              {integration.experiments.length === 0
                ? "All active experiments"
                : `${integration.experiments.length} chosen (${integration.experiments.join(", ")})`}
            </dd>
          </div>
          <div>
            <dt>Schedule</dt>
            <dd>
              {integration.syncIntervalMinutes === 0 ? "Only when triggered" : `Every ${integration.syncIntervalMinutes} minutes`}
              {integration.nightlyFullSync ? ", and a full trace sync nightly at 03:00 UTC" : ""}
            </dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>
              <Time value={integration.createdAt} />
            </dd>
          </div>
        </dl>
        {lastReport ? (
          <details open={!!report}>
            <summary>Last connection test</summary>
            <ConnectionSteps report={lastReport} />
          </details>
        ) : null}
      </section>

      {overview.status === "error" && !overview.data ? (
        <ErrorState error={overview.error} retry={() => void overview.reload()} what="the sync status" />
      ) : (
        <SyncPanel
          integration={integration}
          kinds={overview.data ? { traces: overview.data.traces, catalog: overview.data.catalog } : undefined}
          onTriggered={() => {
            void overview.reload();
            setHistoryVersion((v) => v + 1);
          }}
        />
      )}
      <RunHistory integrationId={integration.id} version={historyVersion} />
      <QuarantineList integrationId={integration.id} version={historyVersion} />

      <ConfirmDialog
        open={confirmDelete}
        title={`Delete ${integration.name}?`}
        confirmLabel="Delete integration"
        busy={busy === "delete"}
        onClose={() => setConfirmDelete(false)}
        onConfirm={() =>
          void act("delete", async () => {
            await unwrap(api.DELETE("/api/integrations/{id}", { params: { path: { id: integration.id } } }));
            setConfirmDelete(false);
            navigate("/settings/integrations", { state: { notice: `${integration.name} was deleted.` } });
          })
        }
      >
        <p>
          Its schedules stop and its stored token is destroyed. Traces, runs and catalog objects imported through it are deleted with it. This cannot be undone.
        </p>
      </ConfirmDialog>
    </>
  );
}
