import { useEffect, useId, useState } from "react";
import { api } from "../../api/client";
import { ApiFailure, messageOf, unwrap } from "../../api/errors";
import { Button } from "../../ui/Button";
import { Alert, EmptyState, Loading } from "../../ui/feedback";
import type { CredentialsBody } from "./form";

/** Where the experiments are listed from: a saved integration, or credentials being entered. */
export type ExperimentSource = { integrationId: string } | { credentials: CredentialsBody } | null;

interface Experiment {
  id: string;
  name: string;
}

const PAGE = 50;

function fetchPage(source: Exclude<ExperimentSource, null>, search: string, cursor: string | null, signal: AbortSignal) {
  const listing = { search: search || undefined, cursor: cursor ?? undefined, limit: PAGE };
  if ("integrationId" in source)
    return unwrap(api.GET("/api/integrations/{id}/experiments", { params: { path: { id: source.integrationId }, query: listing }, signal }));
  return unwrap(api.POST("/api/integrations/experiments", { body: { ...source.credentials, ...listing }, signal }));
}

/**
 * A multi-select filled from the workspace's own experiment list: searchable by name, one page at
 * a time ("Show more"), with the chosen ones kept above the list whatever is searched.
 */
export function ExperimentPicker({
  source,
  selected,
  onChange,
  error,
}: {
  source: ExperimentSource;
  selected: string[];
  onChange: (ids: string[]) => void;
  error?: string | undefined;
}) {
  const searchId = useId();
  const [search, setSearch] = useState("");
  const [query, setQuery] = useState("");
  const [items, setItems] = useState<Experiment[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [state, setState] = useState<"idle" | "loading" | "more" | "error">("idle");
  const [failure, setFailure] = useState<unknown>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  const sourceKey = JSON.stringify(source);

  // Searching waits until typing pauses, so each keystroke does not start a listing.
  useEffect(() => {
    const timer = setTimeout(() => setQuery(search.trim()), 350);
    return () => clearTimeout(timer);
  }, [search]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: sourceKey stands for source.
  useEffect(() => {
    if (!source) return;
    const controller = new AbortController();
    setState("loading");
    setItems([]);
    fetchPage(source, query, null, controller.signal)
      .then((page) => {
        setItems(page.items);
        setCursor(page.nextCursor);
        remember(page.items);
        setState("idle");
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setFailure(error);
        setState("error");
      });
    return () => controller.abort();
  }, [sourceKey, query]);

  function remember(page: Experiment[]) {
    setNames((known) => ({ ...known, ...Object.fromEntries(page.map((e) => [e.id, e.name])) }));
  }

  async function more() {
    if (!source || !cursor) return;
    setState("more");
    try {
      const page = await fetchPage(source, query, cursor, new AbortController().signal);
      setItems((current) => [...current, ...page.items]);
      setCursor(page.nextCursor);
      remember(page.items);
      setState("idle");
    } catch (error) {
      setFailure(error);
      setState("error");
    }
  }

  const toggle = (id: string, on: boolean) => onChange(on ? [...selected, id] : selected.filter((s) => s !== id));

  return (
    <fieldset className={["experiment-picker", error ? "field-invalid" : ""].join(" ")} aria-describedby={error ? `${searchId}-error` : undefined}>
      <legend>Experiments to sync</legend>
      {error ? (
        <div className="error-text" id={`${searchId}-error`}>
          {error}
        </div>
      ) : null}
      <div className="chosen" aria-live="polite">
        {selected.length === 0 ? (
          <p className="muted">None chosen yet.</p>
        ) : (
          <>
            <p className="muted">
              {selected.length} chosen{selected.length === 1 ? "" : ""}:
            </p>
            <ul className="chips">
              {selected.map((id) => (
                <li key={id} className="chip">
                  {names[id] ?? id}
                  <button type="button" className="chip-remove" onClick={() => toggle(id, false)} aria-label={`Remove ${names[id] ?? id}`}>
                    ×
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
      {!source ? (
        <p className="muted">Enter an allowed host URL (and the API token for Databricks) to list this workspace's experiments.</p>
      ) : (
        <>
          <div className="field">
            <label htmlFor={searchId}>Search experiments by name</label>
            <input id={searchId} type="search" value={search} onChange={(e) => setSearch(e.target.value)} autoComplete="off" />
          </div>
          {state === "loading" ? <Loading label="Listing the workspace's experiments…" /> : null}
          {state === "error" ? (
            <Alert tone="danger" title="Could not list the experiments">
              <p>{failure instanceof ApiFailure ? failure.message : messageOf(failure)}</p>
            </Alert>
          ) : null}
          {state !== "loading" && state !== "error" && items.length === 0 ? (
            <EmptyState title={query ? `No experiment's name contains “${query}”` : "This workspace has no active experiments"} />
          ) : null}
          {items.length > 0 ? (
            <ul className="experiment-list" aria-label="Experiments of the workspace">
              {items.map((experiment) => (
                <li key={experiment.id}>
                  <label>
                    <input type="checkbox" checked={selected.includes(experiment.id)} onChange={(e) => toggle(experiment.id, e.target.checked)} />
                    <span>{experiment.name}</span>
                    <span className="muted"> (id {experiment.id})</span>
                  </label>
                </li>
              ))}
            </ul>
          ) : null}
          {cursor && state !== "loading" ? (
            <Button onClick={() => void more()} busy={state === "more"}>
              Show more experiments
            </Button>
          ) : null}
        </>
      )}
    </fieldset>
  );
}
