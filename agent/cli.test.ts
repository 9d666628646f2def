import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { agentPaths } from "./config.ts";
import { FakeLullServer } from "./fake-lull-server.ts";

const repoRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

type Cli = {
  output: () => string;
  waitFor: (pattern: RegExp) => Promise<void>;
  kill: (signal: NodeJS.Signals) => void;
  exit: Promise<number | null>;
};

/** Aborted when the running test times out (set by beforeEach): its CLI processes are killed. */
let testSignal: AbortSignal;

function startCli(args: string[], env: Record<string, string> = {}): Cli {
  const child = spawn(process.execPath, ["--import", "tsx", "agent/cli.ts", ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    signal: testSignal,
    killSignal: "SIGKILL",
  });
  child.on("error", () => {}); // an abort: the exit below still resolves
  let output = "";
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    for (const listener of listeners) listener();
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    output: () => output,
    kill: (signal) => child.kill(signal),
    exit,
    // No deadline of its own: it fails when the process ends without the line, or with the test.
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(output)) return;
          listeners.delete(check);
          resolve();
        };
        listeners.add(check);
        check();
        void exit.then(() => {
          listeners.delete(check);
          if (!pattern.test(output)) reject(new Error(`no ${pattern} in:\n${output}`));
        });
      }),
  };
}

describe("agent CLI", () => {
  let server: FakeLullServer;
  let dir: string;

  beforeEach(async ({ signal }) => {
    testSignal = signal;
    server = new FakeLullServer();
    await server.start();
    dir = await mkdtemp(path.join(tmpdir(), "lull-agent-cli-"));
  });
  afterEach(async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function enroll() {
    const cli = startCli([
      "enroll",
      "--server",
      server.url,
      "--code",
      server.code,
      "--config-dir",
      dir,
    ]);
    expect(await cli.exit).toBe(0);
    return cli.output();
  }

  test("enroll says which device it enrolled, never the token", async () => {
    const output = await enroll();
    expect(output).toMatch(/enrolled device=device-1/);
    expect(output).not.toContain(server.token);
  });

  test("SIGTERM: the partial batch goes to the outbox and the agent exits 0", async () => {
    await enroll();
    // The agent makes events on its own timer. A run stopped before it made one has no partial
    // batch (no "queued" line) and proves nothing, so it runs again, waiting longer: no fixed
    // wait has to be long enough for a busy machine.
    for (let waitMs = 300; ; waitMs *= 2) {
      const cli = startCli([
        "run",
        "--config-dir",
        dir,
        "--events-per-second",
        "50",
        "--batch-seconds",
        "60",
      ]);
      // From the stream, which answers only once the CLI listens for SIGTERM.
      await cli.waitFor(/status=collecting version=1 source=stream/);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      cli.kill("SIGTERM");
      expect(await cli.exit).toBe(0);
      if (!/queued batch=/.test(cli.output())) {
        expect(cli.output()).toMatch(/status=stopped buffered=0/);
        await rm(agentPaths(dir).state); // so that the next run, too, waits for the stream
        continue;
      }
      expect(cli.output()).toMatch(/status=stopped buffered=1/);
      expect(await readdir(path.join(dir, "outbox"))).toHaveLength(1);
      break;
    }
  });

  test("a revoked device prints status=revoked and exits 3", async () => {
    await enroll();
    const cli = startCli(["run", "--config-dir", dir]);
    await cli.waitFor(/status=collecting/);
    server.revoke();
    expect(await cli.exit).toBe(3);
    expect(cli.output()).toMatch(/status=revoked device=device-1/);
  });

  test("reports its own CPU time and memory every --usage-interval-seconds (or $LULL_AGENT_USAGE_INTERVAL_SECONDS)", async () => {
    await enroll();
    const runs = [
      startCli(["run", "--config-dir", dir, "--usage-interval-seconds", "0.2"]),
      startCli(["run", "--config-dir", dir], { LULL_AGENT_USAGE_INTERVAL_SECONDS: "0.2" }),
    ];
    for (const cli of runs) {
      await cli.waitFor(/usage_reported period_start=\S+ period_end=\S+ cpu_ms=\d+ rss_bytes=\d+/);
      cli.kill("SIGTERM");
      expect(await cli.exit).toBe(0);
    }
    expect(server.usageReports.length).toBeGreaterThanOrEqual(2);
    for (const report of server.usageReports) {
      // A Node process's resident set is tens of megabytes, never a handful of bytes.
      expect(report.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
      expect(report.cpuMs).toBeGreaterThanOrEqual(0);
    }
  });

  test("bad usage exits 2 with the usage text; running unenrolled exits 1", async () => {
    const bad = startCli(["run", "--transport", "carrier-pigeon", "--config-dir", dir]);
    expect(await bad.exit).toBe(2);
    expect(bad.output()).toContain("--transport is sse or longpoll");
    const unenrolled = startCli(["run", "--config-dir", dir]);
    expect(await unenrolled.exit).toBe(1);
    expect(unenrolled.output()).toContain("No enrollment found");
  });
});
