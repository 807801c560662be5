import { useId, useState } from "react";
import { api } from "../../api/client";
import { ApiFailure, messageOf, unwrap } from "../../api/errors";
import { Button } from "../../ui/Button";
import { Dialog } from "../../ui/Dialog";
import { Alert } from "../../ui/feedback";
import { note as noteRule } from "@langguard/input-rules";

export type TriageStatus = "acknowledged" | "resolved" | "new";
const VERB: Record<TriageStatus, string> = { acknowledged: "Acknowledge", resolved: "Resolve", new: "Reopen" };
/** The gateway's limit for a note (violations.ts), checked here by the same rule. */
const NOTE_MAX = 4000;

/** Acknowledge, resolve or reopen one or many violations at once, with a note saying why. */
export function TriageDialog({
  ids,
  status,
  onClose,
  onDone,
}: {
  ids: string[];
  status: TriageStatus;
  onClose: () => void;
  onDone: (updated: number) => void;
}) {
  const [text, setText] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const noteId = useId();
  const title = `${VERB[status]} ${ids.length === 1 ? "the violation" : `${ids.length} violations`}`;
  async function save() {
    const parsed = text ? noteRule(NOTE_MAX).safeParse(text) : { success: true as const, data: undefined };
    setError(parsed.success ? undefined : parsed.error.issues[0]?.message);
    if (!parsed.success) return;
    setBusy(true);
    setProblem(null);
    try {
      const result = await unwrap(api.POST("/api/policies/violations/bulk", { body: { ids, status, ...(parsed.data ? { note: parsed.data } : {}) } }));
      onDone(result.updated);
    } catch (failure) {
      if (failure instanceof ApiFailure && failure.fieldErrors().note) setError(failure.fieldErrors().note);
      setProblem(messageOf(failure));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog
      open
      title={title}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" busy={busy} onClick={() => void save()}>
            {VERB[status]}
          </Button>
        </>
      }
    >
      {problem ? <Alert tone="danger">{problem}</Alert> : null}
      <div className={`field${error ? " field-invalid" : ""}`}>
        <label htmlFor={noteId}>Note</label>
        <div className="hint" id={`${noteId}-hint`}>
          Optional: what was found or done, kept with the violation and in the CSV export.
        </div>
        <textarea
          id={noteId}
          rows={4}
          value={text}
          aria-describedby={`${noteId}-hint${error ? ` ${noteId}-error` : ""}`}
          aria-invalid={error ? true : undefined}
          onChange={(e) => setText(e.target.value)}
        />
        {error ? (
          <div className="error-text" id={`${noteId}-error`}>
            {error}
          </div>
        ) : null}
      </div>
    </Dialog>
  );
}
