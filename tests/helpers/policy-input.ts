import { randomUUID } from "node:crypto";

/** A well-formed policy input document (DOCUMENT.md), for posting to `/api/policies/:id/test`. */
export function policyInput(overrides: { trace?: Record<string, unknown>; outputs?: unknown[] } = {}) {
  const now = new Date().toISOString();
  return {
    trace: {
      id: randomUUID(),
      externalId: "tr-sample",
      integrationId: randomUUID(),
      name: "sample",
      timestamp: now,
      durationMs: 10,
      status: "OK",
      input: null,
      output: null,
      metadata: {},
      tags: {},
      inputTokens: null,
      outputTokens: null,
      totalTokens: null,
      ...overrides.trace,
    },
    observations: (overrides.outputs ?? []).map((output, i) => ({
      id: `s${i}`,
      parentId: null,
      name: "step",
      type: "CHAIN",
      startTime: now,
      endTime: now,
      durationMs: 1,
      status: "OK",
      statusMessage: null,
      input: null,
      output,
      attributes: {},
      model: null,
      provider: null,
      usage: { input: null, output: null, total: null },
      truncated: false,
    })),
    agents: [],
    identity: { userId: null, userName: null, servicePrincipal: false, applicationId: null },
    entities: { agents: {}, models: {}, tools: {}, data: {} },
    agentStats: {},
  };
}
