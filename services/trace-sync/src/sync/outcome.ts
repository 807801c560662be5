import type { RunOutcome, RunProblem } from "@langguard/sync-runs";

export interface ExperimentError extends RunProblem {
  experimentId: string;
  retryable: boolean;
}

export const NO_TRACES_WARNING = {
  kind: "no_traces",
  message:
    "No traces found. Possible causes: MLflow tracing is not enabled in the agent's code; the experiments have runs but no traces; the time range does not include the traces' timestamps; the experiments are archived.",
};

/** A run that must be tried again: some experiments failed in a way that may pass next time. */
export class RetryableExperimentsError extends Error {
  readonly retryable = true;
  readonly kind: string;
  constructor(readonly errors: ExperimentError[]) {
    super(summarise(errors, "could not be read"));
    this.name = "RetryableExperimentsError";
    this.kind = errors[0]!.kind;
  }
}

function summarise(errors: ExperimentError[], what: string): string {
  const first = errors[0]!;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  return `${errors.length === 1 ? "1 experiment" : `${errors.length} experiments`} ${what}: ${first.message}${more}`;
}

/**
 * The honest verdict of a finished read. `partial` means some experiments finished and others
 * failed for good; a run in which nothing finished has failed, and says why in its own error.
 */
export function decideOutcome(input: { experimentsListed: number; experimentsCompleted: number; fetched: number; errors: ExperimentError[] }): RunOutcome {
  const itemErrors = input.errors.map(({ experimentId, kind, message }) => ({ experimentId, kind, message }));
  const warnings = input.fetched === 0 && input.errors.length === 0 ? [NO_TRACES_WARNING] : [];
  if (input.errors.length === 0) return { status: "succeeded", itemErrors, warnings };
  const first = input.errors[0]!;
  if (input.experimentsCompleted === 0) {
    return { status: "failed", errorKind: first.kind, errorMessage: summarise(input.errors, "failed and none finished"), itemErrors, warnings };
  }
  return { status: "partial", errorKind: first.kind, errorMessage: `${summarise(input.errors, "failed")}; ${input.experimentsCompleted} finished`, itemErrors, warnings };
}
