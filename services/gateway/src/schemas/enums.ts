import { z } from "zod";

/** "a", "a or b", "a, b or c": how an error message lists what is allowed. */
export function oneOfText(values: readonly string[]): string {
  return values.length <= 1 ? (values[0] ?? "") : `${values.slice(0, -1).join(", ")} or ${values.at(-1)}`;
}

/**
 * The API's enum for a column whose values Prisma's schema declares: the values come from the
 * generated client, so a value added to the schema is accepted and documented here at once, and
 * a 400 names every value allowed.
 */
export function fromPrisma<const E extends Record<string, string>>(values: E) {
  const list = Object.values(values) as [E[keyof E], ...Array<E[keyof E]>];
  return z.enum(list, { error: `must be ${oneOfText(list)}` });
}
