import type { TestProject } from "vitest/node";
import { resetDatabase } from "../helpers/database.ts";
import { seed, startMlflowServer, type MlflowServer } from "../helpers/mlflow-server.ts";
import { TEST_DATABASE_URL } from "../helpers/test-env.ts";

declare module "vitest" {
  export interface ProvidedContext {
    mlflowUrl: string;
    demoExperimentId: string;
  }
}

let server: MlflowServer | undefined;

/** A fresh test database with every migration, and one seeded MLflow server shared by the files. */
export async function setup(project: TestProject) {
  await resetDatabase(TEST_DATABASE_URL);

  server = await startMlflowServer();
  const demo = await seed(server.url, "demo-agents");
  project.provide("mlflowUrl", server.url);
  project.provide("demoExperimentId", demo.experimentId);
}

export async function teardown() {
  await server?.stop();
}
