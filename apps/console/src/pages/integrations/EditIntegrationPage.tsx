import { useParams } from "react-router";
import { ApiFailure } from "../../api/errors";
import { PageHeader } from "../../layout/SettingsLayout";
import { ErrorState, Loading } from "../../ui/feedback";
import { NotFoundPage } from "../NotFoundPage";
import { IntegrationForm } from "./IntegrationForm";
import { useIntegration } from "./use-integration";
import { useSources } from "./use-sources";

export function EditIntegrationPage() {
  const { id = "" } = useParams();
  const integration = useIntegration(id);
  const sources = useSources();
  if (integration.status === "error" && integration.error instanceof ApiFailure && integration.error.notFound) return <NotFoundPage />;
  const failed = integration.status === "error" ? integration : sources.status === "error" ? sources : null;
  if (failed) return <ErrorState error={failed.error} retry={() => void failed.reload()} what="the integration" />;
  if (!integration.data || !sources.data) return <Loading label="Loading the integration…" />;
  return (
    <>
      <PageHeader
        title={`Edit ${integration.data.name}`}
        crumbs={[
          { label: "Settings", to: "/settings/integrations" },
          { label: "Integrations", to: "/settings/integrations" },
          { label: integration.data.name, to: `/settings/integrations/${id}` },
          { label: "Edit" },
        ]}
      />
      <IntegrationForm sources={sources.data} source={integration.data.source} integration={integration.data} />
    </>
  );
}
