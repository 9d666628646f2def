/**
 * Issue 19, must show (single sign-on): against a real OpenID provider
 * started here (oidc-provider on 127.0.0.1, its own sign-in and consent
 * pages), a Lull server of this file's own (built app, fresh database,
 * OIDC_* set) lets a worker in through the provider, and refuses with a
 * clear page a replayed callback, a wrong state, a token for another
 * audience and an expired ID token. With password sign-in off, the
 * password form is gone and its POST refused, except for break-glass
 * admins. Just-in-time accounts take their role from the groups claim.
 *
 * The tests share one server and change its identity settings, so they run
 * one after the other. SSO_DEBUG=1 shows the server's output and keeps its
 * database (in a lull-sso-* temporary directory).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import type { Page } from "@playwright/test";
import { DEMO_PASSWORD, expect, expectAccessible, freePort, test } from "./fixtures.ts";
import { startOidcProvider, type TestProvider } from "./oidc-provider.ts";
import { prepareDatabase, startServerProcess, type ServerProcess } from "./server-process.ts";

test.describe.configure({ mode: "serial" });

const PROVIDER_NAME = "Test Company";

let provider: TestProvider;
let lull: ServerProcess;
let dir: string;
let databaseFile: string;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  dir = mkdtempSync(path.join(tmpdir(), "lull-sso-"));
  databaseFile = path.join(dir, "lull.db");
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  provider = await startOidcProvider({
    redirectUri: `${base}/auth/sso/callback`,
    postLogoutRedirectUri: `${base}/login`,
    accounts: {
      liam: { email: "Liam.OBrien@lull.test", emailVerified: true, name: "Liam O'Brien" },
      newcomer: {
        email: "new.reviewer@lull.test",
        emailVerified: true,
        name: "Nadia Newcomer",
        groups: ["Lull-Reviewers", "Everyone"],
      },
      stranger: { email: "stranger@lull.test", emailVerified: true, name: "Sam Stranger" },
    },
  });
  prepareDatabase(`file:${databaseFile}`);
  lull = await startServerProcess({
    port,
    databaseUrl: `file:${databaseFile}`,
    sessionSecret: randomBytes(32).toString("hex"),
    stdio: process.env.SSO_DEBUG ? "inherit" : "ignore",
    env: {
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
      OIDC_SCOPES: "openid email profile",
      OIDC_GROUPS_CLAIM: "groups",
      OIDC_PROVIDER_NAME: PROVIDER_NAME,
      PUBLIC_URL: base,
    },
  });
});

test.afterAll(async () => {
  await lull?.stop();
  await provider?.stop();
  if (dir && !process.env.SSO_DEBUG)
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});

test.beforeEach(async ({ page }) => {
  provider.tamper("none");
  setIdentitySettings({ passwordSignIn: "EVERYONE", breakGlass: [], justInTime: false });
  // The provider's development pages load a web font; there is no network here.
  await page.route("https://fonts.googleapis.com/**", (route) => route.abort());
});

/** The identity settings, written straight into the server's database (the Identity page is another change). */
function setIdentitySettings({
  passwordSignIn,
  breakGlass,
  justInTime,
}: {
  passwordSignIn: "EVERYONE" | "BREAK_GLASS_ONLY";
  breakGlass: string[];
  justInTime: boolean;
}) {
  const db = new Database(databaseFile);
  try {
    db.prepare(
      `UPDATE "IdentitySettings" SET "passwordSignIn" = ?, "breakGlassEmails" = ?, "justInTimeProvisioning" = ? WHERE "id" = 1`,
    ).run(passwordSignIn, JSON.stringify(breakGlass), justInTime ? 1 : 0);
  } finally {
    db.close();
  }
}

