import { z } from "zod";

export const pageQuery = {
  limit: z.coerce.number().int("must be a whole number").min(1, "must be at least 1").max(200, "must be at most 200").default(50),
  offset: z.coerce.number().int("must be a whole number").min(0, "must be 0 or more").default(0),
};

export function page<T>(items: T[], total: number, limit: number, offset: number) {
  return { items, total, limit, offset, hasMore: offset + items.length < total };
}
