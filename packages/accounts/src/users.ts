import type { Database, PasswordLinkPurpose, UserRole } from "@langguard/database";
import { hashPassword } from "./passwords.ts";
import { endSessionsOf } from "./sessions.ts";
import { newToken, tokenId } from "./tokens.ts";

/** How long a one-time link to set a password stays valid. */
export const PASSWORD_LINK_TTL_MS = 72 * 3_600_000;

/**
 * The console page that sets a password. The token travels in the fragment (after #), which
 * browsers never send to a server: it stays out of access logs and Referer headers.
 */
export function passwordLinkUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/set-password#token=${token}`;
}

/** A new one-time link for the user; earlier unused links of that user stop working. */
export async function issuePasswordLink(db: Database, userId: string, purpose: PasswordLinkPurpose, now = new Date()) {
  const token = newToken();
  const expiresAt = new Date(now.getTime() + PASSWORD_LINK_TTL_MS);
  await db.$transaction([
    db.passwordLink.updateMany({ where: { userId, usedAt: null }, data: { usedAt: now } }),
    db.passwordLink.create({ data: { id: tokenId(token), userId, purpose, expiresAt } }),
  ]);
  return { token, expiresAt };
}

export class EmailTakenError extends Error {
  constructor(readonly email: string) {
    super(`A user with the e-mail ${email} already exists`);
  }
}

/** A user without a password, and the one-time link with which they set it. */
export async function createUser(db: Database, organizationId: string, email: string, role: UserRole) {
  const normalized = email.trim().toLowerCase();
  if (await db.user.findUnique({ where: { email: normalized } })) throw new EmailTakenError(normalized);
  const user = await db.user.create({ data: { organizationId, email: normalized, role } });
  const link = await issuePasswordLink(db, user.id, "invite");
  return { user, link };
}

/**
 * Sets the password of the link's user, once: the link is marked used in the same statement that
 * checks it, so two submissions cannot both succeed. Every other session of the user ends.
 */
export async function usePasswordLink(db: Database, token: string, password: string, now = new Date()) {
  const id = tokenId(token);
  const claimed = await db.passwordLink.updateMany({ where: { id, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
  if (claimed.count === 0) return null;
  const link = await db.passwordLink.findUniqueOrThrow({ where: { id }, include: { user: true } });
  if (link.user.disabledAt) return null;
  const passwordHash = await hashPassword(password);
  await endSessionsOf(db, link.userId);
  return db.user.update({ where: { id: link.userId }, data: { passwordHash } });
}
