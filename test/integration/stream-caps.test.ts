/**
 * A device cannot pile up open state streams (issue 15): past
 * LIMITS.maxStreamsPerDevice, a new stream closes the oldest one.
 */
import { describe, expect, test } from "vitest";
import { LIMITS } from "#app/agent-protocol/v1.ts";
import { callStateStream } from "#test/state-stream-server.ts";
import { enrollThroughApi, AGENT_API } from "#test/agent-enrollment.ts";

const BASE = AGENT_API;

/** Opens a stream and reads its first event; returns its reader and a way to abort it. */
async function openStream(token: string) {
  const controller = new AbortController();
  const res = await callStateStream(
    new Request(`${BASE}/state/stream`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: controller.signal,
    }),
  );
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
    const { token } = await enrollThroughApi();
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
