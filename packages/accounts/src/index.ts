// Who may use LangGuard: organization and operator API keys, people, their passwords and console
// sessions. The gateway authenticates with these; scripts/admin.ts creates the first of each.
export * from "./api-keys.ts";
export * from "./passwords.ts";
export * from "./sessions.ts";
export * from "./tokens.ts";
export * from "./users.ts";
