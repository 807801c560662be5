// Moved to @langguard/accounts, so scripts need no service; kept for the gateway's own imports.
export * from "@langguard/accounts";
