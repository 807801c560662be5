import { decryptSecret, encryptSecret, sealedKeyId, tokenSuffix, type KeyRing } from "@langguard/secrets";

/** The fields a token is bound to: change any of them and the stored token no longer opens. */
export interface TokenOwner {
  id: string;
  source: string;
  host: string;
}

/**
 * A stored token is authenticated together with the integration and the host it was entered
 * for, so it can never be decrypted for (and sent to) another host, whatever a row says.
 */
export function tokenBinding(owner: TokenOwner): string {
  return `langguard:integration:${owner.id}:${owner.source}:${owner.host}`;
}

export function sealToken(ring: KeyRing, owner: TokenOwner, token: string) {
  return { tokenCiphertext: encryptSecret(token, ring, tokenBinding(owner)), tokenLast4: tokenSuffix(token) };
}

export function openToken(ring: KeyRing, owner: TokenOwner & { tokenCiphertext: string | null }): string | null {
  return owner.tokenCiphertext ? decryptSecret(owner.tokenCiphertext, ring, tokenBinding(owner)) : null;
}

/** True when the token is sealed with an old key or the legacy format, i.e. rotation must rewrite it. */
export function needsResealing(ring: KeyRing, tokenCiphertext: string | null): boolean {
  return tokenCiphertext !== null && sealedKeyId(tokenCiphertext) !== ring.currentId;
}

/** A webhook's signing secret, bound to its webhook like a token to its integration. */
const webhookBinding = (webhookId: string) => `langguard:webhook:${webhookId}`;

export function sealWebhookSecret(ring: KeyRing, webhookId: string, secret: string): string {
  return encryptSecret(secret, ring, webhookBinding(webhookId));
}

export function openWebhookSecret(ring: KeyRing, webhookId: string, ciphertext: string): string {
  return decryptSecret(ciphertext, ring, webhookBinding(webhookId));
}
