import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Page } from "@playwright/test";
import { AgentProcess } from "./agent-process.ts";
import { prepareDatabase, startServerProcess, type ServerProcess } from "./server-process.ts";

export const DEMO_PASSWORD = "lull-demo-password";

/** A documentation-range address, different for every test. */
function uniqueClientIp(): string {
  const n = Math.floor(Math.random() * 65_000);
  return `198.18.${n >> 8}.${n & 255}`;
}

/** A production server of one test's own, on its own freshly seeded database. */
export type PrivateServer = {
  url: string;
  databaseFile: string;
  /** Stops it, as an outage would; `start` brings it back on the same port, database and secret. */
  stop(): Promise<void>;
  start(): Promise<void>;
};

/** Reference agents of one test, stopped and their folders removed when it ends, however it ends. */
export type Agents = {
  /** A new, empty configuration folder for an agent. */
  configDir(): string;
  /** Runs an agent enrolled in `configDir` (with `run`'s extra flags); its status lines are attached if the test fails. */
  start(configDir: string, extraArgs?: string[]): AgentProcess;
};

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * Every test gets its own client address (the server trusts the loopback
 * proxy header in the suite), so sign-in throttling in one test never
 * spills into another.
 *
 * The suite runs fully parallel against one shared server and database. A test
 * that changes something for the whole organisation (the policy, a published
 * document, the acknowledgement gate) would change it under every test running
 * beside it, so it declares `test.use({ ownServer: true })`: it then gets a
 * server and database of its own (`privateServer`), and its `baseURL`, `page`,
 * `request` and new browser contexts point there.
 */
export const test = base.extend<{
  clientIp: string;
  ownServer: boolean;
  /** With `ownServer`: the server's (and the seed's) calendar stays at this ISO time. */
  fixedNow: string | undefined;
  privateServer: PrivateServer | undefined;
  agents: Agents;
}>({
  clientIp: async ({}, use) => {
    await use(uniqueClientIp());
  },
  context: async ({ context, clientIp }, use) => {
    await context.setExtraHTTPHeaders({ "X-Forwarded-For": clientIp });
    await use(context);
  },
  ownServer: [false, { option: true }],
  fixedNow: [undefined, { option: true }],
  privateServer: [
    async ({ ownServer, fixedNow }, use) => {
      if (!ownServer) return use(undefined);
      const dir = mkdtempSync(path.join(tmpdir(), "lull-own-server-"));
      const databaseFile = path.join(dir, "lull.db");
      const options = {
        port: await freePort(),
        databaseUrl: `file:${databaseFile}`,
        sessionSecret: randomBytes(32).toString("hex"),
        fixedNow,
      };
      prepareDatabase(options.databaseUrl, fixedNow);
      let running: ServerProcess | undefined = await startServerProcess(options);
      try {
        await use({
          url: running.url,
          databaseFile,
          stop: async () => {
            await running?.stop();
            running = undefined;
          },
          start: async () => {
            running ??= await startServerProcess(options);
          },
        });
      } finally {
        await running?.stop();
        rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      }
    },
    // Migrating and seeding a database takes a while on a busy machine; not the test's time.
    { timeout: 120_000 },
  ],
  baseURL: async ({ baseURL, privateServer }, use) => {
    await use(privateServer?.url ?? baseURL);
  },
  agents: async ({}, use, testInfo) => {
    const dirs: string[] = [];
    const started: AgentProcess[] = [];
    await use({
      configDir: () => {
        const dir = mkdtempSync(path.join(tmpdir(), "lull-agent-"));
        dirs.push(dir);
        return dir;
      },
      start: (configDir, extraArgs) => {
        const agent = new AgentProcess(configDir, extraArgs);
        started.push(agent);
        return agent;
      },
    });
    for (const [i, agent] of started.entries()) {
      if (testInfo.status !== testInfo.expectedStatus) {
        await testInfo.attach(`agent ${i + 1} status lines`, {
          body: agent.lines.map((l) => l.line).join("\n"),
          contentType: "text/plain",
        });
      }
      await agent.stop();
    }
    // The agent may still be finishing a write as it exits (ENOTEMPTY): retry for up to 5 s.
    for (const dir of dirs) {
      rmSync(dir, { recursive: true, force: true, maxRetries: 50, retryDelay: 100 });
    }
  },
});

export { expect };

/** Fills in and submits the sign-in form, whatever the outcome. */
export async function attemptSignIn(page: Page, email: string, password: string, base = "") {
  await page.goto(`${base}/login`);
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Signs in with the demo password and waits until the portal has opened. */
export async function signIn(page: Page, email: string, base = "") {
  await attemptSignIn(page, email, DEMO_PASSWORD, base);
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

export async function signOut(page: Page) {
  const menu = page.getByTestId("user-menu");
  await menu.locator("summary").click();
  await menu.getByRole("button", { name: "Sign out", exact: true }).click();
  // Until the sign-out has landed the browser still holds the session, and /login would send
  // it back to the portal: wait for the sign-in page the sign-out leads to.
  await page.waitForURL((url) => url.pathname === "/login");
}

/** No serious or critical axe violations on the page as it is now. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
  ).toEqual([]);
}

/** Creates a one-time device enrollment code on /devices and reads it off the page. */
export async function createEnrollmentCode(page: Page, base = ""): Promise<string> {
  await page.goto(`${base}/devices`);
  await page.getByRole("button", { name: "Create enrollment code" }).click();
  const code = await page.getByTestId("enrollment-code").locator("p.font-mono").textContent();
  expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  return code!;
}
