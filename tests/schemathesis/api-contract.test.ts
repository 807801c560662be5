/**
 * Schemathesis (from PyPI, installed by scripts/ensure-test-tools.sh) against the gateway's own
 * OpenAPI document, with an API key and every check: response-schema conformance, status codes
 * and content types as documented, schema-valid requests accepted and invalid ones refused,
 * 405 for undeclared methods, authentication not ignored, and no 5xx. The gateway runs with the
 * operator defaults (Databricks' https domains only), so no request reaches a workspace.
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFleet, type Fleet } from "../helpers/fleet.ts";
import { repoRoot } from "../helpers/test-env.ts";

const SCHEMATHESIS = path.join(repoRoot, ".data/schemathesis/bin/schemathesis");
const CONFIG = path.join(import.meta.dirname, "schemathesis.toml");
/** Its caches and reports stay out of the working tree. */
const RUN_DIR = path.join(repoRoot, ".data/schemathesis-run");

describe("the API against its own OpenAPI document (Schemathesis)", () => {
  let fleet: Fleet;
  let baseUrl: string;

  beforeAll(async () => {
    fleet = await startFleet({
      worker: false,
      // Thousands of requests: debug lines for each would cost more than the requests.
      logLevel: "warn",
      // The operator defaults: no self-hosted allowances, so connection tests never leave the machine.
      env: { SOURCE_ALLOW_HTTP: "false", SOURCE_ALLOWED_HOSTS: "", SOURCE_ALLOWED_NETWORKS: "", SOURCE_ALLOWED_PORTS: "" },
    });
    await fleet.app.listen({ host: "127.0.0.1", port: 0 });
    baseUrl = `http://127.0.0.1:${(fleet.app.server.address() as { port: number }).port}`;
  });
  afterAll(() => fleet?.close());

  it("finds no failure with every check, in under five minutes", async () => {
    expect(existsSync(SCHEMATHESIS), `${SCHEMATHESIS} is missing: run scripts/ensure-test-tools.sh`).toBe(true);
    mkdirSync(RUN_DIR, { recursive: true });
    const started = Date.now();
    const run = await execa(
      SCHEMATHESIS,
      ["--config-file", CONFIG, "run", `${baseUrl}/docs/json`, "--checks", "all", "--report", "junit", "--report-dir", RUN_DIR],
      {
        cwd: RUN_DIR,
        env: { LANGGUARD_API_KEY: fleet.apiKey, NO_COLOR: "1", COLUMNS: "160" },
        reject: false,
        timeout: 330_000,
        all: true,
      },
    );
    const seconds = (Date.now() - started) / 1000;
    const output = run.all ?? "";
    const summary = output.slice(output.lastIndexOf("SUMMARY"));
    // The figures, for the log: operations, test cases, failures, time.
    console.log(`schemathesis exited ${run.exitCode} after ${seconds.toFixed(0)} s\n${summary}`);
    expect(run.exitCode, output.slice(-20_000)).toBe(0);
    expect(summary).toMatch(/Tested: \d+/);
    expect(seconds).toBeLessThan(300);
  }, 360_000);
});
