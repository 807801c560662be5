import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import type { UserRole } from "@langguard/database";
import { hashPassword } from "../../services/gateway/src/auth/passwords.ts";
import { type Fleet, type FleetOptions, startFleet } from "../helpers/fleet.ts";
import { repoRoot } from "../helpers/test-env.ts";

/** The name the browser reaches the gateway by: not loopback, so Chromium treats it as any plain-http intranet host. */
export const CONSOLE_HOST = "console.test";
/** Another site, for cross-site requests: the gateway does not answer to this name. */
export const OTHER_SITE = "elsewhere.test";
/** People's browsers are not in UTC: times must show in theirs, with UTC on hover. */
export const BROWSER_TIME_ZONE = "America/Chicago";
export const SCREENSHOTS = path.join(repoRoot, ".data", "screenshots");
const AXE_REPORT = path.join(repoRoot, ".data", "axe");

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** Debian's chromium (scripts/ensure-test-tools.sh installs it); Playwright's own browser download is unreachable here. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--headless",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  // console.test resolves to this machine, as an intranet name would.
  `--host-resolver-rules=MAP ${CONSOLE_HOST} 127.0.0.1, MAP ${OTHER_SITE} 127.0.0.1`,
];

export interface Person {
  id: string;
  email: string;
  password: string;
  role: UserRole;
  organizationId: string;
}

/** A page with everything the browser complained about: console errors, uncaught errors, failed requests. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  problems: string[];
}

export interface ConsoleHarness {
  fleet: Fleet;
  /** http://console.test:<port> */
  url: string;
  browser: Browser;
  person(role: UserRole, organizationId?: string): Promise<Person>;
  open(options?: { viewport?: { width: number; height: number }; headers?: Record<string, string> }): Promise<WatchedPage>;
  close(): Promise<void>;
}

let people = 0;

/**
 * A real gateway listening on a port (with workers when asked), reached by Chromium under a
 * non-loopback host name, and people to sign in with.
 */
export async function startConsole(options: FleetOptions & { workers?: Array<"traces" | "catalog"> } = {}): Promise<ConsoleHarness> {
  const fleet = await startFleet({
    ...options,
    worker: options.workers?.includes("traces") ?? false,
    env: { ALLOWED_HOSTS: `localhost,127.0.0.1,${CONSOLE_HOST}`, ...options.env },
  });
  if (options.workers?.includes("catalog")) fleet.startCatalogWorker();
  await fleet.app.listen({ host: "127.0.0.1", port: 0 });
  const port = (fleet.app.server.address() as { port: number }).port;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const url = `http://${CONSOLE_HOST}:${port}`;
  return {
    fleet,
    url,
    browser,
    async person(role, organizationId = fleet.organizationId) {
      people += 1;
      const password = `correct horse battery ${people} ${Math.random().toString(36).slice(2)}`;
      const email = `${role}-${people}-${Math.random().toString(36).slice(2, 8)}@example.com`;
      const user = await fleet.db.user.create({ data: { organizationId, email, role, passwordHash: await hashPassword(password) } });
      return { id: user.id, email, password, role, organizationId };
    },
    async open({ viewport = { width: 1280, height: 800 }, headers } = {}) {
      const context = await browser.newContext({ viewport, baseURL: url, timezoneId: BROWSER_TIME_ZONE, ...(headers ? { extraHTTPHeaders: headers } : {}) });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`console: ${message.text()}`);
      });
      page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
      page.on("requestfailed", (request) => {
        // A request the page itself abandons (a search typed over, a navigation) is not a failure.
        if (request.failure()?.errorText !== "net::ERR_ABORTED") problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
      });
      return { page, context, problems };
    },
    async close() {
      await browser.close();
      await fleet.close();
    },
  };
}

export async function signIn(page: Page, person: Pick<Person, "email" | "password">, next = "/") {
  await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel("E-mail").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/sign-in"));
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: number;
}

/**
 * Runs axe-core in the page (WCAG 2.1 A and AA, and best practices) and returns the serious and
 * critical violations; every result is also written to .data/axe/<name>.json for the report.
 * Evaluated through the DevTools protocol, so the page's CSP need not allow it.
 */
export async function axe(page: Page, name: string): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  // A string, evaluated in the page: this file is type-checked without the DOM's types.
  const result = (await page.evaluate(
    `axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } })`,
  )) as { violations: Array<{ id: string; impact: string | null; help: string; nodes: unknown[] }>; passes: unknown[] };
  const violations = result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
  mkdirSync(AXE_REPORT, { recursive: true });
  writeFileSync(path.join(AXE_REPORT, `${name}.json`), JSON.stringify({ page: name, url: page.url(), passes: result.passes.length, violations }, null, 2));
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** A full-page screenshot under .data/screenshots (kept by CI). */
export async function screenshot(page: Page, name: string) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Browser complaints other than the ones a journey provokes on purpose (e.g. the 404 of another organization's id). */
export function unexpected(problems: string[], allowed: RegExp[] = []): string[] {
  return problems.filter((problem) => !allowed.some((pattern) => pattern.test(problem)));
}

/** What the browser keeps for this origin: storage and readable cookies, where a token must never be. */
export async function browserStorage(page: Page): Promise<string> {
  return (await page.evaluate("JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage }, cookies: document.cookie })")) as string;
}
