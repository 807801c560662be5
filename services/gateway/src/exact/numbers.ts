import { ExactNumber, isExactNumber, parseJson, stringifyJson } from "@langguard/exact-json";
import { ResponseSerializationError } from "fastify-type-provider-zod";
import { z } from "zod";

/**
 * Integers beyond 2^53 leave the API digit for digit. Postgres stores them exactly (bigint
 * columns, and jsonb for values a workspace sent); JavaScript numbers would round them, so they
 * travel as ExactNumber from the read to the response, and the serialiser writes them as the
 * JSON numbers they are.
 */

/** A bigint column as a JSON integer: a number while it is exact, an ExactNumber beyond 2^53. */
export function exactInteger(value: bigint | number | null): number | ExactNumber | null {
  if (value === null) return null;
  const number = Number(value);
  return Number.isSafeInteger(number) || typeof value === "number" ? number : new ExactNumber(value.toString());
}

/** A whole number of any size in a response (durations, token counts), documented as `integer`. */
export const ExactInteger = z
  .custom<number | ExactNumber>((v) => (typeof v === "number" && Number.isInteger(v)) || isExactNumber(v), "must be an integer")
  .meta({ type: "integer" });

/** A jsonb value read as text, parsed without rounding. */
export function exactJson(text: string | null): unknown {
  return text === null ? null : parseJson(text);
}

/**
 * The response serialiser of the whole API: the response schema still filters every field (an
 * allow-list) as fastify-type-provider-zod's own serialiser does, then ExactNumber values are
 * written exactly instead of as `{}`.
 */
export function exactSerializerCompiler({ schema, method, url }: { schema: unknown; method: string; url: string }) {
  return (data: unknown): string => {
    const result = (schema as z.ZodType).safeParse(data);
    if (!result.success) throw new ResponseSerializationError(method, url, { cause: result.error });
    return stringifyJson(result.data);
  };
}
