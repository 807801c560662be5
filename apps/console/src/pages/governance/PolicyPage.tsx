import { type FormEvent, useEffect, useId, useState } from "react";
import { useLocation, useNavigate, useParams } from "react-router";
import { api, type Ok } from "../../api/client";
import { ApiFailure, messageOf, unwrap } from "../../api/errors";
import { useLoad } from "../../api/use-load";
import { useSession } from "../../auth/session";
import { PageHeader } from "../../layout/SettingsLayout";
import { Button } from "../../ui/Button";
import { Alert, Badge, ErrorState, Loading } from "../../ui/feedback";
import { SelectField, TextField } from "../../ui/fields";
import { JsonView } from "../../ui/JsonView";
import { NotFoundPage } from "../NotFoundPage";
import { CelEditor, type CompileError } from "./CelEditor";
import { ConfigForm, type JsonSchema } from "./ConfigForm";

type Policy = Ok<"/api/policies/{id}", "get">;
type Severity = Policy["severity"];
type Mode = Policy["mode"];
type TestResult = Ok<"/api/policies/{id}/test", "post">;

/** One policy: on or off, severity, mode, and its config (a built-in) or its expression (custom), with a test on a stored trace. */
export function PolicyPage() {
  const { id = "new" } = useParams();
  const location = useLocation();
  // Kept here, not in the editor: the editor starts afresh from each saved version.
  const [notice, setNotice] = useState<string | null>((location.state as { notice?: string } | null)?.notice ?? null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: another policy, another notice (or none).
  useEffect(() => setNotice((location.state as { notice?: string } | null)?.notice ?? null), [id]);
  const policy = useLoad(async (signal) => (id === "new" ? null : await unwrap(api.GET("/api/policies/{id}", { params: { path: { id } }, signal }))), [id]);
  if (policy.error instanceof ApiFailure && (policy.error.notFound || policy.error.status === 400)) return <NotFoundPage />;
  if (policy.status === "error") return <ErrorState error={policy.error} retry={() => void policy.reload()} what="the policy" />;
  if (policy.status === "loading") return <Loading label="Loading the policy…" />;
  return (
    <PolicyEditor
      key={`${id}-${policy.data?.version ?? "new"}`}
      policy={policy.data}
      notice={notice}
      onSaved={(message) => {
        setNotice(message);
        void policy.reload();
      }}
    />
  );
}

function PolicyEditor({ policy, notice, onSaved }: { policy: Policy | null; notice: string | null; onSaved: (message: string) => void }) {
  const { can } = useSession();
  const navigate = useNavigate();
  const editable = can("editor");
  const [name, setName] = useState(policy?.name ?? "");
  const [description, setDescription] = useState(policy?.description ?? "");
  const [severity, setSeverity] = useState<Severity>(policy?.severity ?? "medium");
  const [mode, setMode] = useState<Mode>(policy?.mode ?? "monitor");
  const [enabled, setEnabled] = useState(policy?.enabled ?? true);
  const [expression, setExpression] = useState(policy?.expression ?? "");
  const [config, setConfig] = useState<Record<string, unknown>>((policy?.config as Record<string, unknown>) ?? {});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [compileError, setCompileError] = useState<CompileError | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const enabledId = useId();
  const builtin = policy?.kind === "builtin";

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    setErrors({});
    setCompileError(null);
    try {
      if (!policy) {
        const created = await unwrap(api.POST("/api/policies", { body: { name, description, severity, mode, enabled, expression } }));
        navigate(`/governance/policies/${created.id}`, { replace: true, state: { notice: "Policy created." } });
        return;
      }
      const body = builtin ? { severity, mode, enabled, config } : { name, description, severity, mode, enabled, expression };
      const updated = await unwrap(api.PATCH("/api/policies/{id}", { params: { path: { id: policy.id } }, body }));
      onSaved(`Saved as version ${updated.version}.`);
    } catch (failure) {
      if (failure instanceof ApiFailure) {
        setErrors(failure.fieldErrors());
        const compile = failure.issues.find((i) => i.field === "body.expression");
        if (compile) setCompileError({ reason: compile.reason, line: compile.line, column: compile.column });
      }
      setProblem(messageOf(failure));
    } finally {
      setBusy(false);
    }
  }

  const title = policy?.name ?? "New custom policy";
  return (
    <>
      <PageHeader
        title={title}
        crumbs={[{ label: "Governance", to: "/governance/violations" }, { label: "Policies", to: "/governance/policies" }, { label: title }]}
      >
        {policy ? (
          <div className="status-line">
            <Badge tone={policy.enabled ? "success" : "neutral"}>{policy.enabled ? "Enabled" : "Disabled"}</Badge>
            <span className="muted">
              {builtin ? "Built-in" : "Custom"} · {policy.category} · version {policy.version}
            </span>
          </div>
        ) : null}
      </PageHeader>
      {policy?.evaluationErrors.count ? (
        <Alert tone="danger" title={`Fails to evaluate on ${policy.evaluationErrors.count} traces`}>
          <p>Latest: {policy.evaluationErrors.last?.message}</p>
        </Alert>
      ) : null}
      {notice ? <Alert tone="success">{notice}</Alert> : null}
      <form className="card" onSubmit={save} noValidate aria-labelledby="policy-settings">
        <h2 id="policy-settings">Settings</h2>
        {problem ? <Alert tone="danger">{problem}</Alert> : null}
        <fieldset disabled={!editable} className="plain-fieldset">
          {!builtin ? (
            <>
              <TextField label="Name" required value={name} error={errors.name} onChange={(e) => setName(e.target.value)} />
              <TextField label="Description" value={description} error={errors.description} onChange={(e) => setDescription(e.target.value)} />
            </>
          ) : (
            <p className="muted">{policy?.description}</p>
          )}
          <div className="field field-checkbox">
            <input id={enabledId} type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
            <label htmlFor={enabledId}>Enabled: evaluated on every trace</label>
          </div>
          <SelectField label="Severity" value={severity} onChange={(e) => setSeverity(e.target.value as Severity)}>
            <option value="critical">Critical</option>
            <option value="high">High</option>
            <option value="medium">Medium</option>
            <option value="low">Low</option>
          </SelectField>
          <SelectField
            label="Mode"
            value={mode}
            onChange={(e) => setMode(e.target.value as Mode)}
            hint={mode === "enforce" ? "Enforce: a violation is reported as blocking." : "Monitor: violations are recorded for review."}
          >
            <option value="monitor">Monitor</option>
            <option value="enforce">Enforce</option>
          </SelectField>
          {builtin ? (
            <fieldset>
              <legend>Configuration</legend>
              <ConfigForm schema={(policy?.configSchema ?? {}) as JsonSchema} value={config} onChange={setConfig} errors={errors} />
            </fieldset>
          ) : (
            <CelEditor value={expression} onChange={setExpression} error={compileError} />
          )}
        </fieldset>
        {editable ? (
          <div className="form-actions">
            <Button type="submit" variant="primary" busy={busy}>
              {policy ? "Save changes" : "Create policy"}
            </Button>
          </div>
        ) : (
          <p className="muted">Viewers see a policy's settings; editors change them.</p>
        )}
      </form>
      {policy && editable ? <TestPanel policy={policy} /> : null}
    </>
  );
}

