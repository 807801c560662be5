import { type FormEvent, useId, useState } from "react";
import { api, type Ok } from "../../api/client";
import { ApiFailure, messageOf, unwrap } from "../../api/errors";
import { PageHeader } from "../../layout/SettingsLayout";
import { Button } from "../../ui/Button";
import type { Column } from "../../ui/DataTable";
import { ConfirmDialog } from "../../ui/Dialog";
import { Alert, Badge } from "../../ui/feedback";
import { TextField } from "../../ui/fields";
import { PagedTable } from "../../ui/PagedTable";
import { Time } from "../../ui/Time";
import { SecretDialog } from "./SecretDialog";

type Key = Ok<"/api/keys", "get">["items"][number];
type Scope = Key["scopes"][number];
const SCOPE_HELP: Record<Scope, string> = {
  read: "Read: lists and reads",
  write: "Write: also syncs, triage, policies",
  admin: "Admin: also keys, webhooks, users",
};

function stateOf(k: Key): { tone: "success" | "neutral" | "warning"; label: string } {
  if (k.revokedAt) return { tone: "neutral", label: "Revoked" };
  if (k.expiresAt && new Date(k.expiresAt) < new Date()) return { tone: "warning", label: "Expired" };
  return { tone: "success", label: "Active" };
}

/** Settings › API keys: keys for machines (the CLI, CI, scripts); shown once when created, revocable. */
export function ApiKeysPage() {
  const [version, setVersion] = useState(0);
  const [created, setCreated] = useState<Ok<"/api/keys", "post"> | null>(null);
  const [revoking, setRevoking] = useState<Key | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const columns: Column<Key>[] = [
    {
      header: "Key",
      cell: (k) => (
        <div className="cell-main">
          <strong>{k.name}</strong>
          <code className="muted">{k.prefix}…</code>
        </div>
      ),
    },
    { header: "Scopes", cell: (k) => k.scopes.join(", ") },
    { header: "State", cell: (k) => <Badge tone={stateOf(k).tone}>{stateOf(k).label}</Badge> },
    { header: "Created", cell: (k) => <Time value={k.createdAt} /> },
    { header: "Last used", cell: (k) => <Time value={k.lastUsedAt} fallback="Never" /> },
    { header: "Expires", cell: (k) => <Time value={k.expiresAt} fallback="Never" /> },
    {
      header: "Actions",
      cell: (k) =>
        k.revokedAt ? null : (
          <Button variant="danger" aria-label={`Revoke ${k.name}`} onClick={() => setRevoking(k)}>
            Revoke
          </Button>
        ),
    },
  ];
  return (
    <>
      <PageHeader title="API keys" crumbs={[{ label: "Settings", to: "/settings/integrations" }, { label: "API keys" }]}>
        <p className="muted">For machines: scripts, CI and the CLI send one as a bearer token. People sign in instead.</p>
      </PageHeader>
      {problem ? <Alert tone="danger">{problem}</Alert> : null}
      <CreateKey
        onCreated={(key) => {
          setCreated(key);
          setVersion((n) => n + 1);
        }}
      />
      <section className="card" aria-labelledby="keys-title">
        <h2 id="keys-title">Keys</h2>
        <PagedTable
          load={(query, signal) => unwrap(api.GET("/api/keys", { params: { query }, signal }))}
          deps={[version]}
          caption="API keys"
          what="the API keys"
          noun="keys"
          columns={columns}
          rowKey={(k) => k.id}
          empty="No API keys."
        />
      </section>
      {created ? (
        <SecretDialog title={`API key ${created.name}`} label="Key" secret={created.key} onClose={() => setCreated(null)}>
          <p>
            Send it as <code>Authorization: Bearer …</code>.
          </p>
        </SecretDialog>
      ) : null}
      <ConfirmDialog
        open={!!revoking}
        title={`Revoke ${revoking?.name ?? ""}?`}
        confirmLabel="Revoke key"
        busy={busy}
        onClose={() => setRevoking(null)}
        onConfirm={() => {
          if (!revoking) return;
          setBusy(true);
          setProblem(null);
          unwrap(api.DELETE("/api/keys/{id}", { params: { path: { id: revoking.id } } }))
            .then(() => setVersion((n) => n + 1))
            .catch((error) => setProblem(messageOf(error)))
            .finally(() => {
              setBusy(false);
              setRevoking(null);
            });
        }}
      >
        <p>Every request with it is refused from now on. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}

function CreateKey({ onCreated }: { onCreated: (key: Ok<"/api/keys", "post">) => void }) {
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["read"]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const groupId = useId();
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    setErrors({});
    try {
      const key = await unwrap(api.POST("/api/keys", { body: { name, scopes } }));
      setName("");
      onCreated(key);
    } catch (failure) {
      if (failure instanceof ApiFailure) setErrors(failure.fieldErrors());
      setProblem(messageOf(failure));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="card" aria-labelledby="new-key-title">
      <h2 id="new-key-title">Create a key</h2>
      <form className="inline-form" onSubmit={submit} noValidate>
        {problem ? <Alert tone="danger">{problem}</Alert> : null}
        <TextField label="Name" required value={name} error={errors.name} onChange={(e) => setName(e.target.value)} hint="What uses it, e.g. nightly export" />
        <fieldset className="radio-group inline" aria-describedby={`${groupId}-error`}>
          <legend>Scopes</legend>
          {(Object.keys(SCOPE_HELP) as Scope[]).map((scope) => (
            <label key={scope}>
              <input
                type="checkbox"
                checked={scopes.includes(scope)}
                onChange={(e) => setScopes((s) => (e.target.checked ? [...s, scope] : s.filter((x) => x !== scope)))}
              />
              {SCOPE_HELP[scope]}
            </label>
          ))}
          {errors.scopes ? (
            <div className="error-text" id={`${groupId}-error`}>
              {errors.scopes}
            </div>
          ) : null}
        </fieldset>
        <Button type="submit" variant="primary" busy={busy}>
          Create key
        </Button>
      </form>
    </section>
  );
}
