import { isDnsName, parseIpLiteral } from "./hostnames.ts";
import type { HostPolicy } from "./shape.ts";
import { parseNetwork } from "./networks.ts";

export type { HostPolicy };

/** Databricks' official workspace domains (AWS, GovCloud, Azure, Azure Gov, Azure China, GCP). */
export const DATABRICKS_DOMAINS: readonly string[] = Object.freeze([
  "cloud.databricks.com",
  "cloud.databricks.us",
  "azuredatabricks.net",
  "databricks.azure.us",
  "databricks.azure.cn",
  "gcp.databricks.com",
]);

/** In `allowedPorts`: every port is allowed. */
export const ANY_PORT = 0;

export function defaultHostPolicy(): HostPolicy {
  return { allowedDomains: [...DATABRICKS_DOMAINS], extraHosts: [], allowedNetworks: [], allowHttp: false, allowedPorts: [443] };
}

/** The operator's host policy settings are wrong; each problem names its variable. */
export class HostPolicyConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid host policy configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "HostPolicyConfigError";
  }
}

type Env = Record<string, string | undefined>;

/** Problems with the SOURCE_ALLOWED_* variables, one readable line each; empty when all is well. */
export function validateHostPolicyEnv(env: Env = process.env): string[] {
  return readHostPolicyEnv(env).problems;
}

/** Throws HostPolicyConfigError rather than silently ignoring a setting the operator meant to apply. */
export function hostPolicyFromEnv(env: Env = process.env): HostPolicy {
  const { policy, problems } = readHostPolicyEnv(env);
  if (problems.length > 0) throw new HostPolicyConfigError(problems);
  return policy;
}

/**
 * Compact JSON for the bridge child (`LANGGUARD_HOST_POLICY`); `v` lets the Python guard refuse
 * a format it does not know instead of guessing.
 */
export function serializeHostPolicy(policy: HostPolicy): string {
  return JSON.stringify({
    v: 1,
    allowedDomains: policy.allowedDomains,
    extraHosts: policy.extraHosts,
    allowedNetworks: policy.allowedNetworks,
    allowHttp: policy.allowHttp,
    allowedPorts: policy.allowedPorts,
    ...(policy.entraLoginUrl ? { entraLoginUrl: policy.entraLoginUrl } : {}),
  });
}

/** Microsoft Entra ID's public login host, which the Databricks SDK uses for Azure service principals. */
export const ENTRA_LOGIN_URL = "https://login.microsoftonline.com/";

function readHostPolicyEnv(env: Env): { policy: HostPolicy; problems: string[] } {
  const problems: string[] = [];
  const policy = defaultHostPolicy();

  for (const entry of list(env.SOURCE_ALLOWED_HOSTS)) {
    const host = normaliseHostEntry(entry);
    if (host === undefined) {
      problems.push(
        `SOURCE_ALLOWED_HOSTS: ${JSON.stringify(entry)} is not a host name (expected e.g. mlflow.internal.corp, *.corp.example, 127.0.0.1; no scheme or port)`,
      );
    } else if (!policy.extraHosts.includes(host)) {
      policy.extraHosts.push(host);
    }
  }

  for (const entry of list(env.SOURCE_ALLOWED_NETWORKS)) {
    const network = normaliseNetwork(entry);
    if (network === undefined) problems.push(`SOURCE_ALLOWED_NETWORKS: ${JSON.stringify(entry)} is not a CIDR range (expected e.g. 10.0.0.0/8 or fd00::/8)`);
    else if (!policy.allowedNetworks.includes(network)) policy.allowedNetworks.push(network);
  }

  const http = env.SOURCE_ALLOW_HTTP?.trim().toLowerCase() ?? "";
  if (http === "true") policy.allowHttp = true;
  else if (http !== "" && http !== "false") problems.push(`SOURCE_ALLOW_HTTP: expected true or false (got ${JSON.stringify(env.SOURCE_ALLOW_HTTP)})`);

  for (const entry of list(env.SOURCE_ALLOWED_PORTS)) {
    // "*": any port, for self-hosted servers on ports chosen at run time (development, tests).
    const port = entry === "*" ? ANY_PORT : /^\d{1,5}$/.test(entry) ? Number(entry) : Number.NaN;
    if (!(entry === "*" || (port >= 1 && port <= 65535)))
      problems.push(`SOURCE_ALLOWED_PORTS: ${JSON.stringify(entry)} is not a port (expected whole numbers from 1 to 65535, or *)`);
    else if (!policy.allowedPorts.includes(port)) policy.allowedPorts.push(port);
  }

  const entra = env.SOURCE_ENTRA_LOGIN_URL?.trim() ?? "";
  if (entra !== "") {
    let url: URL | undefined;
    try {
      url = new URL(entra);
    } catch {
      url = undefined;
    }
    if (!url || !["https:", "http:"].includes(url.protocol) || url.search || url.hash || url.username || url.password)
      problems.push(`SOURCE_ENTRA_LOGIN_URL: ${JSON.stringify(entra)} is not a login URL (expected e.g. ${ENTRA_LOGIN_URL})`);
    else if (url.protocol === "http:" && !policy.allowHttp) problems.push("SOURCE_ENTRA_LOGIN_URL: http needs SOURCE_ALLOW_HTTP=true");
    // The SDK appends "<tenant>/oauth2/token" to it.
    else policy.entraLoginUrl = url.href.endsWith("/") ? url.href : `${url.href}/`;
  }

  return { policy, problems };
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

function normaliseHostEntry(entry: string): string | undefined {
  const host = entry.toLowerCase().replace(/\.$/, "");
  const ip = parseIpLiteral(host) ?? parseIpLiteral(`[${host}]`);
  if (ip !== undefined) return ip.toString();
  const name = host.startsWith("*.") ? host.slice(2) : host;
  // A name ending in a number would be read as an IPv4 address by URL parsers, never as a name.
  if (!isDnsName(name) || /(^|\.)(\d+|0x[0-9a-f]*)$/.test(name)) return undefined;
  return host;
}

function normaliseNetwork(entry: string): string | undefined {
  const network = parseNetwork(entry.includes("/") ? entry : `${entry}/${entry.includes(":") ? 128 : 32}`);
  return network === undefined ? undefined : `${network[0].toString()}/${network[1]}`;
}
