import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, TEST_DATABASE_URL } from "../helpers/test-env.ts";
import { axe, type ConsoleHarness, type Person, screenshot, signIn, startConsole, unexpected } from "./harness.ts";

/** People: the command-line invitation, admins managing users in the console, roles taking effect. */
describe("people in the console", () => {
  let harness: ConsoleHarness;
  let admin: Person;
  let slug: string;

  beforeAll(async () => {
    harness = await startConsole({});
    admin = await harness.person("admin");
    slug = (await harness.fleet.db.organization.findUniqueOrThrow({ where: { id: harness.fleet.organizationId } })).slug;
  }, 240_000);
  afterAll(() => harness?.close());

  const setPassword = async (link: string, password: string) => {
    const { page, problems } = await harness.open();
    await page.goto(link);
    await page.getByRole("heading", { name: "Set your password" }).waitFor();
    // The token leaves the address bar at once (it is in the fragment, never sent to a server).
    expect(page.url()).not.toContain("token");
    await page.getByLabel("New password").fill(password);
    await page.getByLabel("Repeat the password").fill(password);
    return { page, problems };
  };

  it("`pnpm admin create-user` prints a one-time link; the person sets a password with it and is signed in, once", async () => {
    const email = `cli-${Date.now()}@example.com`;
    const { stdout } = await execa("node", ["--import", "tsx", "scripts/admin.ts", "create-user", slug, email, "editor"], {
      cwd: repoRoot,
      env: { DATABASE_URL: TEST_DATABASE_URL, PUBLIC_URL: harness.url },
    });
    const link = /set-password link \(one use, valid 72 h; shown once\): (\S+)/.exec(stdout)?.[1];
    expect(link).toMatch(new RegExp(`^${harness.url}/set-password#token=[A-Za-z0-9_-]{43}$`));
    const { page, problems } = await setPassword(link!, "short");
    await page.getByRole("button", { name: "Set password and sign in" }).click();
    await page.getByText("must be at least 12 characters").waitFor();
    expect(await axe(page, "set-password")).toEqual([]);
    await screenshot(page, "set-password");
    await page.getByLabel("New password").fill("a long enough passphrase");
    await page.getByLabel("Repeat the password").fill("a long enough passphrase");
    await page.getByRole("button", { name: "Set password and sign in" }).click();
    await page.getByRole("heading", { name: "Integrations", level: 1 }).waitFor();
    await page.getByText(`${email}`).waitFor();
    expect(unexpected(problems)).toEqual([]);

    // The link works once.
    const again = await setPassword(link!, "another long passphrase");
    await again.page.getByRole("button", { name: "Set password and sign in" }).click();
    await again.page.getByText("This link cannot be used").waitFor();
    expect(unexpected(again.problems, [/status of 401/])).toEqual([]);
  });

  it("an admin adds a user, who signs in with the role given; the admin changes the role, then disables them", async () => {
    const { page, problems } = await harness.open();
    await signIn(page, admin, "/settings/users");
    await page.getByRole("heading", { name: "Users", level: 1 }).waitFor();
    const email = `invited-${Date.now()}@example.com`;
    await page.getByLabel("E-mail").fill("not an address");
    await page.getByRole("button", { name: "Add user" }).click();
    await page.getByText("must be an e-mail address").waitFor();
    await page.getByLabel("E-mail").fill(email);
    await page.getByLabel("Role").selectOption("viewer");
    await page.getByRole("button", { name: "Add user" }).click();
    const dialog = page.getByRole("dialog", { name: "One-time link to set a password" });
    await dialog.waitFor();
    expect(await axe(page, "user-link")).toEqual([]);
    const link = await dialog.getByLabel("Link").inputValue();
    expect(link.startsWith(`${harness.url}/set-password#token=`)).toBe(true);
    await dialog.getByRole("button", { name: "Done" }).click();
    const row = page.getByRole("row").filter({ hasText: email });
    await row.getByText("Invited", { exact: true }).waitFor();
    expect(await axe(page, "users")).toEqual([]);
    await screenshot(page, "users");

    // The new person sets a password and is a viewer.
    const invited = await setPassword(link, "viewer passphrase long");
    await invited.page.getByRole("button", { name: "Set password and sign in" }).click();
    await invited.page.getByRole("heading", { name: "Integrations", level: 1 }).waitFor();
    expect(await invited.page.getByRole("link", { name: "Add integration" }).count()).toBe(0);

    // Made an editor: the next page they load offers writing.
    await page.reload();
    await row.getByText("Active", { exact: true }).waitFor();
    await row.getByRole("button", { name: `Change ${email}` }).click();
    const change = page.getByRole("dialog", { name: `Change ${email}` });
    await change.getByLabel("Role").selectOption("editor");
    await change.getByRole("button", { name: "Save" }).click();
    await change.waitFor({ state: "hidden" });
    await row.getByRole("cell", { name: "Editor" }).waitFor();
    await invited.page.reload();
    await invited.page.getByRole("link", { name: "Add integration" }).waitFor();

    // Disabled: their open console asks them to sign in, and signing in fails with the usual words.
    await row.getByRole("button", { name: `Change ${email}` }).click();
    await change.getByLabel(/^Disabled/).check();
    await change.getByRole("button", { name: "Save" }).click();
    await row.getByText("Disabled", { exact: true }).waitFor();
    await invited.page.getByRole("link", { name: "Add integration" }).click();
    await invited.page.getByRole("dialog", { name: "Your session has ended" }).waitFor();
    const dialogAfter = invited.page.getByRole("dialog", { name: "Your session has ended" });
    await dialogAfter.getByLabel("Password").fill("viewer passphrase long");
    await dialogAfter.getByRole("button", { name: "Sign in and continue" }).click();
    await dialogAfter.getByText("The e-mail address or password is not correct").waitFor();

    // An admin cannot lock the organization out: no deleting oneself.
    const me = page.getByRole("row").filter({ hasText: admin.email });
    await expect(me.getByRole("button", { name: `Delete ${admin.email}` }).isDisabled()).resolves.toBe(true);
    expect(unexpected(problems)).toEqual([]);
    expect(unexpected(invited.problems, [/status of 401/])).toEqual([]);
  });

  it("sign-in says the same for an unknown address and a wrong password", async () => {
    const { page, problems } = await harness.open();
    await page.goto("/sign-in");
    const attempt = async (email: string, password: string) => {
      await page.getByLabel("E-mail").fill(email);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      const alert = page.getByRole("alert");
      await alert.waitFor();
      const text = await alert.textContent();
      await page.reload();
      return text;
    };
    const unknown = await attempt(`nobody-${Date.now()}@example.com`, "whatever it is");
    const wrong = await attempt(admin.email, "not the password");
    expect(unknown).toBe("The e-mail address or password is not correct");
    expect(wrong).toBe(unknown);
    expect(unexpected(problems, [/status of 401/])).toEqual([]);
  });
});
