/**
 * The image's HEALTHCHECK (`node dist/healthcheck.mjs [service]`): exit 0 when the service running
 * in this container answers /readyz on its ops listener (Postgres and Redis reachable), 1 when not.
 *
 * One healthcheck serves every service of the image: it finds which one the container runs (the
 * `node dist/<service>.mjs` process, unless named), and reads that service's ops address from the
 * container's environment with the service's own settings schema, so its ports and defaults are
 * stated once, in the service's env.ts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { z } from "zod";
import { envSchema as catalogSync } from "../services/catalog-sync/src/env.ts";
import { envSchema as gateway } from "../services/gateway/src/env.ts";
import { envSchema as policyEvaluation } from "../services/policy-evaluation/src/env.ts";
import { envSchema as traceSync } from "../services/trace-sync/src/env.ts";

const opsAddress = {
  gateway: z.object({ OPS_PORT: gateway.OPS_PORT, OPS_HOST: gateway.OPS_HOST }).transform((e) => ({ port: e.OPS_PORT, host: e.OPS_HOST })),
  "trace-sync": z
    .object({ METRICS_PORT: traceSync.METRICS_PORT, METRICS_HOST: traceSync.METRICS_HOST })
    .transform((e) => ({ port: e.METRICS_PORT, host: e.METRICS_HOST })),
  "catalog-sync": z
    .object({ METRICS_PORT: catalogSync.METRICS_PORT, METRICS_HOST: catalogSync.METRICS_HOST })
    .transform((e) => ({ port: e.METRICS_PORT, host: e.METRICS_HOST })),
  "policy-evaluation": z
    .object({ METRICS_PORT: policyEvaluation.METRICS_PORT, METRICS_HOST: policyEvaluation.METRICS_HOST })
    .transform((e) => ({ port: e.METRICS_PORT, host: e.METRICS_HOST })),
};
type Service = keyof typeof opsAddress;
const isService = (name: string): name is Service => name in opsAddress;

function fail(message: string): never {
  process.stderr.write(`unhealthy: ${message}\n`);
  process.exit(1);
}

/** The service of the first `node dist/<service>.mjs` process this container runs. */
function runningService(): Service | undefined {
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      const script = args.find((arg) => /(^|\/)dist\/[a-z-]+\.mjs$/.test(arg));
      const name = script?.replace(/^.*dist\/([a-z-]+)\.mjs$/, "$1");
      if (name && isService(name)) return name;
    } catch {
      // exited while we looked
    }
  }
  return undefined;
}

const named = process.argv[2];
if (named !== undefined && !isService(named)) fail(`unknown service '${named}' (one of ${Object.keys(opsAddress).join(", ")})`);
const service = named ?? runningService();
if (!service) fail("no service process (node dist/<service>.mjs) found in this container");
const parsed = opsAddress[service].safeParse(process.env);
if (!parsed.success) fail(`${service}'s ops settings are invalid: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
const { port, host } = parsed.data;
if (port === 0) {
  // The operator turned the ops listener off: the process being there is all that can be checked.
  if (named || runningService()) process.exit(0);
  fail(`${service} is not running`);
}
// A listener on every interface answers on loopback.
const target = host === "0.0.0.0" || host === "::" || host === "" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
const url = `http://${target}:${port}/readyz`;
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4_000) });
  if (!response.ok) fail(`${service} answered ${response.status} at ${url} (Postgres or Redis unreachable)`);
} catch (error) {
  fail(`${service} did not answer at ${url}: ${(error as Error).message}`);
}
