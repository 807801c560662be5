import type { Database, Policy } from "@langguard/database";
import { discoverEntities, documentOf, enabledPolicies, loadTraces, specOf } from "@langguard/governance";
import { evaluateAll } from "@langguard/policy-engine";
import { countEvaluationErrors, countViolations } from "@langguard/service-runtime";
import { storeEvaluation, type Failure, type Finding } from "./store.ts";

export interface EvaluationSummary {
  traces: number;
  policies: number;
  violations: number;
  errors: number;
  deliveryIds: string[];
}

/**
 * Evaluates the given policies (by default every enabled one) on a batch of stored traces and
 * stores the outcome. Idempotent: run twice, it writes nothing new. Every policy runs on every
 * trace; one that throws is recorded as an error and the others go on.
 */
export async function evaluateTraces(db: Database, organizationId: string, traceIds: string[], only?: Policy[]): Promise<EvaluationSummary> {
  const [org, policies, traces] = await Promise.all([
    db.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { policySetVersion: true } }),
    only ? Promise.resolve(only) : enabledPolicies(db, organizationId),
    loadTraces(db, organizationId, traceIds),
  ]);
  const documents = traces.map(documentOf);
  const entities = await discoverEntities(db, organizationId, documents);
  const specs = policies.map(specOf);
  const byId = new Map(policies.map((p) => [p.id, p]));
  const findings: Finding[] = [];
  const failures: Failure[] = [];
  for (const [i, doc] of documents.entries()) {
    // Each custom policy may use its whole budget on each trace: between traces the event loop
    // turns, so the worker keeps renewing its job locks and answering /livez during a long batch.
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const trace = traces[i]!;
    for (const result of evaluateAll({ ...doc, entities, agentStats: {} }, specs)) {
      const policy = byId.get(result.policyId)!;
      if ("error" in result) failures.push({ traceId: trace.id, policy, message: result.error });
      else if (result.outcome.violated)
        findings.push({ traceId: trace.id, integrationId: trace.integrationId, agents: doc.agents.map((a) => a.name), policy, outcome: result.outcome });
    }
  }
  const stored = await storeEvaluation(
    db,
    organizationId,
    org.policySetVersion,
    traces.map((t) => t.id),
    policies.map((p) => p.id),
    findings,
    failures,
  );
  const { severities, ...counts } = stored;
  countViolations(severities);
  countEvaluationErrors(
    policies.map((p) => p.id),
    failures.map((f) => f.policy.id),
  );
  return { traces: traces.length, policies: policies.length, ...counts };
}
