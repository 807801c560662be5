import type { ReactNode } from "react";
import { ApiFailure, messageOf } from "../api/errors";
import { Button } from "./Button";

type Tone = "info" | "success" | "warning" | "danger" | "neutral";

export function Badge({ tone, children }: { tone: Tone; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** A message about the page; errors interrupt a screen reader, the rest wait their turn. */
export function Alert({ tone, title, children }: { tone: Tone; title?: ReactNode; children?: ReactNode }) {
  return (
    <div className={`alert alert-${tone}`} role={tone === "danger" ? "alert" : "status"}>
      {title ? <p className="alert-title">{title}</p> : null}
      {children}
    </div>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: ReactNode; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children}
      {action ? <div className="empty-action">{action}</div> : null}
    </div>
  );
}

/** A view that could not load: what happened, and a way to try again. */
export function ErrorState({ error, retry, what = "this" }: { error: unknown; retry?: () => void; what?: string }) {
  const status = error instanceof ApiFailure && error.status ? ` (HTTP ${error.status})` : "";
  return (
    <div className="alert alert-danger" role="alert">
      <p className="alert-title">
        Could not load {what}
        {status}
      </p>
      <p>{messageOf(error)}</p>
      {retry ? (
        <Button variant="secondary" onClick={retry}>
          Try again
        </Button>
      ) : null}
    </div>
  );
}
