/**
 * The README's first command, `npm run dev`, must serve an app whose client
 * JavaScript runs. This starts the dev server exactly as the README does (with
 * its own database and an empty Vite cache, as on a fresh clone) and checks
 * that the page hydrates: the pause countdown ticks and an enhanced form
 * submits without a full page load.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEMO_PASSWORD, createEnrollmentCode, expect, test } from "./fixtures.ts";

test.describe.configure({ mode: "serial", timeout: 240_000 });

let dir: string;
let child: ChildProcess;
let base: string;
const consoleErrors: string[] = [];

/**
 * Starts `npm run dev` on a port the server picks itself (PORT=0) and reads
 * the address from its "listening on" line: a port found free a moment
 * earlier could be taken by another test's server before this one binds it,
 * and then that other server would answer this test.
 */
async function startDevServer(): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: "0",
    DATABASE_URL: `file:${path.join(dir, "lull.db")}`,
    LULL_VITE_CACHE_DIR: path.join(dir, "vite"),
  };
  Reflect.deleteProperty(env, "NODE_ENV"); // as in a developer's shell: the dev script sets it
  child = spawn("npm", ["run", "dev"], { detached: true, stdio: ["ignore", "pipe", "pipe"], env });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 150_000;
  for (;;) {
    const listening = /Lull is listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
    if (listening) {
      base = listening[1]!;
      try {
        if ((await fetch(`${base}/healthz`)).ok) return;
      } catch {
        // not answering yet
      }
    }
    if (child.exitCode !== null) throw new Error(`npm run dev exited:\n${output}`);
    if (Date.now() > deadline) throw new Error(`npm run dev did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test.beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "lull-dev-"));
  await startDevServer();
});

test.afterAll(() => {
  if (child?.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

test("npm run dev serves a page whose client JavaScript runs", async ({ page }) => {
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("response", (r) => {
    if (r.status() >= 500) consoleErrors.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(`${base}/login`);
  await page.getByLabel("Work email").fill("worker@lull.test");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${base}/`);

  // Hydrated: Remix's client router took over the document.
  await expect
    .poll(() => page.evaluate(() => "__remixRouter" in window), { timeout: 60_000 })
    .toBe(true);

  // An enhanced form submits through fetch: no navigation request for the document.
  let documentLoads = 0;
  page.on("request", (r) => {
    if (r.resourceType() === "document") documentLoads++;
  });
  await page.getByRole("button", { name: "Pause now" }).click();
  await expect(page.getByTestId("tracking-status")).toHaveText(/Paused until/);
  expect(documentLoads).toBe(0);

  // The live countdown ticks, which only client code can do.
  const countdown = page.getByTestId("countdown");
  const first = await countdown.textContent();
  await expect.poll(() => countdown.textContent(), { timeout: 10_000 }).not.toBe(first);

  expect(consoleErrors).toEqual([]);
});

test("npm run dev serves the agents' state stream (handed by server.ts to the app's entry module)", async ({
  page,
}) => {
  await page.goto(`${base}/login`);
  await page.getByLabel("Work email").fill("worker@lull.test");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${base}/`);
  const code = await createEnrollmentCode(page, base);
  const enrolled = await fetch(`${base}/api/agent/v1/enroll`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ code, deviceName: "Dev box", platform: "linux", agentVersion: "1" }),
  });
  expect(enrolled.status).toBe(201);
  const { token } = (await enrolled.json()) as { token: string };
  const controller = new AbortController();
  const stream = await fetch(`${base}/api/agent/v1/state/stream`, {
    headers: { Authorization: `Bearer ${token}` },
    signal: controller.signal,
  });
  expect(stream.status).toBe(200);
  expect(stream.headers.get("Content-Type")).toMatch(/^text\/event-stream/);
  const reader = stream.body!.getReader();
  let text = "";
  while (!text.includes("\n\n")) {
    const chunk = await reader.read();
    if (chunk.done) break;
    text += new TextDecoder().decode(chunk.value);
  }
  expect(text).toMatch(/^event: state\nid: \d+\ndata: \{/);
  controller.abort();
});
