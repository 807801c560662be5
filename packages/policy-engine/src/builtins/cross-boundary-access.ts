import { z } from "zod";
import { agentResolver } from "../agents.ts";
import type { EntityState, Observation, PolicyInput, Stage } from "../document.ts";
import { dataCandidates, lookupEntity, modelUses, toolUses } from "../entities.ts";
import { stageRank } from "../stages.ts";
import type { Evidence } from "../types.ts";
import { definePolicy, outcome, plural } from "./define.ts";

const configSchema = z.strictObject({
  check_tools: z.boolean().default(true),
  check_data: z.boolean().default(true),
  check_models: z.boolean().default(true),
});

type AssetKind = "tool" | "data asset" | "model";

/**
 * Production data and tools must not be reachable from earlier stages; a production agent must
 * not depend on a model that has not been promoted as far as it has.
 */
function crosses(kind: AssetKind, assetRank: number, agentRank: number): boolean {
  return kind === "model" ? assetRank < agentRank : assetRank > agentRank;
}

interface AssetUse {
  kind: AssetKind;
  name: string;
  state: EntityState | undefined;
  observation: Observation;
}

function assetUses(input: PolicyInput, config: z.output<typeof configSchema>): AssetUse[] {
  const byId = new Map(input.observations.map((o) => [o.id, o]));
  const uses: AssetUse[] = [];
  const add = (kind: AssetKind, name: string, entries: Record<string, EntityState>, spanId: string) => {
    const observation = byId.get(spanId);
    if (observation) uses.push({ kind, name, state: lookupEntity(entries, name), observation });
  };
  if (config.check_tools) for (const t of toolUses(input)) if (t.source !== "offer") add("tool", t.name, input.entities.tools, t.spanId);
  // Data candidates are any a.b.c in the text; only names LangGuard knows as data assets count.
  if (config.check_data)
    for (const d of dataCandidates(input)) if (lookupEntity(input.entities.data, d.name)) add("data asset", d.name, input.entities.data, d.spanId);
  if (config.check_models) for (const m of modelUses(input)) add("model", m.model, input.entities.models, m.observation.id);
  return uses;
}

export const crossBoundaryAccess = definePolicy({
  id: "cross-boundary-access",
  name: "Cross-boundary access",
  category: "security",
  description:
    "An agent reaching across lifecycle stages (dev < poc < staging < prod): using a tool or data asset of a later stage than its own, or a model of an earlier one.",
  defaultSeverity: "critical",
  enabledByDefault: true,
  configSchema,
  evaluate(input, config) {
    const agentsOf = agentResolver(input);
    const evidence: Evidence[] = [];
    const seen = new Set<string>();
    for (const use of assetUses(input, config)) {
      const assetRank = stageRank(use.state?.stage);
      if (assetRank === null) continue;
      for (const agent of agentsOf(use.observation)) {
        const agentStage = lookupEntity(input.entities.agents, agent)?.stage;
        const agentRank = stageRank(agentStage);
        if (agentRank === null) continue;
        const key = `${agent}\u0000${use.kind}\u0000${use.name}`;
        if (!crosses(use.kind, assetRank, agentRank) || seen.has(key)) continue;
        seen.add(key);
        evidence.push({ spanId: use.observation.id, detail: `agent "${agent}" (${agentStage}) used ${use.kind} "${use.name}" (${use.state?.stage})` });
      }
    }
    return outcome(evidence, (n) => `${plural(n, "cross-stage access", "cross-stage accesses")}`, "No access across lifecycle stages");
  },
});

/**
 * What an agent uses by its definition rather than by a trace: a Genie space's tables, an agent
 * serving endpoint's inference table and the registered model it serves, as the catalog sync read
 * them. The same rule as in traces, with the policy's config.
 */
export interface DeclaredUse {
  agent: string;
  agentStage: Stage | null;
  kind: "data asset" | "model";
  asset: string;
  assetStage: Stage | null;
  /** What declares the use, for the evidence ("Genie space", "serving endpoint"). */
  via: string;
}

export interface DeclaredCrossing {
  agent: string;
  asset: string;
  message: string;
  evidence: Evidence[];
}

export function declaredCrossings(uses: DeclaredUse[], rawConfig: unknown): DeclaredCrossing[] {
  const config = configSchema.parse(rawConfig ?? {});
  const found: DeclaredCrossing[] = [];
  for (const use of uses) {
    if ((use.kind === "data asset" && !config.check_data) || (use.kind === "model" && !config.check_models)) continue;
    const [agentRank, assetRank] = [stageRank(use.agentStage), stageRank(use.assetStage)];
    if (agentRank === null || assetRank === null || !crosses(use.kind, assetRank, agentRank)) continue;
    const detail = `agent "${use.agent}" (${use.agentStage}) uses ${use.kind} "${use.asset}" (${use.assetStage}), declared by its ${use.via}`;
    found.push({ agent: use.agent, asset: use.asset, message: `Cross-stage access: ${detail}`, evidence: [{ spanId: null, detail }] });
  }
  return found;
}
