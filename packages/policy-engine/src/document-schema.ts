import { z } from "zod";
import type { PolicyInput } from "./document.ts";

// Callers that build the document from stored rows can check it here once, so a mapping bug
// shows up as a clear validation error instead of a policy silently reading `undefined`.

const stage = z.enum(["dev", "poc", "staging", "prod"]);
const entityState = z.object({ approval: z.enum(["approved", "pending", "rejected"]), stage: stage.nullable() });
const entityMap = z.record(z.string(), entityState);
const nullableCount = z.number().nonnegative().nullable();

export const policyInputSchema = z.object({
  trace: z.object({
    id: z.string(),
    externalId: z.string(),
    integrationId: z.string(),
    name: z.string().nullable(),
    timestamp: z.string(),
    durationMs: z.number().nullable(),
    status: z.enum(["OK", "ERROR", "IN_PROGRESS", "UNSPECIFIED"]),
    input: z.unknown(),
    output: z.unknown(),
    metadata: z.record(z.string(), z.string()),
    tags: z.record(z.string(), z.string()),
    inputTokens: nullableCount,
    outputTokens: nullableCount,
    totalTokens: nullableCount,
  }),
  observations: z.array(
    z.object({
      id: z.string(),
      parentId: z.string().nullable(),
      name: z.string(),
      type: z.string().nullable(),
      startTime: z.string(),
      endTime: z.string().nullable(),
      durationMs: z.number().nullable(),
      status: z.enum(["OK", "ERROR", "UNSET"]),
      statusMessage: z.string().nullable(),
      input: z.unknown(),
      output: z.unknown(),
      attributes: z.record(z.string(), z.unknown()),
      model: z.string().nullable(),
      provider: z.string().nullable(),
      usage: z.object({ input: nullableCount, output: nullableCount, total: nullableCount }),
      truncated: z.boolean(),
    }),
  ),
  agents: z.array(z.object({ name: z.string(), version: z.string().nullable() })),
  identity: z.object({
    userId: z.string().nullable(),
    userName: z.string().nullable(),
    servicePrincipal: z.boolean(),
    applicationId: z.string().nullable(),
  }),
  entities: z.object({ agents: entityMap, models: entityMap, tools: entityMap, data: entityMap }),
  agentStats: z.record(z.string(), z.object({ tracesSeen: z.number().int().nonnegative(), averageCostUsd: z.number().nullable() })),
});

export function parsePolicyInput(value: unknown): PolicyInput {
  return policyInputSchema.parse(value) as PolicyInput;
}
