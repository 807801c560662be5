/** The fields of a span the tree needs; the API's span has these and more. */
export interface TreeSpan {
  spanId: string;
  parentSpanId: string | null;
  startTime: string;
}

export interface SpanRow<S extends TreeSpan> {
  span: S;
  depth: number;
  /** How many direct children it has: 0 for a leaf. */
  children: number;
  /** Position among its siblings (1-based) and their number, for aria-posinset/aria-setsize. */
  position: number;
  siblings: number;
}

/**
 * The spans in tree order (each parent before its children, siblings by start time), with their
 * depth. A span whose parent is not in the trace is shown at the top rather than lost; a cycle
 * (a workspace can send anything) is broken where it is met. Iterative: a 10,000-deep chain must
 * not exhaust the stack.
 */
export function spanTree<S extends TreeSpan>(spans: readonly S[]): Array<SpanRow<S>> {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const kids = new Map<string | null, S[]>();
  for (const span of spans) {
    const parent = span.parentSpanId !== null && byId.has(span.parentSpanId) && span.parentSpanId !== span.spanId ? span.parentSpanId : null;
    const list = kids.get(parent) ?? [];
    list.push(span);
    kids.set(parent, list);
  }
  for (const list of kids.values()) list.sort((a, b) => a.startTime.localeCompare(b.startTime) || a.spanId.localeCompare(b.spanId));
  const rows: Array<SpanRow<S>> = [];
  const seen = new Set<string>();
  const roots = kids.get(null) ?? [];
  const stack: Array<{ span: S; depth: number; position: number; siblings: number }> = [];
  const pushAll = (list: S[], depth: number) => {
    for (let i = list.length - 1; i >= 0; i -= 1) stack.push({ span: list[i]!, depth, position: i + 1, siblings: list.length });
  };
  pushAll(roots, 0);
  const visit = () => {
    while (stack.length) {
      const { span, depth, position, siblings } = stack.pop()!;
      if (seen.has(span.spanId)) continue;
      seen.add(span.spanId);
      const children = (kids.get(span.spanId) ?? []).filter((c) => !seen.has(c.spanId));
      rows.push({ span, depth, children: children.length, position, siblings });
      pushAll(children, depth + 1);
    }
  };
  visit();
  // Spans only reachable through a cycle: each remaining one starts its own branch at the top.
  for (const span of spans) {
    if (seen.has(span.spanId)) continue;
    stack.push({ span, depth: 0, position: 1, siblings: 1 });
    visit();
  }
  return rows;
}

/** The rows still visible when some spans are folded: the descendants of a folded span are hidden. */
export function visibleRows<S extends TreeSpan>(rows: Array<SpanRow<S>>, folded: ReadonlySet<string>): Array<SpanRow<S>> {
  if (folded.size === 0) return rows;
  const out: Array<SpanRow<S>> = [];
  let hideBelow = -1;
  for (const row of rows) {
    if (hideBelow >= 0 && row.depth > hideBelow) continue;
    hideBelow = folded.has(row.span.spanId) && row.children > 0 ? row.depth : -1;
    out.push(row);
  }
  return out;
}
