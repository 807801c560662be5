import { defineConfig } from "vitest/config";

// Tests that need no database, queue or MLflow server: quick to run while working on one package.
// `pnpm exec vitest run --config vitest.unit.config.ts <path>`; CI runs them with everything else.
export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "services/*/test/**/*.test.ts", "tests/**/*.test.ts"],
    exclude: ["tests/faults/**", "**/node_modules/**"],
    testTimeout: 60_000,
  },
});
