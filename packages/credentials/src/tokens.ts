import { decryptSecret, encryptSecret, sealedKeyId, tokenSuffix, type KeyRing } from "@langguard/secrets";

/** The fields a token is bound to: change any of them and the stored token no longer opens. */
export interface TokenOwner {
  id: string;
  source: string;
  host: string;
  /** The authentication method the secret was entered for; `pat` when absent. */
  authType?: string;
}

/**
 * Methods whose secret is sent as a bearer token to the integration's host, as every token was
 * before methods existed: their binding stays the one already sealed rows carry.
 */
const BEARER_METHODS = new Set(["pat", "bearer", "none"]);

/**
 * A stored token is authenticated together with the integration and the host it was entered
 * for, so it can never be decrypted for (and sent to) another host, whatever a row says. A client
 * secret or password is bound to its method too: a PAT can never be opened as a client secret and
 * posted to a token endpoint (Microsoft's, for Entra ID), nor a client secret sent as a bearer token.
 */
export function tokenBinding(owner: TokenOwner): string {
  const base = `langguard:integration:${owner.id}:${owner.source}:${owner.host}`;
  return !owner.authType || BEARER_METHODS.has(owner.authType) ? base : `${base}:${owner.authType}`;
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
