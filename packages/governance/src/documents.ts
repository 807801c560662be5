import { numberOrNull, type Database, type Span, type Trace } from "@langguard/database";
import { identityFrom, type Observation, type PolicyInput } from "@langguard/policy-engine";

export type LoadedTrace = Trace & { spans: Span[]; agents: Array<{ version: string | null; agent: { name: string } }> };

/** Traces with their spans and agents in three queries, whatever the batch size. */
export async function loadTraces(db: Database, organizationId: string, traceIds: string[]): Promise<LoadedTrace[]> {
  return db.trace.findMany({
    where: { id: { in: traceIds }, organizationId },
    include: { spans: { orderBy: [{ startTime: "asc" }, { spanId: "asc" }] }, agents: { select: { version: true, agent: { select: { name: true } } } } },
  });
}

const strings = (value: unknown): Record<string, string> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, string>) : {};

function observationOf(span: Span): Observation {
  return {
    id: span.spanId,
    parentId: span.parentSpanId,
    name: span.name,
    type: span.type,
    startTime: span.startTime.toISOString(),
    endTime: span.endTime?.toISOString() ?? null,
    durationMs: span.durationMs,
    status: span.status === "OK" || span.status === "ERROR" ? span.status : "UNSET",
    statusMessage: span.statusMessage,
    input: span.inputs,
    output: span.outputs,
    attributes: (span.attributes as Record<string, unknown>) ?? {},
    model: span.model,
    provider: span.provider,
    usage: { input: numberOrNull(span.inputTokens), output: numberOrNull(span.outputTokens), total: numberOrNull(span.totalTokens) },
    truncated: span.truncated,
  };
}

/** The document every policy reads (see packages/policy-engine/DOCUMENT.md), minus entity states. */
export function documentOf(trace: LoadedTrace): Omit<PolicyInput, "entities" | "agentStats"> {
  const observations = trace.spans.map(observationOf);
  const metadata = strings(trace.metadata);
  const tags = strings(trace.tags);
  return {
    trace: {
      id: trace.id,
      externalId: trace.externalId,
      integrationId: trace.integrationId,
      name: trace.name,
      timestamp: trace.timestamp.toISOString(),
      durationMs: numberOrNull(trace.durationMs),
      status: (["OK", "ERROR", "IN_PROGRESS"].includes(trace.status) ? trace.status : "UNSPECIFIED") as PolicyInput["trace"]["status"],
      input: trace.input,
      output: trace.output,
      metadata,
      tags,
      inputTokens: numberOrNull(trace.inputTokens),
      outputTokens: numberOrNull(trace.outputTokens),
      totalTokens: numberOrNull(trace.totalTokens),
    },
    observations,
    agents: trace.agents.map((a) => ({ name: a.agent.name, version: a.version })),
    identity: identityFrom(
      metadata,
      tags,
      observations.map((o) => o.attributes),
    ),
  };
}
