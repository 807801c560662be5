import ipaddr from "ipaddr.js";
import type { HostPolicy } from "./policy.ts";
import { type Address, embeddedIPv4, inAnyNetwork, inNetwork, type Network, parseIPv6, parseNetwork } from "./networks.ts";

export type AddressCheck = { ok: true } | { ok: false; reason: string };

/** Cloud instance-metadata services (AWS IPv4/IPv6, GCP, Azure, Alibaba): a token's worth of credentials each. */
export const METADATA_ADDRESSES: readonly string[] = Object.freeze(["169.254.169.254", "fd00:ec2::254", "100.100.100.200"]);

/**
 * Ranges blocked whatever ipaddr.js's `range()` says. The Python guard reads this very list (written
 * into python-bridge by scripts/bridge-schemas.ts), so both sides agree even where ipaddr.js and
 * Python's `is_global` differ (e.g. multicast is "global" to Python, AS112 anycast is special to
 * ipaddr.js only).
 */
export const BLOCKED_NETWORKS: readonly string[] = Object.freeze([
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.31.196.0/24",
  "192.52.193.0/24",
  "192.88.99.0/24",
  "192.168.0.0/16",
  "192.175.48.0/24",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "240.0.0.0/4",
  // ::/96 also holds the deprecated IPv4-compatible form (::127.0.0.1), which ipaddr.js calls unicast.
  "::/96",
  "::ffff:0:0:0/96",
  "64:ff9b:1::/48",
  "100::/64",
  "2001::/23",
  "2001:db8::/32",
  "2620:4f:8000::/48",
  "3fff::/20",
  "5f00::/16",
  "fc00::/7",
  "fe80::/10",
  "fec0::/10",
  "ff00::/8",
]);

const blocked: Network[] = BLOCKED_NETWORKS.map((cidr) => parseNetwork(cidr) as Network);
const metadata: Address[] = METADATA_ADDRESSES.map((text) => ipaddr.parse(text));

/**
 * Whether a connection to `address` (as resolved, any spelling ipaddr.js reads) may be made.
 * Only `allowedNetworks` lifts a block: a host name in `extraHosts` never does.
 */
export function checkResolvedAddress(address: string, policy: HostPolicy): AddressCheck {
  const parsed = parseResolved(address);
  if (parsed === undefined) return { ok: false, reason: "is not an IP address" };
  const target = embeddedIPv4(parsed);
  if (inAnyNetwork(parsed, policy.allowedNetworks) || inAnyNetwork(target, policy.allowedNetworks)) return { ok: true };
  if (metadata.some((m) => m.kind() === target.kind() && m.toString() === target.toString())) {
    return { ok: false, reason: "is a cloud metadata service address" };
  }
  const range = target.range();
  if (range !== "unicast" || blocked.some((network) => inNetwork(target, network))) {
    return { ok: false, reason: `is in a blocked address range (${range === "unicast" ? "reserved" : range})` };
  }
  return { ok: true };
}

function parseResolved(address: string): Address | undefined {
  const text = address.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  if (text.includes(":")) return parseIPv6(text);
  // Resolvers answer in dotted decimal; any looser IPv4 spelling still means the address it spells.
  return ipaddr.IPv4.isValid(text) ? ipaddr.IPv4.parse(text) : undefined;
}
