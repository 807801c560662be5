import { defineConfig } from "vitest/config";

// The fault suite (`pnpm test:faults`): slow on purpose (thousands of traces, real crashes and
// outages), so it runs on its own, after the main suite, with a database of its own.
export default defineConfig({
  test: {
    include: ["tests/faults/**/*.test.ts"],
    fileParallelism: false,
    // MLflow 3's usage telemetry, off in every Python process a test starts (see PYTHON_TELEMETRY_OFF).
    env: { MLFLOW_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "true" },
    testTimeout: 900_000,
    hookTimeout: 900_000,
  },
});
