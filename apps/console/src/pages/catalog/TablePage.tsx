import { useParams } from "react-router";
import { api, type Ok } from "../../api/client";
import { ApiFailure, unwrap } from "../../api/errors";
import { useLoad } from "../../api/use-load";
import { PageHeader } from "../../layout/SettingsLayout";
import { type Column, DataTable } from "../../ui/DataTable";
import { Alterations } from "../../ui/Alterations";
import { Alert, Badge, ErrorState, Loading } from "../../ui/feedback";
import { JsonView } from "../../ui/JsonView";
import { Time } from "../../ui/Time";
import { NotFoundPage } from "../NotFoundPage";

type Table = Ok<"/api/catalog/tables/{id}", "get">;
type TableColumn = Table["columns"][number];

const STAT_LABEL: Record<string, string> = { sizeInBytes: "Size", numFiles: "Files", numRows: "Rows", lastModified: "Last modified" };
function statValue(key: string, value: unknown): string {
  if (key === "sizeInBytes" && typeof value === "number")
    return `${(value / 1024 / 1024).toLocaleString(undefined, { maximumFractionDigits: 1 })} MB (${value.toLocaleString()} bytes)`;
  if (typeof value === "number") return value.toLocaleString();
  if (value === null || value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A table of the Data Catalog: its facts, its statistics, and its columns. */
export function TablePage() {
  const { id = "" } = useParams();
  const table = useLoad((signal) => unwrap(api.GET("/api/catalog/tables/{id}", { params: { path: { id } }, signal })), [id]);
  if (table.error instanceof ApiFailure && (table.error.notFound || table.error.status === 400)) return <NotFoundPage />;
  if (table.status === "error") return <ErrorState error={table.error} retry={() => void table.reload()} what="the table" />;
  if (!table.data) return <Loading label="Loading the table…" />;
  const t = table.data;
  const stats = Object.entries((t.stats ?? {}) as Record<string, unknown>);
  const columns: Column<TableColumn>[] = [
    { header: "#", numeric: true, cell: (c) => c.position + 1 },
    { header: "Column", cell: (c) => <code>{c.name}</code> },
    { header: "Type", cell: (c) => c.typeText ?? c.typeName ?? "—" },
    { header: "Nullable", cell: (c) => (c.nullable === null ? "—" : c.nullable ? "Yes" : "No") },
    { header: "Comment", cell: (c) => c.comment ?? "" },
    {
      header: "Tags",
      cell: (c) =>
        c.tags && Object.keys(c.tags as object).length
          ? Object.entries(c.tags as Record<string, unknown>)
              .map(([k, v]) => (v ? `${k}: ${v}` : k))
              .join(", ")
          : "",
    },
  ];
  return (
    <div className="stack">
      <PageHeader
        title={t.fullName}
        crumbs={[
          { label: "Data Catalog", to: "/catalog" },
          { label: t.catalogName, to: `/catalog?${new URLSearchParams({ catalog: t.catalogName })}` },
          { label: t.schemaName ?? "", to: `/catalog?${new URLSearchParams({ catalog: t.catalogName, schema: t.schemaName ?? "" })}` },
          { label: t.name },
        ]}
      >
        <div className="status-line">
          <Badge tone="info">Table</Badge>
          {t.deletedAt ? <Badge tone="neutral">Deleted</Badge> : null}
          <span className="muted">Owner: {t.owner ?? "—"}</span>
        </div>
      </PageHeader>
      {t.deletedAt ? (
        <Alert tone="warning" title="Deleted at the source">
          <p>
            Unity Catalog no longer has this table (noticed <Time value={t.deletedAt} />
            ). It is kept here for the traces that used it.
          </p>
        </Alert>
      ) : null}
      <Alterations alterations={t.alterations} what="table" />
      <section className="card" aria-labelledby="table-about">
        <h2 id="table-about">About</h2>
        {t.comment ? <p>{t.comment}</p> : null}
        <dl className="summary">
          <div>
            <dt>Created at the source</dt>
            <dd>
              <Time value={t.sourceCreatedAt} />
            </dd>
          </div>
          <div>
            <dt>Updated at the source</dt>
            <dd>
              <Time value={t.sourceUpdatedAt} />
            </dd>
          </div>
          <div>
            <dt>Columns</dt>
            <dd>{t.columnCount.toLocaleString()}</dd>
          </div>
        </dl>
        <h3>Statistics</h3>
        {stats.length ? (
          <dl className="summary">
            {stats.map(([k, v]) => (
              <div key={k}>
                <dt>{STAT_LABEL[k] ?? k}</dt>
                <dd>{statValue(k, v)}</dd>
              </div>
            ))}
          </dl>
        ) : (
          <p className="muted">No statistics: they are read through a SQL warehouse when the integration has one.</p>
        )}
        <details>
          <summary>Details, properties and tags</summary>
          <JsonView value={{ details: t.details, properties: t.properties, tags: t.tags }} />
        </details>
      </section>
      <section className="card" aria-labelledby="table-columns">
        <h2 id="table-columns">Columns</h2>
        {t.columnCount > t.columns.length ? (
          <p className="muted">
            The first {t.columns.length.toLocaleString()} columns of {t.columnCount.toLocaleString()}.
          </p>
        ) : null}
        <DataTable
          caption={`Columns of ${t.fullName}`}
          what="the columns"
          columns={columns}
          rows={t.columns}
          rowKey={(c) => c.name}
          empty="This table has no columns."
        />
      </section>
    </div>
  );
}
