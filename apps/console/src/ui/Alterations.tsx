import { Alert } from "./feedback";

const CHANGE_LABEL: Record<string, string> = {
  "nul-removed": "a NUL character removed",
  "lone-surrogate-replaced": "a broken Unicode character replaced",
  "key-rewritten": "a key or column name changed to stay unique",
  "out-of-range": "a number out of range kept as text",
};

/** Where a stored trace or catalog object differs from the workspace's, and why; nothing when it does not. */
export function Alterations({ alterations, what }: { alterations: unknown; what: string }) {
  if (!Array.isArray(alterations) || alterations.length === 0) return null;
  return (
    <Alert tone="warning" title="Stored with changes">
      <p>Some values of this {what} could not be stored exactly as the workspace sent them:</p>
      <ul>
        {(alterations as Array<{ path: string; change: string }>).map((a) => (
          <li key={`${a.path}-${a.change}`}>
            <code>{a.path}</code>: {CHANGE_LABEL[a.change] ?? a.change}
          </li>
        ))}
      </ul>
    </Alert>
  );
}
