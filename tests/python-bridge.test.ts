import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { PYTHON_TELEMETRY_OFF } from "@langguard/bridge-client";
import { repoRoot } from "./helpers/test-env.ts";

// The bridge's own checks, in the environment scripts/ensure-test-tools.sh builds: its pinned
// set (requirements.lock) plus pytest, ruff and mypy (python-bridge/requirements-dev.txt).
const DEV = path.join(repoRoot, ".data/python-dev/bin");
const cwd = path.join(repoRoot, "python-bridge");

async function run(file: string, args: string[]) {
  const result = await execa(path.join(DEV, file), args, { cwd, env: PYTHON_TELEMETRY_OFF, reject: false, all: true });
  return { exitCode: result.exitCode, output: result.all ?? "" };
}

describe("python-bridge as a package (pyproject.toml)", () => {
  it("passes its pytest suite: error classification, parameter validation, records, the line writer, the netguard, import circles", async () => {
    const { exitCode, output } = await run("python", ["-m", "pytest"]);
    expect(output).toMatch(/\d+ passed/);
    expect(exitCode, output.slice(-4000)).toBe(0);
  }, 120_000);

  it("is clean under ruff's lint and format checks", async () => {
    const lint = await run("ruff", ["check", "."]);
    expect(lint.exitCode, lint.output.slice(-4000)).toBe(0);
    const format = await run("ruff", ["format", "--check", "."]);
    expect(format.exitCode, format.output.slice(-4000)).toBe(0);
  }, 60_000);

  it("type-checks under mypy", async () => {
    const { exitCode, output } = await run("mypy", []);
    expect(output).toContain("Success");
    expect(exitCode, output.slice(-4000)).toBe(0);
  }, 300_000);
});
