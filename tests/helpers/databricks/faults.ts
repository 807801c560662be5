import type { IncomingMessage, ServerResponse } from "node:http";
import { defaultErrorResponse } from "./errors.ts";
import { sleep } from "./http.ts";

export interface FaultRule {
  /** A string matches the request path exactly; a RegExp is tested against the path (no query string). */
  path: RegExp | string;
  method?: string;
  /** Answer with this status instead of the real response. Omit to only delay (with `delayMs`). */
  status?: number;
  /** How many matching requests the rule applies to; unlimited when omitted. */
  times?: number;
  /** Let this many matching requests through untouched first (e.g. fail only the second page). */
  skip?: number;
  /** Sets `Retry-After` (seconds); meaningful with 429 and 503. */
  retryAfterSeconds?: number;
  /** Replaces the default body: Databricks' JSON error envelope, or an HTML page for 404/502/504. */
  body?: string | object;
  headers?: Record<string, string>;
  /** Waits this long before answering (with `status`) or before handling the request normally. */
  delayMs?: number;
  /** Never answers; the connection stays open until the client gives up or the server stops. */
  hang?: boolean;
  /** Destroys the connection without any response. */
  drop?: boolean;
  /** Proxy only: forwards the real response but cuts the connection after this many body bytes. */
  truncateAfterBytes?: number;
}

export interface FaultHandle {
  readonly rule: FaultRule;
  /** Requests this rule has acted on so far. */
  readonly hits: number;
  remove(): void;
}

interface ActiveRule {
  rule: FaultRule;
  seen: number;
  hits: number;
}

/** The fault rules of one server, first match wins. */
export class FaultSet {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): FaultHandle {
    const active: ActiveRule = { rule, seen: 0, hits: 0 };
    this.rules.push(active);
    return {
      rule,
      get hits() {
        return active.hits;
      },
      remove: () => {
        this.rules = this.rules.filter((r) => r !== active);
      },
    };
  }

  clear(): void {
    this.rules = [];
  }

  /** The rule this request falls under, counting it against that rule's budget. */
  take(method: string, path: string): FaultRule | undefined {
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (typeof rule.path === "string" ? rule.path !== path : !rule.path.test(path)) continue;
      if (rule.times !== undefined && active.hits >= rule.times) continue;
      active.seen += 1;
      if (active.seen <= (rule.skip ?? 0)) return undefined;
      active.hits += 1;
      return rule;
    }
    return undefined;
  }
}

/**
 * Acts out a fault. Returns true when the request has been dealt with (answered, hung or dropped),
 * false when the caller should go on and handle it normally (a pure slow-down).
 */
export async function applyFault(rule: FaultRule, req: IncomingMessage, res: ServerResponse, path: string, signal: AbortSignal): Promise<boolean> {
  if (rule.delayMs) await sleep(rule.delayMs, signal);
  if (signal.aborted) {
    req.socket.destroy();
    return true;
  }
  if (rule.hang) return true;
  if (rule.drop) {
    req.socket.destroy();
    return true;
  }
  if (rule.status === undefined) return false;
  const canned = defaultErrorResponse(rule.status, path);
  const body = rule.body === undefined ? canned.body : typeof rule.body === "string" ? rule.body : JSON.stringify(rule.body);
  const headers: Record<string, string> = {
    ...(rule.body === undefined || typeof rule.body !== "string" ? canned.headers : { "content-type": "text/plain; charset=utf-8" }),
    ...(rule.retryAfterSeconds !== undefined ? { "retry-after": String(rule.retryAfterSeconds) } : {}),
    ...rule.headers,
  };
  res.writeHead(rule.status, { ...headers, "content-length": String(Buffer.byteLength(body)) });
  res.end(body);
  return true;
}
