/**
 * The reference agent's command line:
 *   npm run agent -- enroll --server URL --code CODE [--name NAME] [--platform linux] [--config-dir DIR]
 *   npm run agent -- run [--config-dir DIR] [--transport sse|longpoll]
 *                        [--events-per-second N] [--batch-seconds S] [--usage-interval-seconds S]
 * Exit codes: 0 done, 1 failure, 2 bad usage, 3 device revoked.
 */
import { parseArgs } from "node:util";
import { startAgent, type TransportName } from "./agent.ts";
import { ConfigError, defaultConfigDir } from "./config.ts";
import { enrollDevice, EnrollmentError } from "./enroll.ts";
import { DEFAULT_USAGE_INTERVAL_SECONDS } from "./usage-report.ts";

const USAGE = `Lull reference agent

Usage:
  npm run agent -- enroll --server URL --code CODE [--name NAME] [--platform windows|macos|linux] [--config-dir DIR]
  npm run agent -- run [--config-dir DIR] [--transport sse|longpoll] [--events-per-second N] [--batch-seconds S]
                       [--usage-interval-seconds S]

The config directory defaults to $LULL_AGENT_DIR or ~/.lull-agent.
The agent reports its own CPU time and memory every --usage-interval-seconds
(default $LULL_AGENT_USAGE_INTERVAL_SECONDS or 3600; 0: never).
Exit codes: 0 done, 1 failure, 2 bad usage, 3 device revoked.`;

export const EXIT = { ok: 0, failure: 1, usage: 2, revoked: 3 } as const;

class UsageError extends Error {}

function positiveNumber(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new UsageError(`${name} must be a number ≥ 0.`);
  return number;
}

async function enrollCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      server: { type: "string" },
      code: { type: "string" },
      name: { type: "string" },
      platform: { type: "string" },
      "config-dir": { type: "string" },
    },
    strict: true,
  });
  if (!values.server || !values.code) throw new UsageError("enroll needs --server and --code.");
  const configDir = values["config-dir"] ?? defaultConfigDir();
  const { deviceId, configFile, server } = await enrollDevice({
    server: values.server,
    code: values.code,
    deviceName: values.name,
    platform: values.platform,
    configDir,
  });
  console.log(
    `${new Date().toISOString()} enrolled device=${deviceId} server=${server} config=${configFile}`,
  );
  return EXIT.ok;
}

async function runCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      "config-dir": { type: "string" },
      transport: { type: "string", default: "sse" },
      "events-per-second": { type: "string" },
      "batch-seconds": { type: "string" },
      "usage-interval-seconds": { type: "string" },
    },
    strict: true,
  });
  const transport = values.transport;
  if (transport !== "sse" && transport !== "longpoll") {
    throw new UsageError("--transport is sse or longpoll.");
  }
  const batchSeconds = positiveNumber(values["batch-seconds"], "--batch-seconds", 10);
  if (batchSeconds === 0) throw new UsageError("--batch-seconds must be above 0.");

  const agent = await startAgent({
    configDir: values["config-dir"] ?? defaultConfigDir(),
    transport: transport satisfies TransportName,
    eventsPerSecond: positiveNumber(values["events-per-second"], "--events-per-second", 5),
    batchSeconds,
    usageIntervalSeconds: positiveNumber(
      values["usage-interval-seconds"] ??
        (process.env.LULL_AGENT_USAGE_INTERVAL_SECONDS || undefined),
      "--usage-interval-seconds",
      DEFAULT_USAGE_INTERVAL_SECONDS,
    ),
    onStatus: (report) => console.log(report.line),
  });

  let signals = 0;
  const onSignal = () => {
    signals += 1;
    if (signals > 1) process.exit(130); // a second Ctrl-C: the user means it
    void agent.stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const exit = await agent.done;
  return exit.reason === "revoked" ? EXIT.revoked : EXIT.ok;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "enroll":
        return await enrollCommand(rest);
      case "run":
        return await runCommand(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(USAGE);
        return command === undefined ? EXIT.usage : EXIT.ok;
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      console.error(`${(error as Error).message}\n\n${USAGE}`);
      return EXIT.usage;
    }
    if (error instanceof ConfigError || error instanceof EnrollmentError) {
      console.error(error.message);
      return EXIT.failure;
    }
    console.error(error);
    return EXIT.failure;
  }
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}

// Exit explicitly: idle keep-alive sockets must not hold a finished agent open.
process.exit(await main(process.argv.slice(2)));
