import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const ALGORITHM = "aes-256-gcm";
const VERSION = "v2";
const LEGACY_VERSION = "v1";

/** Accepts 64 hex characters or base64 for 32 bytes (the config layer has already checked). */
export function parseEncryptionKey(value: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(value.trim()) ? Buffer.from(value.trim(), "hex") : Buffer.from(value.trim(), "base64");
  if (key.length !== 32) throw new Error("ENCRYPTION_KEY must be 32 bytes (64 hex characters or base64)");
  return key;
}

/**
 * A key's public name: stored in each ciphertext so the right key is picked, and so rotation can
 * find what is still sealed under an old one. A truncated hash reveals nothing usable of the key.
 */
export function keyId(key: Buffer): string {
  return createHash("sha256").update("langguard-encryption-key-id:").update(key).digest("hex").slice(0, 12);
}

/** The current key seals; every key in the ring (current and previous) can open. */
export interface KeyRing {
  readonly currentId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

export function createKeyRing(current: Buffer, previous: Buffer[] = []): KeyRing {
  const keys = new Map<string, Buffer>();
  for (const key of [current, ...previous]) keys.set(keyId(key), key);
  return { currentId: keyId(current), keys };
}

/** ENCRYPTION_KEY, plus ENCRYPTION_KEY_PREVIOUS (comma-separated) during a rotation. */
export function keyRingFromSettings(current: string, previous?: string | null): KeyRing {
  const old = (previous ?? "")
    .split(",")
    .map((k) => k.trim())
    .filter(Boolean)
    .map(parseEncryptionKey);
  return createKeyRing(parseEncryptionKey(current), old);
}

/**
 * AES-256-GCM with a random 96-bit IV. `binding` is authenticated but not stored: the ciphertext
 * opens only for the same binding (e.g. the integration and host it was entered for).
 * Output: `v2.<key id>.<iv>.<tag>.<ciphertext>`, base64url parts.
 */
export function encryptSecret(plaintext: string, ring: KeyRing, binding: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv(ALGORITHM, ring.keys.get(ring.currentId)!, iv);
  cipher.setAAD(Buffer.from(binding, "utf8"));
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, ring.currentId, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), data.toString("base64url")].join(".");
}

export type DecryptionFailure = "unknown_key" | "tampered" | "malformed";

export class SecretDecryptionError extends Error {
  constructor(readonly reason: DecryptionFailure) {
    super(
      reason === "unknown_key"
        ? "The stored token was sealed with an encryption key this process does not have. Configure that key as ENCRYPTION_KEY or ENCRYPTION_KEY_PREVIOUS, or save the integration's token again."
        : "The stored token failed its integrity check: the ciphertext was altered, or it belongs to another integration or host. Save the integration's token again.",
    );
    this.name = "SecretDecryptionError";
  }
}

/** The key id a ciphertext was sealed with (null for the legacy format, which carries none). */
export function sealedKeyId(sealed: string): string | null {
  const [version, id] = sealed.split(".");
  return version === VERSION && id ? id : null;
}

export function decryptSecret(sealed: string, ring: KeyRing, binding: string): string {
  const parts = sealed.split(".");
  if (parts[0] === LEGACY_VERSION) return decryptLegacy(parts, ring);
  const [version, id, iv, tag, data] = parts;
  if (version !== VERSION || !id || !iv || !tag || data === undefined || parts.length !== 5) throw new SecretDecryptionError("malformed");
  const key = ring.keys.get(id);
  if (!key) throw new SecretDecryptionError("unknown_key");
  return open(key, iv, tag, data, binding);
}

function open(key: Buffer, iv: string, tag: string, data: string, binding: string | null): string {
  try {
    const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, "base64url"));
    if (binding !== null) decipher.setAAD(Buffer.from(binding, "utf8"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptionError("tampered");
  }
}

/** v1 (`v1.iv.tag.data`, no key id, no binding): tried with every key; rotation rewrites it as v2. */
function decryptLegacy([, iv, tag, data]: string[], ring: KeyRing): string {
  if (!iv || !tag || data === undefined) throw new SecretDecryptionError("malformed");
  for (const key of ring.keys.values()) {
    try {
      return open(key, iv, tag, data, null);
    } catch {
      // try the next key
    }
  }
  throw new SecretDecryptionError("unknown_key");
}

/** What an API may show of a token: its last four characters, never more than a quarter of it. */
export function tokenSuffix(token: string): string {
  const visible = Math.min(4, Math.floor(token.length / 4));
  return visible > 0 ? token.slice(-visible) : "";
}

export function maskedToken(suffix: string | null | undefined): string | null {
  return suffix === null || suffix === undefined ? null : `****${suffix}`;
}
