import { readFileSync } from "node:fs";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import {
  BRIDGE_COMMANDS,
  type BridgeCommand,
  BridgeErrorKind,
  BridgeMessage,
  bridgeContract,
  bridgeJsonSchemas,
  PYTHON_TELEMETRY_OFF,
} from "@langguard/bridge-client";
import { BRIDGE_HOST_POLICY_PATH, BRIDGE_SCHEMAS_PATH, bridgeHostPolicyText, bridgeSchemasText } from "../scripts/lib/bridge-schemas.ts";
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

/** Runs Python in the bridge's package and returns what it printed as JSON. */
async function python(code: string): Promise<unknown> {
  const { stdout } = await execa(PYTHON_PATH, ["-c", code], { cwd: `${repoRoot}/python-bridge`, env: PYTHON_TELEMETRY_OFF });
  return JSON.parse(stdout);
}

describe("the params contract (packages/bridge-client owns it; the bridge validates against its JSON Schema)", () => {
  it("the schemas in the Python package are the ones the contract writes (pnpm bridge:schemas)", () => {
    expect(readFileSync(BRIDGE_SCHEMAS_PATH, "utf8")).toBe(bridgeSchemasText());
    // And the host policy's address lists its netguard enforces, from packages/host-policy.
    expect(readFileSync(BRIDGE_HOST_POLICY_PATH, "utf8")).toBe(bridgeHostPolicyText());
  });

  it("fills in the same defaults on both sides", async () => {
    const filled = (await python(
      `import json; from langguard_bridge.contract import validated; print(json.dumps({c: validated(c, {}) for c in ${JSON.stringify(BRIDGE_COMMANDS)}}))`,
    )) as Record<string, unknown>;
    for (const command of BRIDGE_COMMANDS) expect(filled[command], command).toEqual(bridgeContract[command].params.parse({}));
  });

  it("refuses unknown and out-of-range values in Python with the field's path, as the client does", async () => {
    const cases: Array<[BridgeCommand, object, string]> = [
      ["stream-catalog", { stats: { concurrency: 33 } }, "stats.concurrency"],
      ["stream-catalog", { pagesize: 10 }, "pagesize"],
      ["stream-catalog", { include: { tables: ["a", 1] } }, "include.tables[1]"],
      ["stream-traces", { pageSize: 501 }, "pageSize"],
      ["stream-traces", { late: { maxDurationMs: -1, overlapMs: 0 } }, "late.maxDurationMs"],
      ["check", { syncTraces: "yes" }, "syncTraces"],
    ];
    const refused = (await python(
      `import json; from langguard_bridge.contract import validated\nout = []\nfor c, p in ${JSON.stringify(cases.map(([c, p]) => [c, p]))}:\n    try:\n        validated(c, p); out.append(None)\n    except Exception as e:\n        out.append({"kind": e.kind, "message": e.message})\nprint(json.dumps(out))`,
    )) as Array<{ kind: string; message: string } | null>;
    cases.forEach(([command, params, path], i) => {
      expect(refused[i], `${command} ${JSON.stringify(params)}`).toMatchObject({ kind: "config", message: expect.stringContaining(`'${path}'`) });
      expect(bridgeContract[command].params.safeParse(params).success, `${command} ${JSON.stringify(params)} in TypeScript`).toBe(false);
    });
  });

  it("the bridge's commands read no parameter the contract does not declare", async () => {
    // Every literal key read from `params` (or a nested settings object) in each command's module.
    const read = (await python(`
import ast, inspect, json
from langguard_bridge.commands import COMMANDS
out = {}
for name, fn in COMMANDS.items():
    tree = ast.parse(inspect.getsource(inspect.getmodule(fn)))
    keys = set()
    for node in ast.walk(tree):
        target, key = None, None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args:
            target, key = node.func.value, node.args[0]
        elif isinstance(node, ast.Subscript):
            target, key = node.value, node.slice
        if isinstance(target, ast.Name) and target.id in ("params", "stats", "late") and isinstance(key, ast.Constant) and isinstance(key.value, str):
            keys.add(key.value)
    out[name] = {"module": fn.__module__, "keys": sorted(keys)}
print(json.dumps(out))`)) as Record<BridgeCommand, { module: string; keys: string[] }>;
    const declared = (schema: unknown): string[] => {
      if (Array.isArray(schema)) return schema.flatMap(declared);
      if (!schema || typeof schema !== "object") return [];
      const own = Object.keys((schema as { properties?: object }).properties ?? {});
      return [...own, ...Object.values(schema).flatMap(declared)];
    };
    const schemas = bridgeJsonSchemas();
    for (const command of BRIDGE_COMMANDS) {
      // Commands of one module share its reads.
      const siblings = BRIDGE_COMMANDS.filter((c) => read[c].module === read[command].module);
      const allowed = new Set(siblings.flatMap((c) => declared(schemas[c].params)));
      const undeclared = read[command].keys.filter((key) => !allowed.has(key));
      expect(undeclared, `${command} (${read[command].module}) reads parameters its contract does not declare`).toEqual([]);
    }
  });
});
