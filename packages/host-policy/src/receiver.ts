import { checkResolvedAddress } from "./address.ts";
import { parseIpLiteral } from "./hostnames.ts";
import type { HostPolicy } from "./policy.ts";
import { type Lookup, resolveAndCheck } from "./resolve.ts";
import { FORBIDDEN, MAX_URL_LENGTH } from "./url.ts";

/** `unresolved`: the name did not resolve (DNS down, a typo), as opposed to naming a forbidden address. */
export type ReceiverCheck = { ok: true; url: string } | { ok: false; reason: string; unresolved?: boolean };

const refuse = (reason: string, unresolved?: boolean): ReceiverCheck => ({ ok: false, reason, ...(unresolved ? { unresolved } : {}) });

/**
 * Whether LangGuard may send a webhook to `raw`. The same rules apply when a webhook is saved and
 * before every delivery, since a row can change after it was checked (or be written without the
 * API): https unless the operator allows http (SOURCE_ALLOW_HTTP); no user name or password; and
 * no internal address, neither an IP literal in any spelling the URL parser accepts ("127.1",
 * "2130706433", "[::ffff:7f00:1]", NAT64 and 6to4 forms) nor a name that resolves to one, unless
 * the operator allowed that network (SOURCE_ALLOWED_NETWORKS). The connection itself checks the
 * address again (DNS can answer differently by then), and redirects are never followed.
 */
export async function checkReceiverUrl(raw: string, policy: HostPolicy, lookup?: Lookup): Promise<ReceiverCheck> {
  if (raw === "") return refuse("is required");
  if (raw.length > MAX_URL_LENGTH) return refuse(`must be at most ${MAX_URL_LENGTH} characters`);
  if (FORBIDDEN.test(raw)) return refuse("must not contain spaces, control characters or backslashes");
  if (!URL.canParse(raw)) return refuse("must be an absolute URL, e.g. https://hooks.example.com/langguard");
  const url = new URL(raw);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && policy.allowHttp))
    return refuse(policy.allowHttp ? "must use http or https" : "must use https");
  if (url.username || url.password) return refuse("must not contain a user name or password");
  if (url.hostname === "") return refuse("must include a host name");
  // The parser has already turned every IPv4 spelling into dotted decimal and IPv6 into its canonical form.
  if (parseIpLiteral(url.hostname) !== undefined) {
    const verdict = checkResolvedAddress(url.hostname, policy);
    return verdict.ok ? { ok: true, url: url.toString() } : refuse(`${url.hostname} ${verdict.reason}, which webhooks may not reach`);
  }
  const resolved = await resolveAndCheck(url.hostname, policy, lookup);
  if (!resolved.ok) return refuse(resolved.reason, resolved.unresolved);
  return { ok: true, url: url.toString() };
}
