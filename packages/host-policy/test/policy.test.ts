import { describe, expect, it } from "vitest";
import {
  DATABRICKS_DOMAINS,
  defaultHostPolicy,
  HostPolicyConfigError,
  hostPolicyFromEnv,
  serializeHostPolicy,
  validateHostPolicyEnv,
} from "@langguard/host-policy";
import { checkSourceUrl as checkUrl } from "@langguard/host-policy";

describe("host policy from the environment", () => {
  it("defaults to Databricks' domains over https on 443", () => {
    expect(hostPolicyFromEnv({})).toEqual({
      allowedDomains: [...DATABRICKS_DOMAINS],
      extraHosts: [],
      allowedNetworks: [],
      allowHttp: false,
      allowedPorts: [443],
    });
    expect(defaultHostPolicy()).toEqual(hostPolicyFromEnv({}));
  });

  it("reads Entra ID's login endpoint, for Azure service principals only, and refuses one that is not a URL", () => {
    expect(hostPolicyFromEnv({}).entraLoginUrl).toBeUndefined();
    expect(hostPolicyFromEnv({ SOURCE_ENTRA_LOGIN_URL: "https://login.microsoftonline.us" }).entraLoginUrl).toBe("https://login.microsoftonline.us/");
    expect(serializeHostPolicy(hostPolicyFromEnv({ SOURCE_ENTRA_LOGIN_URL: "https://login.microsoftonline.us/" }))).toContain(
      '"entraLoginUrl":"https://login.microsoftonline.us/"',
    );
    expect(validateHostPolicyEnv({ SOURCE_ENTRA_LOGIN_URL: "login.microsoftonline.com" })).toEqual([
      'SOURCE_ENTRA_LOGIN_URL: "login.microsoftonline.com" is not a login URL (expected e.g. https://login.microsoftonline.com/)',
    ]);
    expect(validateHostPolicyEnv({ SOURCE_ENTRA_LOGIN_URL: "http://127.0.0.1:9000/" })).toEqual(["SOURCE_ENTRA_LOGIN_URL: http needs SOURCE_ALLOW_HTTP=true"]);
  });

  it("reads and normalises the operator's lists", () => {
    expect(
      hostPolicyFromEnv({
        SOURCE_ALLOWED_HOSTS: " MLflow.Internal.Corp. ,127.0.0.1,[::1],*.corp.example,,",
        SOURCE_ALLOWED_NETWORKS: "127.0.0.0/8, 10.1.2.3, fd00::/8",
        SOURCE_ALLOW_HTTP: "TRUE",
        SOURCE_ALLOWED_PORTS: "5000,443",
      }),
    ).toEqual({
      allowedDomains: [...DATABRICKS_DOMAINS],
      extraHosts: ["mlflow.internal.corp", "127.0.0.1", "::1", "*.corp.example"],
      allowedNetworks: ["127.0.0.0/8", "10.1.2.3/32", "fd00::/8"],
      allowHttp: true,
      allowedPorts: [443, 5000],
    });
  });

  it("allows any port only when the operator says *", () => {
    const any = hostPolicyFromEnv({ SOURCE_ALLOW_HTTP: "true", SOURCE_ALLOWED_HOSTS: "127.0.0.1", SOURCE_ALLOWED_PORTS: "*" });
    expect(checkUrl("http://127.0.0.1:54321", any)).toMatchObject({ ok: true, port: 54321 });
    const fixed = hostPolicyFromEnv({ SOURCE_ALLOW_HTTP: "true", SOURCE_ALLOWED_HOSTS: "127.0.0.1", SOURCE_ALLOWED_PORTS: "5000" });
    expect(checkUrl("http://127.0.0.1:54321", fixed)).toMatchObject({ ok: false, reason: expect.stringContaining("port 54321") });
  });

  it("names the variable and the bad value", () => {
    const problems = validateHostPolicyEnv({
      SOURCE_ALLOWED_HOSTS: "https://mlflow.corp,*,127.1",
      SOURCE_ALLOWED_NETWORKS: "10.0.0.0/33,127.1/8,not-a-network",
      SOURCE_ALLOW_HTTP: "yes",
      SOURCE_ALLOWED_PORTS: "0,http,70000",
    });
    expect(problems).toEqual([
      expect.stringMatching(/^SOURCE_ALLOWED_HOSTS: "https:\/\/mlflow.corp" is not a host name/),
      expect.stringMatching(/^SOURCE_ALLOWED_HOSTS: "\*" is not a host name/),
      expect.stringMatching(/^SOURCE_ALLOWED_HOSTS: "127.1" is not a host name/),
      'SOURCE_ALLOWED_NETWORKS: "10.0.0.0/33" is not a CIDR range (expected e.g. 10.0.0.0/8 or fd00::/8)',
      expect.stringMatching(/^SOURCE_ALLOWED_NETWORKS: "127.1\/8" is not a CIDR range/),
      expect.stringMatching(/^SOURCE_ALLOWED_NETWORKS: "not-a-network" is not a CIDR range/),
      'SOURCE_ALLOW_HTTP: expected true or false (got "yes")',
      expect.stringMatching(/^SOURCE_ALLOWED_PORTS: "0" is not a port/),
      expect.stringMatching(/^SOURCE_ALLOWED_PORTS: "http" is not a port/),
      expect.stringMatching(/^SOURCE_ALLOWED_PORTS: "70000" is not a port/),
    ]);
    expect(() => hostPolicyFromEnv({ SOURCE_ALLOWED_NETWORKS: "10.0.0.0/33" })).toThrow(HostPolicyConfigError);
    expect(validateHostPolicyEnv({ SOURCE_ALLOWED_HOSTS: "localhost", SOURCE_ALLOW_HTTP: "false" })).toEqual([]);
  });

  it("serialises to compact JSON for the bridge", () => {
    expect(serializeHostPolicy(defaultHostPolicy())).toBe(
      '{"v":1,"allowedDomains":["cloud.databricks.com","cloud.databricks.us","azuredatabricks.net","databricks.azure.us","databricks.azure.cn","gcp.databricks.com"],"extraHosts":[],"allowedNetworks":[],"allowHttp":false,"allowedPorts":[443]}',
    );
  });
});
