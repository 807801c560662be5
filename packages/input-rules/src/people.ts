import { z } from "zod";
import { EMAIL } from "./text.ts";

/** What each console role may do, as the API key scope of the same power. */
export const ROLES = ["viewer", "editor", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const role = z.enum(ROLES, { error: "must be 'viewer', 'editor' or 'admin'" });

/** E-mail addresses are compared lower-cased; the shape check is deliberately loose (the link proves the address). */
export const email = z
  .string()
  .trim()
  .max(254, "must be at most 254 characters")
  .regex(EMAIL, "must be an e-mail address such as ada@example.com")
  .transform((v) => v.toLowerCase());

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

/**
 * NIST SP 800-63B: length matters, composition rules do not. 256 characters bounds the hashing
 * work one request can ask for.
 */
export const password = z
  .string()
  .min(PASSWORD_MIN, `must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`);
