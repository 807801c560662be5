import dns from "node:dns";
import { checkResolvedAddress } from "./address.ts";
import type { HostPolicy } from "./policy.ts";

export type LookupAddress = { address: string; family: number };
export type Lookup = (hostname: string, options: { all: true }) => Promise<LookupAddress[]>;
/** `unresolved`: the name did not resolve (DNS down, a typo), as opposed to resolving somewhere forbidden. */
export type ResolveCheck = { ok: true; addresses: string[] } | { ok: false; reason: string; unresolved?: boolean };

const defaultLookup: Lookup = (hostname, options) => dns.promises.lookup(hostname, options);

/**
 * Resolves `hostname` the way the bridge will and refuses when any answer is internal: a name
 * with one public and one private record is as dangerous as an all-private one. Host names in
 * `extraHosts` are checked too; their internal addresses need the network in `allowedNetworks`.
 * This is the gateway's check when an integration is saved or tested; the bridge repeats it at
 * connect time because DNS can answer differently by then.
 */
export async function resolveAndCheck(
  hostname: string,
  policy: HostPolicy,
  lookup: Lookup = defaultLookup,
  options: { timeoutMs?: number } = {},
): Promise<ResolveCheck> {
  const name = hostname.replace(/^\[(.*)\]$/, "$1");
  const timeoutMs = options.timeoutMs ?? 5_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  let answers: LookupAddress[] | "timeout";
  try {
    answers = await Promise.race([lookup(name, { all: true }), timeout]);
  } catch {
    return { ok: false, reason: `${hostname} could not be resolved`, unresolved: true };
  } finally {
    clearTimeout(timer);
  }
  if (answers === "timeout") return { ok: false, reason: `${hostname} did not resolve within ${Math.ceil(timeoutMs / 1000)} s`, unresolved: true };
  if (answers.length === 0) return { ok: false, reason: `${hostname} could not be resolved`, unresolved: true };
  if (answers.some((answer) => !checkResolvedAddress(answer.address, policy).ok)) {
    return { ok: false, reason: `${hostname} resolves to a private, internal or reserved address, which is not allowed` };
  }
  return { ok: true, addresses: answers.map((answer) => answer.address) };
}
