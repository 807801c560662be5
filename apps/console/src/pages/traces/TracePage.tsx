import { Link, useParams, useSearchParams } from "react-router";
import { api } from "../../api/client";
import { ApiFailure, unwrap } from "../../api/errors";
import { useLoad } from "../../api/use-load";
import { PageHeader } from "../../layout/SettingsLayout";
import { Alterations } from "../../ui/Alterations";
import { Alert, Badge, ErrorState, Loading } from "../../ui/feedback";
import { JsonView } from "../../ui/JsonView";
import { formatCount, formatDuration, Time } from "../../ui/Time";
import { NotFoundPage } from "../NotFoundPage";
import { formatCost, formatSpanDuration, TRACE_STATUS_TONE, type TraceDetail, type TraceSpan } from "./format";
import { SpanTree } from "./SpanTree";
import { TraceViolations } from "./TraceViolations";

/**
 * One trace: what it was (metadata, tags, input and output), what had to change to store it, the
 * violations found on it, and its spans as a tree with a timeline. `?span=` names the span shown,
 * so a violation can link straight to it.
 */
export function TracePage() {
  const { id = "" } = useParams();
  const [search, setSearch] = useSearchParams();
  // The spans without their documents: a span's inputs and outputs are read when it is opened.
  const trace = useLoad((signal) => unwrap(api.GET("/api/traces/{id}", { params: { path: { id }, query: { spans: "summary" } }, signal })), [id]);
  if (trace.error instanceof ApiFailure && (trace.error.notFound || trace.error.status === 400)) return <NotFoundPage />;
  if (trace.status === "error") return <ErrorState error={trace.error} retry={() => void trace.reload()} what="the trace" />;
  if (!trace.data) return <Loading label="Loading the trace…" />;
  const t = trace.data;
  const selected = search.get("span");
  const select = (spanId: string) =>
    setSearch(
      (s) => {
        s.set("span", spanId);
        return s;
      },
      { replace: true },
    );
  const span = selected ? t.spans.find((s) => s.spanId === selected) : undefined;
  return (
    <div className="stack">
      <PageHeader title={t.name ?? t.externalId} crumbs={[{ label: "Traces", to: "/traces" }, { label: t.name ?? t.externalId }]}>
        <div className="status-line">
          <Badge tone={TRACE_STATUS_TONE[t.status] ?? "neutral"}>{t.status}</Badge>
          <Time value={t.timestamp} />
          <span className="muted">· {formatDuration(t.durationMs === null ? null : Number(t.durationMs))}</span>
          <span className="muted">· {formatCount(t.spanCount)} spans</span>
        </div>
      </PageHeader>
      <section className="card" aria-labelledby="trace-about">
        <h2 id="trace-about">About this trace</h2>
        <TraceFacts trace={t} />
      </section>
      <Alterations alterations={t.alterations} what="trace" />
      <TraceViolations traceId={t.id} onShowSpan={select} />
      <div className="io-grid">
        <section className="card" aria-labelledby="trace-input">
          <h2 id="trace-input">Input</h2>
          <JsonView value={t.input} />
        </section>
        <section className="card" aria-labelledby="trace-output">
          <h2 id="trace-output">Output</h2>
          <JsonView value={t.output} />
        </section>
      </div>
      <section className="card" aria-labelledby="trace-spans">
        <h2 id="trace-spans">Spans</h2>
        {t.spans.length === 0 ? (
          <p className="muted">This trace has no spans.</p>
        ) : (
          <>
            <p className="hint">Arrow keys move through the tree, Right and Left unfold and fold, Enter shows a span's details below.</p>
            <SpanTree spans={t.spans} selected={selected} onSelect={select} />
          </>
        )}
      </section>
      {span ? <SpanDetails traceId={t.id} span={span} /> : selected ? <Alert tone="warning">This trace has no span {selected}.</Alert> : null}
    </div>
  );
}

