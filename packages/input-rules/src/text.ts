import { z } from "zod";

// Postgres text cannot hold NUL, and control characters in names and filters are never intended:
// refuse them with the field's name rather than fail later.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** A user-supplied line of text: trimmed, bounded, no control characters. */
export function text(max: number, what = "characters") {
  return z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} ${what}`)
    .refine((v) => !CONTROL.test(v), "must not contain control characters (such as NUL)");
}
