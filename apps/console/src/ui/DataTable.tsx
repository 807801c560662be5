import type { ReactNode } from "react";
import { EmptyState, ErrorState, Loading } from "./feedback";

export interface Column<T> {
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Right-aligned figures. */
  numeric?: boolean;
}

/**
 * A list as a table, with the states every list has: loading, failed (with a retry), empty (with
 * what to do about it), and rows. Wide tables scroll sideways inside their own box on narrow
 * screens instead of widening the page.
 */
export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
  error,
  retry,
  empty,
  what,
}: {
  caption: string;
  columns: Column<T>[];
  /** undefined while loading. */
  rows: T[] | undefined;
  rowKey: (row: T) => string;
  error?: unknown;
  retry?: () => void;
  empty: ReactNode;
  what: string;
}) {
  if (error !== undefined && !rows) return <ErrorState error={error} retry={retry} what={what} />;
  if (!rows) return <Loading label={`Loading ${what}…`} />;
  if (rows.length === 0) return <EmptyState title={empty} />;
  return (
    // Focusable so a keyboard can scroll it when it is wider than the screen.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus (WCAG 2.1.1).
    <section className="table-scroll" aria-label={caption} tabIndex={0}>
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a table's columns never move.
              <th key={i} scope="col" className={column.numeric ? "numeric" : undefined}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((column, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a table's columns never move.
                <td key={i} className={column.numeric ? "numeric" : undefined}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
