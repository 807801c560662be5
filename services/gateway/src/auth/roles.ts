import type { Role } from "@langguard/input-rules";
import type { Scope } from "./api-keys.ts";

/** A console role grants the API key scope of the same power; one rule (allows) then serves both. */
export const ROLE_SCOPE: Record<Role, Scope> = { viewer: "read", editor: "write", admin: "admin" };
