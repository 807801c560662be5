/**
 * Operator commands (run with `pnpm admin <command>`, from the image as `node dist/admin.mjs
 * <command>`, with docker compose as `docker compose run --rm admin <command>`; they read
 * DATABASE_URL and DATABASE_POOL_SIZE and, for the token commands, ENCRYPTION_KEY and
 * ENCRYPTION_KEY_PREVIOUS from the environment):
 *
 *   create-org <slug> <name>            an organization and its first admin API key (printed once)
 *   create-key <org slug> <name> <scopes, e.g. read,write>   another API key (printed once)
 *   create-operator-key <name>          a key for the fleet's operators: it opens the queue board and nothing else
 *   revoke-operator-key <prefix>        revokes an operator key
 *   create-user <org slug> <email> <role: viewer|editor|admin>  a console user, and a one-time
 *                                       link to set the password (PUBLIC_URL, else http://HOST:PORT)
 *   rotate-encryption-key               re-seals every stored token under ENCRYPTION_KEY
 */
import { parseEnv, coreEnv, encryptionKeyEnv, ConfigError } from "@langguard/config";
import { resealAllTokens } from "@langguard/credentials";
import { createPrismaClient } from "@langguard/database";
import { keyRingFromSettings } from "@langguard/secrets";
import { email as emailRule, role as roleRule } from "@langguard/input-rules";
import { createApiKey, createOperatorKey, createUser, EmailTakenError, PASSWORD_LINK_TTL_MS, passwordLinkUrl, type Scope } from "@langguard/accounts";

const usage = `usage:
  pnpm admin create-org <slug> <name>
  pnpm admin create-key <org slug> <key name> <scopes: read|write|admin, comma-separated>
  pnpm admin create-operator-key <name>
  pnpm admin revoke-operator-key <prefix>
  pnpm admin create-user <org slug> <email> <role: viewer|editor|admin>
  pnpm admin rotate-encryption-key`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

const [command, ...args] = process.argv.slice(2);
function loadAdminEnv() {
  try {
    return parseEnv(command === "rotate-encryption-key" ? { ...coreEnv, ...encryptionKeyEnv } : coreEnv);
  } catch (error) {
    return fail(error instanceof ConfigError ? error.message : String(error));
  }
}
const env = loadAdminEnv();

/** Where people reach the console: PUBLIC_URL, else the gateway's own listen address. */
function consoleUrl(): string {
  if (process.env.PUBLIC_URL) return process.env.PUBLIC_URL;
  const host = process.env.HOST && process.env.HOST !== "0.0.0.0" ? process.env.HOST : "127.0.0.1";
  return `http://${host}:${process.env.PORT ?? 3000}`;
}
const db = createPrismaClient({ url: env.DATABASE_URL, maxConnections: env.DATABASE_POOL_SIZE });

try {
  if (command === "create-org") {
    const [slug, name] = args;
    if (!slug || !name || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(slug)) fail(`${usage}\n(the slug is lower-case letters, digits and dashes)`);
    if (await db.organization.findUnique({ where: { slug } }))
      fail(`organization '${slug}' exists already; give it another key with: create-key ${slug} <key name> admin`);
    const org = await db.organization.create({ data: { slug, name } });
    const { key } = await createApiKey(db, org.id, "first admin key", ["admin"]);
    process.stdout.write(`organization ${org.slug} (${org.id})\nadmin API key (shown once, store it now): ${key}\n`);
  } else if (command === "create-key") {
    const [slug, name, scopeList] = args;
    const scopes = (scopeList ?? "").split(",").filter(Boolean) as Scope[];
    if (!slug || !name || scopes.length === 0 || scopes.some((s) => !["read", "write", "admin"].includes(s))) fail(usage);
    const org = await db.organization.findUnique({ where: { slug } });
    if (!org) fail(`no organization with slug '${slug}'`);
    const { key } = await createApiKey(db, org.id, name, scopes);
    process.stdout.write(`API key for ${slug} with ${scopes.join(",")} (shown once, store it now): ${key}\n`);
  } else if (command === "create-operator-key") {
    const [name] = args;
    if (!name) fail(usage);
    const { key } = await createOperatorKey(db, name);
    process.stdout.write(`operator key '${name}' for the queue board (shown once, store it now): ${key}\n`);
  } else if (command === "revoke-operator-key") {
    const [prefix] = args;
    if (!prefix) fail(usage);
    const revoked = await db.operatorKey.updateMany({ where: { prefix, revokedAt: null }, data: { revokedAt: new Date() } });
    if (revoked.count === 0) fail(`no active operator key with prefix '${prefix}'`);
    process.stdout.write(`operator key ${prefix} revoked\n`);
  } else if (command === "create-user") {
    const [slug, address, role] = args;
    const parsedEmail = emailRule.safeParse(address ?? "");
    const parsedRole = roleRule.safeParse(role ?? "");
    if (!slug || !parsedEmail.success || !parsedRole.success)
      fail(`${usage}\n(${!parsedEmail.success ? `email ${parsedEmail.error.issues[0]?.message}` : `role ${parsedRole.error?.issues[0]?.message}`})`);
    const org = await db.organization.findUnique({ where: { slug } });
    if (!org) fail(`no organization with slug '${slug}'`);
    try {
      const { user, link } = await createUser(db, org.id, parsedEmail.data, parsedRole.data);
      const hours = PASSWORD_LINK_TTL_MS / 3_600_000;
      process.stdout.write(
        `user ${user.email} (${user.role}) in ${slug}\nset-password link (one use, valid ${hours} h; shown once): ${passwordLinkUrl(consoleUrl(), link.token)}\n`,
      );
    } catch (error) {
      if (error instanceof EmailTakenError) fail(error.message);
      throw error;
    }
  } else if (command === "rotate-encryption-key") {
    // loadAdminEnv read the key settings for this command.
    const keys = env as unknown as { ENCRYPTION_KEY: string; ENCRYPTION_KEY_PREVIOUS?: string };
    const ring = keyRingFromSettings(keys.ENCRYPTION_KEY, keys.ENCRYPTION_KEY_PREVIOUS);
    const report = await resealAllTokens(db, ring);
    process.stdout.write(`${JSON.stringify(report)}\n`);
    if (report.raced > 0) process.stdout.write("Some tokens changed during the rotation; run the command again to finish them.\n");
    if (report.failed.length > 0) process.exitCode = 1;
  } else {
    fail(usage);
  }
} finally {
  await db.$disconnect();
}
