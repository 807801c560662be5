import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startFakeWorkspace } from "../helpers/databricks/index.ts";
import { createIntegration, syncAndWait } from "../helpers/fleet.ts";
import { axe, CONSOLE_HOST, type ConsoleHarness, type Person, screenshot, signIn, startConsole, unexpected } from "./harness.ts";
import { createOperatorKey } from "../../services/gateway/src/auth/api-keys.ts";

/**
 * The console by keyboard alone and in a narrow window, and the gateway's other browser pages
 * (Swagger UI, Bull Board) over plain http on a non-loopback host name.
 */
describe("pages: keyboard, narrow windows, and the docs over plain http", () => {
  const mlflowUrl = inject("mlflowUrl");
  let harness: ConsoleHarness;
  let admin: Person;
  let integrationId: string;

  beforeAll(async () => {
    harness = await startConsole({ workers: ["traces"] });
    admin = await harness.person("admin");
    ({ id: integrationId } = await createIntegration(harness.fleet, {
      name: "Local MLflow",
      source: "mlflow",
      host: mlflowUrl,
      experiments: [inject("demoExperimentId")],
    }));
    await syncAndWait(harness.fleet, integrationId);
  }, 240_000);
  afterAll(() => harness?.close());

  it("works from the keyboard: sign in, reach an integration, open and cancel the delete confirmation, sign out", async () => {
    const { page, problems } = await harness.open();
    await page.goto("/sign-in");
    await page.getByRole("heading", { name: "Sign in to LangGuard" }).waitFor();
    const focused = () =>
      page.evaluate(
        "document.activeElement?.getAttribute('aria-label') || document.activeElement?.textContent?.trim() || document.activeElement?.id",
      ) as Promise<string>;
    await page.keyboard.press("Tab");
    await page.keyboard.type(admin.email);
    await page.keyboard.press("Tab");
    await page.keyboard.type(admin.password);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Integrations", level: 1 }).waitFor();
    // The skip link comes first and jumps to the content.
    await page.keyboard.press("Tab");
    await expect(focused()).resolves.toBe("Skip to content");
    // Tab to the integration's link and open it.
    for (let i = 0; i < 30 && (await focused()) !== "Local MLflow"; i += 1) await page.keyboard.press("Tab");
    await expect(focused()).resolves.toBe("Local MLflow");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Local MLflow", level: 1 }).waitFor();
    // Focus moves to the new page's heading, as a page load would.
    await expect(page.evaluate("document.activeElement?.tagName")).resolves.toBe("H1");
    for (let i = 0; i < 30 && (await focused()) !== "Delete"; i += 1) await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Delete Local MLflow?" });
    await dialog.waitFor();
    // Focus starts on the safe choice; Escape closes without deleting.
    await expect(focused()).resolves.toBe("Cancel");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await harness.fleet.db.integration.count({ where: { id: integrationId } })).toBe(1);
    for (let i = 0; i < 40 && (await focused()) !== "Sign out"; i += 1) await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Sign in to LangGuard" }).waitFor();
    expect(unexpected(problems)).toEqual([]);
  });

  it("is usable at 1280×800 and in a narrow window: nothing wider than the screen, and no serious axe finding", async () => {
    for (const [name, viewport] of [
      ["wide", { width: 1280, height: 800 }],
      ["narrow", { width: 390, height: 844 }],
    ] as const) {
      const { page, problems, context } = await harness.open({ viewport });
      await signIn(page, admin, "/settings/integrations");
      for (const [path, heading] of [
        ["/settings/integrations", "Integrations"],
        [`/settings/integrations/${integrationId}`, "Local MLflow"],
        ["/settings/integrations/new/mlflow", "Add integration: Self-hosted MLflow"],
        [`/settings/integrations/${integrationId}/edit`, "Edit Local MLflow"],
        ["/settings/users", "Users"],
      ] as const) {
        await page.goto(path);
        await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
        await page.getByText("Loading", { exact: false }).first().waitFor({ state: "hidden" });
        const overflow = (await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")) as number;
        expect(overflow, `${name} ${path}`).toBeLessThanOrEqual(0);
        const label = `${path.split("/").filter(Boolean).slice(1).join("-").replace(integrationId, "id") || "home"}-${name}`;
        expect(await axe(page, label), `${name} ${path}`).toEqual([]);
        if (name === "narrow" && path === "/settings/integrations") await screenshot(page, "integrations-narrow");
        if (name === "wide" && path.endsWith("/edit")) await screenshot(page, "integration-edit");
      }
      expect(unexpected(problems)).toEqual([]);
      await context.close();
    }
  });

  it("edits with the token asked again when the host changes, disables, and deletes after confirming", async () => {
    const workspace = await startFakeWorkspace({ mlflow: mlflowUrl });
    try {
      const wrong = `dapi${"1".repeat(24)}0badcafe`;
      const { id } = await createIntegration(harness.fleet, {
        name: "To be edited",
        source: "databricks",
        host: workspace.url,
        token: wrong,
        syncIntervalMinutes: 0,
      });
      const { page, problems } = await harness.open();
      await signIn(page, admin, `/settings/integrations/${id}`);
      // A sync with the wrong token: the history shows the failure and why.
      await page.getByLabel("Traces", { exact: true }).check();
      await page.getByRole("button", { name: "Sync now" }).click();
      const history = page.getByRole("region", { name: "Sync history" });
      await history.getByText("Failed").waitFor({ timeout: 60_000 });
      await history.getByText(/1 errors?, 0 warnings/).click();
      await history
        .getByText(/401 Unauthorized/)
        .first()
        .waitFor();
      await page
        .locator('.run-now[data-kind="traces"]')
        .getByText(/401 Unauthorized/)
        .waitFor();
      // Edit: the saved token is never shown; moving the host asks for it again, before sending anything.
      await page.getByRole("link", { name: "Edit" }).click();
      await page.getByRole("heading", { name: "Edit To be edited" }).waitFor();
      await expect(page.getByLabel("API token").inputValue()).resolves.toBe("");
      expect(await page.content()).not.toContain(wrong.slice(-4));
      const writes: string[] = [];
      page.on("request", (request) => {
        if (request.method() === "PATCH") writes.push(request.url());
      });
      await page.getByLabel("Host URL").fill(workspace.url.replace("127.0.0.1", "localhost"));
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.getByRole("alert").getByText("API token: must be supplied again when host or source changes", { exact: false }).waitFor();
      expect(writes).toEqual([]);
      await page.getByLabel("API token").fill(workspace.token);
      await page.getByRole("button", { name: "Save changes" }).click();
      await page.getByText("Changes saved.").waitFor();
      await page.getByText(workspace.url.replace("127.0.0.1", "localhost")).waitFor();
      // A full sync is an explicit choice, and shows as one in the history.
      await page.getByLabel("Traces", { exact: true }).check();
      await page.getByLabel(/^Full sync/).check();
      await page.getByRole("button", { name: "Sync now" }).click();
      await history.getByText("Traces (full)").waitFor();
      // Disable, then delete after confirming.
      await page.getByRole("button", { name: "Disable" }).click();
      await page.getByText("Disabled: no syncs run until it is enabled again.").waitFor();
      await page.getByRole("heading", { name: "To be edited" }).locator("..").locator("..").getByText("Disabled").first().waitFor();
      await page.getByRole("button", { name: "Delete", exact: true }).click();
      const dialog = page.getByRole("dialog", { name: "Delete To be edited?" });
      await dialog.getByRole("button", { name: "Delete integration" }).click();
      await page.getByText("To be edited was deleted.").waitFor();
      expect(await harness.fleet.db.integration.count({ where: { id } })).toBe(0);
      expect(unexpected(problems)).toEqual([]);
    } finally {
      await workspace.stop();
    }
  });

  it("shows an error with a way to try again when the gateway cannot be reached, then the data", async () => {
    const { page, problems } = await harness.open();
    await signIn(page, admin, "/settings/users");
    let refused = 0;
    await page.route("**/api/integrations?**", (route) => (refused++ === 0 ? route.abort("connectionrefused") : route.continue()));
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Integrations" }).click();
    const error = page.getByRole("alert").filter({ hasText: "Could not load integrations" });
    await error.getByText("The gateway did not answer").waitFor();
    expect(await axe(page, "integrations-error")).toEqual([]);
    await error.getByRole("button", { name: "Try again" }).click();
    await page.getByRole("link", { name: "Local MLflow" }).waitFor();
    expect(unexpected(problems, [/ERR_CONNECTION_REFUSED/])).toEqual([]);
  });

  it("Swagger UI works over plain http on a non-loopback name, with no upgrade to https, no external font and no console error", async () => {
    const { page, problems } = await harness.open();
    const requested: string[] = [];
    page.on("request", (request) => requested.push(request.url()));
    const response = await page.goto("/docs");
    await page.getByText("LangGuard Databricks sync API").first().waitFor();
    await page
      .getByRole("button", { name: /POST\s*\/api\/integrations\b/ })
      .first()
      .waitFor();
    expect(new URL(page.url()).host.split(":")[0]).toBe(CONSOLE_HOST);
    expect(page.url().startsWith("http://")).toBe(true);
    const csp =
      (await response?.request().redirectedFrom()?.response())?.headers()["content-security-policy"] ?? response?.headers()["content-security-policy"] ?? "";
    expect(csp).not.toContain("upgrade-insecure-requests");
    expect(requested.filter((url) => !url.startsWith(harness.url) && !url.startsWith("data:"))).toEqual([]);
    await screenshot(page, "docs");
    expect(unexpected(problems)).toEqual([]);
  });

  it("Bull Board works over plain http on a non-loopback name, without its Google Fonts and with no console error", async () => {
    // The board is the fleet operators': an operator key opens it (an organization's key gets 403).
    const operator = await createOperatorKey(harness.fleet.db, "browser test");
    const { page, problems } = await harness.open({ headers: { authorization: `Bearer ${operator.key}` } });
    const requested: string[] = [];
    page.on("request", (request) => requested.push(request.url()));
    await page.goto("/admin/queues");
    await page.getByText("trace-sync").first().waitFor();
    expect(requested.filter((url) => !url.startsWith(harness.url) && !url.startsWith("data:"))).toEqual([]);
    await screenshot(page, "queues");
    expect(unexpected(problems)).toEqual([]);
  });
});
