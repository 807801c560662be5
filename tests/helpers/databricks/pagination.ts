import { ApiError, invalidParameter } from "./errors.ts";
import type { Listing, ListingQuirk } from "./layout.ts";

export interface PagingConfig {
  /** The "server configured value" the spec bounds every page by. */
  pageSize: number;
  /**
   * Without max_results, Databricks still answers unpaginated for old clients ("all"); the
   * open-source server pages anyway ("paginate", the default: it is what clients must survive).
   */
  whenMaxResultsOmitted: "paginate" | "all";
  /** How the last page says it is last: the spec's absent token, or an empty string. */
  lastPageToken: "absent" | "empty";
}

interface Token {
  /** Offset of the next item. */
  o: number;
  /** Index of the page this token asks for. */
  p: number;
  /** Name of the last item served, so deletions between pages neither skip nor repeat items. */
  k?: string;
  /** Set once a quirk's empty page has been served. */
  e?: 1;
}

const encode = (t: Token) => Buffer.from(JSON.stringify(t)).toString("base64url");

function decode(raw: string): Token {
  try {
    const t = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Token;
    if (Number.isInteger(t.o) && t.o >= 0 && Number.isInteger(t.p)) return t;
  } catch {
    // falls through to the error
  }
  throw invalidParameter(`Invalid page token: ${raw}`);
}

export function parseMaxResults(raw: string | null): number | undefined {
  if (raw === null) return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(n)) throw invalidParameter(`max_results must be an integer, got '${raw}'`);
  if (n < 0) throw invalidParameter("max_results must be greater than or equal to 0");
  return n;
}

export interface PageRequest {
  listing: Listing;
  parent: string;
  maxResults: number | undefined;
  pageToken: string | null;
}

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

/** Tracks how often each `fail` quirk has fired, so `times` can let a retry through. */
const quirkFailures = new WeakMap<ListingQuirk, number>();

/**
 * One page of `items` (in listing order) per the spec: a page holds min(max_results, server
 * size) items, or the server size for max_results=0, and `next_page_token` is absent at the end.
 */
export function paginate<T extends { name: string }>(items: T[], req: PageRequest, config: PagingConfig, quirks: ListingQuirk[]): Page<T> {
  const token = req.pageToken ? decode(req.pageToken) : { o: 0, p: 0 };
  const quirk = quirks.find((q) => q.listing === req.listing && q.parent === req.parent);

  if (quirk?.kind === "fail" && token.p >= (quirk.fromPage ?? 1)) {
    const fired = quirkFailures.get(quirk) ?? 0;
    if (quirk.times === undefined || fired < quirk.times) {
      quirkFailures.set(quirk, fired + 1);
      const status = quirk.status ?? 503;
      throw new ApiError(
        status,
        status === 503 ? "TEMPORARILY_UNAVAILABLE" : "INTERNAL_ERROR",
        status === 503 ? "The service is temporarily unavailable." : "Internal error occurred while listing.",
        quirk.retryAfterSeconds !== undefined ? { "retry-after": String(quirk.retryAfterSeconds) } : {},
      );
    }
  }

  if (quirk?.kind === "empty-page" && token.p === (quirk.atPage ?? 1) && !token.e) {
    return { items: [], nextPageToken: encode({ ...token, p: token.p + 1, e: 1 }) };
  }

  const size =
    req.maxResults === undefined
      ? config.whenMaxResultsOmitted === "all"
        ? Number.POSITIVE_INFINITY
        : config.pageSize
      : req.maxResults === 0
        ? config.pageSize
        : Math.min(req.maxResults, config.pageSize);
  let start = token.o;
  if (token.k !== undefined) {
    const after = items.findIndex((item) => item.name === token.k);
    if (after >= 0) start = after + 1;
  }
  const pageItems = items.slice(start, start + size);
  const next = start + pageItems.length;

  if (quirk?.kind === "repeating-token" && req.pageToken && token.p >= (quirk.fromPage ?? 1)) {
    return { items: pageItems, nextPageToken: req.pageToken };
  }
  // A quirk set on page N must be reachable whatever the page size: page N-1 always links on.
  const leadsToQuirk = quirk !== undefined && token.p + 1 === triggerPage(quirk);
  if (next < items.length || leadsToQuirk) {
    return { items: pageItems, nextPageToken: encode({ o: next, p: token.p + 1, k: pageItems.at(-1)?.name, ...(token.e ? { e: 1 as const } : {}) }) };
  }
  return config.lastPageToken === "empty" ? { items: pageItems, nextPageToken: "" } : { items: pageItems };
}

function triggerPage(quirk: ListingQuirk): number {
  return quirk.kind === "empty-page" ? (quirk.atPage ?? 1) : (quirk.fromPage ?? 1);
}
