import { existsSync } from "node:fs";
import path from "node:path";
import { BridgeError, type BridgeClient, type BridgeSource, type StepMessage } from "@langguard/bridge-client";
import { checkSourceUrl, resolveAndCheck, type HostPolicy } from "@langguard/host-policy";

export const STEP_NAMES = ["host", "python", "mlflow", "auth", "catalog", "experiments", "traces", "warehouse"] as const;
export type StepName = (typeof STEP_NAMES)[number];
export type StepStatus = "ok" | "warning" | "failed" | "skipped";

export interface Step {
  step: StepName;
  status: StepStatus;
  message: string;
  hint: string | null;
  kind: string | null;
}

export interface ConnectionReport {
  status: "connected" | "warning" | "failed";
  message: string;
  steps: Step[];
  checkedAt: Date;
  /** When the credential expires, where the workspace told (undefined: the test did not get that far). */
  credentialExpiresAt?: Date | null;
}

export interface ConnectionTarget extends BridgeSource {
  warehouseId?: string | null;
  /** Catalog sync: Unity Catalog must be readable, and a warehouse is wanted for tags in bulk and statistics. */
  syncCatalog?: boolean;
  /** Trace sync (the default): experiments and traces must be readable. */
  syncTraces?: boolean;
}

const step = (name: StepName, status: StepStatus, message: string, hint: string | null = null, kind: string | null = null): Step => ({
  step: name,
  status,
  message,
  hint,
  kind,
});

/**
 * Test Connection, step by step: the host is an allowed address, Python is found, the MLflow SDK
 * imports at 3.x, authentication works, Unity Catalog (for catalog sync) and experiments and traces (for
 * trace sync) are readable, the warehouse runs.
 * The whole check is bounded by DATABRICKS_VALIDATION_TIMEOUT (the bridge client's validation timeout).
 */
export async function testConnection(bridge: BridgeClient, pythonPath: string, policy: HostPolicy, target: ConnectionTarget): Promise<ConnectionReport> {
  const steps: Step[] = [];
  const hostVerdict = checkSourceUrl(target.host, policy);
  const resolved = hostVerdict.ok ? await resolveAndCheck(hostVerdict.hostname, policy) : hostVerdict;
  if (!resolved.ok) {
    steps.push(
      step(
        "host",
        "failed",
        `The host is not allowed: ${resolved.reason}`,
        "Use the workspace's https URL, e.g. https://dbc-xxx.cloud.databricks.com, or ask the operator to allow this host.",
        "blocked_host",
      ),
    );
    return finish(steps);
  }
  steps.push(step("host", "ok", "The host is an allowed workspace address"));
  if (!existsSync(path.resolve(pythonPath))) {
    steps.push(
      step(
        "python",
        "failed",
        `MLflow SDK not available: no Python executable at PYTHON_PATH=${pythonPath}`,
        "Install Python 3.11+ with the bridge's packages (pip install -r python-bridge/requirements.lock) and point PYTHON_PATH at that interpreter.",
        "sdk_missing",
      ),
    );
    return finish(steps);
  }
  const reported: StepMessage[] = [];
  let credentialExpiresAt: Date | null | undefined;
  try {
    const { steps: fromBridge } = await bridge.check(target, {
      warehouseId: target.warehouseId ?? null,
      syncCatalog: target.syncCatalog ?? false,
      syncTraces: target.syncTraces ?? true,
    });
    reported.push(...fromBridge);
    const auth = fromBridge.find((s) => s.step === "auth" && s.status !== "failed");
    if (auth) {
      const expires = (auth.data as { credentialExpiresAt?: unknown } | null | undefined)?.credentialExpiresAt;
      credentialExpiresAt = typeof expires === "number" ? new Date(expires) : null;
    }
  } catch (error) {
    const failure = error instanceof BridgeError ? error : new BridgeError("internal", "The connection test failed unexpectedly");
    const pending = STEP_NAMES.find((name) => name !== "host" && !reported.some((r) => r.step === name)) ?? "python";
    reported.push({
      type: "step",
      step: pending as StepMessage["step"],
      status: "failed",
      message: failure.message,
      hint: failure.hint ?? null,
      kind: failure.kind,
      data: null,
    });
  }
  for (const r of reported) steps.push(step(r.step, r.status, r.message, r.hint ?? null, r.kind ?? null));
  return { ...finish(steps), ...(credentialExpiresAt !== undefined ? { credentialExpiresAt } : {}) };
}

/** Steps after the first failure did not run; the verdict is the worst step's. */
function finish(steps: Step[]): ConnectionReport {
  for (const name of STEP_NAMES) {
    if (!steps.some((s) => s.step === name)) steps.push(step(name, "skipped", "Not run: an earlier step failed"));
  }
  steps.sort((a, b) => STEP_NAMES.indexOf(a.step) - STEP_NAMES.indexOf(b.step));
  const failed = steps.find((s) => s.status === "failed");
  const warning = steps.find((s) => s.status === "warning");
  const status = failed ? "failed" : warning ? "warning" : "connected";
  const message = failed ? failed.message : warning ? warning.message : "Connected";
  return { status, message, steps, checkedAt: new Date() };
}
