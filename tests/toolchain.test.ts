import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { PYTHON_PATH, repoRoot } from "./helpers/test-env.ts";

/**
 * The toolchain floors: a supported Node.js LTS (22.12+ or 24) and Python 3.10+. The checks live
 * in scripts/lib/node.sh and scripts/lib/python.sh, which every script sources; here they meet
 * interpreters that report older versions.
 */
const scratch = mkdtempSync(path.join(os.tmpdir(), "langguard-toolchain-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A checkout with only the given scripts, and a bin folder whose `name` reports `version`. */
function fakeCheckout(name: string, version: string, scripts: string[]) {
  const root = mkdtempSync(path.join(scratch, "checkout-"));
  for (const script of scripts) {
    mkdirSync(path.dirname(path.join(root, script)), { recursive: true });
    copyFileSync(path.join(repoRoot, script), path.join(root, script));
  }
  mkdirSync(path.join(root, "bin"));
  writeFileSync(path.join(root, "bin", name), `#!/bin/sh\necho ${version}\n`);
  chmodSync(path.join(root, "bin", name), 0o755);
  return root;
}

const bash = (root: string, script: string, env: Record<string, string> = {}) =>
  execa("bash", ["-c", script], { cwd: root, reject: false, all: true, env: { PATH: `${root}/bin:/usr/bin:/bin`, HOME: scratch, ...env }, extendEnv: false });

describe("Node.js", () => {
  it("the tests themselves run on a supported Node.js LTS (CI runs them through scripts/test.sh)", () => {
    const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
    expect(major === 22 ? minor >= 12 : major >= 24, `running on Node.js ${process.versions.node}`).toBe(true);
    const engines = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")).engines.node;
    expect(engines).toBe("^22.12 || >=24");
  });

  it("supports 22.12 and later 22s, and 24 onwards; 20, 22.11 and 23 are refused", async () => {
    const root = fakeCheckout("node", "0", ["scripts/lib/node.sh"]);
    for (const [version, supported] of [
      ["20.20.2", false],
      ["22.11.0", false],
      ["22.12.0", true],
      ["22.20.1", true],
      ["23.11.0", false],
      ["24.0.0", true],
      ["26.1.0", true],
    ] as const) {
      const result = await bash(root, `source scripts/lib/node.sh; node_version_supported ${version}`);
      expect(result.exitCode === 0, version).toBe(supported);
    }
  });

  it("the test command stops at once, naming the Node.js it found and the ones it needs, when that one is too old", async () => {
    const root = fakeCheckout("node", "20.19.0", ["scripts/test.sh", "scripts/setup.sh", "scripts/lib/node.sh"]);
    const result = await bash(root, "bash scripts/test.sh", { LANGGUARD_NODE_INSTALL: "0" });
    expect(result.exitCode).toBe(1);
    expect(result.all).toContain(
      `Node.js 20.19.0 found (${root}/bin/node) is too old: this project needs Node.js 22 (22.12 or later) or 24, the supported LTS lines.`,
    );
    expect(result.all).toContain("LANGGUARD_NODE_INSTALL=0 turned the automatic install off");
    // Nothing past the check ran: setup would have announced its first step.
    expect(result.all).not.toContain("==> Checking Node.js");
  });

  it("installs only the pinned Node.js build: a registry answer with another checksum is refused, saying so", async () => {
    const root = fakeCheckout("node", "20.19.0", ["scripts/lib/node.sh"]);
    writeFileSync(path.join(root, "bin", "npm"), '#!/bin/sh\n[ "$1" = view ] && echo sha512-somethingelse\n');
    chmodSync(path.join(root, "bin", "npm"), 0o755);
    const result = await bash(root, "source scripts/lib/node.sh; use_supported_node");
    expect(result.exitCode).toBe(1);
    expect(result.all).toContain("Installing Node.js 24.22.3 for this checkout only: the official linux-");
    expect(result.all).toMatch(/The registry's node-linux-(x64|arm64)@24\.22\.3 has integrity 'sha512-somethingelse', not the pinned one; refusing it\./);
    expect(result.all).toContain("Install Node.js 22 (22.12 or later) or 24, the supported LTS lines, then run again.");
  });

  it("every script that runs Node puts a supported one on PATH first", () => {
    for (const script of ["scripts/setup.sh", "scripts/test.sh", "scripts/test-faults.sh", "scripts/demo.sh", ".ci/run"]) {
      const lines = readFileSync(path.join(repoRoot, script), "utf8")
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith("#"));
      const check = lines.findIndex((line) => /^use_supported_node\b/.test(line));
      const firstUse = lines.findIndex((line) => /\b(node|pnpm|npm|npx)\b|bash scripts\//.test(line) && !line.includes("scripts/lib/node.sh"));
      expect(check, `${script} never chooses Node.js`).toBeGreaterThanOrEqual(0);
      expect(check, `${script} runs Node before choosing it: ${lines[firstUse]}`).toBeLessThan(firstUse);
    }
  });
});

describe("Python", () => {
  it("refuses an interpreter older than 3.11, saying which one it found and what the bridge needs", async () => {
    const root = fakeCheckout("python3.10", "3.10.14", ["scripts/lib/python.sh"]);
    const result = await bash(root, "source scripts/lib/python.sh; find_python", { SETUP_PYTHON: "python3.10" });
    expect(result.exitCode).toBe(1);
    expect(result.all).toContain("Python is too old: python3.10 (3.10.14); the bridge needs Python 3.11 or later");
    const newer = fakeCheckout("python3.11", "3.11.2", ["scripts/lib/python.sh"]);
    const found = await bash(newer, "source scripts/lib/python.sh; find_python", { SETUP_PYTHON: "python3.11" });
    expect(found.exitCode, found.all).toBe(0);
    expect(found.stdout).toBe(`${newer}/bin/python3.11`);
  });

  it("the floor is the real one: the highest Requires-Python among the bridge's locked packages: the highest Requires-Python among the bridge's locked packages", async () => {
    const script = [
      "import importlib.metadata as m, re",
      "floors = []",
      "for line in open('python-bridge/requirements.lock'):",
      "    line = line.strip()",
      "    if not line or line.startswith('#'): continue",
      "    name = line.split('==')[0]",
      "    req = m.metadata(name).get('Requires-Python') or ''",
      "    found = re.search(r'>=\\s*(\\d+)\\.(\\d+)', req)",
      "    if found: floors.append((int(found.group(1)), int(found.group(2))))",
      "print('%d.%d' % max(floors))",
    ].join("\n");
    const { stdout } = await execa(PYTHON_PATH, ["-c", script], { cwd: repoRoot });
    const floor = /LANGGUARD_PYTHON_FLOOR=(\S+)/.exec(readFileSync(path.join(repoRoot, "scripts/lib/python.sh"), "utf8"))![1]!;
    expect(stdout.trim()).toBe(floor);
    // The bridge's own check and the hints users read say the same.
    const read = (file: string) => readFileSync(path.join(repoRoot, file), "utf8");
    expect(read("python-bridge/langguard_bridge/check.py")).toContain(`sys.version_info < (${floor.replace(".", ", ")})`);
    for (const file of [
      "python-bridge/langguard_bridge/source.py",
      "packages/bridge-client/src/errors.ts",
      "services/gateway/src/connection/connection-test.ts",
    ]) {
      expect(read(file), file).toContain(`Install Python ${floor}+`);
    }
  });
});
