export { type AddressCheck, BLOCKED_NETWORKS, checkResolvedAddress, METADATA_ADDRESSES } from "./address.ts";
export { hostNameAllowed } from "./hostnames.ts";
export {
  ANY_PORT,
  DATABRICKS_DOMAINS,
  defaultHostPolicy,
  type HostPolicy,
  HostPolicyConfigError,
  hostPolicyFromEnv,
  serializeHostPolicy,
  validateHostPolicyEnv,
} from "./policy.ts";
export { checkReceiverUrl, type ReceiverCheck } from "./receiver.ts";
export { type Lookup, type LookupAddress, type ResolveCheck, resolveAndCheck } from "./resolve.ts";
export { checkSourceUrl, MAX_URL_LENGTH, REASONS, type SourceUrlCheck } from "./url.ts";
