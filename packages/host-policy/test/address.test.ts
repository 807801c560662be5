import { describe, expect, it } from "vitest";
import { checkResolvedAddress, defaultHostPolicy, type HostPolicy, type Lookup, resolveAndCheck } from "@langguard/host-policy";
import { RESOLVED_ADDRESSES } from "./corpus.ts";

const policy = defaultHostPolicy();
const loopbackAllowed: HostPolicy = { ...policy, allowedNetworks: ["127.0.0.0/8"] };

function answers(...addresses: string[]): Lookup {
  return async () => addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
}

describe("checkResolvedAddress", () => {
  it.each(RESOLVED_ADDRESSES)("%s allowed: %s", (address, allowed) => {
    expect(checkResolvedAddress(address, policy).ok).toBe(allowed);
  });

  it("names metadata services and ranges", () => {
    expect(checkResolvedAddress("169.254.169.254", policy)).toEqual({ ok: false, reason: "is a cloud metadata service address" });
    expect(checkResolvedAddress("::ffff:169.254.169.254", policy)).toEqual({ ok: false, reason: "is a cloud metadata service address" });
    expect(checkResolvedAddress("10.0.0.1", policy)).toEqual({ ok: false, reason: "is in a blocked address range (private)" });
  });

  it("lets allowedNetworks lift the block, in every form of the address, and nothing more", () => {
    expect(checkResolvedAddress("127.0.0.1", loopbackAllowed)).toEqual({ ok: true });
    expect(checkResolvedAddress("::ffff:127.0.0.1", loopbackAllowed)).toEqual({ ok: true });
    expect(checkResolvedAddress("64:ff9b::7f00:1", loopbackAllowed)).toEqual({ ok: true });
    expect(checkResolvedAddress("::1", loopbackAllowed).ok).toBe(false);
    expect(checkResolvedAddress("10.0.0.1", loopbackAllowed).ok).toBe(false);
  });

  it("does not let extraHosts lift the block", () => {
    expect(checkResolvedAddress("127.0.0.1", { ...policy, extraHosts: ["127.0.0.1", "localhost"] }).ok).toBe(false);
  });
});

describe("resolveAndCheck", () => {
  it("refuses a name when any answer is internal, naming the host but not the addresses", async () => {
    const result = await resolveAndCheck("dbc-1.cloud.databricks.com", policy, answers("52.1.2.3", "10.0.0.5"));
    expect(result).toEqual({ ok: false, reason: "dbc-1.cloud.databricks.com resolves to a private, internal or reserved address, which is not allowed" });
  });

  it("accepts public answers", async () => {
    expect(await resolveAndCheck("dbc-1.cloud.databricks.com", policy, answers("52.1.2.3", "2600:1f18::1"))).toEqual({
      ok: true,
      addresses: ["52.1.2.3", "2600:1f18::1"],
    });
  });

  it("checks hosts the operator allowed by name, unless their network is allowed too", async () => {
    const byName: HostPolicy = { ...policy, extraHosts: ["mlflow.internal.corp"] };
    expect((await resolveAndCheck("mlflow.internal.corp", byName, answers("10.2.3.4"))).ok).toBe(false);
    expect((await resolveAndCheck("mlflow.internal.corp", { ...byName, allowedNetworks: ["10.0.0.0/8"] }, answers("10.2.3.4"))).ok).toBe(true);
  });

  it("reports names that do not resolve, or not in time", async () => {
    const failing: Lookup = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
    };
    expect(await resolveAndCheck("nope.cloud.databricks.com", policy, failing)).toEqual({
      ok: false,
      reason: "nope.cloud.databricks.com could not be resolved",
      unresolved: true,
    });
    expect(await resolveAndCheck("empty.cloud.databricks.com", policy, answers())).toMatchObject({ ok: false });
    const never: Lookup = () => new Promise(() => {});
    expect(await resolveAndCheck("slow.cloud.databricks.com", policy, never, { timeoutMs: 20 })).toEqual({
      ok: false,
      reason: "slow.cloud.databricks.com did not resolve within 1 s",
      unresolved: true,
    });
  });

  it("passes bracketed IPv6 hosts to the resolver without brackets", async () => {
    let asked = "";
    const lookup: Lookup = async (hostname) => {
      asked = hostname;
      return [{ address: hostname, family: 6 }];
    };
    expect((await resolveAndCheck("[::1]", policy, lookup)).ok).toBe(false);
    expect(asked).toBe("::1");
  });

  it("refuses localhost with the real resolver under the default policy", async () => {
    expect(await resolveAndCheck("localhost", policy)).toEqual({
      ok: false,
      reason: "localhost resolves to a private, internal or reserved address, which is not allowed",
    });
  });
});
