import type { Database } from "@langguard/database";
import type { KeyRing } from "@langguard/secrets";
import { needsResealing, openToken, openWebhookSecret, sealToken, sealWebhookSecret } from "./tokens.ts";

export interface RotationReport {
  resealed: number;
  alreadyCurrent: number;
  /** Rows another writer changed while we worked; a second pass picks them up. */
  raced: number;
  failed: Array<{ integrationId: string; reason: string }>;
}

/**
 * Re-seals every stored token under the ring's current key, one row at a time. Each update is
 * conditional on the ciphertext it read, so a token saved concurrently through the API is never
 * overwritten with an older one; syncs keep working throughout because every process holds
 * both keys (ENCRYPTION_KEY plus ENCRYPTION_KEY_PREVIOUS) until the rotation is over.
 */
export async function resealAllTokens(db: Database, ring: KeyRing, batchSize = 200): Promise<RotationReport> {
  const report: RotationReport = { resealed: 0, alreadyCurrent: 0, raced: 0, failed: [] };
  let after: string | undefined;
  for (;;) {
    const rows = await db.integration.findMany({
      where: { tokenCiphertext: { not: null }, ...(after ? { id: { gt: after } } : {}) },
      select: { id: true, source: true, host: true, authType: true, tokenCiphertext: true },
      orderBy: { id: "asc" },
      take: batchSize,
    });
    if (rows.length === 0) return resealWebhookSecrets(db, ring, report);
    after = rows.at(-1)!.id;
    for (const row of rows) {
      if (!needsResealing(ring, row.tokenCiphertext)) {
        report.alreadyCurrent += 1;
        continue;
      }
      try {
        const token = openToken(ring, row)!;
        const sealed = sealToken(ring, row, token);
        const updated = await db.integration.updateMany({
          where: { id: row.id, tokenCiphertext: row.tokenCiphertext },
          data: { tokenCiphertext: sealed.tokenCiphertext },
        });
        if (updated.count === 1) report.resealed += 1;
        else report.raced += 1;
      } catch (error) {
        report.failed.push({ integrationId: row.id, reason: error instanceof Error ? error.message : String(error) });
      }
    }
  }
}

/** Webhook signing secrets are sealed with the same keys, so they rotate with the tokens. */
async function resealWebhookSecrets(db: Database, ring: KeyRing, report: RotationReport): Promise<RotationReport> {
  const hooks = await db.webhook.findMany({ select: { id: true, secretCiphertext: true } });
  for (const hook of hooks) {
    if (!needsResealing(ring, hook.secretCiphertext)) {
      report.alreadyCurrent += 1;
      continue;
    }
    try {
      const resealed = sealWebhookSecret(ring, hook.id, openWebhookSecret(ring, hook.id, hook.secretCiphertext));
      const updated = await db.webhook.updateMany({ where: { id: hook.id, secretCiphertext: hook.secretCiphertext }, data: { secretCiphertext: resealed } });
      if (updated.count === 1) report.resealed += 1;
      else report.raced += 1;
    } catch (error) {
      report.failed.push({ integrationId: `webhook:${hook.id}`, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return report;
}
