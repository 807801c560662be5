import type { Stage } from "./document.ts";

export const STAGE_ORDER: readonly Stage[] = ["dev", "poc", "staging", "prod"];

export function stageRank(stage: Stage | null | undefined): number | null {
  if (!stage) return null;
  const rank = STAGE_ORDER.indexOf(stage);
  return rank === -1 ? null : rank;
}
