import { useCallback, useState } from "react";
import { Button } from "./Button";

/** What a list endpoint answers about its page: offsets today, cursors (nextCursor) as lists gain them. */
export interface PageEnvelope {
  items: unknown[];
  limit: number;
  total?: number;
  offset?: number;
  hasMore?: boolean;
  nextCursor?: string | null;
}

export interface Pager {
  /** Query parameters of the page to load. */
  query: { limit: number; offset?: number; cursor?: string };
  pageNumber: number;
  next(page: PageEnvelope): void;
  previous(): void;
  reset(): void;
}

/**
 * Where a list view is. It follows whatever the endpoint pages by: an offset while lists answer
 * `offset`/`hasMore`, a stack of cursors once they answer `nextCursor` (then `query` gains `cursor`),
 * so views need no change when the API moves to keyset paging.
 */
export function usePager(limit = 50): Pager {
  const [stack, setStack] = useState<Array<{ offset?: number; cursor?: string }>>([{}]);
  const top = stack[stack.length - 1] ?? {};
  const next = useCallback((page: PageEnvelope) => {
    setStack((s) => {
      const here = s[s.length - 1] ?? {};
      const following = page.nextCursor !== undefined ? { cursor: page.nextCursor ?? undefined } : { offset: (here.offset ?? 0) + page.limit };
      return [...s, following];
    });
  }, []);
  const previous = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const reset = useCallback(() => setStack([{}]), []);
  return {
    query: { limit, ...(top.offset ? { offset: top.offset } : {}), ...(top.cursor ? { cursor: top.cursor } : {}) },
    pageNumber: stack.length,
    next,
    previous,
    reset,
  };
}

function hasNext(page: PageEnvelope): boolean {
  if (page.nextCursor !== undefined) return page.nextCursor !== null;
  return page.hasMore ?? false;
}

/** "21–40 of 135" (or "Page 2" when the total is not known) with Previous and Next. */
export function PagerControls({ pager, page, noun }: { pager: Pager; page: PageEnvelope | undefined; noun: string }) {
  if (!page || (pager.pageNumber === 1 && !hasNext(page))) return null;
  const first = (pager.query.offset ?? (pager.pageNumber - 1) * pager.query.limit) + 1;
  const last = first + page.items.length - 1;
  const summary = page.total !== undefined ? `${first}–${last} of ${page.total} ${noun}` : `Page ${pager.pageNumber}`;
  return (
    <nav className="pager" aria-label={`Pages of ${noun}`}>
      <span aria-live="polite">{summary}</span>
      <Button onClick={pager.previous} disabled={pager.pageNumber === 1}>
        Previous
      </Button>
      <Button onClick={() => pager.next(page)} disabled={!hasNext(page)}>
        Next
      </Button>
    </nav>
  );
}
