/** What a trace sync reads from its service's settings (env.ts), apart from the processor so the sync's modules need not import it. */
export interface TraceSyncSettings {
  batchSize: number;
  /** Requests one job makes to its workspace at once: experiments and their time slices share them. */
  workspaceConcurrency: number;
  lookbackMs: number;
  overlapMs: number;
  /** How long a trace may run and still be found when written late (0: no late-trace sweep). */
  maxTraceDurationMs?: number;
  maxPayloadBytes: number;
  /** How often a running job proves it is alive. */
  heartbeatMs: number;
}
