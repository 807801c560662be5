import { useState } from "react";
import { api, type Ok } from "../../api/client";
import { messageOf, unwrap } from "../../api/errors";
import { useLoad } from "../../api/use-load";
import { useSession } from "../../auth/session";
import { PageHeader } from "../../layout/SettingsLayout";
import { Button } from "../../ui/Button";
import type { Column } from "../../ui/DataTable";
import { Dialog } from "../../ui/Dialog";
import { Alert, Badge, ErrorState, Loading } from "../../ui/feedback";
import { SelectField, TextField } from "../../ui/fields";
import { PagedTable } from "../../ui/PagedTable";
import { Time } from "../../ui/Time";
import { useUrlFilters } from "../../ui/useUrlFilters";

type Entity = Ok<"/api/entities", "get">["items"][number];
type Change = Ok<"/api/entities/{id}/changes", "get">["items"][number];
const APPROVAL_TONE = { approved: "success", pending: "warning", rejected: "danger" } as const;
const STAGES = ["dev", "poc", "staging", "prod"] as const;
const FILTERS = ["kind", "approval", "stage", "name"] as const;

/** Governance › Entities: the agents, models, tools and data agents use, each approved or not, at a stage. */
export function EntitiesPage() {
  const { can } = useSession();
  const { search, applied, draft, set, apply } = useUrlFilters(FILTERS);
  const [version, setVersion] = useState(0);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [history, setHistory] = useState<Entity | null>(null);
  async function change(entity: Entity, body: { approval?: Entity["approval"]; stage?: Entity["stage"] }, key: string) {
    setBusy(key);
    setProblem(null);
    try {
      await unwrap(api.PATCH("/api/entities/{id}", { params: { path: { id: entity.id } }, body }));
      setVersion((n) => n + 1);
    } catch (error) {
      setProblem(messageOf(error));
    } finally {
      setBusy(null);
    }
  }

  const columns: Column<Entity>[] = [
    {
      header: "Entity",
      cell: (e) => (
        <div className="cell-main">
          <strong>{e.name}</strong>
          <span className="muted">{e.kind}</span>
        </div>
      ),
    },
    { header: "Approval", cell: (e) => <Badge tone={APPROVAL_TONE[e.approval]}>{e.approval}</Badge> },
    {
      header: "Stage",
      cell: (e) =>
        can("editor") ? (
          <select
            className="inline-select"
            aria-label={`Stage of ${e.name}`}
            value={e.stage ?? ""}
            disabled={busy === `stage-${e.id}`}
            onChange={(event) => void change(e, { stage: (event.target.value || null) as Entity["stage"] }, `stage-${e.id}`)}
          >
            <option value="">None</option>
            {STAGES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        ) : (
          (e.stage ?? "—")
        ),
    },
    { header: "Last seen", cell: (e) => <Time value={e.lastSeenAt} /> },
    {
      header: "Actions",
      cell: (e) => (
        <div className="row-actions">
          {can("editor") && e.approval !== "approved" ? (
            <Button
              busy={busy === `approve-${e.id}`}
              aria-label={`Approve ${e.name}`}
              onClick={() => void change(e, { approval: "approved" }, `approve-${e.id}`)}
            >
              Approve
            </Button>
          ) : null}
          {can("editor") && e.approval !== "rejected" ? (
            <Button
              variant="danger"
              busy={busy === `reject-${e.id}`}
              aria-label={`Reject ${e.name}`}
              onClick={() => void change(e, { approval: "rejected" }, `reject-${e.id}`)}
            >
              Reject
            </Button>
          ) : null}
          <Button variant="quiet" aria-label={`History of ${e.name}`} onClick={() => setHistory(e)}>
            History
          </Button>
        </div>
      ),
    },
  ];

  return (
    <>
      <PageHeader title="Entities" crumbs={[{ label: "Governance", to: "/governance/violations" }, { label: "Entities" }]}>
        <p className="muted">Agents, models, tools and data seen in traces. New ones wait for approval; policies can flag what is not approved.</p>
      </PageHeader>
      {problem ? <Alert tone="danger">{problem}</Alert> : null}
      <form className="filters card" onSubmit={apply} aria-label="Filter entities">
        <SelectField label="Kind" value={draft.kind ?? ""} onChange={set("kind")}>
          <option value="">Every kind</option>
          <option value="agent">Agents</option>
          <option value="model">Models</option>
          <option value="tool">Tools</option>
          <option value="data">Data</option>
        </SelectField>
        <SelectField label="Approval" value={draft.approval ?? ""} onChange={set("approval")}>
          <option value="">Any</option>
          <option value="pending">Pending</option>
          <option value="approved">Approved</option>
          <option value="rejected">Rejected</option>
        </SelectField>
        <SelectField label="Stage" value={draft.stage ?? ""} onChange={set("stage")}>
          <option value="">Any</option>
          {STAGES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </SelectField>
        <TextField label="Name contains" value={draft.name ?? ""} onChange={set("name")} />
        <div className="filters-actions">
          <Button type="submit" variant="primary">
            Apply filters
          </Button>
        </div>
      </form>
      <PagedTable
        key={search.toString()}
        load={(query, signal) =>
          unwrap(
            api.GET("/api/entities", {
              params: {
                query: {
                  ...query,
                  kind: applied.kind as Entity["kind"] | undefined,
                  approval: applied.approval as Entity["approval"] | undefined,
                  stage: applied.stage as (typeof STAGES)[number] | undefined,
                  name: applied.name,
                },
              },
              signal,
            }),
          )
        }
        deps={[search.toString(), version]}
        caption="Entities"
        what="the entities"
        noun="entities"
        columns={columns}
        rowKey={(e) => e.id}
        empty={search.toString() ? "No entity matches these filters." : "No entities yet: they appear as traces are evaluated."}
      />
      {history ? <HistoryDialog entity={history} onClose={() => setHistory(null)} /> : null}
    </>
  );
}

const describe = (d: Change["before"]) => `${d.approval}, stage ${d.stage ?? "none"}`;

/** Who changed the entity, what from and to, and when; newest first. */
function HistoryDialog({ entity, onClose }: { entity: Entity; onClose: () => void }) {
  const changes = useLoad(
    (signal) => unwrap(api.GET("/api/entities/{id}/changes", { params: { path: { id: entity.id }, query: { limit: 50 } }, signal })),
    [entity.id],
  );
  return (
    <Dialog
      open
      title={`History of ${entity.name}`}
      onClose={onClose}
      footer={
        <Button variant="primary" onClick={onClose}>
          Close
        </Button>
      }
    >
      {changes.status === "error" ? (
        <ErrorState error={changes.error} retry={() => void changes.reload()} what="the history" />
      ) : !changes.data ? (
        <Loading label="Loading the history…" />
      ) : changes.data.items.length === 0 ? (
        <p className="muted">Nobody has changed it since it was first seen.</p>
      ) : (
        <ol className="history">
          {changes.data.items.map((c) => (
            <li key={c.id}>
              <Time value={c.createdAt} /> — <strong>{c.changedByName ?? c.changedBy}</strong>: {describe(c.before)} → {describe(c.after)}
            </li>
          ))}
        </ol>
      )}
    </Dialog>
  );
}
