import { builtinPolicies, type PolicySpec } from "@langguard/policy-engine";
import type { Database, Policy } from "@langguard/database";

/**
 * Every organization has LangGuard's built-in policies, with their documented defaults, from its
 * first use on. Idempotent: a built-in an organization already has (possibly edited) is left alone.
 */
export async function ensureBuiltinPolicies(db: Database, organizationId: string): Promise<void> {
  const existing = await db.policy.count({ where: { organizationId, kind: "builtin" } });
  if (existing >= builtinPolicies.length) return;
  await db.policy.createMany({
    data: builtinPolicies.map((p) => ({
      organizationId,
      kind: "builtin" as const,
      builtinId: p.id,
      name: p.name,
      description: p.description,
      category: p.category,
      severity: p.defaultSeverity,
      enabled: p.enabledByDefault,
      config: {},
    })),
    skipDuplicates: true,
  });
}

/** The engine's view of a stored policy. */
export function specOf(policy: Policy): PolicySpec {
  return {
    id: policy.id,
    version: policy.version,
    kind: policy.kind,
    builtinId: policy.builtinId ?? undefined,
    expression: policy.expression ?? undefined,
    config: policy.config,
    severity: policy.severity,
  };
}

export async function enabledPolicies(db: Database, organizationId: string): Promise<Policy[]> {
  await ensureBuiltinPolicies(db, organizationId);
  return db.policy.findMany({ where: { organizationId, enabled: true }, orderBy: { createdAt: "asc" } });
}

/** Any change to an organization's policies makes every stored trace due for evaluation again. */
export async function bumpPolicySetVersion(db: Pick<Database, "organization">, organizationId: string): Promise<number> {
  const org = await db.organization.update({ where: { id: organizationId }, data: { policySetVersion: { increment: 1 } }, select: { policySetVersion: true } });
  return org.policySetVersion;
}
