import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const ALGORITHM = "aes-256-gcm";
const VERSION = "v1";

/** Accepts 64 hex characters or base64 for 32 bytes (the config layer has already checked). */
export function parseEncryptionKey(value: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, "hex") : Buffer.from(value, "base64");
  if (key.length !== 32) throw new Error("ENCRYPTION_KEY must be 32 bytes (64 hex characters or base64)");
  return key;
}

/** AES-256-GCM with a random 96-bit IV; output is `v1.iv.tag.ciphertext` in base64url. */
export function encryptSecret(plaintext: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv(ALGORITHM, key, iv);
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), data].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(".");
}

export class SecretDecryptionError extends Error {
  constructor() {
    super("The stored token could not be decrypted: ENCRYPTION_KEY differs from the key it was saved with. Restore the key, or save the integration's token again.");
    this.name = "SecretDecryptionError";
  }
}

export function decryptSecret(sealed: string, key: Buffer): string {
  const [version, iv, tag, data] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || data === undefined) throw new SecretDecryptionError();
  try {
    const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptionError();
  }
}

/** What an API may show of a token: its last four characters, never more than a quarter of it. */
export function tokenSuffix(token: string): string {
  const visible = Math.min(4, Math.floor(token.length / 4));
  return visible > 0 ? token.slice(-visible) : "";
}

export function maskedToken(suffix: string | null | undefined): string | null {
  return suffix === null || suffix === undefined ? null : `****${suffix}`;
}
