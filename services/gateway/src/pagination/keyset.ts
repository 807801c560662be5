import { z } from "zod";
import { HttpError } from "../plugins/error-handler.ts";
import { pageLimit, queryInteger } from "../schemas/common.ts";

/**
 * Keyset ("cursor") paging for lists that grow without bound. A page is the rows after the last
 * row of the previous page in a total order (a time, then the id), so rows inserted meanwhile are
 * neither skipped nor repeated, and a deep page costs what the first does: the index is entered
 * at the cursor instead of walked past `offset` rows.
 */

/** Offsets stay for small pages; past this a page is as slow as the rows it skips. */
export const MAX_OFFSET = 10_000;

export const keysetQuery = {
  limit: pageLimit,
  offset: queryInteger(
    z.coerce
      .number({ error: "must be a whole number" })
      .int("must be a whole number")
      .min(0, "must be 0 or more")
      .max(MAX_OFFSET, `must be at most ${MAX_OFFSET}; page deeper with \`cursor\` (the nextCursor of the page before)`)
      .optional(),
  ),
  cursor: z
    .string({ error: "must be the nextCursor of a page of this list" })
    .min(1, "must not be empty")
    .max(2000, "must be at most 2000 characters")
    .optional(),
  count: z
    .enum(["true", "false"], { error: "must be true or false" })
    .optional()
    .describe("true: the page also says the `total` of the filtered set (costs a count over it)"),
};

export interface KeysetQuery {
  limit: number;
  offset?: number | undefined;
  cursor?: string | undefined;
  count?: "true" | "false" | undefined;
}

type KeyKind = "date" | "string";

/** A list's total order: its keys, the last one unique (the id). */
export interface Keyset {
  /** Names the list, so that a cursor of another list is refused rather than misread. */
  list: string;
  direction: "asc" | "desc";
  keys: ReadonlyArray<{ field: string; kind: KeyKind }>;
}

/** Every keyset page answers with this envelope. */
export function KeysetPage<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    limit: z.number().int(),
    offset: z.number().int(),
    hasMore: z.boolean(),
    nextCursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page"),
    total: z.number().int().optional().describe("The size of the filtered set, with `count=true` only"),
  });
}

export function orderOf(keyset: Keyset): Array<Record<string, "asc" | "desc">> {
  return keyset.keys.map((k) => ({ [k.field]: keyset.direction }));
}

export function encodeCursor(keyset: Keyset, row: Record<string, unknown>): string {
  const values = keyset.keys.map((k) => {
    const value = row[k.field];
    return value instanceof Date ? value.toISOString() : String(value);
  });
  return Buffer.from(JSON.stringify({ l: keyset.list, v: values })).toString("base64url");
}

const badCursor = (reason: string) =>
  new HttpError(400, `querystring.cursor: ${reason}`, { issues: [{ field: "querystring.cursor", reason }], field: "querystring.cursor" });

export function decodeCursor(keyset: Keyset, cursor: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw badCursor("must be the nextCursor of a page of this list");
  }
  const body = parsed as { l?: unknown; v?: unknown };
  if (!body || typeof body !== "object" || body.l !== keyset.list || !Array.isArray(body.v) || body.v.length !== keyset.keys.length) {
    throw badCursor("must be the nextCursor of a page of this list");
  }
  return keyset.keys.map((k, i) => {
    const value = (body.v as unknown[])[i];
    if (typeof value !== "string") throw badCursor("must be the nextCursor of a page of this list");
    if (k.kind === "date") {
      const date = new Date(value);
      if (Number.isNaN(date.getTime())) throw badCursor("must be the nextCursor of a page of this list");
      return date;
    }
    return value;
  });
}

/**
 * The rows after the cursor. The leading bound on the first key is redundant with the OR but is
 * what lets Postgres start the index scan at the cursor (it cannot use an OR of row parts as an
 * index condition), so only rows tying on the first key are filtered.
 */
export function afterCursor(keyset: Keyset, values: unknown[]): Record<string, unknown> {
  const strict = keyset.direction === "desc" ? "lt" : "gt";
  const bound = keyset.direction === "desc" ? "lte" : "gte";
  const after = (i: number): Record<string, unknown> => {
    const field = keyset.keys[i]!.field;
    if (i === keyset.keys.length - 1) return { [field]: { [strict]: values[i] } };
    return { OR: [{ [field]: { [strict]: values[i] } }, { [field]: values[i], ...after(i + 1) }] };
  };
  return { AND: [{ [keyset.keys[0]!.field]: { [bound]: values[0] } }, after(0)] };
}

/** The findMany arguments of a page: the filter, from the cursor on, in the list's order, one row more than asked to know whether more follow. */
export function pageArgs<W extends object>(keyset: Keyset, where: W, query: KeysetQuery) {
  if (query.cursor !== undefined && query.offset) {
    throw new HttpError(400, "querystring.offset: must not be given with cursor (a cursor already says where the page starts)", {
      issues: [{ field: "querystring.offset", reason: "must not be given with cursor (a cursor already says where the page starts)" }],
      field: "querystring.offset",
    });
  }
  const from = query.cursor !== undefined ? afterCursor(keyset, decodeCursor(keyset, query.cursor)) : {};
  return {
    where: { ...where, ...from } as W,
    orderBy: orderOf(keyset),
    take: query.limit + 1,
    ...(query.cursor === undefined && query.offset ? { skip: query.offset } : {}),
  };
}

/** The envelope of a page read with pageArgs' extra row. */
export async function keysetPage<R extends Record<string, unknown>, T>(
  keyset: Keyset,
  query: KeysetQuery,
  rows: R[],
  map: (rows: R[]) => T[] | Promise<T[]>,
  count?: () => Promise<number>,
) {
  const hasMore = rows.length > query.limit;
  const kept = hasMore ? rows.slice(0, query.limit) : rows;
  const last = kept[kept.length - 1];
  const [items, total] = await Promise.all([map(kept), query.count === "true" && count ? count() : Promise.resolve(undefined)]);
  return {
    items,
    limit: query.limit,
    offset: query.cursor === undefined ? (query.offset ?? 0) : 0,
    hasMore,
    nextCursor: hasMore && last ? encodeCursor(keyset, last) : null,
    ...(total !== undefined ? { total } : {}),
  };
}
