import { type ReactNode, useState } from "react";
import { Button } from "./Button";

/** Past this many entries an object or array starts folded; past this many characters a string shows its start. */
const FOLD_ENTRIES = 12;
const FOLD_CHARS = 400;
/** Levels shown unfolded at first: deeper ones open on demand, so a huge document costs nothing until read. */
const OPEN_DEPTH = 2;

/** What the sync stores instead of a payload over its size limit (see policy-engine's TruncatedPayload). */
interface Truncated {
  truncated: true;
  originalBytes: number;
  preview: string;
}
function isTruncated(value: unknown): value is Truncated {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    (value as Truncated).truncated === true &&
    typeof (value as Truncated).preview === "string"
  );
}

/**
 * A JSON document as a readable tree: keys and values, objects and arrays as native disclosures
 * (keyboard and screen readers know them), large ones folded, long strings cut with a way to show
 * all, and payloads the sync truncated marked as such with their original size.
 */
export function JsonView({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <p className="muted">None</p>;
  return (
    <div className="json">
      <JsonNode value={value} depth={0} />
    </div>
  );
}

function JsonNode({ name, value, depth }: { name?: string; value: unknown; depth: number }) {
  const key = name !== undefined ? <span className="json-key">{name}: </span> : null;
  if (isTruncated(value)) {
    return (
      <div className="json-row">
        {key}
        <span className="badge badge-warning">Truncated</span>{" "}
        <span className="muted">{value.originalBytes.toLocaleString()} bytes at the source; the start:</span>
        <LongString text={value.preview} />
      </div>
    );
  }
  if (typeof value === "object" && value !== null) {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    const brackets = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
    if (entries.length === 0)
      return (
        <div className="json-row">
          {key}
          <span className="json-punct">{brackets.join("")}</span>
        </div>
      );
    const summary = `${brackets[0]} ${entries.length} ${Array.isArray(value) ? (entries.length === 1 ? "item" : "items") : entries.length === 1 ? "key" : "keys"} ${brackets[1]}`;
    return (
      <Fold
        open={depth < OPEN_DEPTH && entries.length <= FOLD_ENTRIES}
        summary={
          <>
            {key}
            <span className="json-punct">{summary}</span>
          </>
        }
      >
        {entries.map(([k, v]) => (
          <JsonNode key={k} name={k} value={v} depth={depth + 1} />
        ))}
      </Fold>
    );
  }
  return (
    <div className="json-row">
      {key}
      {typeof value === "string" ? <LongString text={value} quoted /> : <span className={`json-${typeof value}`}>{String(value)}</span>}
    </div>
  );
}

/** Children rendered only once opened: a folded branch of a large document costs no DOM. */
function Fold({ open: initiallyOpen, summary, children }: { open: boolean; summary: ReactNode; children: ReactNode }) {
  const [open, setOpen] = useState(initiallyOpen);
  return (
    <details className="json-fold" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{summary}</summary>
      {open ? <div className="json-children">{children}</div> : null}
    </details>
  );
}

function LongString({ text, quoted = false }: { text: string; quoted?: boolean }) {
  const [all, setAll] = useState(false);
  const long = text.length > FOLD_CHARS;
  const shown = long && !all ? `${text.slice(0, FOLD_CHARS)}…` : text;
  return (
    <>
      <span className="json-string">{quoted ? JSON.stringify(shown) : shown}</span>
      {long ? (
        <Button variant="quiet" className="json-more" onClick={() => setAll((a) => !a)}>
          {all ? "Show less" : `Show all ${text.length.toLocaleString()} characters`}
        </Button>
      ) : null}
    </>
  );
}
