import ipaddr from "ipaddr.js";

export type Address = ipaddr.IPv4 | ipaddr.IPv6;
export type Network = [Address, number];

/**
 * Strict CIDR parsing: ipaddr.js alone also accepts "127.1/8"-style shorthand, which operators
 * would not expect to mean 127.0.0.1.
 */
export function parseNetwork(cidr: string): Network | undefined {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(cidr.trim());
  if (!match) return undefined;
  const [, text = "", bitsText = ""] = match;
  const address = parseAddress(text.replace(/^\[(.*)\]$/, "$1"));
  const bits = Number(bitsText);
  if (address === undefined || bits > (address.kind() === "ipv4" ? 32 : 128)) return undefined;
  return [address, bits];
}

/** Dotted-decimal IPv4 or IPv6 only: anything looser is a spelling trick, not an address we were given. */
export function parseAddress(text: string): Address | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  return text.includes(":") ? parseIPv6(text) : undefined;
}

/**
 * ipaddr.js reads the IPv4-compatible "::127.0.0.1" as the IPv4-mapped "::ffff:127.0.0.1"; the
 * WHATWG parser gets it right ("::7f00:1"), so dotted tails go through it first.
 */
export function parseIPv6(text: string): ipaddr.IPv6 | undefined {
  let canonical = text;
  if (text.includes(".")) {
    try {
      canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
    } catch {
      return undefined;
    }
  }
  return ipaddr.IPv6.isValid(canonical) ? ipaddr.IPv6.parse(canonical) : undefined;
}

export function inNetwork(address: Address, [network, bits]: Network): boolean {
  return address.kind() === network.kind() && address.match(network, bits);
}

export function inAnyNetwork(address: Address, cidrs: readonly string[]): boolean {
  return cidrs.some((cidr) => {
    const network = parseNetwork(cidr);
    return network !== undefined && inNetwork(address, network);
  });
}

/**
 * The IPv4 address a packet to `address` really reaches: IPv4-mapped (::ffff:a.b.c.d), NAT64
 * (64:ff9b::/96, where DNS64 networks put every IPv4-only host, Databricks included) and 6to4
 * (2002:aabb:ccdd::/48). Anything else is returned as is.
 */
export function embeddedIPv4(address: Address): Address {
  if (address.kind() === "ipv4") return address;
  const v6 = address as ipaddr.IPv6;
  const p = v6.parts;
  const fromWords = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  if (p[0] === 0x64 && p[1] === 0xff9b && p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0) return fromWords(p[6] ?? 0, p[7] ?? 0);
  if (p[0] === 0x2002) return fromWords(p[1] ?? 0, p[2] ?? 0);
  return address;
}
