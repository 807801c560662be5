import type { z } from "zod";
import type { PolicyInput } from "./document.ts";

export type Severity = "critical" | "high" | "medium" | "low";

/** One detector hit. `match` is always masked: the raw value never leaves the detector. */
export interface Finding {
  detector: string;
  /** e.g. `observations[3].input.messages[0].content` or `trace.output` */
  path: string;
  spanId: string | null;
  match: string;
  confidence: number;
  /** The text came from the preview of a payload the sync truncated. */
  truncated: boolean;
  /**
   * Secrets only: a keyed hash of the value, the same wherever the value appears in this process
   * (the key is random per process, so it identifies nothing outside it). Never in evidence.
   */
  fingerprint?: string;
}

export interface Evidence {
  detector?: string;
  path?: string;
  spanId?: string | null;
  /** masked */
  match?: string;
  confidence?: number;
  truncated?: boolean;
  detail?: string;
  /** Every place a finding was seen, when one value appears in several (the first is `path`/`spanId`). */
  locations?: Array<{ path: string; spanId: string | null }>;
}

export interface Outcome {
  violated: boolean;
  message: string;
  evidence: Evidence[];
}

export interface Policy<Config = unknown> {
  id: string;
  name: string;
  category: string;
  description: string;
  defaultSeverity: Severity;
  enabledByDefault: boolean;
  configSchema: z.ZodType<Config>;
  /** `config` is raw (as stored); it is validated against `configSchema`, so `{}` means defaults. */
  evaluate(input: PolicyInput, config?: unknown): Outcome;
}

export interface PolicySpec {
  id: string;
  version: number | string;
  kind: "builtin" | "custom";
  builtinId?: string;
  expression?: string;
  config: unknown;
  severity: Severity;
}

export type PolicyResult = { policyId: string; version: number | string; outcome: Outcome } | { policyId: string; version: number | string; error: string };
