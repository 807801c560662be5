import { useId, useRef } from "react";

export interface CompileError {
  reason: string;
  line?: number;
  column?: number;
}

/**
 * A CEL expression in a monospace editor with line numbers; a compile error from the gateway is
 * shown under it at its line and column, with the line quoted and a caret under the column, and
 * "Go to the error" puts the cursor there.
 */
export function CelEditor({ value, onChange, error }: { value: string; onChange: (v: string) => void; error: CompileError | null }) {
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const all = value.split("\n");
  const at = error?.line ? { line: error.line, column: error.column ?? 1 } : null;
  const goTo = () => {
    if (!at || !area.current) return;
    const offset = all.slice(0, at.line - 1).reduce((n, l) => n + l.length + 1, 0) + at.column - 1;
    area.current.focus();
    area.current.setSelectionRange(offset, offset + 1);
  };
  return (
    <div className={`field cel-field${error ? " field-invalid" : ""}`}>
      <label htmlFor={id}>Expression (CEL)</label>
      <div className="hint" id={`${id}-hint`}>
        True (or a result object) when the trace violates the policy. It reads <code>trace</code>, <code>observations</code>, <code>agents</code>,{" "}
        <code>identity</code> and <code>entities</code>.
      </div>
      <div className="cel-editor">
        <pre className="cel-gutter" aria-hidden="true">
          {all.map((_, i) => `${i + 1}\n`).join("")}
        </pre>
        <textarea
          ref={area}
          id={id}
          rows={Math.max(6, all.length + 1)}
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
          value={value}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
          onChange={(e) => onChange(e.target.value)}
        />
      </div>
      {error ? (
        <div className="cel-error" id={`${id}-error`} role="alert">
          <p className="error-text">
            {at ? `Line ${at.line}, column ${at.column}: ${error.reason.replace(/^does not compile at line \d+, column \d+: /, "")}` : error.reason}
          </p>
          {at && all[at.line - 1] !== undefined ? (
            <pre className="cel-excerpt">
              {all[at.line - 1]}
              {"\n"}
              {`${" ".repeat(Math.max(0, at.column - 1))}^`}
            </pre>
          ) : null}
          {at ? (
            <button type="button" className="button button-quiet" onClick={goTo}>
              Go to the error
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
