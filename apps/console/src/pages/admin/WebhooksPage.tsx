import { type FormEvent, useState } from "react";
import { api, type Ok } from "../../api/client";
import { ApiFailure, messageOf, unwrap } from "../../api/errors";
import { PageHeader } from "../../layout/SettingsLayout";
import { Button } from "../../ui/Button";
import type { Column } from "../../ui/DataTable";
import { ConfirmDialog, Dialog } from "../../ui/Dialog";
import { Alert, Badge } from "../../ui/feedback";
import { TextField } from "../../ui/fields";
import { PagedTable } from "../../ui/PagedTable";
import { Time } from "../../ui/Time";
import { useAction } from "../../ui/useAction";
import { SecretDialog } from "./SecretDialog";

type Webhook = Ok<"/api/webhooks", "get">["items"][number];
type Delivery = Ok<"/api/webhooks/{id}/deliveries", "get">["items"][number];
const DELIVERY_TONE = { pending: "info", delivered: "success", failed: "danger" } as const;

/** Settings › Webhooks: receivers told of each violation, signed with a secret shown once; on or off; their recent deliveries. */
export function WebhooksPage() {
  const [version, setVersion] = useState(0);
  const [created, setCreated] = useState<Ok<"/api/webhooks", "post"> | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [deliveries, setDeliveries] = useState<Webhook | null>(null);
  const reload = () => setVersion((n) => n + 1);
  const { busy, problem, act } = useAction(reload);
  const columns: Column<Webhook>[] = [
    {
      header: "Receiver",
      cell: (w) => (
        <div className="cell-main">
          <code>{w.url}</code>
          <span className="muted">{w.events.join(", ")}</span>
        </div>
      ),
    },
    {
      header: "State",
      cell: (w) => (
        <div className="cell-main">
          <Badge tone={w.enabled ? "success" : "neutral"}>{w.enabled ? "Enabled" : "Disabled"}</Badge>
          {w.disabledReason ? <span className="muted">{w.disabledReason}</span> : null}
          {w.consecutiveFailures ? <span className="muted">{w.consecutiveFailures} failures in a row</span> : null}
        </div>
      ),
    },
    { header: "Created", cell: (w) => <Time value={w.createdAt} /> },
    {
      header: "Actions",
      cell: (w) => (
        <div className="row-actions">
          <Button
            busy={busy === `toggle-${w.id}`}
            aria-label={`${w.enabled ? "Disable" : "Enable"} ${w.url}`}
            onClick={() =>
              void act(`toggle-${w.id}`, () => unwrap(api.PATCH("/api/webhooks/{id}", { params: { path: { id: w.id } }, body: { enabled: !w.enabled } })))
            }
          >
            {w.enabled ? "Disable" : "Enable"}
          </Button>
          <Button aria-label={`Deliveries to ${w.url}`} onClick={() => setDeliveries(w)}>
            Deliveries
          </Button>
          <Button variant="danger" aria-label={`Delete ${w.url}`} onClick={() => setDeleting(w)}>
            Delete
          </Button>
        </div>
      ),
    },
  ];
  return (
    <>
      <PageHeader title="Webhooks" crumbs={[{ label: "Settings", to: "/settings/integrations" }, { label: "Webhooks" }]}>
        <p className="muted">Each violation is posted to these addresses, signed with the webhook's secret (HMAC-SHA256).</p>
      </PageHeader>
      {problem ? <Alert tone="danger">{problem}</Alert> : null}
      <AddWebhook
        onCreated={(hook) => {
          setCreated(hook);
          reload();
        }}
      />
      <section className="card" aria-labelledby="hooks-title">
        <h2 id="hooks-title">Receivers</h2>
        <PagedTable
          load={(query, signal) => unwrap(api.GET("/api/webhooks", { params: { query }, signal }))}
          deps={[version]}
          caption="Webhooks"
          what="the webhooks"
          noun="webhooks"
          columns={columns}
          rowKey={(w) => w.id}
          empty="No webhooks: add one to be told of violations as they are found."
        />
      </section>
      {created ? (
        <SecretDialog title="Webhook signing secret" label="Secret" secret={created.secret} onClose={() => setCreated(null)}>
          <p>
            Deliveries to <code>{created.url}</code> carry a signature made with it; check it before trusting a delivery.
          </p>
        </SecretDialog>
      ) : null}
      {deliveries ? <DeliveriesDialog hook={deliveries} onClose={() => setDeliveries(null)} /> : null}
      <ConfirmDialog
        open={!!deleting}
        title="Delete this webhook?"
        confirmLabel="Delete webhook"
        busy={busy === "delete"}
        onClose={() => setDeleting(null)}
        onConfirm={() =>
          void act("delete", async () => {
            if (!deleting) return;
            await unwrap(api.DELETE("/api/webhooks/{id}", { params: { path: { id: deleting.id } } }));
            setDeleting(null);
          })
        }
      >
        <p>
          <code>{deleting?.url}</code> is told of nothing more, and its delivery history goes with it.
        </p>
      </ConfirmDialog>
    </>
  );
}

function AddWebhook({ onCreated }: { onCreated: (hook: Ok<"/api/webhooks", "post">) => void }) {
  const [url, setUrl] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    setError(undefined);
    try {
      const hook = await unwrap(api.POST("/api/webhooks", { body: { url } }));
      setUrl("");
      onCreated(hook);
    } catch (failure) {
      if (failure instanceof ApiFailure) setError(failure.fieldErrors().url);
      setProblem(messageOf(failure));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="card" aria-labelledby="new-hook-title">
      <h2 id="new-hook-title">Add a webhook</h2>
      <form className="inline-form" onSubmit={submit} noValidate>
        {problem ? <Alert tone="danger">{problem}</Alert> : null}
        <TextField
          label="Receiver URL"
          type="url"
          required
          value={url}
          error={error}
          onChange={(e) => setUrl(e.target.value)}
          hint="An https address outside your network"
        />
        <Button type="submit" variant="primary" busy={busy}>
          Add webhook
        </Button>
      </form>
    </section>
  );
}

function DeliveriesDialog({ hook, onClose }: { hook: Webhook; onClose: () => void }) {
  const columns: Column<Delivery>[] = [
    { header: "Status", cell: (d) => <Badge tone={DELIVERY_TONE[d.status]}>{d.status}</Badge> },
    { header: "Attempts", numeric: true, cell: (d) => d.attempts },
    { header: "Last answer", cell: (d) => [d.lastStatus ? `HTTP ${d.lastStatus}` : null, d.lastError].filter(Boolean).join(" · ") || "—" },
    { header: "Queued", cell: (d) => <Time value={d.createdAt} /> },
  ];
  return (
    <Dialog
      open
      title="Recent deliveries"
      onClose={onClose}
      footer={
        <Button variant="primary" onClick={onClose}>
          Close
        </Button>
      }
    >
      <p className="muted">
        To <code>{hook.url}</code>, newest first.
      </p>
      <PagedTable
        load={(query, signal) => unwrap(api.GET("/api/webhooks/{id}/deliveries", { params: { path: { id: hook.id }, query }, signal }))}
        deps={[hook.id]}
        limit={20}
        caption="Deliveries"
        what="the deliveries"
        noun="deliveries"
        columns={columns}
        rowKey={(d) => d.id}
        empty="Nothing delivered yet."
      />
    </Dialog>
  );
}
