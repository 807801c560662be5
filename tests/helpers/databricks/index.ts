export { startFakeWorkspace, generateToken, type FakeWorkspace, type FakeWorkspaceOptions } from "./workspace.ts";
export { startFaultProxy, type FaultProxy, type FaultProxyOptions } from "./fault-proxy.ts";
export type { FaultRule, FaultHandle } from "./faults.ts";
export type { RequestLogEntry } from "./http.ts";
export { validateUnityCatalogResponse, isUnityCatalogSpecPath, DATABRICKS_EXTRA_FIELDS, UNITY_CATALOG_SPEC_PATH } from "./openapi.ts";
export { runSdkProbe, type SdkCheck } from "./sdk-probe.ts";
export * from "./layout.ts";
export { startFakeEntraId, TokenIssuer, type FakeEntraId, type ServicePrincipal } from "./oauth.ts";
export * from "./serving-genie.ts";
