import { type FormEvent, useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api, type Ok } from "../../api/client";
import { unwrap } from "../../api/errors";
import { PageHeader } from "../../layout/SettingsLayout";
import { Button } from "../../ui/Button";
import type { Column } from "../../ui/DataTable";
import { Badge } from "../../ui/feedback";
import { TextField } from "../../ui/fields";
import { JsonView } from "../../ui/JsonView";
import { PagedTable } from "../../ui/PagedTable";
import { Time } from "../../ui/Time";

export type CatalogObject = Ok<"/api/catalog/entities", "get">["items"][number];
const KIND_LABEL: Record<CatalogObject["kind"], string> = {
  catalog: "Catalog",
  schema: "Schema",
  table: "Table",
  volume: "Volume",
  function: "Function",
  model: "Model",
  servingEndpoint: "Serving endpoint",
  genieSpace: "Genie space",
};

/** Where an object opens: a catalog or schema one level down, a table its page; the rest show their details in place. */
function ObjectName({ object: o }: { object: CatalogObject }) {
  const name = o.deletedAt ? (
    <>
      <del>{o.fullName}</del> <Badge tone="neutral">Deleted</Badge>
    </>
  ) : (
    o.fullName
  );
  if (o.kind === "catalog") return <Link to={`/catalog?${new URLSearchParams({ catalog: o.name })}`}>{name}</Link>;
  if (o.kind === "schema") return <Link to={`/catalog?${new URLSearchParams({ catalog: o.catalogName, schema: o.name })}`}>{name}</Link>;
  if (o.kind === "table") return <Link to={`/catalog/tables/${o.id}`}>{name}</Link>;
  return (
    <details>
      <summary>{name}</summary>
      <JsonView value={{ owner: o.owner, comment: o.comment, details: o.details, tags: o.tags, properties: o.properties }} />
    </details>
  );
}

/**
 * The Data Catalog: catalogs → schemas → tables, volumes, functions and models, as catalog sync
 * imported them from Unity Catalog; a search by name across every level; deleted objects kept and
 * marked, shown on request.
 */
export function CatalogPage() {
  const [search, setSearch] = useSearchParams();
  const catalog = search.get("catalog") ?? undefined;
  const schema = search.get("schema") ?? undefined;
  const q = search.get("q") ?? undefined;
  const deleted = search.get("deleted") === "any";
  // The box answers the click at once; the address (and so the list) follows when the router has
  // navigated, and Back or a shared link set it from the address again.
  const [showDeleted, setShowDeleted] = useState(deleted);
  useEffect(() => setShowDeleted(deleted), [deleted]);
  const [draft, setDraft] = useState(q ?? "");
  const find = (event: FormEvent) => {
    event.preventDefault();
    const next = new URLSearchParams(search);
    if (draft.trim()) next.set("q", draft.trim());
    else next.delete("q");
    setSearch(next);
  };
  const crumbs = [
    { label: "Data Catalog", to: "/catalog" },
    ...(catalog ? [{ label: catalog, to: schema ? `/catalog?${new URLSearchParams({ catalog })}` : undefined }] : []),
    ...(catalog && schema ? [{ label: schema }] : []),
  ];
  const columns: Column<CatalogObject>[] = [
    { header: "Name", cell: (o) => <ObjectName object={o} /> },
    { header: "Kind", cell: (o) => KIND_LABEL[o.kind] },
    { header: "Owner", cell: (o) => o.owner ?? "—" },
    { header: "Comment", cell: (o) => <span className="clamp">{o.comment ?? ""}</span> },
    { header: "Updated at the source", cell: (o) => <Time value={o.sourceUpdatedAt} /> },
  ];
  const level = q ? "matching objects" : schema ? "objects of this schema" : catalog ? "schemas" : "catalogs";
  return (
    <div className="stack">
      <PageHeader title={schema ? `${catalog}.${schema}` : (catalog ?? "Data Catalog")} crumbs={catalog ? crumbs : undefined}>
        <p className="muted">What catalog sync imported from Unity Catalog. Search finds catalogs, schemas, tables, volumes, functions and models by name.</p>
      </PageHeader>
      <form className="filters card" onSubmit={find} aria-label="Search the catalog">
        <TextField label="Search by name" type="search" value={draft} onChange={(e) => setDraft(e.target.value)} />
        <div className="field field-checkbox">
          <input
            id="catalog-deleted"
            type="checkbox"
            checked={showDeleted}
            onChange={(e) => {
              setShowDeleted(e.target.checked);
              const next = new URLSearchParams(search);
              if (e.target.checked) next.set("deleted", "any");
              else next.delete("deleted");
              setSearch(next);
            }}
          />
          <label htmlFor="catalog-deleted">Include deleted objects</label>
        </div>
        <div className="filters-actions">
          <Button type="submit" variant="primary">
            Search
          </Button>
          {q ? (
            <Button
              onClick={() => {
                setDraft("");
                const next = new URLSearchParams(search);
                next.delete("q");
                setSearch(next);
              }}
            >
              Clear search
            </Button>
          ) : null}
        </div>
      </form>
      <PagedTable
        key={search.toString()}
        load={(query, signal) =>
          unwrap(
            api.GET("/api/catalog/entities", {
              params: {
                query: {
                  ...query,
                  ...(q ? { q } : catalog ? { catalog, ...(schema ? { schema } : {}) } : { kind: "catalog" as const }),
                  deleted: deleted ? ("any" as const) : ("false" as const),
                },
              },
              signal,
            }),
          )
        }
        deps={[search.toString()]}
        caption={`Catalog: ${level}`}
        what={`the ${level}`}
        noun="objects"
        columns={columns}
        rowKey={(o) => o.id}
        empty={q ? `Nothing named like “${q}”.` : "Nothing here yet: run a catalog sync of an integration."}
      />
    </div>
  );
}
