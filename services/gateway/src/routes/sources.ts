import { $Enums } from "@langguard/database";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DATABRICKS_DOMAINS } from "@langguard/host-policy";
import type { GatewayDeps } from "../deps.ts";
import { errorResponses, FieldIssue } from "../schemas/common.ts";
import { CatalogFilters } from "@langguard/unity-catalog";

const HostPolicyView = z
  .object({
    allowedDomains: z.array(z.string()),
    extraHosts: z.array(z.string()),
    allowedNetworks: z.array(z.string()),
    allowHttp: z.boolean(),
    allowedPorts: z.array(z.number().int()).describe("Besides the scheme's default; 0 means any port"),
  })
  .describe("The operator's host policy (SOURCE_ALLOWED_*): which workspace addresses integrations may use");

const Sources = z.object({
  sources: z
    .array(z.enum($Enums.IntegrationSource))
    .describe("The sources an integration may be: self-hosted MLflow only where the operator allows other hosts"),
  hostPolicy: HostPolicyView,
  hostForms: z.array(z.string()).describe("The allowed host forms, as a person reads them"),
  ports: z.string().describe("The allowed ports, as a person reads them"),
});

const FilterCheck = z.object({ valid: z.boolean(), issues: z.array(FieldIssue) });

/** How a person reads the policy: the addresses an integration may point at, and on which ports. */
function hostForms(policy: GatewayDeps["hostPolicy"]) {
  const schemes = policy.allowHttp ? ["https", "http"] : ["https"];
  const hosts = [...policy.allowedDomains.map((domain) => `<workspace>.${domain}`), ...policy.extraHosts];
  const forms = schemes.flatMap((scheme) => hosts.map((host) => `${scheme}://${host}`));
  const defaults = policy.allowHttp ? "443 (https) and 80 (http)" : "443";
  const extra = policy.allowedPorts.filter((p) => p !== 443 && p !== 80);
  const ports = policy.allowedPorts.includes(0) ? "any port" : extra.length ? `${defaults}, and ${extra.join(", ")}` : `${defaults} only`;
  return { hostForms: forms, ports };
}

/**
 * What the console needs to check an integration form as the gateway will: the host policy (the
 * console runs the same URL rules on it) and a check of catalog filters with the gateway's own
 * validator, whatever regular-expression engine that uses.
 */
export const sourceRoutes: FastifyPluginAsyncZod<GatewayDeps> = async (app, deps) => {
  app.get("/api/integrations/sources", { config: { scope: "read" }, schema: { response: { 200: Sources, ...errorResponses } } }, async () => {
    const policy = deps.hostPolicy;
    const othersAllowed = policy.extraHosts.length > 0 || policy.allowedDomains.some((d) => !DATABRICKS_DOMAINS.includes(d));
    return {
      sources: othersAllowed ? (["databricks", "mlflow"] as const) : (["databricks"] as const),
      hostPolicy: policy,
      ...hostForms(policy),
    } as z.input<typeof Sources>;
  });

  app.post(
    "/api/integrations/catalog-filters/check",
    {
      config: { scope: "write" },
      schema: { body: z.object({ catalogFilters: z.unknown() }).strict(), response: { 200: FilterCheck, ...errorResponses } },
    },
    async (request) => {
      const parsed = CatalogFilters.safeParse(request.body.catalogFilters ?? {});
      if (parsed.success) return { valid: true, issues: [] };
      return {
        valid: false,
        // As the error handler words a refused body, so the form shows what saving would say.
        issues: parsed.error.issues.flatMap((issue) => {
          const field = ["body", "catalogFilters", ...issue.path].join(".");
          if (issue.code === "unrecognized_keys") return issue.keys.map((key) => ({ field: `${field}.${key}`, reason: "unknown field" }));
          return [{ field, reason: issue.message }];
        }),
      };
    },
  );
};
