import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type FakeWorkspace, startFakeWorkspace, startFaultProxy } from "../helpers/databricks/index.ts";
import { closeServer, listenOnFreePort } from "../helpers/databricks/http.ts";
import { createIntegration } from "../helpers/fleet.ts";
import { until } from "../helpers/until.ts";
import { axe, type ConsoleHarness, OTHER_SITE, type Person, screenshot, signIn, startConsole, unexpected } from "./harness.ts";

const NOT_FOUND = /status of 404/;
const UNAUTHORIZED = /status of 401/;

/** The failure journeys, each as a person meets it in the browser. */
describe("failure journeys in the console", () => {
  const mlflowUrl = inject("mlflowUrl");
  let harness: ConsoleHarness;
  let workspace: FakeWorkspace;
  let editor: Person;

  beforeAll(async () => {
    workspace = await startFakeWorkspace({ mlflow: mlflowUrl });
    harness = await startConsole({ workers: ["traces"] });
    editor = await harness.person("editor");
  }, 240_000);
  afterAll(async () => {
    await harness?.close();
    await workspace?.stop();
  });

  const openForm = async (person: Person) => {
    const watched = await harness.open();
    await signIn(watched.page, person, "/settings/integrations/new/databricks");
    await watched.page.getByRole("heading", { name: "Add integration: Databricks" }).waitFor();
    return watched;
  };

  it("a wrong token: the auth step fails with the spec's message and fix, and the token is not shown back", async () => {
    const { page, problems } = await openForm(editor);
    const wrong = `dapi${"0".repeat(24)}deadbeef`;
    await page.getByLabel("Name").fill("Wrong token");
    await page.getByLabel("Host URL").fill(workspace.url);
    await page.getByLabel("API token").fill(wrong);
    await page.getByRole("button", { name: "Test connection" }).click();
    const auth = page.locator('li.step[data-step="auth"]');
    await auth.waitFor({ timeout: 60_000 });
    await expect(auth.locator(".badge").textContent()).resolves.toBe("Failed");
    await expect(auth.locator(".step-message").textContent()).resolves.toContain("401 Unauthorized");
    await expect(auth.locator(".step-hint").textContent()).resolves.toMatch(/^Fix: .*Generate a new token/);
    for (const later of ["experiments", "traces", "warehouse"])
      await expect(page.locator(`li.step[data-step="${later}"] .badge`).textContent()).resolves.toBe("Skipped");
    await expect(page.locator(".connection-result").textContent()).resolves.not.toContain(wrong);
    expect(await axe(page, "connection-test-failed")).toEqual([]);
    await screenshot(page, "connection-test-failed");
    expect(unexpected(problems)).toEqual([]);
  });

  it("a host outside the allowed forms is refused before any request is made", async () => {
    const { page, problems } = await openForm(editor);
    const sent: string[] = [];
    page.on("request", (request) => {
      if (request.method() !== "GET") sent.push(`${request.method()} ${new URL(request.url()).pathname}`);
    });
    await page.getByLabel("Name").fill("Not a workspace");
    await page.getByLabel("API token").fill(workspace.token);
    for (const [host, reason] of [
      ["https://dbc-1234.cloud.databricks.com.evil.example", "must be a Databricks workspace domain"],
      ["https://169.254.169.254", "IP addresses are not allowed"],
      ["ftp://dbc-1234.cloud.databricks.com", "must use http or https"],
      ["https://user:pw@dbc-1234.cloud.databricks.com", "must not contain a user name or password"],
    ] as const) {
      await page.getByLabel("Host URL").fill(host);
      await page.getByLabel("Host URL").blur();
      await page.locator(".field-invalid .error-text").filter({ hasText: reason }).waitFor();
      await page.getByRole("button", { name: "Test connection" }).click();
      await page.getByRole("button", { name: "Save", exact: true }).click();
      await page.getByRole("alert").filter({ hasText: "Fix these before saving" }).getByText(`Host URL: ${reason}`, { exact: false }).waitFor();
    }
    // The allowed forms are listed with the field.
    await page.getByText("https://<workspace>.cloud.databricks.com").first().waitFor();
    expect(sent).toEqual([]);
    expect(await axe(page, "integration-form-invalid")).toEqual([]);
    await screenshot(page, "integration-form-invalid");
    expect(unexpected(problems)).toEqual([]);
  });

  it("a rate-limited workspace shows its warning badge with the next attempt", async () => {
    // A workspace that answers its trace searches with 429 and Retry-After: 900 s.
    const throttling = await startFaultProxy({ target: mlflowUrl });
    try {
      throttling.setFault({ path: /traces/, status: 429, retryAfterSeconds: 900 });
      const { id } = await createIntegration(harness.fleet, {
        name: "Throttling workspace",
        source: "mlflow",
        host: throttling.url,
        experiments: [inject("demoExperimentId")],
      });
      await harness.fleet.inject({ method: "POST", url: `/api/integrations/${id}/sync`, payload: {} });
      const rateLimit = await until(
        "the integration to be rate-limited",
        async () => (await harness.fleet.inject({ method: "GET", url: `/api/integrations/${id}` })).json().rateLimit,
        90_000,
      );
      const { page, problems } = await harness.open();
      await signIn(page, editor, "/settings/integrations");
      const row = page.getByRole("row").filter({ hasText: "Throttling workspace" });
      await row.getByText("Warning").waitFor();
      const next = row.locator("time").first();
      await row.getByText("Rate-limited; next attempt").waitFor();
      await expect(next.getAttribute("datetime")).resolves.toBe(new Date(rateLimit.nextAttemptAt).toISOString());
      await screenshot(page, "integrations-rate-limited");
      await row.getByRole("link", { name: "Throttling workspace" }).click();
      const alert = page.getByRole("status").filter({ hasText: "The workspace is rate-limiting LangGuard" });
      await alert.waitFor();
      await expect(alert.locator("time").getAttribute("datetime")).resolves.toBe(new Date(rateLimit.nextAttemptAt).toISOString());
      await page.locator('.run-now[data-kind="traces"]').getByText("Queued").waitFor();
      expect(await axe(page, "integration-rate-limited")).toEqual([]);
      await screenshot(page, "integration-rate-limited");
      expect(unexpected(problems)).toEqual([]);
    } finally {
      await throttling.stop();
    }
  });

  it("a session that ends in the middle of a form: after signing in again, the values are still there", async () => {
    const person = await harness.person("editor");
    const { page, problems } = await openForm(person);
    await page.getByLabel("Name").fill("Kept across sign-ins");
    await page.getByLabel("Host URL").fill(workspace.url);
    await page.getByLabel("API token").fill(workspace.token);
    await page.getByLabel("Warehouse ID (optional)").fill(workspace.warehouseId);
    await page.getByLabel("Sync catalog").check();
    // The session ends on the server (its absolute lifetime is over) while the form is open.
    await harness.fleet.db.session.updateMany({ where: { userId: person.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await page.getByRole("button", { name: "Save", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Your session has ended" });
    await dialog.waitFor();
    expect(await axe(page, "session-ended")).toEqual([]);
    await screenshot(page, "session-ended");
    await expect(dialog.getByLabel("E-mail").inputValue()).resolves.toBe(person.email);
    await dialog.getByLabel("Password").fill(person.password);
    await dialog.getByRole("button", { name: "Sign in and continue" }).click();
    await dialog.waitFor({ state: "hidden" });
    await expect(page.getByLabel("Name").inputValue()).resolves.toBe("Kept across sign-ins");
    await expect(page.getByLabel("Host URL").inputValue()).resolves.toBe(workspace.url);
    await expect(page.getByLabel("API token").inputValue()).resolves.toBe(workspace.token);
    await expect(page.getByLabel("Warehouse ID (optional)").inputValue()).resolves.toBe(workspace.warehouseId);
    await expect(page.getByLabel("Sync catalog").isChecked()).resolves.toBe(true);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByText("Integration saved.").waitFor();
    expect(unexpected(problems, [UNAUTHORIZED])).toEqual([]);
  });

  it("a forged cross-site request is refused", async () => {
    const { page, problems } = await harness.open();
    await signIn(page, editor);
    const target = `${harness.url}/api/integrations`;
    const forged = { name: "Forged from another site", source: "databricks", host: workspace.url, token: workspace.token };
    // Another site's page posts to the gateway twice, as a form would and as a script would, in the signed-in browser.
    const site: Server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(`<!doctype html><html lang="en"><title>elsewhere</title><body>
        <form id="f" method="POST" action="${target}" enctype="text/plain"><input type="hidden" name='${JSON.stringify(forged).slice(0, -1)}, "x": "' value='"}'></form>
        <script>
          fetch(${JSON.stringify(target)}, { method: "POST", credentials: "include", mode: "no-cors", headers: { "content-type": "text/plain" }, body: ${JSON.stringify(JSON.stringify(forged))} })
            .catch(() => undefined)
            .then(() => document.getElementById("f").submit());
        </script></body></html>`);
    });
    const siteUrl = (await listenOnFreePort(site)).replace("127.0.0.1", OTHER_SITE);
    try {
      const answers: number[] = [];
      const blocked: string[] = [];
      page.on("response", (response) => {
        if (response.url() === target && response.request().method() === "POST") answers.push(response.status());
      });
      page.on("requestfailed", (request) => {
        if (request.url() === target) blocked.push(request.failure()?.errorText ?? "");
      });
      await page.goto(siteUrl);
      // The form's post is answered, and refused; the script's answer is not even readable there.
      await until("the forged form post to be answered", async () => (answers.length >= 1 ? answers : undefined), 15_000);
      for (const status of answers) expect([401, 403]).toContain(status);
      expect(blocked).toEqual(["net::ERR_BLOCKED_BY_RESPONSE.NotSameOrigin"]);
      expect(await harness.fleet.db.integration.count({ where: { name: forged.name } })).toBe(0);
      // Signed in all along: the refusal was the gateway's, not a missing session.
      await page.goto("/settings/integrations");
      await page.getByRole("heading", { name: "Integrations", level: 1 }).waitFor();
    } finally {
      await closeServer(site);
    }
    expect(unexpected(problems, [UNAUTHORIZED, /status of 403/, /NotSameOrigin/])).toEqual([]);
  });

  it("a viewer sees no write controls, and a write forged past the UI gets 403", async () => {
    const viewer = await harness.person("viewer");
    const { id } = await createIntegration(harness.fleet, { name: "Seen by a viewer", source: "mlflow", host: mlflowUrl });
    const { page, problems } = await harness.open();
    await signIn(page, viewer, "/settings/integrations");
    await page.getByRole("link", { name: "Seen by a viewer" }).waitFor();
    expect(await page.getByRole("link", { name: "Add integration" }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "Users" }).count()).toBe(0);
    expect(await axe(page, "integrations-viewer")).toEqual([]);
    await page.getByRole("link", { name: "Seen by a viewer" }).click();
    await page.getByRole("heading", { name: "Seen by a viewer", level: 1 }).waitFor();
    await page.getByRole("heading", { name: "History" }).waitFor();
    for (const name of ["Edit", "Test connection", "Disable", "Delete", "Sync now"]) {
      expect(await page.getByRole("button", { name, exact: true }).count(), name).toBe(0);
      expect(await page.getByRole("link", { name, exact: true }).count(), name).toBe(0);
    }
    expect(await axe(page, "integration-viewer")).toEqual([]);
    await screenshot(page, "integration-viewer");
    // Pages for writing are not there for a viewer.
    for (const path of ["/settings/integrations/new", `/settings/integrations/${id}/edit`, "/settings/users"]) {
      await page.goto(path);
      await page.getByRole("heading", { name: "Page not found" }).waitFor();
    }
    // The same session, writing without the UI (with its CSRF token): the gateway refuses.
    const statuses = (await page.evaluate(`(async () => {
      const { session } = await (await fetch("/api/auth/session")).json();
      const headers = { "x-csrf-token": session.csrfToken, "content-type": "application/json" };
      const remove = await fetch("/api/integrations/${id}", { method: "DELETE", headers });
      const sync = await fetch("/api/integrations/${id}/sync", { method: "POST", headers, body: "{}" });
      return [remove.status, sync.status];
    })()`)) as number[];
    expect(statuses).toEqual([403, 403]);
    expect(await harness.fleet.db.integration.count({ where: { id } })).toBe(1);
    expect(unexpected(problems, [/status of 403/])).toEqual([]);
  });

  it("another organization's ids show the not-found page", async () => {
    const other = await harness.fleet.newOrganization(["admin"]);
    const { id } = await createIntegration(
      { inject: (options) => harness.fleet.app.inject({ ...options, headers: { authorization: `Bearer ${other.apiKey}` } }) },
      { name: "Someone else's", source: "mlflow", host: mlflowUrl },
    );
    const { page, problems } = await harness.open();
    await signIn(page, editor, `/settings/integrations/${id}`);
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
    expect(await page.getByText("Someone else's").count()).toBe(0);
    expect(await axe(page, "not-found")).toEqual([]);
    await screenshot(page, "not-found");
    await page.goto(`/settings/integrations/${id}/edit`);
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
    await page.goto("/settings/no-such-page");
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
    expect(unexpected(problems, [NOT_FOUND])).toEqual([]);
  });
});
