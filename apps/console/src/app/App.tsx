import { lazy, type ReactNode, Suspense } from "react";
import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { RequireSession } from "../auth/RequireSession";
import { SessionProvider, useSession } from "../auth/session";
import { SetPasswordPage } from "../auth/SetPasswordPage";
import { SignInPage } from "../auth/SignInPage";
import { SectionLayout } from "../layout/SectionLayout";
import { SettingsLayout } from "../layout/SettingsLayout";
import { Shell } from "../layout/Shell";
import { NotFoundPage } from "../pages/NotFoundPage";
import { Loading } from "../ui/feedback";
import { DocumentTitle } from "./DocumentTitle";

// Each area is its own chunk, loaded when first opened, so the first visit loads only the shell.
const page = <K extends string>(load: () => Promise<Record<K, () => ReactNode>>, name: K) => lazy(() => load().then((module) => ({ default: module[name] })));
const IntegrationsPage = page(() => import("../pages/integrations/IntegrationsPage"), "IntegrationsPage");
const NewIntegrationPage = page(() => import("../pages/integrations/NewIntegrationPage"), "NewIntegrationPage");
const IntegrationPage = page(() => import("../pages/integrations/IntegrationPage"), "IntegrationPage");
const EditIntegrationPage = page(() => import("../pages/integrations/EditIntegrationPage"), "EditIntegrationPage");
const UsersPage = page(() => import("../pages/users/UsersPage"), "UsersPage");
const TracesPage = page(() => import("../pages/traces/TracesPage"), "TracesPage");
const TracePage = page(() => import("../pages/traces/TracePage"), "TracePage");
const ViolationsPage = page(() => import("../pages/governance/ViolationsPage"), "ViolationsPage");
const EntitiesPage = page(() => import("../pages/governance/EntitiesPage"), "EntitiesPage");
const AgentsPage = page(() => import("../pages/agents/AgentsPage"), "AgentsPage");
const AgentPage = page(() => import("../pages/agents/AgentsPage"), "AgentPage");
const CatalogPage = page(() => import("../pages/catalog/CatalogPage"), "CatalogPage");
const TablePage = page(() => import("../pages/catalog/TablePage"), "TablePage");
const ApiKeysPage = page(() => import("../pages/admin/ApiKeysPage"), "ApiKeysPage");
const WebhooksPage = page(() => import("../pages/admin/WebhooksPage"), "WebhooksPage");
const PoliciesPage = page(() => import("../pages/governance/PoliciesPage"), "PoliciesPage");
const PolicyPage = page(() => import("../pages/governance/PolicyPage"), "PolicyPage");

const GOVERNANCE_LINKS = [
  { to: "/governance/violations", label: "Violations" },
  { to: "/governance/policies", label: "Policies" },
  { to: "/governance/entities", label: "Entities" },
];

/** A page only some roles may open; others see the not-found page, as for anything not theirs. */
function RequireRole({ role, children }: { role: "editor" | "admin"; children: ReactNode }) {
  const { can } = useSession();
  return can(role) ? children : <NotFoundPage />;
}

function Settings({ children, needs }: { children: ReactNode; needs?: "editor" | "admin" }) {
  const content = <Suspense fallback={<Loading />}>{children}</Suspense>;
  return (
    <RequireSession>
      <Shell>
        <SettingsLayout>{needs ? <RequireRole role={needs}>{content}</RequireRole> : content}</SettingsLayout>
      </Shell>
    </RequireSession>
  );
}

/** A signed-in page of a section without side navigation (Traces): the whole width for the span tree. */
function Plain({ children }: { children: ReactNode }) {
  return (
    <RequireSession>
      <Shell>
        <Suspense fallback={<Loading />}>{children}</Suspense>
      </Shell>
    </RequireSession>
  );
}

function Governance({ children }: { children: ReactNode }) {
  return (
    <RequireSession>
      <Shell>
        <SectionLayout title="Governance" links={GOVERNANCE_LINKS}>
          <Suspense fallback={<Loading />}>{children}</Suspense>
        </SectionLayout>
      </Shell>
    </RequireSession>
  );
}

export function App() {
  return (
    <SessionProvider>
      <BrowserRouter>
        <DocumentTitle />
        <Routes>
          <Route path="/sign-in" element={<SignInPage />} />
          <Route path="/set-password" element={<SetPasswordPage />} />
          <Route path="/" element={<Navigate to="/settings/integrations" replace />} />
          <Route path="/settings" element={<Navigate to="/settings/integrations" replace />} />
          <Route
            path="/settings/integrations"
            element={
              <Settings>
                <IntegrationsPage />
              </Settings>
            }
          />
          <Route
            path="/settings/integrations/new"
            element={
              <Settings needs="editor">
                <NewIntegrationPage />
              </Settings>
            }
          />
          <Route
            path="/settings/integrations/new/:source"
            element={
              <Settings needs="editor">
                <NewIntegrationPage />
              </Settings>
            }
          />
          <Route
            path="/settings/integrations/:id"
            element={
              <Settings>
                <IntegrationPage />
              </Settings>
            }
          />
          <Route
            path="/settings/integrations/:id/edit"
            element={
              <Settings needs="editor">
                <EditIntegrationPage />
              </Settings>
            }
          />
          <Route
            path="/settings/users"
            element={
              <Settings needs="admin">
                <UsersPage />
              </Settings>
            }
          />
          <Route
            path="/settings/api-keys"
            element={
              <Settings needs="admin">
                <ApiKeysPage />
              </Settings>
            }
          />
          <Route
            path="/settings/webhooks"
            element={
              <Settings needs="admin">
                <WebhooksPage />
              </Settings>
            }
          />
          <Route
            path="/traces"
            element={
              <Plain>
                <TracesPage />
              </Plain>
            }
          />
          <Route
            path="/traces/:id"
            element={
              <Plain>
                <TracePage />
              </Plain>
            }
          />
          <Route
            path="/agents"
            element={
              <Plain>
                <AgentsPage />
              </Plain>
            }
          />
          <Route
            path="/agents/:id"
            element={
              <Plain>
                <AgentPage />
              </Plain>
            }
          />
          <Route
            path="/catalog"
            element={
              <Plain>
                <CatalogPage />
              </Plain>
            }
          />
          <Route
            path="/catalog/tables/:id"
            element={
              <Plain>
                <TablePage />
              </Plain>
            }
          />
          <Route path="/governance" element={<Navigate to="/governance/violations" replace />} />
          <Route
            path="/governance/violations"
            element={
              <Governance>
                <ViolationsPage />
              </Governance>
            }
          />
          <Route
            path="/governance/policies"
            element={
              <Governance>
                <PoliciesPage />
              </Governance>
            }
          />
          <Route
            path="/governance/policies/:id"
            element={
              <Governance>
                <PolicyPage />
              </Governance>
            }
          />
          <Route
            path="/governance/entities"
            element={
              <Governance>
                <EntitiesPage />
              </Governance>
            }
          />
          <Route
            path="*"
            element={
              <Settings>
                <NotFoundPage />
              </Settings>
            }
          />
        </Routes>
      </BrowserRouter>
    </SessionProvider>
  );
}
