import type { Observation, PolicyInput } from "./document.ts";

const AGENT_NAME_KEYS = ["gen_ai.agent.name", "agent.name"];

/** The agent name a span declares about itself, if any. */
export function declaredAgentName(o: Observation, known: ReadonlySet<string>): string | null {
  for (const key of AGENT_NAME_KEYS) {
    const value = o.attributes[key];
    if (typeof value === "string" && value.trim()) return value.trim();
  }
  return o.type?.toUpperCase() === "AGENT" && known.has(o.name) ? o.name : null;
}

/**
 * Which agents a span acts for: the nearest agent above it (or itself) in the span tree; when no
 * span says, every agent of the trace (a single-agent trace, the common case, is then exact).
 */
export function agentResolver(input: PolicyInput): (o: Observation) => string[] {
  const known = new Set(input.agents.map((a) => a.name));
  const byId = new Map(input.observations.map((o) => [o.id, o]));
  const all = [...known];
  const memo = new Map<string, string | null>();
  const nearest = (o: Observation): string | null => {
    const seen = new Set<string>();
    let current: Observation | undefined = o;
    const path: string[] = [];
    let found: string | null = null;
    while (current && !seen.has(current.id)) {
      if (memo.has(current.id)) {
        found = memo.get(current.id) ?? null;
        break;
      }
      seen.add(current.id);
      path.push(current.id);
      found = declaredAgentName(current, known);
      if (found) break;
      current = current.parentId ? byId.get(current.parentId) : undefined;
    }
    for (const id of path) memo.set(id, found);
    return found;
  };
  return (o) => {
    const name = nearest(o);
    return name ? [name] : all;
  };
}

/** Agent names present in a trace, from the document's agents and spans' agent attributes. */
export function agentNamesInTrace(input: PolicyInput): string[] {
  const known = new Set(input.agents.map((a) => a.name));
  for (const o of input.observations) {
    const name = declaredAgentName(o, known);
    if (name) known.add(name);
  }
  return [...known];
}
