/**
 * Enrollment: trades a one-time code for a device token and keeps the token
 * in <config-dir>/agent.json (mode 0600). The token is never printed.
 */
import { hostname } from "node:os";
import {
  EnrollRequestSchema,
  EnrollResponseSchema,
  type EnrollRequest,
} from "../app/agent-protocol/v1.ts";
import {
  apiUrl,
  errorFromResponse,
  HttpStatusError,
  ProtocolError,
  USER_AGENT,
  type FetchLike,
} from "./api.ts";
import { AGENT_VERSION, normalizeServerUrl, writeAgentConfig } from "./config.ts";

export type Platform = EnrollRequest["platform"];

export function currentPlatform(platform: NodeJS.Platform = process.platform): Platform {
  if (platform === "win32") return "windows";
  if (platform === "darwin") return "macos";
  return "linux";
}

export class EnrollmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EnrollmentError";
  }
}

export async function enrollDevice({
  server,
  code,
  deviceName = hostname(),
  platform = currentPlatform(),
  configDir,
  fetchImpl = fetch,
}: {
  server: string;
  code: string;
  deviceName?: string;
  platform?: string;
  configDir: string;
  fetchImpl?: FetchLike;
}): Promise<{ deviceId: string; configFile: string; server: string }> {
  const base = normalizeServerUrl(server);
  const request = EnrollRequestSchema.safeParse({
    code,
    deviceName,
    platform,
    agentVersion: AGENT_VERSION,
  });
  if (!request.success) {
    throw new EnrollmentError(request.error.issues.map((issue) => issue.message).join(" "));
  }

  let response: Response;
  try {
    response = await fetchImpl(apiUrl(base, "/enroll"), {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": USER_AGENT },
      body: JSON.stringify(request.data),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new EnrollmentError(`Could not reach ${base}: ${(error as Error).message}`);
  }
  if (!response.ok) {
    const error = await errorFromResponse(response);
    if (error instanceof HttpStatusError && error.status === 429) {
      const seconds = Math.ceil((error.retryAfterMs ?? 60_000) / 1000);
      throw new EnrollmentError(`Too many enrollment attempts. Try again in ${seconds} s.`);
    }
    const issues =
      error instanceof HttpStatusError
        ? error.issues.map((issue) => ` ${issue.path}: ${issue.message}`).join("")
        : "";
    throw new EnrollmentError(
      `Enrollment refused (HTTP ${response.status}): ${error.message}${issues}`,
    );
  }
  const parsed = EnrollResponseSchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success)
    throw new ProtocolError("The server's enrollment answer had no deviceId and token.");
  const configFile = await writeAgentConfig(configDir, {
    server: base,
    deviceId: parsed.data.deviceId,
    token: parsed.data.token,
  });
  return { deviceId: parsed.data.deviceId, configFile, server: base };
}
