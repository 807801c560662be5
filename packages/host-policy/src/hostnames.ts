import type { HostPolicy } from "./shape.ts";
import { type Address, embeddedIPv4, inAnyNetwork, parseAddress } from "./networks.ts";

const LABEL = "[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?";
const DNS_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);

/** Lower-case LDH labels (plus "_"), at most 253 characters; WHATWG alone lets "a!b" or "a$b" through. */
export function isDnsName(host: string): boolean {
  return host.length <= 253 && DNS_NAME.test(host);
}

/** A WHATWG-canonical host that is an address: dotted-decimal IPv4 or bracketed IPv6. */
export function parseIpLiteral(host: string): Address | undefined {
  if (host.startsWith("[") && host.endsWith("]")) return host.includes(":") ? parseAddress(host.slice(1, -1)) : undefined;
  return host.includes(":") ? undefined : parseAddress(host);
}

function stripDot(host: string): string {
  return host.toLowerCase().replace(/\.$/, "");
}

/** `host` is `<label(s)>.<domain>` for an allowed domain, or is listed (exactly or by "*.suffix") in `extraHosts`. */
export function hostNameAllowed(hostname: string, policy: HostPolicy): boolean {
  const host = stripDot(hostname);
  const under = (suffix: string) => host.endsWith(`.${suffix}`) && host.length > suffix.length + 1;
  if (policy.allowedDomains.some((domain) => under(stripDot(domain).replace(/^\./, "")))) return true;
  return policy.extraHosts.some((entry) => {
    const pattern = stripDot(entry);
    return pattern.startsWith("*.") ? under(pattern.slice(2)) : host === pattern;
  });
}

/**
 * An IP literal in a URL passes only when the operator listed that address or its network;
 * comparisons go through the embedded IPv4 so "::ffff:127.0.0.1" is the same as "127.0.0.1".
 */
export function ipLiteralAllowed(address: Address, policy: HostPolicy): boolean {
  const target = embeddedIPv4(address).toString();
  const listed = policy.extraHosts.some((entry) => {
    const other = parseIpLiteral(entry) ?? parseIpLiteral(`[${entry.replace(/^\[(.*)\]$/, "$1")}]`);
    return other !== undefined && embeddedIPv4(other).toString() === target;
  });
  return listed || inAnyNetwork(address, policy.allowedNetworks) || inAnyNetwork(embeddedIPv4(address), policy.allowedNetworks);
}
