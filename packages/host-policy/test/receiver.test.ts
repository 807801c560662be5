import { describe, expect, it } from "vitest";
import { checkReceiverUrl, defaultHostPolicy, type Lookup } from "../src/index.ts";

/** A resolver that answers from a table, so names can stand for any address without DNS or traffic. */
const table: Record<string, string[]> = {
  "hooks.example.com": ["93.184.215.14"],
  "metadata.example.com": ["169.254.169.254"],
  "mixed.example.com": ["93.184.215.14", "10.1.2.3"],
  "v6-internal.example.com": ["fd00::1"],
};
const lookup: Lookup = async (name) => {
  const addresses = table[name];
  if (!addresses) throw Object.assign(new Error("not found"), { code: "ENOTFOUND" });
  return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
};

describe("webhook receiver URLs (the rules of save and of every delivery)", () => {
  const policy = defaultHostPolicy();

  it.each([
    "https://10.0.0.1/hook",
    "https://172.16.5.4/hook",
    "https://192.168.1.1/hook",
    "https://169.254.169.254/latest/meta-data",
    "https://100.100.100.200/",
    "https://100.64.0.1/",
    "https://[fd00:ec2::254]/",
    "https://[fe80::1]/",
    "https://[fc00::1]/",
    "https://[::127.0.0.1]/",
    "https://[64:ff9b::a00:1]/",
    "https://[64:ff9b::7f00:1]/",
    "https://[2002:a00:1::]/",
    "https://[2002:7f00:1::]/",
    "https://0xa.0.0.1/",
    "https://167772161/",
    "https://metadata.example.com/",
    "https://mixed.example.com/",
    "https://v6-internal.example.com/",
  ])("refuses %s", async (url) => {
    const verdict = await checkReceiverUrl(url, policy, lookup);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? "" : verdict.reason).toMatch(/blocked|metadata|private|internal|reserved/);
  });

  it("refuses http unless the operator allows it, user names and passwords, and what is not a URL", async () => {
    expect(await checkReceiverUrl("http://hooks.example.com/", policy, lookup)).toEqual({ ok: false, reason: "must use https" });
    expect((await checkReceiverUrl("http://hooks.example.com/", { ...policy, allowHttp: true }, lookup)).ok).toBe(true);
    expect(await checkReceiverUrl("https://user:pw@hooks.example.com/", policy, lookup)).toEqual({
      ok: false,
      reason: "must not contain a user name or password",
    });
    expect((await checkReceiverUrl("hooks.example.com/x", policy, lookup)).ok).toBe(false);
    expect((await checkReceiverUrl("https://hooks.example.com/\tx", policy, lookup)).ok).toBe(false);
    expect((await checkReceiverUrl("ftp://hooks.example.com/", policy, lookup)).ok).toBe(false);
  });

  it("accepts a public receiver, an allowed internal network, and marks a name that does not resolve", async () => {
    expect(await checkReceiverUrl("https://hooks.example.com/langguard", policy, lookup)).toEqual({ ok: true, url: "https://hooks.example.com/langguard" });
    expect((await checkReceiverUrl("https://10.0.0.1/hook", { ...policy, allowedNetworks: ["10.0.0.0/8"] }, lookup)).ok).toBe(true);
    expect(await checkReceiverUrl("https://nowhere.example.com/", policy, lookup)).toMatchObject({ ok: false, unresolved: true });
  });
});
