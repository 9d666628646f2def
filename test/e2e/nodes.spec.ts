/**
 * Two app processes on one PostgreSQL (issue 18), started as docs/deploy.md
 * says. A worker pauses through node A; an agent streaming from node B, and
 * one long-polling node B, hear of it. The pause and batch invariants hold
 * when the two nodes are asked at the same moment. How fast the push crosses
 * nodes is measured by `npm run bench:agents -- --nodes 2`, not here.
 */
import { randomUUID } from "node:crypto";
import type { Page } from "@playwright/test";
import { createEnrollmentCode, expect, signIn, test } from "./fixtures.ts";
import { startPostgresNodes, type Nodes } from "./postgres-nodes.ts";

test.describe.configure({ mode: "serial" });

let cluster: Nodes;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  cluster = await startPostgresNodes(2);
});

test.afterAll(async () => {
  await cluster?.stop();
});

type AgentState = { stateVersion: number; collecting: boolean };

async function enroll(base: string, code: string): Promise<string> {
  const res = await fetch(`${base}/api/agent/v1/enroll`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      code,
      deviceName: "nodes test",
      platform: "linux",
      agentVersion: "1.0.0",
    }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { token: string }).token;
}

/** An agent's event stream, parsed into states as they arrive. */
function openStream(base: string, token: string) {
  const states: AgentState[] = [];
  const controller = new AbortController();
  const waiters: (() => void)[] = [];
  const done = (async () => {
    const res = await fetch(`${base}/api/agent/v1/state/stream`, {
      headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream" },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const decoder = new TextDecoder();
    const reader = res.body!.getReader();
    let buffer = "";
    for (;;) {
      const { done: ended, value } = await reader.read();
      if (ended) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame
          .split("\n")
          .filter((l) => l.startsWith("data: "))
          .map((l) => l.slice(6))
          .join("\n");
        if (data) states.push(JSON.parse(data) as AgentState);
        for (const wake of waiters.splice(0)) wake();
      }
    }
  })().catch((error: unknown) => {
    if ((error as Error).name !== "AbortError") throw error;
  });
  return {
    states,
    /** Resolves with the first state that passes `check` (no deadline but the test's own). */
    async until(check: (s: AgentState) => boolean): Promise<AgentState> {
      for (;;) {
        const found = states.find(check);
        if (found) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    close: async () => {
      controller.abort();
      await done;
    },
  };
}

async function sessionCookie(page: Page): Promise<string> {
  const cookies = await page.context().cookies();
  return cookies.map((c) => `${c.name}=${c.value}`).join("; ");
}

test("a pause made on node A reaches an agent streaming from node B, and one long-polling node B", async ({
  page,
}) => {
  const [nodeA, nodeB] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
  await signIn(page, "liam.obrien@lull.test", nodeA.url);
  const streaming = await enroll(nodeB.url, await createEnrollmentCode(page, nodeA.url));
  const polling = await enroll(nodeB.url, await createEnrollmentCode(page, nodeA.url));

  const stream = openStream(nodeB.url, streaming);
  const first = await stream.until(() => true);
  expect(first.collecting).toBe(true);

  const current = await fetch(`${nodeB.url}/api/agent/v1/state`, {
    headers: { Authorization: `Bearer ${polling}` },
  });
  const etag = current.headers.get("ETag")!;
  const longPoll = fetch(`${nodeB.url}/api/agent/v1/state?wait=55`, {
    headers: { Authorization: `Bearer ${polling}`, "If-None-Match": etag },
  });

  await page.goto(`${nodeA.url}/`);
  await page.getByRole("button", { name: "Pause now" }).click();
  await expect(page.getByRole("status")).toContainText("Tracking paused until");

  const paused = await stream.until((s) => s.stateVersion > first.stateVersion);
  expect(paused.collecting).toBe(false);
  const answered = await longPoll;
  expect(answered.status).toBe(200);
  expect(((await answered.json()) as AgentState).collecting).toBe(false);
  await stream.close();
});

test("2 × 50 simultaneous 'pause now' requests for one worker, across the two nodes, store exactly one pause", async ({
  page,
}) => {
  await signIn(page, "olusegun.adeyemi@lull.test", cluster.nodes[0]!.url);
  const cookie = await sessionCookie(page);
  const pauses = async () =>
    Number(
      (
        await cluster.sql<{ n: string }>(
          `SELECT count(*) AS n FROM "Pause" p JOIN "User" u ON u."id" = p."workerId" WHERE u."email" = $1`,
          ["olusegun.adeyemi@lull.test"],
        )
      )[0]!.n,
    );
  const before = await pauses();
  const results = await Promise.all(
    Array.from({ length: 100 }, (_, i) => {
      const base = cluster.nodes[i % 2]!.url;
      return fetch(`${base}/pauses`, {
        method: "POST",
        redirect: "manual",
        headers: {
          Cookie: cookie,
          Origin: base,
          "Content-Type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ intent: "start", durationMinutes: "30" }),
      }).then((r) => r.status);
    }),
  );
  expect(results.filter((s) => s === 302)).toHaveLength(1);
  expect(results.filter((s) => s !== 302 && s !== 400)).toEqual([]);
  // (The demo organisation's history has pauses of this worker already.)
  expect((await pauses()) - before).toBe(1);
});

test("the same batch sent to both nodes at the same moment is stored once", async ({ page }) => {
  const [nodeA, nodeB] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
  await signIn(page, "diego.ramirez@lull.test", nodeA.url);
  const token = await enroll(nodeA.url, await createEnrollmentCode(page, nodeA.url));
  const at = new Date(Date.now() - 5_000).toISOString();
  const batch = {
    batchId: randomUUID(),
    events: Array.from({ length: 200 }, (_, i) => ({
      type: i % 2 ? "keystroke" : "click",
      at,
      app: "Editor",
      data: {},
    })),
  };
  const send = (base: string) =>
    fetch(`${base}/api/agent/v1/events`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify(batch),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
  const answers = await Promise.all([send(nodeA.url), send(nodeB.url)]);
  expect(answers.map((a) => a.status)).toEqual([200, 200]);
  expect(answers.map((a) => a.body.duplicate).sort()).toEqual([false, true]);
  // Both answers carry the first time's counts.
  expect(answers[0]!.body.stored).toBe(answers[1]!.body.stored);
  const [events] = await cluster.sql<{ n: string }>(
    `SELECT count(*) AS n FROM "Event" e JOIN "Device" d ON d."id" = e."deviceId" JOIN "User" u ON u."id" = d."workerId" WHERE u."email" = $1 AND e."at" = $2::timestamp(3)`,
    ["diego.ramirez@lull.test", at],
  );
  expect(Number(events!.n)).toBe(answers[0]!.body.stored);
});
