import { hash, verify } from "@node-rs/argon2";

/**
 * argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 30 ms here, so a
 * stolen table costs an attacker that much per guess and per account.
 */
const PARAMETERS = { algorithm: 2 /* Algorithm.Argon2id, a const enum */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMETERS);
}

// A real hash of a random password: an unknown e-mail costs the same verification as a known one,
// so the time a sign-in takes does not tell whether the address has an account.
const DECOY = hashPassword(crypto.randomUUID());

/** Whether `password` matches `stored`; with no stored hash it still spends the time of one check. */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (!stored) {
    await verify(await DECOY, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
