import { afterAll, expect } from "vitest";
import { type FakeWorkspace, type FakeWorkspaceOptions, startFakeWorkspace } from "./workspace.ts";

/**
 * Starts fake workspaces for one test file: after the file, each is checked for Unity Catalog
 * answers outside the published spec (a fake that drifts from the contract would make every test
 * that trusts it wrong) and stopped. Call it once at the top of the file.
 */
export function fakeWorkspacesOfThisFile(): (options: FakeWorkspaceOptions) => Promise<FakeWorkspace> {
  const started: FakeWorkspace[] = [];
  afterAll(async () => {
    for (const ws of started.splice(0)) {
      expect(ws.contractViolations, "the fake's UC responses follow the spec").toEqual([]);
      await ws.stop();
    }
  });
  return async (options) => {
    const ws = await startFakeWorkspace(options);
    started.push(ws);
    return ws;
  };
}