/** Runs the saved policy on a stored trace, as evaluation would, and shows what it found; nothing is recorded. */
function TestPanel({ policy }: { policy: Policy }) {
  const traces = useLoad((signal) => unwrap(api.GET("/api/traces", { params: { query: { limit: 25 } }, signal })), []);
  const [traceId, setTraceId] = useState("");
  const [result, setResult] = useState<TestResult | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const chosen = traceId || traces.data?.items[0]?.id || "";
  async function run(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    setResult(null);
    try {
      setResult(await unwrap(api.POST("/api/policies/{id}/test", { params: { path: { id: policy.id } }, body: { traceId: chosen } })));
    } catch (failure) {
      setProblem(messageOf(failure));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section className="card" aria-labelledby="policy-test">
      <h2 id="policy-test">Test on a stored trace</h2>
      <p className="muted">Runs version {policy.version} as saved on one trace; nothing is recorded.</p>
      {traces.status === "error" ? <ErrorState error={traces.error} retry={() => void traces.reload()} what="the traces" /> : null}
      {traces.data?.items.length === 0 ? (
        <p className="muted">No traces stored yet: sync an integration first.</p>
      ) : (
        <form className="inline-form" onSubmit={run}>
          <SelectField label="Trace" value={chosen} onChange={(e) => setTraceId(e.target.value)}>
            {traces.data?.items.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name ?? t.externalId} ({new Date(t.timestamp).toLocaleString()})
              </option>
            ))}
          </SelectField>
          <Button type="submit" busy={busy} disabled={!chosen}>
            Run test
          </Button>
        </form>
      )}
      {problem ? <Alert tone="danger">{problem}</Alert> : null}
      <div aria-live="polite">
        {result ? (
          result.error ? (
            <Alert tone="danger" title="The policy failed on this trace">
              <p>{result.error}</p>
            </Alert>
          ) : result.outcome?.violated ? (
            <Alert tone="warning" title="Violated">
              <p>{result.outcome.message}</p>
              {result.outcome.evidence.length ? <JsonView value={result.outcome.evidence} /> : null}
            </Alert>
          ) : (
            <Alert tone="success" title="Not violated">
              <p>{result.outcome?.message || "The policy found nothing on this trace."}</p>
            </Alert>
          )
        ) : null}
      </div>
    </section>
  );
}
