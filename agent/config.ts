/**
 * Where the agent keeps its files and how it reads and writes them. One
 * directory (default `$LULL_AGENT_DIR` or `~/.lull-agent`, mode 0700) holds:
 *   agent.json   {server, deviceId, token}   mode 0600, the only secret
 *   state.json   the last state received, so an agent restarted offline
 *                still obeys its windows
 *   outbox/      batches written before their first upload (see outbox.ts)
 *   rejected/    batches the server refused for good, with the reason
 */
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { StateSchema, type AgentState } from "../app/agent-protocol/v1.ts";

export const AGENT_VERSION = "0.1.0";

export const AgentConfigSchema = z.object({
  server: z.string().url(),
  deviceId: z.string().min(1),
  token: z.string().min(1),
});
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

export const SavedStateSchema = z.object({
  state: StateSchema,
  receivedAt: z.string().datetime(),
});
export type SavedState = z.infer<typeof SavedStateSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LULL_AGENT_DIR || path.join(homedir(), ".lull-agent");
}

export function agentPaths(configDir: string) {
  return {
    config: path.join(configDir, "agent.json"),
    state: path.join(configDir, "state.json"),
    outbox: path.join(configDir, "outbox"),
    rejected: path.join(configDir, "rejected"),
  };
}

/** "https://lull.example.com/" → "https://lull.example.com"; refuses anything but http(s). */
export function normalizeServerUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new ConfigError(
      `--server must be a URL such as https://lull.example.com (got "${input}").`,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`--server must start with https:// (got "${input}").`);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** Creates the directory (and parents) readable by its owner only, if missing. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** Writes through a fresh 0600 temporary file and a rename, so readers never see half a file. */
export async function writePrivateFile(file: string, contents: string): Promise<void> {
  const temporary = `${file}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, contents, { mode: 0o600, flag: "wx" });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export async function writeAgentConfig(configDir: string, config: AgentConfig): Promise<string> {
  await ensurePrivateDir(configDir);
  const file = agentPaths(configDir).config;
  await writePrivateFile(file, `${JSON.stringify(AgentConfigSchema.parse(config), null, 2)}\n`);
  return file;
}

export async function readAgentConfig(configDir: string): Promise<AgentConfig> {
  const file = agentPaths(configDir).config;
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new ConfigError(
      `No enrollment found in ${configDir}. Enroll first: npm run agent -- enroll --server URL --code CODE`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`${file} is not valid JSON. Enroll again to rewrite it.`);
  }
  const parsed = AgentConfigSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(`${file} lacks server, deviceId or token. Enroll again to rewrite it.`);
  }
  return parsed.data;
}

export async function readSavedState(configDir: string): Promise<SavedState | null> {
  try {
    const parsed = SavedStateSchema.safeParse(
      JSON.parse(await readFile(agentPaths(configDir).state, "utf8")),
    );
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export async function writeSavedState(
  configDir: string,
  state: AgentState,
  receivedAt: Date,
): Promise<void> {
  const saved: SavedState = { state, receivedAt: receivedAt.toISOString() };
  await writePrivateFile(agentPaths(configDir).state, `${JSON.stringify(saved)}\n`);
}
