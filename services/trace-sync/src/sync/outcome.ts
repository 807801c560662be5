import type { RunOutcome, RunProblem } from "@langguard/sync-runs";

export interface ExperimentError extends RunProblem {
  experimentId: string;
  retryable: boolean;
}

export interface QuarantinedItem {
  kind: string;
  experimentId: string | null;
  externalId: string;
  reason: string;
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
export function decideOutcome(input: {
  experimentsListed: number;
  experimentsCompleted: number;
  fetched: number;
  errors: ExperimentError[];
  /** The first records set aside, and how many there are in all. */
  setAside?: QuarantinedItem[];
  setAsideCount?: number;
  /** Traces stored with a change (a NUL removed, a key rewritten), marked on each trace. */
  altered?: number;
}): RunOutcome {
  const setAside = input.setAside ?? [];
  const setAsideCount = input.setAsideCount ?? setAside.length;
  const itemErrors = [
    ...input.errors.map(({ experimentId, kind, message }) => ({ experimentId, kind, message })),
    ...setAside.map((r) => ({
      experimentId: r.experimentId ?? "",
      kind: "quarantined",
      message: `${r.kind} ${r.externalId} set aside: ${r.reason}`,
      externalId: r.externalId,
    })),
  ];
  const warnings = input.fetched === 0 && input.errors.length === 0 ? [NO_TRACES_WARNING] : [];
  if (input.altered) {
    warnings.push({
      kind: "altered",
      message: `${input.altered === 1 ? "1 trace was" : `${input.altered} traces were`} stored with changes Postgres required (NUL characters removed, unpaired surrogates replaced, keys rewritten, or counts beyond 64 bits dropped); each lists them in its alterations.`,
    });
  }
  if (input.errors.length === 0 && setAsideCount === 0) return { status: "succeeded", itemErrors, warnings };
  if (input.errors.length === 0) {
    const first = setAside[0];
    const reason = first ? ` The first: ${first.kind} ${first.externalId}, ${first.reason}.` : "";
    return {
      status: "partial",
      errorKind: "quarantined",
      errorMessage: `${setAsideCount === 1 ? "1 record" : `${setAsideCount} records`} could not be stored and were set aside; everything else was stored.${reason} See GET /api/integrations/{id}/quarantine.`,
      itemErrors,
      warnings,
    };
  }
  const first = input.errors[0]!;
  if (input.experimentsCompleted === 0) {
    return { status: "failed", errorKind: first.kind, errorMessage: summarise(input.errors, "failed and none finished"), itemErrors, warnings };
  }
  return {
    status: "partial",
    errorKind: first.kind,
    errorMessage: `${summarise(input.errors, "failed")}; ${input.experimentsCompleted} finished`,
    itemErrors,
    warnings,
  };
}
