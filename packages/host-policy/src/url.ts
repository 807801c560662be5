import { hostNameAllowed, ipLiteralAllowed, isDnsName, parseIpLiteral } from "./hostnames.ts";
import { ANY_PORT, type HostPolicy } from "./policy.ts";

export type SourceUrlCheck = { ok: true; url: string; hostname: string; port: number } | { ok: false; reason: string };

export const MAX_URL_LENGTH = 2048;

/**
 * Characters no workspace URL has, refused before parsing because parsers silently drop or
 * reinterpret them (tabs and newlines vanish, "\" becomes "/", zero-width and bidi marks hide
 * what the host really is). The Python guard uses the same class.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
export const FORBIDDEN = /[\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\ufeff\\]/;

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443 };

export const REASONS = {
  required: "is required",
  tooLong: `must be at most ${MAX_URL_LENGTH} characters`,
  characters: "must not contain spaces, control characters or backslashes",
  notAbsolute: "must be a full URL starting with https://",
  https: "must use https",
  httpOrHttps: "must use http or https",
  noHost: "must include a host name",
  userinfo: "must not contain a user name or password",
  percent: "host name must not be percent-encoded",
  fragment: "must not contain a fragment (#…)",
  query: "must not contain a query string (?…)",
  invalid: "is not a valid URL",
  ipLiteral: "IP addresses are not allowed; use the workspace's host name",
  trailingDot: "host name must not end with a dot",
  dnsName: "host name is not a valid DNS name",
  domain: "must be a Databricks workspace domain (e.g. https://dbc-xxx.cloud.databricks.com); other hosts need SOURCE_ALLOWED_HOSTS",
} as const;

/**
 * Whether users may point LangGuard at `raw`. The checks on the raw text come first because
 * the WHATWG parser forgives what an attacker relies on ("https:host", "https:///host", empty
 * userinfo, percent-decoded hosts); the parser then canonicalises what is left, so every IPv4
 * spelling (decimal, octal, hex, "127.1", full-width digits) arrives here as dotted decimal.
 */
export function checkSourceUrl(raw: string, policy: HostPolicy): SourceUrlCheck {
  if (typeof raw !== "string" || raw === "") return refuse(REASONS.required);
  if (raw.length > MAX_URL_LENGTH) return refuse(REASONS.tooLong);
  if (FORBIDDEN.test(raw)) return refuse(REASONS.characters);

  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(raw)?.[1]?.toLowerCase();
  if (scheme === undefined) return refuse(REASONS.notAbsolute);
  if (scheme !== "https" && !(scheme === "http" && policy.allowHttp)) return refuse(policy.allowHttp ? REASONS.httpOrHttps : REASONS.https);

  const authority = raw.slice(scheme.length + 3).split(/[/?#]/, 1)[0] ?? "";
  if (authority === "") return refuse(REASONS.noHost);
  if (authority.includes("@")) return refuse(REASONS.userinfo);
  if (authority.includes("%")) return refuse(REASONS.percent);
  if (raw.includes("#")) return refuse(REASONS.fragment);
  if (raw.includes("?")) return refuse(REASONS.query);

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse(REASONS.invalid);
  }
  if (url.username !== "" || url.password !== "") return refuse(REASONS.userinfo);

  const hostname = url.hostname;
  const address = parseIpLiteral(hostname);
  if (address !== undefined) {
    if (!ipLiteralAllowed(address, policy)) return refuse(REASONS.ipLiteral);
  } else {
    // A trailing dot names the same host, but it is not how anyone writes a workspace URL and
    // it changes TLS and Host-header matching; canonical URLs only.
    if (hostname.endsWith(".")) return refuse(REASONS.trailingDot);
    if (!isDnsName(hostname)) return refuse(REASONS.dnsName);
    if (!hostNameAllowed(hostname, policy)) return refuse(REASONS.domain);
  }

  const port = url.port === "" ? (DEFAULT_PORTS[scheme] ?? 443) : Number(url.port);
  const allowedPorts = allowedPortsFor(scheme, policy);
  if (!allowedPorts.includes(port) && !policy.allowedPorts.includes(ANY_PORT)) return refuse(`port ${port} is not allowed (only ${allowedPorts.join(", ")})`);

  return { ok: true, url: `${url.origin}${url.pathname.replace(/\/+$/, "")}`, hostname, port };
}

function allowedPortsFor(scheme: string, policy: HostPolicy): number[] {
  const ports = new Set([DEFAULT_PORTS[scheme] ?? 443, ...policy.allowedPorts]);
  return [...ports].sort((a, b) => a - b);
}

function refuse(reason: string): SourceUrlCheck {
  return { ok: false, reason };
}
