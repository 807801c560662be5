import http from "node:http";
import https from "node:https";
import dns from "node:dns";
import type { LookupFunction } from "node:net";
import { checkResolvedAddress, type HostPolicy } from "@langguard/host-policy";

export interface PostResult {
  ok: boolean;
  status: number | null;
  /** Our words for what went wrong; never the receiver's body. */
  error: string | null;
}

/** Resolves, then refuses internal addresses at connect time: a receiver cannot rebind to one. */
function guardedLookup(policy: HostPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "", 4);
      const list = addresses as dns.LookupAddress[];
      const blocked = list.find((a) => !checkResolvedAddress(a.address, policy).ok);
      if (blocked || list.length === 0)
        return callback(Object.assign(new Error(`${hostname} resolves to an address webhooks may not reach`), { code: "EBLOCKED" }), "", 4);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** One POST with a deadline; follows no redirects. */
export function postJson(url: string, body: string, headers: Record<string, string>, policy: HostPolicy, timeoutMs: number): Promise<PostResult> {
  const target = new URL(url);
  const client = target.protocol === "https:" ? https : http;
  return new Promise((resolve) => {
    const request = client.request(
      target,
      {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "user-agent": "LangGuard-Webhooks/1", ...headers },
        lookup: guardedLookup(policy),
        timeout: timeoutMs,
      },
      (response) => {
        response.resume();
        response.on("end", () => {
          const status = response.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          // A redirect could lead anywhere, another host or an internal one: it is a failure, never followed.
          const error = ok
            ? null
            : status >= 300 && status < 400
              ? `the receiver answered HTTP ${status}, a redirect, which is not followed`
              : `the receiver answered HTTP ${status}`;
          resolve({ ok, status, error });
        });
      },
    );
    request.on("timeout", () => request.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
    request.on("error", (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === "EBLOCKED"
          ? error.message
          : error.code === "ETIMEDOUT"
            ? `no answer within ${timeoutMs} ms`
            : `could not connect (${error.code ?? "error"})`;
      resolve({ ok: false, status: null, error: reason });
    });
    request.end(body);
  });
}