function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(databaseFile, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/**
 * Lull's pages (not the provider's) log no errors to the console. A refusal
 * page's own status (4xx, on purpose) is reported by the browser as a failed
 * load; that line is not an error of the page.
 */
function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error" || !page.url().startsWith(lull.url)) return;
    if (
      /^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())
    ) {
      return;
    }
    errors.push(`${page.url()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`${page.url()}: ${error.message}`));
  return errors;
}

/** From Lull's sign-in page, through the provider's sign-in and consent pages. */
async function signInThroughProvider(page: Page, login: string) {
  await page.goto(`${lull.url}/login`);
  await page.getByRole("button", { name: `Sign in with ${PROVIDER_NAME}` }).click();
  await page.waitForURL((url) => url.origin === provider.issuer);
  await page.getByPlaceholder("Enter any login").fill(login);
  await page.getByPlaceholder("and password").fill("anything");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

/**
 * Signs in at the provider but does not let the browser go back to Lull:
 * the consent is sent by the test (with the browser's cookies), and the
 * provider's redirects are read instead of followed. Returns the callback URL.
 */
async function callbackUrlFor(page: Page, login: string): Promise<URL> {
  await page.goto(`${lull.url}/login`);
  await page.getByRole("button", { name: `Sign in with ${PROVIDER_NAME}` }).click();
  await page.waitForURL((url) => url.origin === provider.issuer);
  await page.getByPlaceholder("Enter any login").fill(login);
  await page.getByPlaceholder("and password").fill("anything");
  await page.getByRole("button", { name: "Sign-in" }).click();
  const consent = page
    .locator("form")
    .filter({ has: page.getByRole("button", { name: "Continue" }) });
  const action = new URL((await consent.getAttribute("action"))!, page.url());
  let res = await page.request.post(action.href, { form: { prompt: "consent" }, maxRedirects: 0 });
  for (let hops = 0; hops < 5; hops++) {
    const location = new URL(res.headers()["location"]!, provider.issuer);
    if (location.origin === lull.url) return location;
    res = await page.request.get(location.href, { maxRedirects: 0 });
  }
  throw new Error("the provider did not send the browser back to Lull");
}

async function expectRefusal(page: Page, url: string, status: number, heading: RegExp) {
  const res = await page.goto(url);
  expect(res?.status()).toBe(status);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(heading);
  await expect(page.getByRole("link", { name: "Try again" })).toHaveAttribute("href", "/login");
  await expectAccessible(page);
}

function lastFailureReason(): string | undefined {
  const [row] = query<{ metadata: string }>(
    `SELECT "metadata" FROM "AuditEvent" WHERE "action" = 'auth.sso_failed' ORDER BY "at" DESC, rowid DESC LIMIT 1`,
  );
  return row ? (JSON.parse(row.metadata) as { reason: string }).reason : undefined;
}

test("a worker signs in through the company's provider and lands on Home; signing out ends both", async ({
  page,
}) => {
  const errors = watchConsole(page);
  await page.goto(`${lull.url}/login`);
  await expectAccessible(page);
  await signInThroughProvider(page, "liam");
  await page.waitForURL(`${lull.url}/`);
  await expect(page.getByTestId("profile-name")).toHaveText("Liam O'Brien");
  await expect(page.getByTestId("user-menu")).toContainText("Worker");

  const [event] = query<{ metadata: string }>(
    `SELECT e."metadata" FROM "AuditEvent" e JOIN "User" u ON u."id" = e."subjectUserId" WHERE u."email" = 'liam.obrien@lull.test' AND e."action" = 'auth.sign_in'`,
  );
  expect(JSON.parse(event!.metadata)).toMatchObject({ method: "sso", account: "email" });
  expect(
    query(`SELECT 1 FROM "AuditEvent" WHERE "action" = 'user.link'`).length,
  ).toBeGreaterThanOrEqual(1);

  // RP-initiated logout: the provider asks, then sends the browser back to Lull's sign-in page.
  const menu = page.getByTestId("user-menu");
  await menu.locator("summary").click();
  await menu.getByRole("button", { name: "Sign out", exact: true }).click();
  await page.waitForURL((url) => url.origin === provider.issuer);
  await page.getByRole("button", { name: "Yes, sign me out" }).click();
  await page.waitForURL(`${lull.url}/login`);
  await page.goto(`${lull.url}/`);
  await expect(page).toHaveURL(`${lull.url}/login`);
  expect(errors).toEqual([]);
});

test("a replayed callback is refused, even with this browser's state cookie", async ({ page }) => {
  const callback = await callbackUrlFor(page, "liam");
  const stateCookie = (await page.context().cookies()).find((c) =>
    c.name.includes("lull_sso_state"),
  );
  expect(stateCookie).toBeTruthy();

  await page.goto(callback.href);
  await page.waitForURL(`${lull.url}/`);

  // The same answer again, from a browser holding the same state cookie.
  await page.context().clearCookies();
  await page.context().addCookies([stateCookie!]);
  await expectRefusal(page, callback.href, 400, /already used/);
  expect(lastFailureReason()).toBe("already_used");
});

test("a callback whose state is not this browser's is refused", async ({ page }) => {
  const errors = watchConsole(page);
  const callback = await callbackUrlFor(page, "liam");
  callback.searchParams.set("state", "not-the-state-this-browser-started");
  await expectRefusal(page, callback.href, 400, /did not start here/);
  expect(lastFailureReason()).toBe("wrong_state");
  expect(errors).toEqual([]);
});

test("an ID token for another audience is refused", async ({ page }) => {
  provider.tamper("audience");
  const callback = await callbackUrlFor(page, "liam");
  await expectRefusal(page, callback.href, 401, /meant for another application/);
  expect(lastFailureReason()).toBe("wrong_audience");
});

test("an expired ID token is refused", async ({ page }) => {
  provider.tamper("expired");
  const callback = await callbackUrlFor(page, "liam");
  await expectRefusal(page, callback.href, 401, /had expired/);
  expect(lastFailureReason()).toBe("token_expired");
});

test("someone with no account is refused while just-in-time accounts are off", async ({ page }) => {
  const callback = await callbackUrlFor(page, "stranger");
  await expectRefusal(page, callback.href, 403, /do not have a Lull account/);
  expect(lastFailureReason()).toBe("unknown_user");
  expect(query(`SELECT 1 FROM "User" WHERE "email" = 'stranger@lull.test'`)).toEqual([]);
});

test("with just-in-time accounts on, a newcomer's account is made with the role of their groups", async ({
  page,
}) => {
  setIdentitySettings({ passwordSignIn: "EVERYONE", breakGlass: [], justInTime: true });
  const db = new Database(databaseFile);
  db.prepare(
    `INSERT OR REPLACE INTO "GroupRole" ("key", "displayName", "role", "createdAt") VALUES ('lull-reviewers', 'Lull-Reviewers', 'REVIEWER', ?)`,
  ).run(new Date().toISOString());
  db.close();

  await signInThroughProvider(page, "newcomer");
  await page.waitForURL(`${lull.url}/`);
  await expect(page.getByTestId("profile-name")).toHaveText("Nadia Newcomer");
  await expect(page.getByTestId("user-menu")).toContainText("Reviewer");
  const [user] = query<{ role: string; roleSource: string }>(
    `SELECT "role", "roleSource" FROM "User" WHERE "email" = 'new.reviewer@lull.test'`,
  );
  expect(user).toEqual({ role: "REVIEWER", roleSource: "DIRECTORY" });
  expect(
    query(
      `SELECT 1 FROM "AuditEvent" WHERE "action" = 'user.provision' AND "metadata" LIKE '%"via":"sso"%'`,
    ),
  ).toHaveLength(1);
});

test("with password sign-in off, the password form is gone and its POST refused, but break-glass admins still sign in", async ({
  page,
  browser,
}) => {
  setIdentitySettings({
    passwordSignIn: "BREAK_GLASS_ONLY",
    breakGlass: ["admin@lull.test"],
    justInTime: false,
  });
  const errors = watchConsole(page);
  await page.goto(`${lull.url}/login`);
  await expect(page.getByRole("button", { name: `Sign in with ${PROVIDER_NAME}` })).toBeVisible();
  await expect(page.getByLabel("Password")).toHaveCount(0);
  await expect(page.getByLabel("Work email")).toHaveCount(0);
  await expectAccessible(page);

  // A POST to the old form, as a script would send it.
  const refused = await page.request.post(`${lull.url}/login`, {
    form: { email: "worker@lull.test", password: DEMO_PASSWORD },
    headers: { Origin: lull.url },
  });
  expect(refused.status()).toBe(403);
  expect(await refused.text()).toContain("Password sign-in is switched off");
  expect(
    query(`SELECT 1 FROM "AuditEvent" WHERE "action" = 'auth.password_refused'`).length,
  ).toBeGreaterThanOrEqual(1);

  // Not through the administrators' page either, for someone not named.
  await page.getByRole("link", { name: "Administrator sign-in" }).click();
  await expect(page).toHaveURL(`${lull.url}/login/password`);
  await expectAccessible(page);
  await page.getByLabel("Work email").fill("reviewer@lull.test");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("Password sign-in is switched off");

  // The break-glass admin does get in.
  await page.getByLabel("Work email").fill("admin@lull.test");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${lull.url}/`);
  await expect(page.getByTestId("user-menu")).toContainText("Admin");
  expect(errors).toEqual([]);

  // The pages fit a phone.
  const phone = await browser.newPage({ viewport: { width: 360, height: 740 } });
  await phone.goto(`${lull.url}/login`);
  const overflow = await phone.evaluate(
    () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
  );
  expect(overflow).toBe(false);
  await phone.close();
});

