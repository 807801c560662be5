import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { ApiKeyScope, Database } from "@langguard/database";

export type Scope = ApiKeyScope;

/** admin can do what write can, write what read can. */
const RANK: Record<Scope, number> = { read: 1, write: 2, admin: 3 };

export function allows(granted: readonly Scope[], required: Scope): boolean {
  return granted.some((scope) => RANK[scope] >= RANK[required]);
}

const KEY_SHAPE = /^lgk_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;
/** An operator's key: the same shape under its own tag, so no organization key can ever pass for one. */
const OPERATOR_KEY_SHAPE = /^lgo_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** A new key: the whole value is shown once; only the prefix and the secret's hash are stored. */
export function generateApiKey(tag: "lgk" | "lgo" = "lgk") {
  const prefix = randomBytes(12).toString("base64url").replace(/[-_]/g, "").slice(0, 16).padEnd(16, "0");
  const secret = randomBytes(32).toString("base64url");
  return { key: `${tag}_${prefix}_${secret}`, prefix, secretHash: hashSecret(secret) };
}

export async function createApiKey(db: Database, organizationId: string, name: string, scopes: Scope[], expiresAt: Date | null = null) {
  const generated = generateApiKey();
  const row = await db.apiKey.create({ data: { organizationId, name, scopes, prefix: generated.prefix, secretHash: generated.secretHash, expiresAt } });
  return { row, key: generated.key };
}

/** Who a request acts for: an API key, or a person signed in to the console. */
export interface Principal {
  organizationId: string;
  scopes: Scope[];
  keyId: string | null;
  userId: string | null;
  /** Recorded as who changed something: `api-key:<id>` or `user:<id>`. */
  actor: string;
  /** An API key's own expiry, if it has one. */
  expiresAt?: Date | null;
}

/** The public part of a presented key, usable as a rate-limit key before any lookup. */
export function keyPrefixOf(presented: string): string | null {
  return KEY_SHAPE.exec(presented)?.[1] ?? OPERATOR_KEY_SHAPE.exec(presented)?.[1] ?? null;
}

/** Whether a presented credential is shaped as an operator key (it may still be unknown). */
export function isOperatorKeyShape(presented: string): boolean {
  return OPERATOR_KEY_SHAPE.test(presented);
}

function secretMatches(storedHash: string, secret: string): boolean {
  const expected = Buffer.from(storedHash, "hex");
  const actual = Buffer.from(hashSecret(secret), "hex");
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** A key for the fleet's operators (the queue board); it belongs to no organization. */
export async function createOperatorKey(db: Database, name: string) {
  const generated = generateApiKey("lgo");
  const row = await db.operatorKey.create({ data: { name, prefix: generated.prefix, secretHash: generated.secretHash } });
  return { row, key: generated.key };
}

/** The operator key presented, if it is known, not revoked, and its secret matches. */
export async function authenticateOperator(db: Database, presented: string): Promise<{ operatorKeyId: string } | null> {
  const match = OPERATOR_KEY_SHAPE.exec(presented);
  if (!match) return null;
  const [, prefix, secret] = match;
  const row = await db.operatorKey.findUnique({ where: { prefix: prefix! } });
  if (!row || row.revokedAt || !secretMatches(row.secretHash, secret!)) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    void db.operatorKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
  }
  return { operatorKeyId: row.id };
}

/** Finds the key by its prefix and compares the secret's hash in constant time. */
export async function authenticate(db: Database, presented: string): Promise<Principal | null> {
  const match = KEY_SHAPE.exec(presented);
  if (!match) return null;
  const [, prefix, secret] = match;
  const row = await db.apiKey.findUnique({ where: { prefix: prefix! } });
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= new Date())) return null;
  if (!secretMatches(row.secretHash, secret!)) return null;
  // Best effort and at most once a minute per key: a busy key must not turn reads into writes.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    void db.apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } }).catch(() => undefined);
  }
  return { organizationId: row.organizationId, keyId: row.id, userId: null, actor: `api-key:${row.id}`, scopes: row.scopes, expiresAt: row.expiresAt };
}
