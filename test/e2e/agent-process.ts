/**
 * The reference agent (agent/cli.ts) as a child process, with its status
 * lines collected so a test can wait for "status=paused" and friends.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export async function enrollAgent({
  server,
  code,
  configDir,
}: {
  server: string;
  code: string;
  configDir: string;
}) {
  await run("npx", [
    "tsx",
    "agent/cli.ts",
    "enroll",
    "--server",
    server,
    "--code",
    code,
    "--name",
    "e2e laptop",
    "--config-dir",
    configDir,
  ]);
}

export type StatusLine = { line: string; at: number };

export class AgentProcess {
  readonly lines: StatusLine[] = [];
  private readonly child: ChildProcess;
  private waiters: { pattern: RegExp; from: number; resolve: (l: StatusLine) => void }[] = [];

  constructor(configDir: string, extraArgs: string[] = []) {
    this.child = spawn(
      "npx",
      [
        "tsx",
        "agent/cli.ts",
        "run",
        "--config-dir",
        configDir,
        "--events-per-second",
        "20",
        "--batch-seconds",
        "1",
        ...extraArgs,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let buffer = "";
    this.child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        const entry = { line, at: Date.now() };
        this.lines.push(entry);
        this.waiters = this.waiters.filter((w) => {
          if (this.lines.indexOf(entry) >= w.from && w.pattern.test(line)) {
            w.resolve(entry);
            return false;
          }
          return true;
        });
      }
    });
    this.child.stderr!.on("data", (chunk: Buffer) =>
      process.stderr.write(`[agent] ${chunk.toString("utf8")}`),
    );
  }

  /** The next status line matching `pattern` from line index `from` on (default: any so far). */
  waitFor(pattern: RegExp, timeoutMs: number, from = 0): Promise<StatusLine> {
    const seen = this.lines.slice(from).find((l) => pattern.test(l.line));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no agent line matching ${pattern} within ${timeoutMs} ms; last lines:\n${this.lines
                .slice(-8)
                .map((l) => l.line)
                .join("\n")}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({
        pattern,
        from,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null) return resolve();
      this.child.once("exit", () => resolve());
      this.child.kill("SIGTERM");
    });
  }
}
