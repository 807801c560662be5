import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** 256 random bits, URL-safe: session cookies and one-time links. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** What is stored in place of a token: its SHA-256 (the token is random, so no slow hash is needed). */
export function tokenId(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
