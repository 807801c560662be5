import type { Policy } from "../types.ts";
import { approvedModelVersion } from "./approved-model-version.ts";
import { budgetOverrun } from "./budget-overrun.ts";
import { credentialSurfaceDiscovery } from "./credential-surface-discovery.ts";
import { crossBoundaryAccess } from "./cross-boundary-access.ts";
import { latencyHealthThreshold } from "./latency-health-threshold.ts";
import { mandatoryTraceLogging } from "./mandatory-trace-logging.ts";
import { metadataTagging } from "./metadata-tagging.ts";
import { nhiViolation } from "./nhi-violation.ts";
import { piiDetection } from "./pii-detection.ts";
import { unapprovedToolUse } from "./unapproved-tool-use.ts";

export const builtinPolicies: ReadonlyArray<Policy<unknown>> = [
  credentialSurfaceDiscovery,
  piiDetection,
  unapprovedToolUse,
  approvedModelVersion,
  crossBoundaryAccess,
  latencyHealthThreshold,
  budgetOverrun,
  mandatoryTraceLogging,
  metadataTagging,
  nhiViolation,
] as ReadonlyArray<Policy<unknown>>;

const byId = new Map(builtinPolicies.map((p) => [p.id, p]));

export function getBuiltin(id: string): Policy<unknown> | undefined {
  return byId.get(id);
}
