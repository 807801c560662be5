import path from "node:path";
import { execa } from "execa";
import { PYTHON_TELEMETRY_OFF } from "@langguard/bridge-client";
import { PYTHON_PATH, repoRoot } from "../test-env.ts";

export type SdkCheck = { check: string } & Record<string, unknown>;

/**
 * Runs databricks-sdk calls (tests/fixtures/uc/sdk_probe.py) against a workspace URL, all in one
 * Python process because the SDK import alone takes seconds. Results come back in check order;
 * a failed check yields `{ error: { type, error_code, message } }`.
 */
export async function runSdkProbe<T extends unknown[] = unknown[]>(
  target: { url: string; token: string },
  checks: SdkCheck[],
  extraEnv: Record<string, string> = {},
): Promise<T> {
  const result = await execa(PYTHON_PATH, [path.join(repoRoot, "tests/fixtures/uc/sdk_probe.py"), JSON.stringify(checks)], {
    // Only what the SDK needs: a developer's ~/.databrickscfg or DATABRICKS_* must not leak in.
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      DATABRICKS_CONFIG_FILE: "/nonexistent",
      ...PYTHON_TELEMETRY_OFF,
      DATABRICKS_HOST: target.url,
      DATABRICKS_TOKEN: target.token,
      ...extraEnv,
    },
    extendEnv: false,
    reject: false,
    timeout: 120_000,
  });
  if (result.exitCode !== 0) throw new Error(`sdk_probe.py exited with ${result.exitCode}:\n${result.stderr.slice(-3000)}`);
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!) as T;
}
