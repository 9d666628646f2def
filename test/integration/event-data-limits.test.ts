/**
 * Issue 15, item 2: an event's `data` is nested at most 16 levels and at most
 * 4 KB as JSON. Deeper or larger data refuses the batch with a 400 naming the
 * event (as every other invalid event does), whatever the depth: never a 500,
 * never a stack overflow, and nothing stored.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { LIMITS } from "#app/agent-protocol/v1.ts";
import { action as eventsAction } from "#app/routes/api.agent.v1.events.ts";
import { prisma } from "#app/utils/db.server.ts";
import { hashToken } from "#app/web/agent-http.server.ts";
import { createDevice, createUser } from "#test/fixtures.ts";
import { callRoute } from "#test/route-harness.ts";

async function device() {
  const worker = await createUser();
  const { id } = await createDevice(worker.id);
  const token = `token-${randomUUID()}`;
  await prisma.device.update({ where: { id }, data: { tokenHash: hashToken(token) } });
  return { id, token };
}

/** A batch's JSON text with one ordinary event and one whose data is `dataJson`. */
function batchText(dataJson: string): string {
  const at = new Date().toISOString();
  return `{"batchId":"${randomUUID()}","events":[{"type":"click","at":"${at}","app":"Editor","data":{"n":1}},{"type":"click","at":"${at}","app":"Editor","data":${dataJson}}]}`;
}

/** `{"a":{"a":…{"a":1}…}}`: an object `depth` levels deep (the outer object is level 1). */
function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** Arrays count as levels too: `{"a":[[…[1]…]]}`. */
function nestedArrays(depth: number): string {
  return `{"a":${"[".repeat(depth - 1)}1${"]".repeat(depth - 1)}}`;
}

function upload(token: string, body: string) {
  return callRoute(
    eventsAction,
    new Request("http://127.0.0.1/api/agent/v1/events", {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body,
    }),
  );
}

type Refusal = {
  error: { code: string; message: string; issues: { path: string; message: string }[] };
};

describe("an event's data", () => {
  test(`nested ${LIMITS.maxEventDataDepth} levels is stored; one level more refuses the batch with a 400 naming the event`, async () => {
    const d = await device();
    for (const data of [nested(LIMITS.maxEventDataDepth), nestedArrays(LIMITS.maxEventDataDepth)]) {
      const ok = await upload(d.token, batchText(data));
      expect(ok.status).toBe(200);
      expect(ok.data).toMatchObject({ stored: 2 });
    }
    for (const data of [
      nested(LIMITS.maxEventDataDepth + 1),
      nestedArrays(LIMITS.maxEventDataDepth + 1),
    ]) {
      const res = await upload(d.token, batchText(data));
      expect(res.status).toBe(400);
      expect((res.data as Refusal).error).toEqual({
        code: "invalid_request",
        message: "The batch is not valid; nothing was stored.",
        issues: [
          {
            path: "events.1.data",
            message: `data may be nested at most ${LIMITS.maxEventDataDepth} levels deep.`,
          },
        ],
      });
    }
    expect(await prisma.event.count({ where: { deviceId: d.id } })).toBe(4);
  });

  test("1,001, 5,000, 6,000 and 100,000 levels are each a 400, not a 500 or a stack overflow; nothing stored", async () => {
    const d = await device();
    for (const depth of [1_001, 5_000, 6_000, 100_000]) {
      for (const data of [nested(depth), nestedArrays(depth)]) {
        const res = await upload(d.token, batchText(data));
        expect(res.status, `${depth}`).toBe(400);
        expect((res.data as Refusal).error.issues[0]!.path).toBe("events.1.data");
      }
    }
    expect(await prisma.event.count({ where: { deviceId: d.id } })).toBe(0);
    expect(await prisma.eventBatch.count({ where: { deviceId: d.id } })).toBe(0);
  });

  test(`at most ${LIMITS.maxEventDataBytes} bytes as JSON: one byte more refuses the batch`, async () => {
    const d = await device();
    // {"s":"…"} is 8 bytes around the text; "é" is 2 bytes in UTF-8.
    const exact = JSON.stringify({
      s: "é".repeat(10) + "x".repeat(LIMITS.maxEventDataBytes - 8 - 20),
    });
    expect(new TextEncoder().encode(exact).byteLength).toBe(LIMITS.maxEventDataBytes);
    expect((await upload(d.token, batchText(exact))).status).toBe(200);
    const over = JSON.stringify({
      s: "é".repeat(10) + "x".repeat(LIMITS.maxEventDataBytes - 8 - 19),
    });
    const res = await upload(d.token, batchText(over));
    expect(res.status).toBe(400);
    expect((res.data as Refusal).error.issues).toEqual([
      {
        path: "events.1.data",
        message: `data may be at most ${LIMITS.maxEventDataBytes} bytes as JSON (this is ${LIMITS.maxEventDataBytes + 1}).`,
      },
    ]);
    const stored = await prisma.event.findMany({ where: { deviceId: d.id } });
    expect(stored).toHaveLength(2);
    expect(stored.map((e) => e.data)).toContain(exact);
  });
});
