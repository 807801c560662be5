import path from "node:path";
import { execa } from "execa";

export const repoRoot = path.resolve(import.meta.dirname, "../..");
export const PYTHON_PATH = path.join(repoRoot, ".venv/bin/python");
export const benchDir = import.meta.dirname;

/** Runs one of this folder's Python scripts to completion and parses its last stdout line. */
export async function runScript<T>(script: string, args: string[]): Promise<T> {
  const result = await execa(PYTHON_PATH, [path.join(benchDir, script), ...args], {
    env: { MLFLOW_ENABLE_ASYNC_TRACE_LOGGING: "false" },
    reject: false,
  });
  if (result.exitCode !== 0) throw new Error(`${script} exited with ${result.exitCode}:\n${result.stderr.slice(-3000)}`);
  const last = result.stdout.trim().split("\n").at(-1);
  if (!last) throw new Error(`${script} printed nothing`);
  return JSON.parse(last) as T;
}
