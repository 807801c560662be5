import { useState } from "react";
import { useLoad } from "../../api/use-load";
import { useSession } from "../../auth/session";
import { Button } from "../../ui/Button";
import { Badge, ErrorState, Loading } from "../../ui/feedback";
import { Time } from "../../ui/Time";
import { listViolations, spansOf, STATUS_TONE } from "../governance/violation-view";
import { TriageDialog, type TriageStatus } from "../governance/TriageDialog";
import { SEVERITY_TONE } from "./format";

/** The violations found on one trace, each with the spans its evidence points at and, for editors, triage. */
export function TraceViolations({ traceId, onShowSpan }: { traceId: string; onShowSpan: (spanId: string) => void }) {
  const { can } = useSession();
  const [version, setVersion] = useState(0);
  const [triage, setTriage] = useState<{ id: string; status: TriageStatus } | null>(null);
  const list = useLoad((signal) => listViolations({ traceId, limit: 200, count: "true" }, signal), [traceId, version]);
  return (
    <section className="card" aria-labelledby="trace-violations">
      <h2 id="trace-violations">Violations{list.data ? ` (${list.data.total})` : ""}</h2>
      {list.status === "error" ? (
        <ErrorState error={list.error} retry={() => void list.reload()} what="the violations" />
      ) : !list.data ? (
        <Loading label="Loading the violations…" />
      ) : list.data.items.length === 0 ? (
        <p className="muted">No policy found anything on this trace.</p>
      ) : (
        <ul className="violation-list">
          {list.data.items.map((v) => (
            <li key={v.id} className="violation-item" aria-label={`${v.policyName}: ${v.message}`}>
              <div className="status-line">
                <Badge tone={SEVERITY_TONE[v.severity]}>{v.severity}</Badge>
                <strong>{v.policyName}</strong>
                <Badge tone={STATUS_TONE[v.status]}>{v.status}</Badge>
                <span className="muted">
                  <Time value={v.createdAt} />
                </span>
              </div>
              <p>{v.message}</p>
              {v.note ? <p className="muted">Note: {v.note}</p> : null}
              <div className="row-actions">
                {spansOf(v.evidence).map((spanId) => (
                  <Button key={spanId} variant="quiet" onClick={() => onShowSpan(spanId)}>
                    Show span {spanId}
                  </Button>
                ))}
                {can("editor") && v.status !== "acknowledged" && v.status !== "resolved" ? (
                  <Button onClick={() => setTriage({ id: v.id, status: "acknowledged" })}>Acknowledge</Button>
                ) : null}
                {can("editor") && v.status !== "resolved" ? <Button onClick={() => setTriage({ id: v.id, status: "resolved" })}>Resolve</Button> : null}
              </div>
            </li>
          ))}
        </ul>
      )}
      {triage ? (
        <TriageDialog
          ids={[triage.id]}
          status={triage.status}
          onClose={() => setTriage(null)}
          onDone={() => {
            setTriage(null);
            setVersion((n) => n + 1);
          }}
        />
      ) : null}
    </section>
  );
}