function TraceFacts({ trace: t }: { trace: TraceDetail }) {
  const tags = Object.entries((t.tags ?? {}) as Record<string, unknown>);
  return (
    <>
      <dl className="summary">
        <div>
          <dt>Trace id at the source</dt>
          <dd>
            <code>{t.externalId}</code>
          </dd>
        </div>
        <div>
          <dt>Integration</dt>
          <dd>
            <Link to={`/settings/integrations/${t.integrationId}`}>Open the integration</Link>
          </dd>
        </div>
        <div>
          <dt>Experiment</dt>
          <dd>{t.experimentId ?? "—"}</dd>
        </div>
        <div>
          <dt>Agents</dt>
          <dd>{t.agents.length ? t.agents.map((a) => `${a.name}${a.version ? ` (${a.version})` : ""}`).join(", ") : "—"}</dd>
        </div>
        <div>
          <dt>Tokens (in / out / total)</dt>
          <dd>
            {formatCount(t.inputTokens === null ? null : Number(t.inputTokens))} / {formatCount(t.outputTokens === null ? null : Number(t.outputTokens))} /{" "}
            {formatCount(t.totalTokens === null ? null : Number(t.totalTokens))}
          </dd>
        </div>
        <div>
          <dt>Stored</dt>
          <dd>
            <Time value={t.updatedAt} />
          </dd>
        </div>
      </dl>
      <h3>Tags</h3>
      {tags.length ? (
        <ul className="chips tags">
          {tags.map(([k, v]) => (
            <li key={k} className="chip">
              {k}: {typeof v === "string" ? v : JSON.stringify(v)}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No tags.</p>
      )}
      <details>
        <summary>Metadata</summary>
        <JsonView value={t.metadata} />
      </details>
    </>
  );
}

function SpanDetails({ traceId, span }: { traceId: string; span: TraceSpan }) {
  const documents = useLoad(
    (signal) => unwrap(api.GET("/api/traces/{id}/spans/{spanId}", { params: { path: { id: traceId, spanId: span.spanId } }, signal })),
    [traceId, span.spanId],
  );
  return (
    <section className="card" aria-labelledby="span-title">
      <h2 id="span-title">
        Span: {span.name} {span.truncated ? <Badge tone="warning">Truncated</Badge> : null}
      </h2>
      <dl className="summary">
        <div>
          <dt>Type</dt>
          <dd>{span.type ?? "—"}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <Badge tone={TRACE_STATUS_TONE[span.status] ?? "neutral"}>{span.status}</Badge> {span.statusMessage ?? ""}
          </dd>
        </div>
        <div>
          <dt>Model</dt>
          <dd>{span.model ? `${span.model}${span.provider ? ` (${span.provider})` : ""}` : "—"}</dd>
        </div>
        <div>
          <dt>Tokens (in / out / total)</dt>
          <dd>
            {formatCount(span.inputTokens === null ? null : Number(span.inputTokens))} /{" "}
            {formatCount(span.outputTokens === null ? null : Number(span.outputTokens))} /{" "}
            {formatCount(span.totalTokens === null ? null : Number(span.totalTokens))}
          </dd>
        </div>
        <div>
          <dt>Cost (list price)</dt>
          <dd>{formatCost(span.costUsd)}</dd>
        </div>
        <div>
          <dt>Started, duration</dt>
          <dd>
            <Time value={span.startTime} />, {formatSpanDuration(span.durationMs)}
          </dd>
        </div>
        <div>
          <dt>Span id</dt>
          <dd>
            <code>{span.spanId}</code>
          </dd>
        </div>
      </dl>
      {span.truncated ? <Alert tone="warning">This span's payload was over the sync's size limit: what is shown is its start.</Alert> : null}
      {documents.status === "error" ? (
        <ErrorState error={documents.error} retry={() => void documents.reload()} what="the span's inputs and outputs" />
      ) : !documents.data ? (
        <Loading label="Loading the span's inputs and outputs…" />
      ) : (
        <>
          <div className="io-grid">
            <div>
              <h3>Inputs</h3>
              <JsonView value={documents.data.inputs} />
            </div>
            <div>
              <h3>Outputs</h3>
              <JsonView value={documents.data.outputs} />
            </div>
          </div>
          <details>
            <summary>Attributes and events</summary>
            <JsonView value={{ attributes: documents.data.attributes, events: documents.data.events }} />
          </details>
        </>
      )}
    </section>
  );
}
