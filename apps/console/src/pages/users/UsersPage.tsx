import { type FormEvent, useId, useState } from "react";
import { api, type Ok, type User } from "../../api/client";
import { ApiFailure, messageOf, unwrap } from "../../api/errors";
import { useSession } from "../../auth/session";
import { PageHeader } from "../../layout/SettingsLayout";
import { Button } from "../../ui/Button";
import type { Column } from "../../ui/DataTable";
import { ConfirmDialog, Dialog } from "../../ui/Dialog";
import { Alert, Badge } from "../../ui/feedback";
import { SelectField, TextField } from "../../ui/fields";
import { PagedTable } from "../../ui/PagedTable";
import { Time } from "../../ui/Time";
import { useAction } from "../../ui/useAction";
import { email as emailRule } from "@langguard/input-rules";

type Link = Ok<"/api/users/{id}/password-link", "post">;
type Role = User["role"];

const ROLE_HELP: Record<Role, string> = {
  viewer: "Viewer: sees everything, changes nothing",
  editor: "Editor: also manages integrations and syncs",
  admin: "Admin: also manages users and API keys",
};
const STATUS_TONE = { invited: "info", active: "success", disabled: "neutral" } as const;

/** Settings › Users: the organization's people, their roles, and one-time links to set a password. */
export function UsersPage() {
  const { session } = useSession();
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);
  const [link, setLink] = useState<{ email: string; link: Link } | null>(null);
  const [editing, setEditing] = useState<User | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const { busy, problem, act } = useAction(reload);

  const columns: Column<User>[] = [
    {
      header: "E-mail",
      cell: (u) => (
        <span>
          {u.email}
          {u.id === session?.user.id ? <span className="muted"> (you)</span> : null}
        </span>
      ),
    },
    { header: "Role", cell: (u) => u.role[0]!.toUpperCase() + u.role.slice(1) },
    { header: "Status", cell: (u) => <Badge tone={STATUS_TONE[u.status]}>{u.status[0]!.toUpperCase() + u.status.slice(1)}</Badge> },
    { header: "Last sign-in", cell: (u) => <Time value={u.lastSignInAt} fallback="Never" /> },
    {
      header: "Actions",
      cell: (u) => (
        <div className="row-actions">
          <Button onClick={() => setEditing(u)} aria-label={`Change ${u.email}`}>
            Change
          </Button>
          <Button
            busy={busy === `link-${u.id}`}
            aria-label={`New password link for ${u.email}`}
            onClick={() =>
              void act(`link-${u.id}`, async () => {
                const created = await unwrap(api.POST("/api/users/{id}/password-link", { params: { path: { id: u.id } } }));
                setLink({ email: u.email, link: created });
              })
            }
          >
            Password link
          </Button>
          <Button variant="danger" onClick={() => setDeleting(u)} aria-label={`Delete ${u.email}`} disabled={u.id === session?.user.id}>
            Delete
          </Button>
        </div>
      ),
    },
  ];

  return (
    <>
      <PageHeader title="Users" crumbs={[{ label: "Settings", to: "/settings/integrations" }, { label: "Users" }]}>
        <p className="muted">People of {session?.organization.name} who sign in to this console. Machines use API keys instead.</p>
      </PageHeader>
      {problem ? <Alert tone="danger">{problem}</Alert> : null}
      <AddUser
        onCreated={(email, created) => {
          setLink({ email, link: created });
          reload();
        }}
      />
      <section className="card" aria-labelledby="users-title">
        <h2 id="users-title">Members</h2>
        <PagedTable
          load={(query, signal) => unwrap(api.GET("/api/users", { params: { query }, signal }))}
          deps={[version]}
          caption="Users"
          what="the users"
          noun="users"
          columns={columns}
          rowKey={(u) => u.id}
          empty="No users yet."
        />
      </section>

      {link ? <LinkDialog email={link.email} link={link.link} onClose={() => setLink(null)} /> : null}
      {editing ? (
        <EditUser
          user={editing}
          self={editing.id === session?.user.id}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            reload();
          }}
        />
      ) : null}
      <ConfirmDialog
        open={!!deleting}
        title={`Delete ${deleting?.email ?? ""}?`}
        confirmLabel="Delete user"
        busy={busy === "delete"}
        onClose={() => setDeleting(null)}
        onConfirm={() =>
          void act("delete", async () => {
            if (!deleting) return;
            await unwrap(api.DELETE("/api/users/{id}", { params: { path: { id: deleting.id } } }));
            setDeleting(null);
          })
        }
      >
        <p>They are signed out at once and can no longer sign in. This cannot be undone; disabling keeps the account instead.</p>
      </ConfirmDialog>
    </>
  );
}

