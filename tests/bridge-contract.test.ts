import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { BRIDGE_COMMANDS, BridgeErrorKind, BridgeMessage, PYTHON_TELEMETRY_OFF } from "@langguard/bridge-client";
import { PYTHON_PATH, repoRoot } from "./helpers/test-env.ts";

/** What the Python side declares, read from its own modules. */
async function pythonSide(): Promise<{ commands: string[]; kinds: string[]; steps: string[] }> {
  const { stdout } = await execa(
    PYTHON_PATH,
    [
      "-c",
      "import json; from langguard_bridge.commands import COMMANDS; from langguard_bridge.errors import HINTS, RETRYABLE, FATAL; from langguard_bridge.check import STEPS; print(json.dumps({'commands': sorted(COMMANDS), 'kinds': sorted(set(HINTS) | RETRYABLE | FATAL), 'steps': list(STEPS)}))",
    ],
    {
      cwd: `${repoRoot}/python-bridge`,
      env: PYTHON_TELEMETRY_OFF,
    },
  );
  return JSON.parse(stdout);
}

describe("the bridge contract between Python and TypeScript", () => {
  it("lists the same commands, error kinds the client accepts, and connection-test steps", async () => {
    const py = await pythonSide();
    expect(py.commands).toEqual([...BRIDGE_COMMANDS].sort());
    for (const kind of py.kinds) expect(BridgeErrorKind.options, `error kind ${kind}`).toContain(kind);
    for (const step of py.steps) {
      expect(BridgeMessage.safeParse({ type: "step", step, status: "ok", message: "m" }).success, `step ${step}`).toBe(true);
    }
  });
});
