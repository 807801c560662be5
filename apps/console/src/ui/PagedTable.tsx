import type { ReactNode } from "react";
import { useLoad } from "../api/use-load";
import { type Column, DataTable } from "./DataTable";
import { type PageEnvelope, PagerControls, type Pager, usePager } from "./paging";

/**
 * A list endpoint shown as a table one page at a time: loading, error, empty and rows, with the
 * pager under it. `deps` say when the list is another one (back to its first page is the caller's
 * choice); `version` reloads the current page after a change.
 */
export function PagedTable<T>({
  load,
  deps,
  limit = 50,
  caption,
  what,
  noun,
  columns,
  rowKey,
  empty,
}: {
  load: (query: Pager["query"], signal: AbortSignal) => Promise<PageEnvelope & { items: T[] }>;
  deps: unknown[];
  limit?: number;
  caption: string;
  what: string;
  noun: string;
  columns: Column<T>[];
  rowKey: (row: T) => string;
  empty: ReactNode;
}) {
  const pager = usePager(limit);
  const list = useLoad((signal) => load(pager.query, signal), [...deps, pager.query]);
  return (
    <>
      <DataTable
        caption={caption}
        what={what}
        columns={columns}
        rows={list.data?.items}
        rowKey={rowKey}
        error={list.error}
        retry={() => void list.reload()}
        empty={empty}
      />
      <PagerControls pager={pager} page={list.data} noun={noun} />
    </>
  );
}
