import type { Integration, OverviewItem, Schemas } from "../../api/client";

export type Tone = "success" | "warning" | "danger" | "neutral" | "info";

export interface Status {
  label: "Connected" | "Warning" | "Failed" | "Disabled" | "Not tested";
  tone: Tone;
  /** Why, in a sentence: the rate-limit message, the failed step or run. */
  detail: string | null;
  /** For a rate-limited workspace: when its syncs are tried again. */
  nextAttemptAt: string | null;
}

/**
 * The badge of an integration, from what is known about it: disabled by a person; rate-limited by
 * its workspace (a warning with the next attempt); failing its connection test or its last run;
 * else connected when a test or a run went through.
 */
export function statusOf(integration: Integration, overview?: OverviewItem): Status {
  if (!integration.enabled) return { label: "Disabled", tone: "neutral", detail: "Syncs and schedules are off", nextAttemptAt: null };
  if (integration.rateLimit)
    return { label: "Warning", tone: "warning", detail: integration.rateLimit.message, nextAttemptAt: integration.rateLimit.nextAttemptAt };
  const lastRuns = overview ? [overview.traces, overview.catalog].filter((k) => k.enabled).map((k) => k.lastRun) : [];
  const failedRun = lastRuns.find((run) => run?.status === "failed");
  const connection = integration.connection.status;
  if (connection === "failed")
    return { label: "Failed", tone: "danger", detail: integration.connection.message ?? "The connection test failed", nextAttemptAt: null };
  if (failedRun) return { label: "Failed", tone: "danger", detail: failedRun.errorMessage ?? "The last sync failed", nextAttemptAt: null };
  if (connection === "warning") return { label: "Warning", tone: "warning", detail: integration.connection.message, nextAttemptAt: null };
  if (connection === "connected" || lastRuns.some((run) => run && run.status !== "failed"))
    return { label: "Connected", tone: "success", detail: null, nextAttemptAt: null };
  return { label: "Not tested", tone: "neutral", detail: "Run Test Connection or a sync to check it", nextAttemptAt: null };
}

export const SOURCE_LABEL: Record<Integration["source"], string> = { databricks: "Databricks", mlflow: "Self-hosted MLflow" };

export function runTone(status: Schemas["SyncRun"]["status"]): Tone {
  return status === "succeeded" ? "success" : status === "partial" ? "warning" : status === "failed" ? "danger" : "info";
}

export const RUN_LABEL: Record<Schemas["SyncRun"]["status"], string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Succeeded",
  partial: "Partial",
  failed: "Failed",
};
