/**
 * The reference agent (agent/cli.ts) as a child process, with its status
 * lines collected so a test can wait for "status=paused" and friends.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { expect } from "@playwright/test";

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

export type StatusLine = { line: string };

/** The agent's own time for a status line (its first field), from the machine's clock. */
export function agentTime(line: StatusLine): number {
  return Date.parse(line.line.slice(0, line.line.indexOf(" ")));
}

export class AgentProcess {
  readonly lines: StatusLine[] = [];
  private readonly child: ChildProcess;

  constructor(configDir: string, extraArgs: string[] = []) {
    // The agent itself, not `npx tsx` (npx → tsx → node): a SIGTERM reaches the process that
    // writes the outbox, and its exit means it has finished writing.
    this.child = spawn(
      process.execPath,
      [
        "--import",
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
        this.lines.push({ line: buffer.slice(0, newline) });
        buffer = buffer.slice(newline + 1);
      }
    });
    this.child.stderr!.on("data", (chunk: Buffer) =>
      process.stderr.write(`[agent] ${chunk.toString("utf8")}`),
    );
  }

  /**
   * The first status line matching `pattern` from line index `from` on (default: any so far).
   * No deadline of its own: it waits as long as the test may run, and fails at once if the
   * agent exits.
   */
  async waitFor(pattern: RegExp, from = 0): Promise<StatusLine> {
    const find = () => {
      const seen = this.lines.slice(from).find((l) => pattern.test(l.line));
      if (!seen && this.child.exitCode !== null) {
        throw new Error(
          `the agent exited (${this.child.exitCode}) without a line matching ${pattern}`,
        );
      }
      return seen;
    };
    await expect
      .poll(find, { message: `an agent line matching ${pattern}`, timeout: 0, intervals: [100] })
      .toBeDefined();
    return find()!;
  }

  /**
   * Checks that `line` (at index `from` or later) came from a state pushed over the stream: a
   * newer state version than `previous`, received on the stream, with no reconnection between
   * `from` and `line` (a reconnecting agent reads the state afresh, which would hide a missing
   * push). The agent's other ways to learn a state, its hourly refresh and its reconnection
   * after 100 s of silence, are further away than the test's timeout.
   */
  expectPushed(line: StatusLine, { from, previous }: { from: number; previous: StatusLine }) {
    expect(line.line).toMatch(/ source=stream( |$)/);
    expect(versionOf(line)).toBeGreaterThan(versionOf(previous));
    const between = this.lines.slice(from, this.lines.indexOf(line));
    expect(between.map((l) => l.line).filter((l) => /status=(offline|online)/.test(l))).toEqual([]);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      this.child.once("exit", () => resolve());
      this.child.kill("SIGTERM");
    });
  }
}

function versionOf(line: StatusLine): number {
  const version = / version=(\d+)/.exec(line.line)?.[1];
  if (version === undefined) throw new Error(`no version in: ${line.line}`);
  return Number(version);
}
