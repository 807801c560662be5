import { createCipheriv, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  createKeyRing,
  decryptSecret,
  encryptSecret,
  keyId,
  maskedToken,
  parseEncryptionKey,
  SecretDecryptionError,
  sealedKeyId,
  tokenSuffix,
} from "@langguard/secrets";

describe("token encryption", () => {
  const key = randomBytes(32);
  const ring = createKeyRing(key);
  const binding = "integration:1:databricks:https://dbc-1.cloud.databricks.com";

  it("round-trips, with a fresh IV each time, and the ciphertext names its key but not the token", () => {
    const token = "dapi0123456789abcdef";
    const a = encryptSecret(token, ring, binding);
    const b = encryptSecret(token, ring, binding);
    expect(a).not.toBe(b);
    expect(a).not.toContain(token);
    expect(sealedKeyId(a)).toBe(keyId(key));
    expect(decryptSecret(a, ring, binding)).toBe(token);
    expect(decryptSecret(b, ring, binding)).toBe(token);
  });

  it("opens only for the binding it was sealed with: another host cannot use the token", () => {
    const sealed = encryptSecret("dapi-secret", ring, binding);
    expect(() => decryptSecret(sealed, ring, "integration:1:databricks:https://attacker.example.com")).toThrow(/another integration or host/);
  });

  it("fails loudly on tampering, on a key it does not have, and on garbage", () => {
    const sealed = encryptSecret("dapi-secret", ring, binding);
    const parts = sealed.split(".");
    const flipped = Buffer.from(parts[4]!, "base64url");
    flipped[0]! ^= 1;
    parts[4] = flipped.toString("base64url");
    expect(() => decryptSecret(parts.join("."), ring, binding)).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(sealed, createKeyRing(randomBytes(32)), binding)).toThrow(/ENCRYPTION_KEY_PREVIOUS/);
    expect(() => decryptSecret("v2.only.three", ring, binding)).toThrow(SecretDecryptionError);
  });

  it("reads with previous keys during a rotation and seals with the current one", () => {
    const next = randomBytes(32);
    const rotating = createKeyRing(next, [key]);
    const old = encryptSecret("dapi-old", ring, binding);
    expect(decryptSecret(old, rotating, binding)).toBe("dapi-old");
    expect(sealedKeyId(encryptSecret("dapi-new", rotating, binding))).toBe(keyId(next));
  });

  it("still opens the first format (v1, no key id) with any key of the ring", () => {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    const data = Buffer.concat([cipher.update("dapi-legacy", "utf8"), cipher.final()]);
    const legacy = ["v1", iv, cipher.getAuthTag(), data].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
    expect(decryptSecret(legacy, createKeyRing(randomBytes(32), [key]), binding)).toBe("dapi-legacy");
    expect(sealedKeyId(legacy)).toBeNull();
  });

  it("parses hex and base64 keys", () => {
    expect(parseEncryptionKey(key.toString("hex")).equals(key)).toBe(true);
    expect(parseEncryptionKey(key.toString("base64")).equals(key)).toBe(true);
    expect(() => parseEncryptionKey("abc")).toThrow(/32 bytes/);
  });

  it("shows at most four characters, and fewer of short tokens", () => {
    expect(maskedToken(tokenSuffix("dapi0123456789abcdef"))).toBe("****cdef");
    expect(tokenSuffix("abcdefgh")).toBe("gh");
    expect(tokenSuffix("abc")).toBe("");
    expect(maskedToken(null)).toBeNull();
  });
});
