import type { Database, EntityKind } from "@langguard/database";
import { extractEntities, type Entities, type PolicyInput } from "@langguard/policy-engine";

type Document = Omit<PolicyInput, "entities" | "agentStats">;
const KINDS: Array<[EntityKind, keyof Entities]> = [
  ["agent", "agents"],
  ["model", "models"],
  ["tool", "tools"],
  ["data", "data"],
];

/**
 * Records the agents, models and tools these traces use (new ones start pending, so an
 * unapproved tool is a violation until someone approves it) and returns every entity's state.
 * Data assets come from the catalog; here they are only looked up, never invented.
 * `record: false` only reads (a policy test): what is not known yet is absent, as before a first evaluation.
 */
export async function discoverEntities(db: Database, organizationId: string, documents: Document[], { record = true } = {}): Promise<Entities> {
  const seen: Record<EntityKind, Set<string>> = { agent: new Set(), model: new Set(), tool: new Set(), data: new Set() };
  for (const doc of documents) {
    for (const agent of doc.agents) seen.agent.add(agent.name);
    const used = extractEntities({ ...doc, entities: { agents: {}, models: {}, tools: {}, data: {} }, agentStats: {} });
    for (const model of used.models) seen.model.add(model);
    for (const tool of used.tools) seen.tool.add(tool);
    for (const data of used.data) seen.data.add(data);
  }
  const lookup = () => db.entity.findMany({ where: { organizationId, OR: KINDS.map(([kind]) => ({ kind, name: { in: [...seen[kind]] } })) } });
  let rows = await lookup();
  // Only what is new is written: in the steady state a batch reads its entities and writes nothing.
  const known = new Set(rows.map((r) => `${r.kind}\u0000${r.name}`));
  const discovered = (["agent", "model", "tool"] as const).flatMap((kind) =>
    [...seen[kind]].filter((name) => !known.has(`${kind}\u0000${name}`)).map((name) => ({ organizationId, kind, name: name.slice(0, 500) })),
  );
  if (record && discovered.length > 0) {
    await db.entity.createMany({ data: discovered, skipDuplicates: true });
    rows = await lookup();
  }
  const entities: Entities = { agents: {}, models: {}, tools: {}, data: {} };
  for (const row of rows) {
    const key = KINDS.find(([kind]) => kind === row.kind)![1];
    entities[key][row.name] = { approval: row.approval, stage: row.stage };
  }
  return entities;
}
