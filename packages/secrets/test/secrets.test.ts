import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, maskedToken, parseEncryptionKey, SecretDecryptionError, tokenSuffix } from "@langguard/secrets";

describe("token encryption", () => {
  const key = randomBytes(32);

  it("round-trips, with a fresh IV each time, and the ciphertext does not contain the token", () => {
    const token = "dapi0123456789abcdef";
    const a = encryptSecret(token, key);
    const b = encryptSecret(token, key);
    expect(a).not.toBe(b);
    expect(a).not.toContain(token);
    expect(decryptSecret(a, key)).toBe(token);
    expect(decryptSecret(b, key)).toBe(token);
  });

  it("refuses a different key or a tampered ciphertext with advice", () => {
    const sealed = encryptSecret("dapi-secret", key);
    expect(() => decryptSecret(sealed, randomBytes(32))).toThrow(SecretDecryptionError);
    const parts = sealed.split(".");
    parts[3] = Buffer.from("tampered").toString("base64url");
    expect(() => decryptSecret(parts.join("."), key)).toThrow(/ENCRYPTION_KEY/);
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
