import path from "node:path";

export const repoRoot = path.resolve(import.meta.dirname, "../..");
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/langguard_test";
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** The bridge's environment: exactly python-bridge/requirements.lock, as in the image. */
export const PYTHON_PATH = path.join(repoRoot, ".venv/bin/python");
/**
 * The local MLflow workspace's environment (demo/requirements.txt): the tracking server the tests
 * sync from, and the SDK that writes traces into it as an agent would. Never the bridge's.
 */
export const MLFLOW_PYTHON = path.join(repoRoot, ".venv-mlflow/bin/python");
/** A fixed key for tests only. */
export const TEST_ENCRYPTION_KEY = "4c616e67477561726420746573742d6f6e6c7920656e6372797074696f6e2121";
/**
 * The operator settings a test fleet runs with: its MLflow servers and fakes listen on loopback
 * over http, which the default host policy (Databricks' https domains only) rightly refuses.
 */
export const LOCAL_SOURCES_ENV = {
  SOURCE_ALLOW_HTTP: "true",
  SOURCE_ALLOWED_HOSTS: "127.0.0.1,localhost",
  SOURCE_ALLOWED_NETWORKS: "127.0.0.0/8,::1/128",
  SOURCE_ALLOWED_PORTS: "*",
};