function AddUser({ onCreated }: { onCreated: (email: string, link: Link) => void }) {
  const [address, setAddress] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [error, setError] = useState<string | undefined>();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const parsed = emailRule.safeParse(address);
    setError(parsed.success ? undefined : parsed.error.issues[0]?.message);
    if (!parsed.success) return;
    setBusy(true);
    setProblem(null);
    try {
      const created = await unwrap(api.POST("/api/users", { body: { email: parsed.data, role } }));
      setAddress("");
      onCreated(created.user.email, created.passwordLink);
    } catch (failure) {
      if (failure instanceof ApiFailure && failure.fieldErrors().email) setError(failure.fieldErrors().email);
      setProblem(messageOf(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="add-user-title">
      <h2 id="add-user-title">Add a user</h2>
      <form className="inline-form" onSubmit={submit} noValidate>
        {problem ? <Alert tone="danger">{problem}</Alert> : null}
        <TextField label="E-mail" type="email" autoComplete="off" required value={address} error={error} onChange={(e) => setAddress(e.target.value)} />
        <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as Role)} hint={ROLE_HELP[role]}>
          <option value="viewer">Viewer</option>
          <option value="editor">Editor</option>
          <option value="admin">Admin</option>
        </SelectField>
        <Button type="submit" variant="primary" busy={busy}>
          Add user
        </Button>
      </form>
    </section>
  );
}

function EditUser({ user, self, onClose, onSaved }: { user: User; self: boolean; onClose: () => void; onSaved: () => void }) {
  const [role, setRole] = useState<Role>(user.role);
  const [disabled, setDisabled] = useState(user.status === "disabled");
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const disabledId = useId();
  async function save() {
    setBusy(true);
    setProblem(null);
    try {
      await unwrap(api.PATCH("/api/users/{id}", { params: { path: { id: user.id } }, body: { role, disabled } }));
      onSaved();
    } catch (error) {
      setProblem(messageOf(error));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog
      open
      title={`Change ${user.email}`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" busy={busy} onClick={() => void save()}>
            Save
          </Button>
        </>
      }
    >
      {problem ? <Alert tone="danger">{problem}</Alert> : null}
      {self ? <Alert tone="info">You cannot change your own role or disable yourself; another admin can.</Alert> : null}
      <SelectField label="Role" value={role} disabled={self} onChange={(e) => setRole(e.target.value as Role)} hint={ROLE_HELP[role]}>
        <option value="viewer">Viewer</option>
        <option value="editor">Editor</option>
        <option value="admin">Admin</option>
      </SelectField>
      <div className="field field-checkbox">
        <input id={disabledId} type="checkbox" checked={disabled} disabled={self} onChange={(e) => setDisabled(e.target.checked)} />
        <label htmlFor={disabledId}>Disabled: signed out at once and cannot sign in</label>
      </div>
    </Dialog>
  );
}

/** The one-time link, shown once. Clipboard access needs https, so the link is also selectable text. */
function LinkDialog({ email, link, onClose }: { email: string; link: Link; onClose: () => void }) {
  const [copied, setCopied] = useState(false);
  const inputId = useId();
  const canCopy = typeof navigator !== "undefined" && !!navigator.clipboard && window.isSecureContext;
  return (
    <Dialog
      open
      title="One-time link to set a password"
      onClose={onClose}
      footer={
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      }
    >
      <p>
        Send this link to <strong>{email}</strong>. It works once, until <Time value={link.expiresAt} />, and is not shown again.
      </p>
      <div className="field">
        <label htmlFor={inputId}>Link</label>
        <input id={inputId} readOnly value={link.url} onFocus={(e) => e.target.select()} />
      </div>
      {canCopy ? (
        <Button
          onClick={() =>
            void navigator.clipboard.writeText(link.url).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? "Copied" : "Copy link"}
        </Button>
      ) : null}
    </Dialog>
  );
}
