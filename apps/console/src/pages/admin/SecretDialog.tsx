import { type ReactNode, useId, useState } from "react";
import { Button } from "../../ui/Button";
import { Dialog } from "../../ui/Dialog";
import { Alert } from "../../ui/feedback";

/** A secret shown once, at creation: selectable (clipboard access needs https), never stored by the console. */
export function SecretDialog({
  title,
  label,
  secret,
  children,
  onClose,
}: {
  title: string;
  label: string;
  secret: string;
  children: ReactNode;
  onClose: () => void;
}) {
  const [copied, setCopied] = useState(false);
  const inputId = useId();
  const canCopy = typeof navigator !== "undefined" && !!navigator.clipboard && window.isSecureContext;
  return (
    <Dialog
      open
      title={title}
      onClose={onClose}
      footer={
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      }
    >
      <Alert tone="warning">Copy it now: it is not shown again.</Alert>
      {children}
      <div className="field">
        <label htmlFor={inputId}>{label}</label>
        <input id={inputId} readOnly value={secret} onFocus={(e) => e.target.select()} />
      </div>
      {canCopy ? (
        <Button
          onClick={() =>
            void navigator.clipboard.writeText(secret).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? "Copied" : "Copy"}
        </Button>
      ) : null}
    </Dialog>
  );
}
