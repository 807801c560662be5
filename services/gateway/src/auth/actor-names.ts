import type { Database } from "@langguard/database";

/**
 * Who an actor is, for people reading a history: `user:<id>` is the user's e-mail, `api-key:<id>`
 * the key's name. Only the organization's own users and keys are named; anything else (deleted
 * since, or not theirs) stays the bare actor, so a history never shows another organization's people.
 */
export async function actorNames(db: Database, organizationId: string, actors: Array<string | null>): Promise<Map<string, string>> {
  const userIds = new Set<string>();
  const keyIds = new Set<string>();
  for (const actor of actors) {
    const parsed = splitActor(actor);
    if (parsed?.kind === "user") userIds.add(parsed.id);
    else if (parsed?.kind === "api-key") keyIds.add(parsed.id);
  }
  const [users, keys] = await Promise.all([
    userIds.size ? db.user.findMany({ where: { organizationId, id: { in: [...userIds] } }, select: { id: true, email: true } }) : [],
    keyIds.size ? db.apiKey.findMany({ where: { organizationId, id: { in: [...keyIds] } }, select: { id: true, name: true } }) : [],
  ]);
  const names = new Map<string, string>();
  for (const user of users) names.set(`user:${user.id}`, user.email);
  for (const key of keys) names.set(`api-key:${key.id}`, `API key "${key.name}"`);
  return names;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function splitActor(actor: string | null): { kind: string; id: string } | null {
  const at = actor?.indexOf(":") ?? -1;
  if (!actor || at < 0) return null;
  const id = actor.slice(at + 1);
  // A malformed id would make Postgres refuse the whole lookup.
  return UUID.test(id) ? { kind: actor.slice(0, at), id } : null;
}
