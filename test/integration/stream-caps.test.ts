/**
 * A device cannot pile up open state streams (issue 15): past
 * LIMITS.maxStreamsPerDevice, a new stream closes the oldest one.
 */
import { describe, expect, test } from "vitest";
import { LIMITS } from "#app/agent-protocol/v1.ts";
import { createEnrollmentCode } from "#app/models/device.server.ts";
import { action as enrollAction } from "#app/routes/api.agent.v1.enroll.ts";
import { loader as streamLoader } from "#app/routes/api.agent.v1.state_.stream.ts";
import { createUser } from "#test/fixtures.ts";
import { TEST_CONTEXT, callRoute } from "#test/route-harness.ts";

const BASE = "http://127.0.0.1/api/agent/v1";

async function enrolledDevice() {
  const worker = await createUser();
  const { code } = await createEnrollmentCode(worker.id, new Date());
  const res = await callRoute(
    enrollAction,
    new Request(`${BASE}/enroll`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ code, deviceName: "Laptop", platform: "linux", agentVersion: "1" }),
    }),
    { context: { ...TEST_CONTEXT, clientIp: "10.7.7.7" } },
  );
  return (res.data as { token: string }).token;
}

/** Opens a stream and reads its first event; returns its reader and a way to abort it. */
async function openStream(token: string) {
  const controller = new AbortController();
  const res = await streamLoader({
    request: new Request(`${BASE}/state/stream`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: controller.signal,
    }),
    params: {},
    context: TEST_CONTEXT,
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("\n\n")) {
    const chunk = await reader.read();
    if (chunk.done) throw new Error("closed before its first event");
    text += decoder.decode(chunk.value);
  }
  return { reader, abort: () => controller.abort() };
}

describe("open state streams per device", () => {
  test("one stream past the cap closes the oldest; the newer ones stay open", async () => {
    const token = await enrolledDevice();
    const streams = [];
    for (let i = 0; i < LIMITS.maxStreamsPerDevice + 1; i++) streams.push(await openStream(token));
    // The oldest has ended (no deadline of its own: it ends at once or the test times out).
    expect((await streams[0]!.reader.read()).done).toBe(true);
    // The others are still open: nothing more to read yet, and not closed.
    for (const s of streams.slice(1)) {
      const next = s.reader.read();
      const winner = await Promise.race([next.then(() => "read"), Promise.resolve("pending")]);
      expect(winner).toBe("pending");
      s.abort();
    }
  });
});
