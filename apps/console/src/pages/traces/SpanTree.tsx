import { useVirtualizer } from "@tanstack/react-virtual";
import { type KeyboardEvent, useEffect, useMemo, useRef, useState } from "react";
import { formatCount } from "../../ui/Time";
import { formatCost, formatSpanDuration, type TraceSpan, timelineOf } from "./format";
import { spanTree, visibleRows } from "./span-tree";

const ROW_HEIGHT = 34;
/** The column heads sit in the scrolling box above the rows (styles.css gives them this height). */
const HEAD_HEIGHT = 32;

/**
 * The trace's spans as a tree beside a timeline: name and type, model, tokens, cost, duration and
 * a bar for when it ran. Only the rows in view (and a few around) are in the page, so a trace of
 * tens of thousands of spans scrolls and opens as fast as a small one. A tree by ARIA's pattern:
 * one row takes focus; arrows move, Right/Left unfold and fold, Enter or a click shows the span.
 *
 * Geometry (row offsets, indentation, bar positions) is set through React's style property, which
 * writes the CSS object model: the console's CSP (style-src 'self') refuses style attributes in
 * markup, not this.
 */
export function SpanTree({ spans, selected, onSelect }: { spans: readonly TraceSpan[]; selected: string | null; onSelect: (spanId: string) => void }) {
  const tree = useMemo(() => spanTree(spans), [spans]);
  const timeline = useMemo(() => timelineOf(spans), [spans]);
  const [folded, setFolded] = useState<ReadonlySet<string>>(() => new Set());
  const rows = useMemo(() => visibleRows(tree, folded), [tree, folded]);
  const [active, setActive] = useState(() =>
    Math.max(
      0,
      rows.findIndex((r) => r.span.spanId === selected),
    ),
  );
  const scroller = useRef<HTMLDivElement>(null);
  const focusWanted = useRef(false);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
    // The rows start below the heads, and a row scrolled to must not hide under them.
    scrollMargin: HEAD_HEIGHT,
    scrollPaddingStart: HEAD_HEIGHT,
  });

  // A span chosen elsewhere (a violation's link) is scrolled to and made the active row.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the selection changes.
  useEffect(() => {
    const index = rows.findIndex((r) => r.span.spanId === selected);
    if (index >= 0) {
      setActive(index);
      virtualizer.scrollToIndex(index, { align: "auto" });
    }
  }, [selected]);

  // After a key moved the active row, focus it once it is rendered.
  useEffect(() => {
    if (!focusWanted.current) return;
    let frames = 0;
    const focus = () => {
      const row = scroller.current?.querySelector<HTMLElement>(`[data-index="${active}"]`);
      if (row) {
        row.focus({ preventScroll: true });
        focusWanted.current = false;
      } else if (frames++ < 10) requestAnimationFrame(focus);
    };
    focus();
  }, [active]);

  const move = (index: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, index));
    focusWanted.current = true;
    setActive(next);
    virtualizer.scrollToIndex(next, { align: "auto" });
  };
  const fold = (spanId: string, on: boolean) =>
    setFolded((f) => {
      const next = new Set(f);
      if (on) next.add(spanId);
      else next.delete(spanId);
      return next;
    });

  // The nearest row above that is less deep (itself at the top).
  const parentOf = (index: number) => {
    const depth = rows[index]?.depth ?? 0;
    for (let i = index - 1; i >= 0; i -= 1) if (rows[i]!.depth < depth) return i;
    return index;
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const row = rows[active];
    if (!row) return;
    const page = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT) - 1);
    switch (event.key) {
      case "ArrowDown":
        move(active + 1);
        break;
      case "ArrowUp":
        move(active - 1);
        break;
      case "PageDown":
        move(active + page);
        break;
      case "PageUp":
        move(active - page);
        break;
      case "Home":
        move(0);
        break;
      case "End":
        move(rows.length - 1);
        break;
      case "ArrowRight":
        if (row.children > 0 && folded.has(row.span.spanId)) fold(row.span.spanId, false);
        else if (row.children > 0) move(active + 1);
        break;
      case "ArrowLeft":
        if (row.children > 0 && !folded.has(row.span.spanId)) fold(row.span.spanId, true);
        else move(parentOf(active));
        break;
      case "Enter":
      case " ":
        onSelect(row.span.spanId);
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  return (
    <div className="span-tree">
      <div className="span-tree-scroll" ref={scroller}>
        {/* Inside the scrolling box: it scrolls sideways with the rows on a narrow screen and stays on top. */}
        <div className="span-tree-head" aria-hidden="true">
          <span>Span</span>
          <span>Model</span>
          <span className="numeric">Tokens</span>
          <span className="numeric">Cost</span>
          <span className="numeric">Duration</span>
          <span>Timeline</span>
        </div>
        <div
          role="tree"
          aria-label={`Spans (${spans.length.toLocaleString()})`}
          className="span-tree-body"
          style={{ height: virtualizer.getTotalSize() }}
          onKeyDown={onKeyDown}
        >
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            const span = row.span;
            const start = Date.parse(span.startTime) - timeline.start;
            const isFolded = folded.has(span.spanId);
            return (
              // biome-ignore lint/a11y/useKeyWithClickEvents: the tree handles the keys of its rows (onKeyDown above).
              <div
                key={span.spanId}
                role="treeitem"
                data-index={item.index}
                data-span-id={span.spanId}
                tabIndex={item.index === active ? 0 : -1}
                aria-level={row.depth + 1}
                aria-posinset={row.position}
                aria-setsize={row.siblings}
                aria-selected={span.spanId === selected}
                aria-expanded={row.children > 0 ? !isFolded : undefined}
                className={`span-row${span.spanId === selected ? " span-row-selected" : ""}${span.status === "ERROR" ? " span-row-error" : ""}`}
                style={{ transform: `translateY(${item.start - HEAD_HEIGHT}px)` }}
                onClick={() => {
                  setActive(item.index);
                  onSelect(span.spanId);
                }}
                onFocus={() => setActive(item.index)}
              >
                <span className="span-name" style={{ paddingLeft: `${Math.min(row.depth, 40) * 0.9}rem` }}>
                  {row.children > 0 ? (
                    // A mouse target only: the keyboard folds with Left and Right on the row, as trees do.
                    <span
                      className="span-toggle"
                      aria-hidden="true"
                      onClick={(e) => {
                        e.stopPropagation();
                        fold(span.spanId, !isFolded);
                      }}
                    >
                      {isFolded ? "▸" : "▾"}
                    </span>
                  ) : (
                    <span className="span-toggle" aria-hidden="true" />
                  )}
                  <span className="span-label">{span.name}</span>
                  {span.type ? <span className="span-type">{span.type}</span> : null}
                  {span.status === "ERROR" ? <span className="visually-hidden">, failed</span> : null}
                </span>
                <span className="span-model">{span.model ?? ""}</span>
                <span className="numeric">{span.totalTokens !== null ? formatCount(Number(span.totalTokens)) : ""}</span>
                <span className="numeric">{span.costUsd !== null ? formatCost(span.costUsd) : ""}</span>
                <span className="numeric">{formatSpanDuration(span.durationMs)}</span>
                <span className="span-timeline" aria-hidden="true">
                  <span
                    className="span-bar"
                    style={{
                      left: `${(start / timeline.length) * 100}%`,
                      width: `${Math.max(((span.durationMs ?? 0) / timeline.length) * 100, 0.4)}%`,
                    }}
                  />
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
