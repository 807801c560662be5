import { z } from "zod";

// Free-text rules (no control characters or bidirectional controls, code-point lengths) live in
// @langguard/input-rules, shared with the console, and are published in the OpenAPI document as
// the patterns that validate them.
export { text } from "@langguard/input-rules";

export const Uuid = z.uuid({ error: "must be a UUID" });
export const IdParams = z.object({ id: Uuid }).strict();

/** A whole number in a query string; an empty value (`?offset=`) is not 0 but no number at all. */
export const queryInteger = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" ? Number.NaN : v), schema);

/** A page's size, the same on every list: offset pages here, keyset pages (pagination/keyset.ts). */
export const pageLimit = queryInteger(
  z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").min(1, "must be at least 1").max(200, "must be at most 200").default(50),
);

export const pageQuery = {
  limit: pageLimit,
  offset: queryInteger(
    z.coerce
      .number({ error: "must be a whole number" })
      .int("must be a whole number")
      .min(0, "must be 0 or more")
      .max(1_000_000, "must be at most 1000000")
      .default(0),
  ),
};
export const PageQuery = z.object(pageQuery).strict();

/** Every list answers with the same envelope. */
export function Page<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number().int(), limit: z.number().int(), offset: z.number().int(), hasMore: z.boolean() });
}

export function page<T>(items: T[], total: number, limit: number, offset: number) {
  return { items, total, limit, offset, hasMore: offset + items.length < total };
}

export const FieldIssue = z.object({
  field: z.string(),
  reason: z.string(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  position: z.number().int().optional(),
});
export const ErrorBody = z
  .object({ statusCode: z.number().int(), error: z.string(), message: z.string(), issues: z.array(FieldIssue).optional(), field: z.string().optional() })
  .describe("Every error: the status, its name, what to fix, and for bad input the fields with their reasons");

/** Error answers every route may give, for the OpenAPI document and as allow-lists. */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  429: ErrorBody,
} as const;

export const Json = z.unknown();
