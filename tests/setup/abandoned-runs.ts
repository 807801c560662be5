import pg from "pg";
import { beforeAll } from "vitest";
import { TEST_DATABASE_URL } from "../helpers/test-env.ts";

/**
 * Test files share one database and run one at a time. A file that stops its fleet in the middle
 * of a sync (a killed worker, a failed test) leaves that run queued or running for ever, and the
 * next gateway started as its own process does what a gateway must in production: its reconciler
 * re-enqueues every such run it finds in Postgres, and its workers spend their time on another
 * file's dead runs instead of this file's. Before each file, runs left active by earlier files are
 * closed, as the fleet that owned them is gone.
 */
beforeAll(async () => {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(
      `UPDATE "SyncRun" SET status = 'failed', "errorKind" = 'internal', "errorMessage" = 'abandoned: the test file that started it has ended', "completedAt" = now()
       WHERE status IN ('queued', 'running')`,
    );
  } catch (error) {
    // The schema is not there yet on a database the global setup has not migrated: nothing to close.
    if ((error as { code?: string }).code !== "42P01") throw error;
  } finally {
    await client.end();
  }
});
