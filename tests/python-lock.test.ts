import { readFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { PYTHON_PATH, repoRoot } from "./helpers/test-env.ts";

/**
 * The bridge's Python environment is python-bridge/requirements.lock, exactly: the image installs it
 * (scripts/image.sh bridge-venv) and so does setup.sh for .venv, on which every bridge test runs.
 * requirements.txt says what the bridge imports; scripts/lock-python.sh pins it.
 */
const lock = readFileSync(path.join(repoRoot, "python-bridge/requirements.lock"), "utf8");
const pinned = lock
  .split("\n")
  .filter((line) => line.trim() && !line.startsWith("#"))
  .map((line) => line.trim());

describe("the bridge's Python lock", () => {
  it("pins every package, and satisfies every requirement of requirements.txt (run scripts/lock-python.sh after editing it)", async () => {
    for (const line of pinned) expect(line, "not an exact pin").toMatch(/^[A-Za-z0-9_.-]+==[A-Za-z0-9_.+!-]+$/);
    const script = [
      "import sys",
      "from packaging.requirements import Requirement",
      "from packaging.utils import canonicalize_name",
      "locked = {canonicalize_name(l.split('==')[0]): l.split('==')[1] for l in open('python-bridge/requirements.lock') if l.strip() and not l.startswith('#')}",
      "problems = []",
      "for line in open('python-bridge/requirements.txt'):",
      "    line = line.split('#')[0].strip()",
      "    if not line: continue",
      "    req = Requirement(line)",
      "    version = locked.get(canonicalize_name(req.name))",
      "    if version is None: problems.append(f'{req.name} is not in the lock')",
      "    elif not req.specifier.contains(version, prereleases=True): problems.append(f'{req.name}=={version} does not satisfy {req.specifier}')",
      "print('\\n'.join(problems))",
    ].join("\n");
    const { stdout } = await execa(PYTHON_PATH, ["-c", script], { cwd: repoRoot });
    expect(stdout.trim()).toBe("");
  });

  it("is what .venv holds, nothing more (so every bridge test runs on the image's environment)", async () => {
    const { stdout } = await execa(PYTHON_PATH, ["-m", "pip", "freeze", "--disable-pip-version-check", "--exclude-editable"], { cwd: repoRoot });
    const installed = stdout
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
    const key = (l: string) => l.toLowerCase().replace(/[-_.]+/g, "-");
    expect(installed.map(key).sort()).toEqual(pinned.map(key).sort());
    // The client and the SDK, not the tracking server and its data stack.
    expect(pinned.some((l) => l.startsWith("mlflow-skinny=="))).toBe(true);
    for (const heavy of ["mlflow==", "pandas==", "pyarrow==", "scipy==", "scikit-learn=="])
      expect(
        pinned.some((l) => l.startsWith(heavy)),
        heavy,
      ).toBe(false);
  });
});
