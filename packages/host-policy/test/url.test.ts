import { describe, expect, it } from "vitest";
import { checkSourceUrl, defaultHostPolicy, type HostPolicy, hostPolicyFromEnv } from "@langguard/host-policy";
import { HOSTILE_URLS, VALID_URLS } from "./corpus.ts";

const policy = defaultHostPolicy();

describe("checkSourceUrl under the default policy", () => {
  it("has a corpus of at least 40 hostile URLs", () => {
    expect(HOSTILE_URLS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(HOSTILE_URLS)("refuses %j", (url, reason) => {
    const result = checkSourceUrl(url, policy);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it.each(VALID_URLS)("accepts %j as %s", (url, normalised) => {
    const result = checkSourceUrl(url, policy);
    expect(result).toEqual({ ok: true, url: normalised, hostname: new URL(normalised).hostname, port: 443 });
  });

  it("gives the user-facing reasons the review asked for", () => {
    expect(checkSourceUrl("https://dbc.cloud.databricks.com:6379", policy)).toEqual({ ok: false, reason: "port 6379 is not allowed (only 443)" });
    expect(checkSourceUrl("https://example.com", policy)).toEqual({
      ok: false,
      reason: "must be a Databricks workspace domain (e.g. https://dbc-xxx.cloud.databricks.com); other hosts need SOURCE_ALLOWED_HOSTS",
    });
    expect(checkSourceUrl("https://127.1", policy)).toEqual({ ok: false, reason: "IP addresses are not allowed; use the workspace's host name" });
  });

  it("accepts hosts that normalise to a workspace name (full-width letters, upper case)", () => {
    expect(checkSourceUrl("https://ＤＢＣ.cloud.databricks.com", policy)).toMatchObject({ ok: true, url: "https://dbc.cloud.databricks.com" });
  });
});

describe("checkSourceUrl with operator settings", () => {
  const local = hostPolicyFromEnv({
    SOURCE_ALLOW_HTTP: "true",
    SOURCE_ALLOWED_HOSTS: "127.0.0.1, localhost, *.corp.example",
    SOURCE_ALLOWED_NETWORKS: "127.0.0.0/8",
    SOURCE_ALLOWED_PORTS: "5000",
  });

  it("allows a local MLflow over http when the operator allows http, the host, the network and the port", () => {
    expect(checkSourceUrl("http://127.0.0.1:5000", local)).toEqual({ ok: true, url: "http://127.0.0.1:5000", hostname: "127.0.0.1", port: 5000 });
    expect(checkSourceUrl("HTTP://localhost:5000/", local)).toEqual({ ok: true, url: "http://localhost:5000", hostname: "localhost", port: 5000 });
    expect(checkSourceUrl("http://localhost", local)).toMatchObject({ ok: true, port: 80 });
    expect(checkSourceUrl("https://mlflow.corp.example", local)).toMatchObject({ ok: true });
    expect(checkSourceUrl("https://dbc-1.cloud.databricks.com", local)).toMatchObject({ ok: true });
  });

  it("still refuses what the operator did not allow", () => {
    expect(checkSourceUrl("http://127.0.0.1:6379", local)).toEqual({ ok: false, reason: "port 6379 is not allowed (only 80, 443, 5000)" });
    expect(checkSourceUrl("http://10.0.0.1:5000", local)).toMatchObject({ ok: false, reason: expect.stringContaining("IP addresses") });
    expect(checkSourceUrl("https://corp.example", local)).toMatchObject({ ok: false, reason: expect.stringContaining("Databricks workspace domain") });
    expect(checkSourceUrl("gopher://127.0.0.1:5000", local)).toEqual({ ok: false, reason: "must use http or https" });
    expect(checkSourceUrl("http://user@127.0.0.1:5000", local)).toMatchObject({ ok: false, reason: expect.stringContaining("user name") });
  });

  it("reads every spelling of an allowed address as that address", () => {
    expect(checkSourceUrl("http://2130706433:5000", local)).toMatchObject({ ok: true, url: "http://127.0.0.1:5000" });
    expect(checkSourceUrl("http://[::ffff:127.0.0.1]:5000", local)).toMatchObject({ ok: true });
  });

  it("allows an address by its network alone", () => {
    const network: HostPolicy = { ...defaultHostPolicy(), allowedNetworks: ["10.0.0.0/8"] };
    expect(checkSourceUrl("https://10.1.2.3", network)).toMatchObject({ ok: true, hostname: "10.1.2.3" });
    expect(checkSourceUrl("https://11.1.2.3", network)).toMatchObject({ ok: false });
  });
});
