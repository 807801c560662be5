import type { ConnectionReport } from "../../api/client";
import { Badge } from "../../ui/feedback";
import { Time } from "../../ui/Time";

const STEP_LABEL: Record<string, string> = {
  host: "Host",
  python: "Python environment",
  mlflow: "MLflow SDK",
  auth: "Authentication",
  experiments: "Experiments",
  traces: "Traces",
  warehouse: "SQL warehouse",
};

const STATE: Record<string, { label: string; tone: "success" | "warning" | "danger" | "neutral" }> = {
  ok: { label: "Passed", tone: "success" },
  warning: { label: "Warning", tone: "warning" },
  failed: { label: "Failed", tone: "danger" },
  skipped: { label: "Skipped", tone: "neutral" },
};

/** Test Connection's verdict and each of its steps, with what failed and how to fix it. */
export function ConnectionSteps({ report }: { report: ConnectionReport }) {
  const verdict = report.status === "connected" ? "success" : report.status === "warning" ? "warning" : "danger";
  return (
    <section aria-labelledby="connection-result" className="connection-result">
      <h3 id="connection-result">
        Connection test: <Badge tone={verdict}>{report.status === "connected" ? "Connected" : report.status === "warning" ? "Warning" : "Failed"}</Badge>
      </h3>
      <p className="muted">
        {report.message} · checked <Time value={report.checkedAt} />
      </p>
      <ol className="steps">
        {report.steps.map((step) => {
          const state = STATE[step.status] ?? { label: step.status, tone: "neutral" as const };
          return (
            <li key={step.step} className={`step step-${step.status}`} data-step={step.step}>
              <div className="step-head">
                <span className="step-name">{STEP_LABEL[step.step] ?? step.step}</span>
                <Badge tone={state.tone}>{state.label}</Badge>
              </div>
              <p className="step-message">{step.message}</p>
              {step.hint ? (
                <p className="step-hint">
                  <strong>Fix: </strong>
                  {step.hint}
                </p>
              ) : null}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