test("the Identity page shows the provider, the last failures and who was provisioned, and switches password sign-in off", async ({
  page,
}) => {
  const errors = watchConsole(page);
  await page.goto(`${lull.url}/login`);
  await page.getByLabel("Work email").fill("admin@lull.test");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${lull.url}/`);
  await page.goto(`${lull.url}/admin/identity`);
  await expect(page.getByTestId("sso-issuer")).toHaveText(provider.issuer);
  // The refusals of the tests before this one, in plain words.
  await expect(page.getByTestId("sso-errors")).toContainText(
    "The ID token was issued for another application",
  );
  await expect(page.getByTestId("sso-errors")).toContainText("The ID token had expired");
  await expect(page.getByTestId("identity-event").first()).toBeVisible();
  await expect(page.locator("main")).toContainText("Provisioned an account from the directory");
  await expectAccessible(page);

  // Single sign-on only, with the admin as the break-glass account, through the form.
  await page.getByLabel("Single sign-on only, except the break-glass admins below").check();
  await page.getByLabel("Break-glass admins (one email address per line)").fill("admin@lull.test");
  await page.getByRole("button", { name: "Save sign-in settings" }).click();
  await expect(page.getByText("Sign-in settings saved.")).toBeVisible();
  await expect(page.locator("main")).toContainText(
    "Password sign-in is off except for the break-glass admins.",
  );
  const [settings] = query<{ passwordSignIn: string; breakGlassEmails: string }>(
    `SELECT "passwordSignIn", "breakGlassEmails" FROM "IdentitySettings" WHERE "id" = 1`,
  );
  expect(settings).toEqual({
    passwordSignIn: "BREAK_GLASS_ONLY",
    breakGlassEmails: '["admin@lull.test"]',
  });
  expect(
    query(`SELECT 1 FROM "AuditEvent" WHERE "action" = 'identity.settings'`).length,
  ).toBeGreaterThanOrEqual(2);
  expect(errors).toEqual([]);
});
