import { execa } from "execa";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { seed, startMlflowServer, type MlflowServer } from "../helpers/mlflow-server.ts";
import { repoRoot, TEST_DATABASE_URL } from "../helpers/test-env.ts";

declare module "vitest" {
  export interface ProvidedContext {
    mlflowUrl: string;
    demoExperimentId: string;
  }
}

let server: MlflowServer | undefined;

/** A fresh test database with every migration, and one seeded MLflow server shared by the files. */
export async function setup(project: TestProject) {
  const url = new URL(TEST_DATABASE_URL);
  const name = url.pathname.slice(1);
  const admin = new URL(TEST_DATABASE_URL);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await client.end();
  await execa("node", ["--experimental-wasm-modules", "--no-warnings", "scripts/migrate.mjs"], { cwd: repoRoot, env: { DATABASE_URL: TEST_DATABASE_URL } });

  server = await startMlflowServer();
  const demo = await seed(server.url, "demo-agents");
  project.provide("mlflowUrl", server.url);
  project.provide("demoExperimentId", demo.experimentId);
}

export async function teardown() {
  await server?.stop();
}
