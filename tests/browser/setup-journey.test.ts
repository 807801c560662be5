import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type FakeWorkspace, startFakeWorkspace } from "../helpers/databricks/index.ts";
import { seed } from "../helpers/mlflow-server.ts";
import { until } from "../helpers/until.ts";
import { axe, BROWSER_TIME_ZONE, browserStorage, type ConsoleHarness, type Person, screenshot, signIn, startConsole, unexpected } from "./harness.ts";

/**
 * The spec's setup journey (steps 2–6), done as a person does it, in Chromium, against a real
 * gateway and workers, Postgres, Redis, a real MLflow server behind the Databricks workspace fake.
 */
describe("the spec's journey: connect Databricks from Settings › Integrations", () => {
  const mlflowUrl = inject("mlflowUrl");
  const tag = randomUUID().slice(0, 8);
  let harness: ConsoleHarness;
  let workspace: FakeWorkspace;
  let editor: Person;

  beforeAll(async () => {
    // Two experiments of its own in the workspace, to pick from its list.
    await seed(mlflowUrl, `journey-${tag}-support`);
    await seed(mlflowUrl, `journey-${tag}-review`);
    workspace = await startFakeWorkspace({ mlflow: mlflowUrl });
    harness = await startConsole({ workers: ["traces", "catalog"] });
    editor = await harness.person("editor");
  }, 240_000);
  afterAll(async () => {
    await harness?.close();
    await workspace?.stop();
  });

  it("signs in, adds Databricks, tests every step, picks two experiments, saves, syncs to done and shows the run", { timeout: 300_000 }, async () => {
    const { page, problems } = await harness.open();
    const a11y: Record<string, unknown[]> = {};

    // 1. Sign in, then Settings › Integrations › Add Integration › Databricks.
    await page.goto("/");
    await page.getByRole("heading", { name: "Sign in to LangGuard" }).waitFor();
    a11y["sign-in"] = await axe(page, "sign-in");
    await screenshot(page, "sign-in");
    await signIn(page, editor);
    await page.getByRole("link", { name: "Settings" }).first().click();
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Integrations" }).click();
    await page.getByRole("heading", { name: "Integrations", level: 1 }).waitFor();
    await page.getByText("No integrations yet").waitFor();
    a11y["integrations-empty"] = await axe(page, "integrations-empty");
    await page.getByRole("link", { name: "Add integration" }).click();
    await page.getByRole("heading", { name: "Add integration", level: 1 }).waitFor();
    a11y["add-integration"] = await axe(page, "add-integration");
    await screenshot(page, "add-integration");
    await page.getByRole("link", { name: /^Databricks/ }).click();
    await page.getByRole("heading", { name: "Add integration: Databricks" }).waitFor();

    // 2. Fill the form: the spec's fields, with their help text.
    await page.getByLabel("Name").fill(`Production Databricks ${tag}`);
    await page.getByLabel("Host URL").fill(workspace.url);
    await page.getByLabel("API token").fill(workspace.token);
    await page.getByLabel("Warehouse ID (optional)").fill(workspace.warehouseId);
    await expect(
      page.getByText("only for Unity Catalog", { exact: false }).or(page.getByText("Unity Catalog SQL operations")).first().isVisible(),
    ).resolves.toBe(true);

    // Test Connection shows every step with its state.
    await page.getByRole("button", { name: "Test connection" }).click();
    const result = page.locator(".connection-result");
    await result.waitFor({ timeout: 60_000 });
    const steps = await result
      .locator("li.step")
      .evaluateAll((items) => items.map((li) => `${li.getAttribute("data-step")}:${li.querySelector(".badge")?.textContent}`));
    expect(steps).toEqual([
      "host:Passed",
      "python:Passed",
      "mlflow:Passed",
      "auth:Passed",
      "catalog:Skipped",
      "experiments:Passed",
      "traces:Passed",
      "warehouse:Passed",
    ]);
    await expect(result.getByText("Connected").first().isVisible()).resolves.toBe(true);

    // 3. Configure the sync: traces and catalog, two experiments picked from the workspace's own list.
    await page.getByLabel("Sync catalog").check();
    await page.getByLabel("Specific experiments").check();
    await page.getByLabel("Search experiments by name").fill(`journey-${tag}`);
    const list = page.getByRole("list", { name: "Experiments of the workspace" });
    // The search narrows the workspace's list (which first shows every experiment) to these two.
    await until("the search to narrow the list", async () => (await list.getByRole("listitem").count()) === 2, 60_000);
    await list.getByText(`journey-${tag}-support`).waitFor();
    await list.getByText(`journey-${tag}-review`).waitFor();
    await list.getByRole("checkbox", { name: new RegExp(`journey-${tag}-support`) }).check();
    await list.getByRole("checkbox", { name: new RegExp(`journey-${tag}-review`) }).check();
    await page.getByText("2 chosen").waitFor();
    await page.getByText("The patterns are valid.").waitFor();
    a11y["integration-form"] = await axe(page, "integration-form");
    await screenshot(page, "integration-form");

    // The token typed is never kept anywhere the browser would show or store it.
    expect(await browserStorage(page)).not.toContain(workspace.token);

    // Save.
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Integration saved.").waitFor();
    await page.getByRole("heading", { name: `Production Databricks ${tag}`, level: 1 }).waitFor();
    expect(await page.content()).not.toContain(workspace.token);

    // 4. Sync now: live progress reaches done, and the history shows the runs.
    await page.getByRole("button", { name: "Sync now" }).click();
    const traces = page.locator('.run-now[data-kind="traces"]');
    const catalog = page.locator('.run-now[data-kind="catalog"]');
    // Live, without reloading: what the trace panel said while the run went on.
    const seen = new Set<string>();
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
      const text = (await traces.textContent()) ?? "";
      seen.add(text.replace(/\s+/g, " ").replace(/Next scheduled.*$/, ""));
      if (text.includes("Done")) break;
      await page.waitForTimeout(200);
    }
    const states = [...seen].join("\n");
    // Seen queued or running, then done, on one page load. The run's own phases ("Working:
    // experiment 2, page 1") can come and go between two refreshes on a run of a few seconds;
    // the API's progress is checked in tests/e2e/integration-setup.e2e.test.ts.
    expect(states).toMatch(/Trace sync: (Queued|Running)/);
    expect(states).not.toMatch(/Working: (?!experiment \d+, page \d+)/);
    await traces.getByText("Done").waitFor({ timeout: 120_000 });
    await catalog.getByText("Done").waitFor({ timeout: 120_000 });
    await expect(traces.locator("dd").first().textContent()).resolves.toMatch(/^2 of 2/);
    const history = page.getByRole("region", { name: "Sync history" });
    await history.getByText("Succeeded").nth(1).waitFor();
    expect(await history.getByRole("row").count()).toBe(3);
    const fetched = await history.getByRole("row").filter({ hasText: "Traces" }).getByRole("cell").nth(4).textContent();
    expect(Number(fetched)).toBe(24);
    a11y["integration"] = await axe(page, "integration");
    await screenshot(page, "integration");

    // The list shows it connected, with both kinds' last syncs and the next scheduled one.
    await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Integrations" }).click();
    const row = page.getByRole("row").filter({ hasText: `Production Databricks ${tag}` });
    await row.getByText("Connected").waitFor();
    expect(await row.getByText("Succeeded").count()).toBe(2);
    // Times are in the reader's zone, with UTC on hover.
    const time = row.locator("time").last();
    const instant = new Date((await time.getAttribute("datetime"))!);
    await expect(time.getAttribute("title")).resolves.toBe(`${instant.toISOString().slice(0, 19).replace("T", " ")} UTC`);
    const local = new Intl.DateTimeFormat("en-US", { timeZone: BROWSER_TIME_ZONE, dateStyle: "medium", timeStyle: "medium" }).format(instant);
    await expect(time.textContent()).resolves.toBe(local);
    a11y["integrations"] = await axe(page, "integrations");
    await screenshot(page, "integrations");

    expect(await browserStorage(page)).not.toContain(workspace.token);
    expect(a11y).toEqual(Object.fromEntries(Object.keys(a11y).map((k) => [k, []])));
    expect(unexpected(problems)).toEqual([]);
  });
});
