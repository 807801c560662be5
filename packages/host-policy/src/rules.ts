/**
 * The part of the host policy that needs no network and no Node built-ins: the URL rules and the
 * policy's shape. The console imports this entry to check a host as the user types it, with the
 * very function the gateway runs; DNS checks (resolve.ts) stay on the server.
 */
export { hostNameAllowed } from "./hostnames.ts";
export { ANY_PORT, DATABRICKS_DOMAINS, type HostPolicy } from "./policy.ts";
export { checkSourceUrl, MAX_URL_LENGTH, REASONS, type SourceUrlCheck } from "./url.ts";
