/**
 * Agents' state changes across nodes (issue 18): this process is one node,
 * a plain pg connection plays the other. PostgreSQL only
 * (vitest.postgres.config.ts); the two-process test is nodes.test.ts.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  publishStateChange,
  subscribeToStateChanges,
  type StateChange,
} from "#app/utils/state-bus.server.ts";
import {
  STATE_CHANNEL,
  startStateFanout,
  stateFanoutStatus,
  stopStateFanout,
} from "#app/utils/state-fanout.server.ts";

const url = () => process.env.DATABASE_URL!;
let other: pg.Client;
const heardByOther: string[] = [];

/** Waits (no deadline but the test's own) until `check` passes. */
async function eventually(check: () => boolean) {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

function listen() {
  const seen: StateChange[] = [];
  const stop = subscribeToStateChanges((change) => seen.push(change));
  return { seen, stop };
}

beforeAll(async () => {
  other = new pg.Client({ connectionString: url() });
  await other.connect();
  other.on("notification", (m) => heardByOther.push(m.payload ?? ""));
  await other.query(`LISTEN ${STATE_CHANNEL}`);
  await startStateFanout(url());
});

afterAll(async () => {
  await stopStateFanout();
  await other.end();
});

describe("state changes across nodes", () => {
  test("a change another node notifies reaches this node's listeners", async () => {
    const { seen, stop } = listen();
    await other.query("SELECT pg_notify($1, $2)", [
      STATE_CHANNEL,
      JSON.stringify({ from: "node-b", changes: [{ workerId: "w-1" }, { everyone: true }] }),
    ]);
    await eventually(() => seen.length === 2);
    expect(seen).toEqual([{ workerId: "w-1" }, { everyone: true }]);
    stop();
  });

  test("a change made here is pushed here at once and sent to the others once", async () => {
    const { seen, stop } = listen();
    heardByOther.length = 0;
    await publishStateChange("w-2", { revokedDeviceId: "d-9" });
    expect(seen).toEqual([{ workerId: "w-2", revokedDeviceId: "d-9" }]);
    await eventually(() => heardByOther.length === 1);
    expect(JSON.parse(heardByOther[0]!)).toMatchObject({
      changes: [{ workerId: "w-2", revokedDeviceId: "d-9" }],
    });
    // Its own notification comes back to this node too, and is not pushed twice.
    await other.query("SELECT 1");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toHaveLength(1);
    stop();
  });

  test("many changes at once go out in notifications under PostgreSQL's size limit", async () => {
    heardByOther.length = 0;
    const ids = Array.from({ length: 1_000 }, (_, i) => `worker-${i.toString().padStart(5, "0")}`);
    await Promise.all(ids.map((id) => publishStateChange(id)));
    await eventually(
      () =>
        heardByOther.flatMap((p) => (JSON.parse(p) as { changes: unknown[] }).changes).length ===
        ids.length,
    );
    expect(heardByOther.length).toBeGreaterThan(1);
    for (const payload of heardByOther) expect(Buffer.byteLength(payload)).toBeLessThan(8_000);
  });

  test("a notification that is not a state change is ignored", async () => {
    const { seen, stop } = listen();
    await other.query("SELECT pg_notify($1, $2)", [
      STATE_CHANNEL,
      '{"from":"x","changes":[{"workerId":5}]}',
    ]);
    await other.query("SELECT pg_notify($1, $2)", [STATE_CHANNEL, "not json"]);
    await other.query("SELECT pg_notify($1, $2)", [
      STATE_CHANNEL,
      JSON.stringify({ from: "node-b", changes: [{ workerId: "after" }] }),
    ]);
    await eventually(() => seen.length === 1);
    expect(seen).toEqual([{ workerId: "after" }]);
    stop();
  });

  test("a lost listening connection is re-opened and every open stream re-reads its state", async () => {
    const { seen, stop } = listen();
    expect(stateFanoutStatus()).toBe("listening");
    await other.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lull-state-listener' AND datname = current_database()`,
    );
    await eventually(() => seen.some((c) => "everyone" in c));
    expect(stateFanoutStatus()).toBe("listening");
    // And it hears the other nodes again.
    await other.query("SELECT pg_notify($1, $2)", [
      STATE_CHANNEL,
      JSON.stringify({ from: "node-b", changes: [{ workerId: "w-3" }] }),
    ]);
    await eventually(() => seen.some((c) => "workerId" in c && c.workerId === "w-3"));
    stop();
  });
});
