// The one document every policy reads per trace. DOCUMENT.md describes each field with an example;
// document-schema.ts validates the same shape at the boundary.

export type Stage = "dev" | "poc" | "staging" | "prod";
export type Approval = "approved" | "pending" | "rejected";

export interface EntityState {
  approval: Approval;
  stage: Stage | null;
}

export type TraceStatus = "OK" | "ERROR" | "IN_PROGRESS" | "UNSPECIFIED";
export type ObservationStatus = "OK" | "ERROR" | "UNSET";

export interface TraceRecord {
  id: string;
  externalId: string;
  integrationId: string;
  name: string | null;
  /** ISO 8601 */
  timestamp: string;
  durationMs: number | null;
  status: TraceStatus;
  input: unknown;
  output: unknown;
  metadata: Record<string, string>;
  tags: Record<string, string>;
  inputTokens: number | null;
  outputTokens: number | null;
  totalTokens: number | null;
}

export interface Usage {
  input: number | null;
  output: number | null;
  total: number | null;
}

export interface Observation {
  /** The span id. */
  id: string;
  parentId: string | null;
  name: string;
  /** LLM, CHAT_MODEL, TOOL, RETRIEVER, AGENT, CHAIN, … as MLflow reports it. */
  type: string | null;
  startTime: string;
  endTime: string | null;
  durationMs: number | null;
  status: ObservationStatus;
  statusMessage: string | null;
  input: unknown;
  output: unknown;
  attributes: Record<string, unknown>;
  model: string | null;
  provider: string | null;
  usage: Usage;
  truncated: boolean;
}

export interface Identity {
  userId: string | null;
  userName: string | null;
  servicePrincipal: boolean;
  applicationId: string | null;
}

export interface Entities {
  agents: Record<string, EntityState>;
  models: Record<string, EntityState>;
  tools: Record<string, EntityState>;
  data: Record<string, EntityState>;
}

export interface AgentStats {
  tracesSeen: number;
  averageCostUsd: number | null;
}

export interface PolicyInput {
  trace: TraceRecord;
  observations: Observation[];
  agents: Array<{ name: string; version: string | null }>;
  identity: Identity;
  entities: Entities;
  /** Per agent name, for anomaly checks. */
  agentStats: Record<string, AgentStats>;
}

/** What the sync stores in place of a payload that was over its size limit. */
export interface TruncatedPayload {
  truncated: true;
  originalBytes: number;
  preview: string;
}

export function isTruncatedPayload(value: unknown): value is TruncatedPayload {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return v.truncated === true && typeof v.preview === "string";
}

export const LLM_TYPES: ReadonlySet<string> = new Set(["LLM", "CHAT_MODEL"]);

export function isLlmObservation(o: Observation): boolean {
  return o.type !== null && LLM_TYPES.has(o.type.toUpperCase());
}

export function isToolObservation(o: Observation): boolean {
  return o.type !== null && o.type.toUpperCase() === "TOOL";
}
