import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "services/*/test/**/*.test.ts", "tests/**/*.test.ts"],
    // The fault suite has its own config and runs after this one (pnpm test:faults).
    exclude: ["tests/faults/**", "**/node_modules/**"],
    globalSetup: ["tests/setup/global.ts"],
    // Before each file: runs an earlier file left active are closed (see the file for why).
    setupFiles: ["tests/setup/abandoned-runs.ts"],
    // MLflow 3's usage telemetry, off in every Python process a test starts (see PYTHON_TELEMETRY_OFF).
    env: { MLFLOW_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "true" },
    // Files share one Postgres database and one MLflow server; running them one at a time
    // keeps org-wide aggregates (agents) predictable. Tests inside a file still isolate by
    // their own integration and queue prefix.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ["default"],
  },
});
