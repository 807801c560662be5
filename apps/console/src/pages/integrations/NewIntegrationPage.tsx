import { Link, useParams } from "react-router";
import { PageHeader } from "../../layout/SettingsLayout";
import { ErrorState, Loading } from "../../ui/feedback";
import { NotFoundPage } from "../NotFoundPage";
import { IntegrationForm } from "./IntegrationForm";
import { SOURCE_LABEL } from "./status";
import { useSources } from "./use-sources";

const CRUMBS = [
  { label: "Settings", to: "/settings/integrations" },
  { label: "Integrations", to: "/settings/integrations" },
];

const DESCRIPTION = {
  databricks: "A Databricks workspace: MLflow traces and Unity Catalog metadata, with a personal access token.",
  mlflow: "A self-hosted MLflow tracking server on your network: its traces.",
} as const;

/** Add Integration: choose the source, then fill its form. */
export function NewIntegrationPage() {
  const { source } = useParams();
  const sources = useSources();
  if (sources.status === "loading") return <Loading />;
  if (sources.status === "error") return <ErrorState error={sources.error} retry={() => void sources.reload()} what="the allowed sources" />;
  const allowed = sources.data.sources;
  if (source) {
    if (!(allowed as string[]).includes(source)) return <NotFoundPage />;
    const chosen = source as (typeof allowed)[number];
    return (
      <>
        <PageHeader
          title={`Add integration: ${SOURCE_LABEL[chosen]}`}
          crumbs={[...CRUMBS, { label: "Add integration", to: "/settings/integrations/new" }, { label: SOURCE_LABEL[chosen] }]}
        />
        <IntegrationForm sources={sources.data} source={chosen} />
      </>
    );
  }
  return (
    <>
      <PageHeader title="Add integration" crumbs={[...CRUMBS, { label: "Add integration" }]}>
        <p className="muted">Choose where LangGuard imports from.</p>
      </PageHeader>
      <ul className="source-cards">
        {(["databricks", "mlflow"] as const).map((kind) =>
          (allowed as string[]).includes(kind) ? (
            <li key={kind}>
              <Link className="source-card" to={`/settings/integrations/new/${kind}`}>
                <span className="source-card-title">{SOURCE_LABEL[kind]}</span>
                <span className="muted">{DESCRIPTION[kind]}</span>
              </Link>
            </li>
          ) : (
            <li key={kind}>
              <div className="source-card source-card-off">
                <span className="source-card-title">{SOURCE_LABEL[kind]}</span>
                <span className="muted">Not available: the operator has not allowed hosts other than Databricks workspaces (SOURCE_ALLOWED_HOSTS).</span>
              </div>
            </li>
          ),
        )}
      </ul>
    </>
  );
}
