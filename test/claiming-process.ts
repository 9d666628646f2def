/**
 * A script (`test/processes/start-server.ts`, `app/jobs/run-retention.ts`…)
 * in a process of its own, on a given database, as the server starts:
 * `claimed` resolves with its pid once it prints `claimed <pid>`, `exited`
 * with its exit. `killClaimingProcesses()` (in afterEach) ends those still
 * running: npx and tsx do not pass a SIGKILL on, so each is killed by its
 * own pid.
 */
import { type ChildProcess, spawn } from "node:child_process";

export type Exit = {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
};
export type Started = { child: ChildProcess; claimed: Promise<number>; exited: Promise<Exit> };

const running: Started[] = [];

export function spawnTsx(script: string, databaseUrl: string): Started {
  const child = spawn("npx", ["tsx", script], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Exit>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  const claimed = new Promise<number>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString();
      const pid = /claimed (\d+)/.exec(stdout)?.[1];
      if (pid) resolve(Number(pid));
    });
    void exited.then((e) => reject(new Error(`exited before claiming: ${JSON.stringify(e)}`)));
  });
  claimed.catch(() => {});
  const started = { child, claimed, exited };
  running.push(started);
  return started;
}

/** The server's start-up claim (test/processes/start-server.ts) on `databaseUrl`. */
export const startServer = (databaseUrl: string) =>
  spawnTsx("test/processes/start-server.ts", databaseUrl);

export async function killClaimingProcesses(): Promise<void> {
  for (const { child, claimed, exited } of running.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const pid = await Promise.race([claimed, exited.then(() => null)]).catch(() => null);
    if (pid) process.kill(pid, "SIGKILL");
    await exited;
  }
}
