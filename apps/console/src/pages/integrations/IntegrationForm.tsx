import { type FormEvent, type ReactNode, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { api, type ConnectionReport, type Integration, type Sources } from "../../api/client";
import { ApiFailure, messageOf, unwrap } from "../../api/errors";
import { Button } from "../../ui/Button";
import { Alert } from "../../ui/feedback";
import { CheckboxField, TextField } from "../../ui/fields";
import { CatalogFiltersEditor } from "./CatalogFiltersEditor";
import { ConnectionSteps } from "./ConnectionSteps";
import { ExperimentPicker, type ExperimentSource } from "./ExperimentPicker";
import { createBodyOf, credentialsOf, type FieldErrors, type FormValues, initialValues, normalisedHost, updateBodyOf, validate, valuesOf } from "./form";
import { SOURCE_LABEL } from "./status";

const FIELD_ID: Record<string, string> = {
  name: "integration-name",
  host: "integration-host",
  token: "integration-token",
  warehouseId: "integration-warehouse",
  syncIntervalMinutes: "integration-interval",
  experiments: "integration-experiments",
  catalogFilters: "integration-filters",
};
const FIELD_LABEL: Record<string, string> = {
  name: "Name",
  host: "Host URL",
  token: "API token",
  warehouseId: "Warehouse ID",
  syncIntervalMinutes: "Sync every",
  experiments: "Experiments",
  catalogFilters: "Catalog filters",
  source: "Source",
};

/**
 * The spec's setup journey on one page: the connection (name, host, token, warehouse), Test
 * Connection with each step, what to sync (traces, catalog, which experiments, how often), and
 * Save. Input is checked with the gateway's own rules before anything is sent.
 */
export function IntegrationForm({ sources, source, integration }: { sources: Sources; source: FormValues["source"]; integration?: Integration }) {
  const navigate = useNavigate();
  const [values, setValues] = useState<FormValues>(() => (integration ? valuesOf(integration) : initialValues(source)));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [testing, setTesting] = useState(false);
  const [report, setReport] = useState<ConnectionReport | null>(null);
  const [filtersValid, setFiltersValid] = useState(true);
  const [listSource, setListSource] = useState<ExperimentSource>(integration ? { integrationId: integration.id } : null);
  const summary = useRef<HTMLDivElement>(null);
  const policy = sources.hostPolicy;
  const isMlflow = values.source === "mlflow";

  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => {
    const next = { ...values, [key]: value };
    setValues(next);
    // Other credentials, another workspace: the last test and the experiment list no longer apply.
    if (key === "host" || key === "token") {
      setReport(null);
      setListSource(null);
    }
    // Once a field was left (or a save tried), it is re-checked as it is typed.
    if (touched[key] || touched.form) setErrors((current) => ({ ...current, [key]: validate(next, policy, integration)[key] }));
  };
  const leave = (key: string) => {
    setTouched((t) => ({ ...t, [key]: true }));
    setErrors((current) => ({ ...current, [key]: validate(values, policy, integration)[key] }));
  };

  /** The saved integration's own credentials are used until host, source or token change. */
  const credentialsChanged = () =>
    !integration || values.token !== "" || values.source !== integration.source || normalisedHost(values.host, policy) !== integration.host;

  function credentialErrors(): FieldErrors {
    const all = validate(values, policy, integration);
    return Object.fromEntries(Object.entries(all).filter(([field]) => ["host", "token", "warehouseId", "source"].includes(field)));
  }

  async function testConnection() {
    setTouched((t) => ({ ...t, host: true, token: true, warehouseId: true }));
    const found = credentialErrors();
    setErrors((current) => ({ ...current, host: found.host, token: found.token, warehouseId: found.warehouseId }));
    // A host outside the allowed forms never leaves the browser.
    if (Object.values(found).some(Boolean)) return;
    setTesting(true);
    setReport(null);
    try {
      const result =
        integration && !credentialsChanged()
          ? await unwrap(api.POST("/api/integrations/{id}/test", { params: { path: { id: integration.id } } }))
          : await unwrap(api.POST("/api/integrations/test", { body: credentialsOf(values) }));
      setReport(result);
      if (result.status !== "failed")
        setListSource(integration && !credentialsChanged() ? { integrationId: integration.id } : { credentials: credentialsOf(values) });
    } catch (error) {
      setProblem(messageOf(error));
    } finally {
      setTesting(false);
    }
  }

  function listExperiments() {
    const found = credentialErrors();
    setErrors((current) => ({ ...current, ...found }));
    if (Object.values(found).some(Boolean)) return;
    setListSource(integration && !credentialsChanged() ? { integrationId: integration.id } : { credentials: credentialsOf(values) });
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setTouched((t) => ({ ...t, form: true }));
    const found = validate(values, policy, integration);
    if (!filtersValid) found.catalogFilters = "some patterns are not valid regular expressions";
    setErrors(found);
    setProblem(null);
    if (Object.values(found).some(Boolean)) {
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    setSaving(true);
    try {
      const saved = integration
        ? await unwrap(api.PATCH("/api/integrations/{id}", { params: { path: { id: integration.id } }, body: updateBodyOf(values, integration) }))
        : await unwrap(api.POST("/api/integrations", { body: createBodyOf(values) }));
      navigate(`/settings/integrations/${saved.id}`, { state: { notice: integration ? "Changes saved." : "Integration saved." } });
    } catch (error) {
      if (error instanceof ApiFailure && error.issues.length) setErrors(error.fieldErrors());
      setProblem(messageOf(error));
      requestAnimationFrame(() => summary.current?.focus());
    } finally {
      setSaving(false);
    }
  }

  const listed = Object.entries(errors).filter(([, message]) => message);
  const hostHint: ReactNode = (
    <>
      {isMlflow ? "The tracking server's URL." : "Your workspace URL, as in your browser's address bar."} Allowed forms:
      <ul className="host-forms">
        {sources.hostForms
          .filter((form) => (isMlflow ? !form.includes("<workspace>") : true))
          .map((form) => (
            <li key={form}>
              <code>{form}</code>
            </li>
          ))}
      </ul>
      Ports: {sources.ports}.
    </>
  );

  return (
    <form onSubmit={save} noValidate className="integration-form">
      <div ref={summary} tabIndex={-1} className="form-summary">
        {listed.length > 0 ? (
          <Alert tone="danger" title="Fix these before saving">
            <ul>
              {listed.map(([field, message]) => (
                <li key={field}>
                  <a href={`#${FIELD_ID[field] ?? "integration-name"}`}>
                    {FIELD_LABEL[field] ?? field}: {message}
                  </a>
                </li>
              ))}
            </ul>
          </Alert>
        ) : null}
        {problem ? <Alert tone="danger">{problem}</Alert> : null}
      </div>

      <section className="form-section" aria-labelledby="section-connection">
        <h2 id="section-connection">1. Connection</h2>
        <p className="muted">
          Source: <strong>{SOURCE_LABEL[values.source]}</strong>
        </p>
        <TextField
          id={FIELD_ID.name}
          label="Name"
          required
          hint="A name you will recognise, e.g. “Production Databricks”."
          value={values.name}
          error={errors.name}
          onChange={(e) => set("name", e.target.value)}
          onBlur={() => leave("name")}
        />
        <TextField
          id={FIELD_ID.host}
          label="Host URL"
          required
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          placeholder={isMlflow ? "https://mlflow.internal.example" : "https://dbc-xxx.cloud.databricks.com"}
          hint={hostHint}
          value={values.host}
          error={errors.host}
          onChange={(e) => set("host", e.target.value)}
          onBlur={() => leave("host")}
        />
        <TextField
          id={FIELD_ID.token}
          label={isMlflow ? "API token (optional)" : "API token"}
          required={!isMlflow}
          type="password"
          autoComplete="off"
          spellCheck={false}
          hint={
            <>
              {isMlflow ? "Only if the tracking server needs one. " : "A Databricks personal access token (User Settings › Access Tokens). "}
              {integration?.hasToken
                ? "A token is saved and is never shown. Leave this empty to keep it; enter a new one to replace it (required when the host or source changes)."
                : "It is stored encrypted and never shown again."}
            </>
          }
          value={values.token}
          error={errors.token}
          onChange={(e) => set("token", e.target.value)}
          onBlur={() => leave("token")}
        />
        {!isMlflow ? (
          <TextField
            id={FIELD_ID.warehouseId}
            label="Warehouse ID (optional)"
            hint="The SQL warehouse for Unity Catalog SQL operations (table statistics). Not needed for trace sync."
            autoComplete="off"
            spellCheck={false}
            value={values.warehouseId}
            error={errors.warehouseId}
            onChange={(e) => set("warehouseId", e.target.value)}
            onBlur={() => leave("warehouseId")}
          />
        ) : null}
      </section>

      <section className="form-section" aria-labelledby="section-test">
        <h2 id="section-test">2. Test connection</h2>
        <p className="muted">Checks the host, the Python environment, the MLflow SDK, authentication, experiments, traces and the warehouse.</p>
        <Button onClick={() => void testConnection()} busy={testing}>
          {testing ? "Testing the connection…" : "Test connection"}
        </Button>
        <div aria-live="polite">{report ? <ConnectionSteps report={report} /> : null}</div>
      </section>

      <section className="form-section" aria-labelledby="section-sync">
        <h2 id="section-sync">3. Configure sync</h2>
        <CheckboxField
          label="Sync traces"
          hint="Import MLflow traces with their spans."
          checked={values.syncTraces}
          onChange={(e) => set("syncTraces", e.target.checked)}
        />
        <CheckboxField
          label="Sync catalog"
          hint="Import Unity Catalog entities: catalogs, schemas, tables and their columns."
          checked={values.syncCatalog}
          onChange={(e) => set("syncCatalog", e.target.checked)}
        />
        {values.syncTraces ? (
          <fieldset className="radio-group" id={FIELD_ID.experiments}>
            <legend>Experiments</legend>
            <label>
              <input type="radio" name="experiments-mode" checked={values.allExperiments} onChange={() => set("allExperiments", true)} />
              All active experiments (new ones are included as they appear)
            </label>
            <label>
              <input type="radio" name="experiments-mode" checked={!values.allExperiments} onChange={() => set("allExperiments", false)} />
              Specific experiments
            </label>
            {!values.allExperiments ? (
              <>
                {!listSource ? (
                  <p>
                    <Button onClick={listExperiments}>List the workspace's experiments</Button>
                  </p>
                ) : null}
                <ExperimentPicker source={listSource} selected={values.experiments} onChange={(ids) => set("experiments", ids)} error={errors.experiments} />
              </>
            ) : null}
          </fieldset>
        ) : null}
        <TextField
          id={FIELD_ID.syncIntervalMinutes}
          label="Sync every (minutes)"
          type="number"
          inputMode="numeric"
          min={0}
          max={10080}
          step={1}
          hint="Each enabled kind is synced on this schedule; 0 syncs only when you press Sync now."
          value={values.syncIntervalMinutes}
          error={errors.syncIntervalMinutes}
          onChange={(e) => set("syncIntervalMinutes", e.target.value)}
          onBlur={() => leave("syncIntervalMinutes")}
        />
        <CheckboxField
          label="Nightly full sync"
          hint="Also re-read every trace at 03:00 UTC, catching changes an incremental sync cannot see (tags edited long after)."
          checked={values.nightlyFullSync}
          onChange={(e) => set("nightlyFullSync", e.target.checked)}
        />
        {values.syncCatalog ? (
          <>
            <CheckboxField
              label="Model Serving endpoints"
              hint="Also import the workspace's serving endpoints, as models or agents by what they serve, with their AI Gateway settings."
              checked={values.syncServingEndpoints}
              onChange={(e) => set("syncServingEndpoints", e.target.checked)}
            />
            <CheckboxField
              label="Genie spaces"
              hint="Also import the workspace's Genie spaces, as agents linked to the tables they use."
              checked={values.syncGenieSpaces}
              onChange={(e) => set("syncGenieSpaces", e.target.checked)}
            />
          </>
        ) : null}
        {values.syncCatalog ? (
          <div id={FIELD_ID.catalogFilters}>
            <CatalogFiltersEditor value={values.filters} onChange={(filters) => set("filters", filters)} onValidity={setFiltersValid} />
          </div>
        ) : null}
      </section>

      <div className="form-actions">
        <Button type="submit" variant="primary" busy={saving}>
          {integration ? "Save changes" : "Save"}
        </Button>
        <Button onClick={() => navigate(integration ? `/settings/integrations/${integration.id}` : "/settings/integrations")}>Cancel</Button>
      </div>
    </form>
  );
}
