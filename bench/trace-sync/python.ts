import path from "node:path";
import { runPythonScript } from "../../tests/helpers/mlflow-server.ts";

/** Runs one of this folder's Python scripts to completion and parses its last stdout line. */
export function runScript<T>(script: string, args: string[]): Promise<T> {
  return runPythonScript<T>(path.join(import.meta.dirname, script), args);
}
