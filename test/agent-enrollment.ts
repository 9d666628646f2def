/**
 * A device enrolled through the real enrollment API (code → token), for tests
 * of the agent endpoints. Each call comes from its own client address, so the
 * enrollment rate limit never joins tests together.
 */
import { createEnrollmentCode } from "#app/models/device.server.ts";
import { action as enrollAction } from "#app/routes/api.agent.v1.enroll.ts";
import { prisma } from "#app/utils/db.server.ts";
import { createUser } from "./fixtures.ts";
import { TEST_CONTEXT, callRoute } from "./route-harness.ts";

export const AGENT_API = "http://127.0.0.1/api/agent/v1";

let clients = 0;

export async function enrollThroughApi(user?: { id: string }) {
  const worker = user ?? (await createUser());
  const { code } = await createEnrollmentCode(worker.id, new Date());
  clients++;
  const res = await callRoute(
    enrollAction,
    new Request(`${AGENT_API}/enroll`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code, deviceName: "Laptop", platform: "linux", agentVersion: "1" }),
    }),
    { context: { ...TEST_CONTEXT, clientIp: `10.${(clients >> 8) & 255}.${clients & 255}.9` } },
  );
  if (res.status !== 201) throw new Error(`enrollment answered ${res.status}`);
  const { deviceId, token } = res.data as { deviceId: string; token: string };
  const { createdAt } = await prisma.device.findUniqueOrThrow({ where: { id: deviceId } });
  return { worker, deviceId, token, enrolledAt: createdAt };
}
