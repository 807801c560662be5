import { Link } from "react-router";
import { api, type Ok } from "../../api/client";
import { unwrap } from "../../api/errors";
import { useSession } from "../../auth/session";
import { PageHeader } from "../../layout/SettingsLayout";
import type { Column } from "../../ui/DataTable";
import { Badge } from "../../ui/feedback";
import { PagedTable } from "../../ui/PagedTable";
import { SEVERITY_TONE } from "../traces/format";

type Policy = Ok<"/api/policies", "get">["items"][number];

/** Governance › Policies: the built-ins and the organization's own CEL policies, with how each is set. */
export function PoliciesPage() {
  const { can } = useSession();
  const columns: Column<Policy>[] = [
    {
      header: "Policy",
      cell: (p) => (
        <div className="cell-main">
          <Link to={`/governance/policies/${p.id}`}>{p.name}</Link>
          <span className="muted clamp">{p.description || (p.kind === "custom" ? "Custom CEL policy" : "")}</span>
        </div>
      ),
    },
    { header: "Kind", cell: (p) => (p.kind === "builtin" ? "Built-in" : "Custom") },
    { header: "Severity", cell: (p) => <Badge tone={SEVERITY_TONE[p.severity]}>{p.severity}</Badge> },
    { header: "Mode", cell: (p) => (p.mode === "enforce" ? "Enforce" : "Monitor") },
    { header: "State", cell: (p) => <Badge tone={p.enabled ? "success" : "neutral"}>{p.enabled ? "Enabled" : "Disabled"}</Badge> },
    {
      header: "Evaluation errors",
      numeric: true,
      cell: (p) => (p.evaluationErrors.count ? <Badge tone="danger">{p.evaluationErrors.count}</Badge> : "0"),
    },
  ];
  return (
    <>
      <PageHeader
        title="Policies"
        crumbs={[{ label: "Governance", to: "/governance/violations" }, { label: "Policies" }]}
        actions={
          can("editor") ? (
            <Link className="button button-primary" to="/governance/policies/new">
              New custom policy
            </Link>
          ) : null
        }
      >
        <p className="muted">What every trace is checked against. A change applies to traces evaluated from now on, under a new version.</p>
      </PageHeader>
      <PagedTable
        load={(query, signal) => unwrap(api.GET("/api/policies", { params: { query }, signal }))}
        deps={[]}
        caption="Policies"
        what="the policies"
        noun="policies"
        columns={columns}
        rowKey={(p) => p.id}
        empty="No policies."
      />
    </>
  );
}
