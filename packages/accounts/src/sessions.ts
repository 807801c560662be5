import { createHash } from "node:crypto";
import type { Database, UserRole } from "@langguard/database";
import { newToken, sameSecret, tokenId } from "./tokens.ts";

export interface SessionSettings {
  /** A session unused this long ends (SESSION_IDLE_MINUTES). */
  idleMs: number;
  /** A session ends this long after sign-in, used or not (SESSION_MAX_HOURS). */
  maxMs: number;
}

export const SESSION_COOKIE = "lg_session";
export const CSRF_HEADER = "x-csrf-token";

/** Activity is written at most this often, so reading pages does not turn into a write per request. */
const TOUCH_EVERY_MS = 60_000;

export interface SignedIn {
  sessionId: string;
  userId: string;
  organizationId: string;
  email: string;
  role: UserRole;
  expiresAt: Date;
  idleExpiresAt: Date;
}

export async function createSession(db: Database, userId: string, settings: SessionSettings) {
  const token = newToken();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + settings.maxMs);
  await db.session.create({ data: { id: tokenId(token), userId, createdAt: now, lastSeenAt: now, expiresAt } });
  return { token, expiresAt };
}

/**
 * The user behind a session cookie, or null when the session is unknown, idle too long, past its
 * end, or its user is disabled. An ended session is deleted on the way.
 */
export async function resolveSession(db: Database, token: string, settings: SessionSettings, now = new Date()): Promise<SignedIn | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const id = tokenId(token);
  const session = await db.session.findUnique({ where: { id }, include: { user: true } });
  if (!session) return null;
  const idleEnd = new Date(session.lastSeenAt.getTime() + settings.idleMs);
  if (session.expiresAt <= now || idleEnd <= now || session.user.disabledAt) {
    await db.session.deleteMany({ where: { id } });
    return null;
  }
  let lastSeenAt = session.lastSeenAt;
  if (now.getTime() - lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    lastSeenAt = now;
    await db.session.updateMany({ where: { id }, data: { lastSeenAt: now } });
  }
  return {
    sessionId: id,
    userId: session.userId,
    organizationId: session.user.organizationId,
    email: session.user.email,
    role: session.user.role,
    expiresAt: session.expiresAt,
    idleExpiresAt: new Date(Math.min(lastSeenAt.getTime() + settings.idleMs, session.expiresAt.getTime())),
  };
}

export async function endSession(db: Database, token: string): Promise<void> {
  await db.session.deleteMany({ where: { id: tokenId(token) } });
}

/** Ends every session of a user: on disable, role change, delete and password change. */
export async function endSessionsOf(db: Database, userId: string): Promise<void> {
  await db.session.deleteMany({ where: { userId } });
}

/** Sessions past their end are removed now and then (at sign-in); lookups refuse them anyway. */
export async function pruneSessions(db: Database, settings: SessionSettings, now = new Date()): Promise<void> {
  await db.session.deleteMany({ where: { OR: [{ expiresAt: { lte: now } }, { lastSeenAt: { lte: new Date(now.getTime() - settings.idleMs) } }] } });
}

/**
 * The session's CSRF token: derived from the cookie's secret, so only a page that can read the
 * session answer (same origin) learns it, and nothing more is stored. A forged cross-site request
 * carries the cookie at most, never this header.
 */
export function csrfTokenOf(sessionToken: string): string {
  return createHash("sha256").update(`csrf:${sessionToken}`).digest("base64url");
}

export function csrfMatches(sessionToken: string, presented: string | undefined): boolean {
  return typeof presented === "string" && sameSecret(presented, csrfTokenOf(sessionToken));
}
