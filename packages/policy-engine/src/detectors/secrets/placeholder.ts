import { knownPrefix } from "../../mask.ts";

/**
 * Documentation and config templates are full of `ghp_` + forty x's, Slack tokens spelled
 * "your-bot-token" and friends. A real token's random part has many distinct characters and no
 * long runs.
 */
export function isPlaceholder(value: string): boolean {
  const random = value.slice(knownPrefix(value).length);
  if (/(.)\1{7}/.test(random)) return true;
  return new Set(random).size < Math.min(8, Math.ceil(random.length / 3));
}

/** Slack tokens carry numeric workspace/user ids after the type: `xoxb-<digits>-…`. */
export function hasSlackIds(value: string): boolean {
  return /^x(?:ox[a-z]|app)-(?:\d-)?[A-Z0-9]*\d{4,}/i.test(value);
}
