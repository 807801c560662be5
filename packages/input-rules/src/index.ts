export { code, line, note, text, Timestamp, token } from "./text.ts";
export { hostField, integrationBodies, integrationFields, type IntegrationBodies, tokenNeededAgain } from "./integration.ts";
export { email, PASSWORD_MAX, PASSWORD_MIN, password, type Role, ROLES, role } from "./people.ts";
export {
  ALL_AUTH_TYPES,
  AUTH_TYPES,
  authColumns,
  authFields,
  authIssues,
  type AuthInput,
  type AuthIssue,
  type AuthType,
  resolvedAuthType,
  secretFieldOf,
  secretOf,
} from "./auth.ts";
