/**
 * Issue 16, item 7: the events list names types in words, gives times to the
 * second, and an empty result says why (filters, or no device) and how out.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { ingestBatch } from "#app/models/ingest.server.ts";
import { loader as eventsLoader } from "#app/routes/data.events.tsx";
import { createDevice, createUser, sessionCookieFor } from "#test/fixtures.ts";
import { callRoute, getRequest } from "#test/route-harness.ts";

type Page = {
  days: { heading: string; events: { time: string; type: string }[] }[];
  total: number | null;
  devices: unknown[];
  filtered: boolean;
};

async function page(userId: string, search = "") {
  const cookie = await sessionCookieFor(userId);
  return (await callRoute(eventsLoader, getRequest(`/data/events${search}`, { cookie })))
    .data as Page;
}

describe("the events list", () => {
  test("an empty list knows whether filters or a missing device are the reason", async () => {
    const worker = await createUser({ timezone: "UTC" });
    expect(await page(worker.id)).toMatchObject({ days: [], devices: [], filtered: false });
    const device = await createDevice(worker.id, { name: "Laptop" });
    const now = new Date();
    await ingestBatch(
      { id: device.id, workerId: worker.id },
      {
        batchId: randomUUID(),
        events: [
          {
            type: "click",
            app: "Editor",
            at: new Date(now.getTime() - 61_000).toISOString(),
            data: {},
          },
        ],
      },
      now,
    );
    const all = await page(worker.id);
    expect(all.filtered).toBe(false);
    expect(all.days).toHaveLength(1);
    expect(all.days[0]!.events).toHaveLength(1);
    expect(all.total).toBe(1);
    // Under the day's heading, to the second: "05:59:01 UTC".
    expect(all.days[0]!.events[0]!.time).toMatch(/^\d\d:\d\d:\d\d UTC$/);
    expect(await page(worker.id, "?type=scroll")).toMatchObject({
      days: [],
      total: 0,
      filtered: true,
    });
  });
});
